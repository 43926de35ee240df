#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The client end to end (suite "e2e"; root; the Samba lab).

Runs the `cloudtrust` command against a real cloudtrustd (e2e_env.py) and the
lab's Samba AD DC, as a device administrator and users would:

  alice, software keystore: join; PIN policy refusals (length, simple PIN,
  character classes) naming the rule; enroll after MFA; logon with
  UseCloudTrustForOnPremAuth off (PRT only, no cache, the share refuses);
  policy on: logon writes a full TGT (0600, owned by the user, klist shows
  krbtgt/REALM) and smbclient -k lists the share as the user; status (text
  and --json) like dsregcmd; refresh; doctor passes; doctor against the
  instance whose clock runs 11 minutes ahead reports the skew; the local
  policy file overrides the cloud policy; pin change; wrong PINs, then the
  lockout message; pin reset after MFA; a disabled device and a disabled
  user are refused at logon; events; leave.
  bob: stale MFA refused at enrollment (sign-in at one instance, key
  registration at the one 11 minutes ahead, as behind a load balancer);
  the DC refuses him (not in the allowed replication group): nothing written.
  mallory (allowed and denied groups): "the domain controller refused", no
  cache; doctor names the exchange.
  alice with swtpm: join, enroll, logon, TPM lockout after the configured
  number of wrong PINs.

Prints TAP.  Needs: the build dir as argv[1].
"""

import http.server
import json
import os
import ssl
import stat
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from e2e_env import Env, SetupError, Swtpm, write_private  # noqa: E402
from ctclient import Tap  # noqa: E402

import requests  # noqa: E402

T = Tap()


def bail(msg):
    print("Bail out! " + msg, flush=True)
    sys.exit(1)


if len(sys.argv) < 2:
    bail("usage: test_e2e.py BUILD_DIR")
if os.geteuid() != 0:
    bail("the e2e suite needs root (lab, local accounts, ccache owners)")


def out(p):
    return "exit %d\nstdout: %s\nstderr: %s" % (p.returncode, p.stdout[-1500:], p.stderr[-1500:])


def check_run(name, p, rc=0, stdout_has=None, stderr_has=None, absent=None):
    """A TAP line: p exited rc and its output holds the given texts."""
    probs = []
    if p.returncode != rc:
        probs.append("exit %d, want %d" % (p.returncode, rc))
    for text in ([stdout_has] if isinstance(stdout_has, str) else stdout_has or []):
        if text not in p.stdout:
            probs.append("stdout lacks %r" % text)
    for text in ([stderr_has] if isinstance(stderr_has, str) else stderr_has or []):
        if text not in p.stderr:
            probs.append("stderr lacks %r" % text)
    for text in absent or []:
        if text in p.stdout + p.stderr:
            probs.append("output shows %r" % text)
    return T.ok(not probs, name, "\n".join(probs) + "\n" + out(p))


def ccache_check(user, path):
    """Problems with a cache that must be the user's full TGT."""
    probs = []
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return ["no cache at %s" % path]
    if not stat.S_ISREG(st.st_mode):
        probs.append("not a regular file")
    if stat.S_IMODE(st.st_mode) != 0o600:
        probs.append("mode %o, want 600" % stat.S_IMODE(st.st_mode))
    if st.st_uid != user.uid or st.st_gid != user.gid:
        probs.append("owner %d:%d, want %d:%d" % (st.st_uid, st.st_gid, user.uid, user.gid))
    k = env.as_user(user, ["klist", "-c", "FILE:" + path])
    realm = env.lab["CT_LAB_REALM"]
    if k.returncode != 0 or ("krbtgt/%s@%s" % (realm, realm)) not in k.stdout:
        probs.append("klist as the user: " + out(k))
    return probs


# --- a router that sends key registration to the instance 11 minutes ahead ---

class Router:
    """A TLS front for two cloudtrustd instances sharing one database, as a
    load balancer would be: /EnrollmentServer/key/ goes to `later`, the rest
    to `main`.  It uses the service's own certificate, so the client trusts
    it as it trusts the service."""

    def __init__(self, env):
        self.main, self.later, self.cacert = env.url, env.url_later, env.cacert
        router = self
        tls = os.path.join(env.state, "tls")

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def forward(self):
                up = router.later if self.path.startswith("/EnrollmentServer/key/") \
                    else router.main
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                hdrs = {k: v for k, v in self.headers.items()
                        if k.lower() in ("content-type", "authorization", "accept")}
                r = requests.request(self.command, up + self.path, data=body, headers=hdrs,
                                     verify=router.cacert, timeout=30)
                self.send_response(r.status_code)
                for k in ("Content-Type", "X-Trace-Id", "Cache-Control"):
                    if k in r.headers:
                        self.send_header(k, r.headers[k])
                self.send_header("Content-Length", str(len(r.content)))
                self.end_headers()
                self.wfile.write(r.content)

            do_GET = do_POST = forward

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(tls, "server.pem"), os.path.join(tls, "server.key"))
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.url = "https://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# --- setup --------------------------------------------------------------------

try:
    env = Env(sys.argv[1])
except SetupError as e:
    bail(str(e))
closers = [env.close]


def cleanup():
    for f in reversed(closers):
        try:
            f()
        except Exception as e:  # a failed cleanup is a diagnostic, not a crash
            T.diag("cleanup: %s" % e)


try:
    L = env.lab
    REALM = L["CT_LAB_REALM"]
    T.diag("cloudtrustd %s (and %s, +%ss), tenant %s; lab realm %s, DC %s" % (
        env.url, env.url_later, 660, env.tenant, REALM, L["CT_LAB_DC_IP"]))
    alice = env.user("alice")
    bob = env.user("bob")
    mallory = env.user("mallory")
    router = Router(env)
    closers.append(router.close)
except SetupError as e:
    cleanup()
    bail(str(e))


def policy(node, value):
    env.admin("policy", "set", node, value)


def policy_remove(node):
    env.admin("policy", "remove", node)


# --- 1. alice joins a device with the software keystore ------------------------

A = env.device("a", keystore="soft")
p = A.join(alice)
check_run("alice: join (software keystore) exits 0 and names the device", p,
          stdout_has=["joined: device", "software key: weaker than a TPM"])


def state_files():
    probs = []
    st = os.stat(A.state)
    if st.st_uid != 0 or stat.S_IMODE(st.st_mode) & 0o022:
        probs.append("state dir %o owned by %d" % (stat.S_IMODE(st.st_mode), st.st_uid))
    for name, mode in [("device.json", 0o644), ("device-key.pem", 0o600),
                       ("transport-key.pem", 0o600), ("device-cert.pem", 0o644),
                       ("server-ca.pem", 0o644), ("policy-cache.json", 0o644)]:
        try:
            m = stat.S_IMODE(os.stat(os.path.join(A.state, name)).st_mode)
        except FileNotFoundError:
            probs.append("no " + name)
            continue
        if m != mode:
            probs.append("%s mode %o, want %o" % (name, m, mode))
    d = json.load(open(os.path.join(A.state, "device.json")))
    devs = env.admin("device", "list")["devices"]
    mine = [x for x in devs if x["id"].lower() == d["device_id"].lower()]
    if not mine or mine[0]["owner"].lower() != alice.upn.lower() or not mine[0]["enabled"]:
        probs.append("the service lists no enabled device %s owned by alice: %r"
                     % (d["device_id"], devs))
    return probs


T.check("alice: state files and modes; the service lists the device, owned by alice",
        state_files)
A.device_id = json.load(open(os.path.join(A.state, "device.json")))["device_id"]
check_run("join again without leave is refused", A.join(alice), rc=1,
          stderr_has="already joined")

other_state = os.path.join(env.work, "unsafe-state")
os.makedirs(other_state, mode=0o777, exist_ok=True)
os.chmod(other_state, 0o777)
U = env.device("unsafe")
U.write_conf(state_dir=other_state)
check_run("a state directory others can write is refused", U.run("status"), rc=1,
          stderr_has="can be written by other users")

# --- 2. PIN policy, enrollment ---------------------------------------------------

policy("PINComplexity/MinimumPINLength", "6")
for pin, rule in [("2048", "MinimumPINLength"), ("123456", "simple PIN"),
                  ("111111", "simple PIN"), ("2048ab", "LowercaseLetters")]:
    p = A.run("enroll", "--user", alice.local, "--upn", alice.upn, "--password-file",
              alice.password_file, "--otp", "000000", "--pin-file", A.pin_file(pin))
    check_run("enroll refuses PIN %r naming the rule %s (exit 9)" % (pin, rule), p, rc=9,
              stderr_has=rule)

PIN = "204817"


def enroll_refused(name, node, value, text):
    policy(node, value)
    p = A.run("enroll", "--user", alice.local, "--upn", alice.upn, "--password-file",
              alice.password_file, "--otp", "000000", "--pin-file", A.pin_file(PIN))
    policy_remove(node)
    check_run(name, p, rc=9, stderr_has=text)


enroll_refused("UsePassportForWork false: enroll refused (exit 9)", "UsePassportForWork",
               "false", "UsePassportForWork = false")
enroll_refused("RequireSecurityDevice true: the software keystore is refused (exit 9)",
               "RequireSecurityDevice", "true", "RequireSecurityDevice = true")

p = A.enroll(alice, PIN)
check_run("alice: enroll after password + TOTP with a good PIN", p,
          stdout_has=["enrolled: " + alice.upn, "soft keystore"])
check_run("enrolling the same UPN for another local user is refused",
          A.run("enroll", "--user", bob.local, "--upn", alice.upn, "--password-file",
                alice.password_file, "--otp", "000000", "--pin-file", A.pin_file(PIN)),
          rc=1, stderr_has="is enrolled for the local user")

# --- 3. logon with cloud trust off, then on ------------------------------------

CC = A.ccache(alice)
p = A.logon(alice, PIN)
check_run("policy off: logon gives a PRT and says the partial TGT is not used", p,
          stdout_has=["PRT until", "UseCloudTrustForOnPremAuth is off"])
T.ok(not os.path.exists(CC), "policy off: no credential cache is written", CC)
s = env.smbclient(alice, CC)
T.ok(s.returncode != 0 and "blocks of size" not in s.stdout,
     "policy off: smbclient -k cannot list the share (it would ask for a password)", out(s))

policy("UseCloudTrustForOnPremAuth", "true")
t0 = time.time()
p = A.logon(alice, PIN)
elapsed = time.time() - t0
check_run("policy on: logon writes a full TGT to the user's cache", p,
          stdout_has=["full TGT in FILE:" + CC])
T.diag("logon (soft keystore, PIN to full TGT, whole command): %.0f ms" % (elapsed * 1000))
T.check("the cache is 0600, owned by alice's account, klist shows krbtgt/%s" % REALM,
        lambda: ccache_check(alice, CC))
s = env.smbclient(alice, CC)
T.ok(s.returncode == 0 and "blocks of size" in s.stdout,
     "smbclient -k as alice lists //%s/netlogon" % L["CT_LAB_DC_HOST"], out(s))

# --- 4. status ---------------------------------------------------------------


def status_json():
    p, j = A.status(alice)
    if j is None:
        return [out(p)]
    probs = []
    want = [("device", "joined", True), ("device", "device_id", A.device_id),
            ("device", "keystore", "soft"), ("tenant", "tenant_id", env.tenant),
            ("sso", "prt", True), ("sso", "onprem_tgt", True), ("sso", "cloud_tgt", False),
            ("sso", "upn", alice.upn), ("hello", "enrolled", True),
            ("hello", "key_present", True), ("hello", "locked", False)]
    for sec, k, v in want:
        if (j.get(sec) or {}).get(k) != v:
            probs.append("%s.%s = %r, want %r" % (sec, k, (j.get(sec) or {}).get(k), v))
    if "weaker" not in (j["device"].get("keystore_note") or ""):
        probs.append("keystore_note %r" % j["device"].get("keystore_note"))
    pol = j.get("policy", {})
    if pol.get("UseCloudTrustForOnPremAuth") != {"value": True, "source": "cloud"}:
        probs.append("policy UseCloudTrustForOnPremAuth %r" % pol.get("UseCloudTrustForOnPremAuth"))
    if pol.get("PINComplexity/MinimumPINLength") != {"value": 6, "source": "cloud"}:
        probs.append("policy MinimumPINLength %r" % pol.get("PINComplexity/MinimumPINLength"))
    if not isinstance(j["sso"].get("prt_expiry"), int) or j["sso"]["prt_expiry"] <= time.time():
        probs.append("prt_expiry %r" % j["sso"].get("prt_expiry"))
    text = json.dumps(j)
    for secret in ("session_key", "refresh_token", '"prt": "'):
        if secret in text:
            probs.append("status shows %s" % secret)
    return probs


T.check("status --json: joined, device id, tenant, soft keystore (weaker), PRT, OnPremTgt, "
        "no CloudTgt, Hello key, policy with its source; no secrets", status_json)
p = A.run("status", "--user", alice.local)
check_run("status (text) has dsregcmd-like lines", p, stdout_has=[
    "Device State", "SSO State", "AzureAdPrt : YES", "OnPremTgt : YES", "CloudTgt : NO",
    "KeystoreKind : soft (software key: weaker than a TPM)", "DeviceId : " + A.device_id,
    "AzureAdPrtExpiryTime :", "UseCloudTrustForOnPremAuth : true (cloud)"])


def status_as_user():
    p = env.as_user(alice, [env.cloudtrust, "--config", A.conf, "status", "--json"])
    if p.returncode != 0:
        return [out(p)]
    j = json.loads(p.stdout)
    probs = []
    if j["device"].get("device_id") != A.device_id:
        probs.append("device section %r" % j["device"])
    if j["sso"].get("prt") is not None:
        probs.append("sso.prt %r, want null (unknown) for a non-root caller" % j["sso"].get("prt"))
    if j["sso"].get("onprem_tgt") is not True:
        probs.append("sso.onprem_tgt %r (the user can read their own cache)" % j["sso"].get("onprem_tgt"))
    return probs


T.check("status as alice (not root): device and her TGT shown, the PRT unknown", status_as_user)

# --- 5. refresh, doctor ---------------------------------------------------------

os.unlink(CC)
p = A.run("refresh", "--user", alice.local)
check_run("refresh renews the PRT (no PIN) and writes a fresh full TGT", p,
          stdout_has=["refreshed: " + alice.upn, "full TGT in FILE:" + CC])
T.check("after refresh the cache is alice's again", lambda: ccache_check(alice, CC))
p = A.run("doctor", "--user", alice.local)
check_run("doctor: every check passes", p, stdout_has=[
    "[ OK ] server reachable", "[ OK ] TLS certificate valid", "[ OK ] device known and enabled",
    "[ OK ] user has an on-premises identity", "[ OK ] domain has a Kerberos server object",
    "[ OK ] domain controller reachable", "[ OK ] clock skew under 5 minutes",
    "[ OK ] UseCloudTrustForOnPremAuth on", "[ OK ] exchange at the domain controller",
    "all checks passed"], absent=["FAIL"])

A.write_conf(server_url=env.url_later)
p = A.run("doctor", "--user", alice.local)
check_run("doctor against the instance 11 minutes ahead reports the clock skew (exit 10)", p,
          rc=10, stdout_has=["[FAIL] clock skew under 5 minutes", "behind the server",
                             "what to do:"], absent=["exchange at the domain controller"])
A.write_conf()

# --- 6. the local policy file wins ------------------------------------------------

write_private(A.policy_file, json.dumps({"UseCloudTrustForOnPremAuth": False}))
os.chmod(A.policy_file, 0o644)
p, j = A.status(alice)
T.ok(j is not None and j["policy"]["UseCloudTrustForOnPremAuth"] == {"value": False,
                                                                       "source": "local"},
     "local policy file: status shows UseCloudTrustForOnPremAuth false from the local policy",
     out(p))
os.unlink(CC)
p = A.logon(alice, PIN)
check_run("local policy off: logon gives a PRT, no TGT", p,
          stdout_has=["UseCloudTrustForOnPremAuth is off (local policy)"])
T.ok(not os.path.exists(CC), "local policy off: no cache written")
p = A.run("doctor", "--user", alice.local)
check_run("doctor names the policy and the local file", p, rc=10,
          stdout_has=["[FAIL] UseCloudTrustForOnPremAuth on", "local policy file"])
os.unlink(A.policy_file)

# --- 7. PIN change, wrong PINs, lockout, reset -----------------------------------

NEW = "305928"
check_run("pin change with a wrong current PIN: exit 3",
          A.run("pin", "change", "--user", alice.local, "--old-pin-file",
                A.pin_file("999999", "old"), "--pin-file", A.pin_file(NEW, "new")), rc=3,
          stderr_has="PIN is not correct")
check_run("pin change to a PIN the policy refuses: exit 9 naming the rule",
          A.run("pin", "change", "--user", alice.local, "--old-pin-file",
                A.pin_file(PIN, "old"), "--pin-file", A.pin_file("12345", "new")), rc=9,
          stderr_has="MinimumPINLength")
check_run("pin change with the right PIN",
          A.run("pin", "change", "--user", alice.local, "--old-pin-file",
                A.pin_file(PIN, "old"), "--pin-file", A.pin_file(NEW, "new")),
          stdout_has="changed")
check_run("logon with the new PIN", A.logon(alice, NEW), stdout_has="full TGT in")
check_run("logon with the old PIN: exit 3", A.logon(alice, PIN), rc=3,
          stderr_has="PIN is not correct")
check_run("second wrong PIN: exit 3", A.logon(alice, "111222"), rc=3)
check_run("third wrong PIN (pin_max_attempts = 3) locks the key: exit 4", A.logon(alice, "111223"),
          rc=4, stderr_has="locked")
check_run("even the right PIN is refused once locked: exit 4", A.logon(alice, NEW), rc=4,
          stderr_has="locked")
p, j = A.status(alice)
T.ok(j is not None and (j["hello"].get("locked") is True or j["hello"].get("key_present") is False),
     "status shows the locked (wiped) key", out(p))
RESET = "471036"
p = A.run("pin", "reset", "--user", alice.local, "--password-file", alice.password_file,
          "--otp", alice.code(), "--pin-file", A.pin_file(RESET))
check_run("pin reset after password + TOTP makes and registers a new key", p,
          stdout_has="set on a new Hello key")
check_run("logon with the reset PIN", A.logon(alice, RESET), stdout_has="full TGT in")

# --- 8. disabled device, disabled user -------------------------------------------

env.admin("device", "disable", A.device_id)
p = A.logon(alice, RESET)
check_run("disabled device: logon refused by the server (exit 8)", p, rc=8,
          stderr_has="the server refused")
env.admin("device", "enable", A.device_id)
env.admin("user", "disable", alice.upn)
p = A.logon(alice, RESET)
check_run("disabled user: logon refused by the server (exit 8)", p, rc=8,
          stderr_has="the server refused")
env.admin("user", "enable", alice.upn)
check_run("enabled again: logon works", A.logon(alice, RESET), stdout_has="full TGT in")

# --- 8b. server or DC out of reach ------------------------------------------------

os.unlink(CC)
A.write_conf(kdc="127.0.0.1:1")
p = A.logon(alice, RESET)
check_run("DC unreachable: the sign-in stands with a PRT and says the DC could not be reached",
          p, stdout_has=["PRT until", "could not be reached"])
T.ok(not os.path.exists(CC), "DC unreachable: no cache written")
A.write_conf(server_url="https://127.0.0.1:1")
check_run("server unreachable, offline_logon on (default): PIN checked locally, exit 0",
          A.logon(alice, RESET), stdout_has="offline")
check_run("server unreachable, offline: a wrong PIN is still refused (exit 3)",
          A.logon(alice, "999111"), rc=3)
A.write_conf(server_url="https://127.0.0.1:1", offline_logon="false")
check_run("server unreachable, offline_logon off: exit 6", A.logon(alice, RESET), rc=6)
A.write_conf()

# --- 9. bob: stale MFA; the DC refuses him ---------------------------------------

B = env.device("b")
check_run("bob: join", B.join(bob), stdout_has="joined: device")
B.write_conf(server_url=router.url)
p = B.enroll(bob, PIN)
check_run("stale MFA (key registration 11 minutes later) is refused (exit 8)", p, rc=8,
          stderr_has="older than 10 minutes")
T.ok(not os.path.exists(os.path.join(B.state, "users")) or
     not os.listdir(os.path.join(B.state, "users")),
     "stale MFA: no user state kept")
B.write_conf()
check_run("bob: enroll with fresh MFA", B.enroll(bob, PIN), stdout_has="enrolled")
CCB = B.ccache(bob)
p = B.logon(bob, PIN)
check_run("bob (not in the allowed replication group): the DC refuses (exit 7)", p, rc=7,
          stderr_has="the domain controller refused")
T.ok(not os.path.exists(CCB), "bob: no cache written after the refusal")

# --- 10. mallory: in a denied group ----------------------------------------------

M = env.device("m")
check_run("mallory: join", M.join(mallory), stdout_has="joined")
check_run("mallory: enroll", M.enroll(mallory, PIN), stdout_has="enrolled")
CCM = M.ccache(mallory)
p = M.logon(mallory, PIN)
check_run("mallory (denied group): \"the domain controller refused\" (exit 7)", p, rc=7,
          stderr_has=["the domain controller refused", "KDC_ERR_TGT_REVOKED"])
T.ok(not os.path.exists(CCM) and not [f for f in os.listdir(env.ccache_dir) if "_m" in f],
     "mallory: no cache and no half-written temporary file", os.listdir(env.ccache_dir))
p = M.run("doctor", "--user", mallory.local)
check_run("doctor for mallory fails at the exchange, with the DC's reason", p, rc=10,
          stdout_has=["[ OK ] UseCloudTrustForOnPremAuth on",
                      "[FAIL] exchange at the domain controller", "refused"])

# --- 11. events ------------------------------------------------------------------


def events():
    p = A.run("events", "--json")
    if p.returncode != 0:
        return [out(p)]
    names = set()
    for line in p.stdout.splitlines():
        names.add(json.loads(line).get("event"))
    text = A.run("events").stdout
    want = {"join", "enroll", "logon", "exchange", "logon_failed", "key_locked",
            "pin_change", "pin_reset", "prt_renewed", "policy_fetched"}
    probs = ["no %s event" % w for w in sorted(want) if w not in names and w not in text]
    for secret in (PIN, NEW, RESET, alice.password):
        if secret in p.stdout or secret in text:
            probs.append("a PIN or password shows in the events")
    return probs


T.check("events: join, enroll, logon, exchange, failures, lockout, PIN change/reset, "
        "renewal; no PIN or password", events)

# --- 12. swtpm -------------------------------------------------------------------

try:
    tpm = Swtpm(env.work)
    closers.append(tpm.close)
except (SetupError, OSError) as e:
    tpm = None
    T.ok(False, "swtpm starts", str(e))
if tpm is not None:
    D = env.device("tpm", keystore="tpm", extra_conf={"tcti": tpm.tcti})
    check_run("alice: join a second device with the TPM keystore (swtpm)", D.join(alice),
              stdout_has="in the tpm keystore", absent=["weaker"])
    check_run("alice: enroll on the TPM device", D.enroll(alice, PIN), stdout_has="tpm keystore")
    CCT = D.ccache(alice)
    t0 = time.time()
    p = D.logon(alice, PIN)
    T.diag("logon (swtpm keystore, whole command): %.0f ms" % ((time.time() - t0) * 1000))
    check_run("TPM: logon writes a full TGT", p, stdout_has="full TGT in FILE:" + CCT)
    T.check("TPM: the cache is alice's and 0600", lambda: ccache_check(alice, CCT))
    p, j = D.status(alice)
    T.ok(j is not None and j["device"]["keystore"] == "tpm" and
         "TPM" in j["device"]["keystore_note"], "TPM: status says tpm", out(p))
    check_run("TPM: wrong PIN, exit 3", D.logon(alice, "111222"), rc=3)
    check_run("TPM: wrong PIN, exit 3", D.logon(alice, "111223"), rc=3)
    p = D.logon(alice, "111224")
    check_run("TPM: third wrong PIN: locked by the TPM's dictionary-attack lockout (exit 4)",
              p, rc=4, stderr_has="locked")
    check_run("TPM: the right PIN is refused while locked (exit 4)", D.logon(alice, PIN), rc=4)

# --- 13. leave ---------------------------------------------------------------------

A.write_conf(server_url="https://127.0.0.1:1")
p = A.run("leave", "--yes")
check_run("leave with the service unreachable: refused, nothing changed", p, rc=6,
          stderr_has="nothing changed")
T.ok(os.path.exists(os.path.join(A.state, "device.json")), "the device state is still there")
A.write_conf()
p = A.run("leave", "--yes")
check_run("leave removes the device from the service and its keys here", p,
          stdout_has=["left:", "removed from the service"])
T.ok(not [x for x in env.admin("device", "list")["devices"]
          if x["id"].lower() == A.device_id.lower()],
     "the service no longer lists the device")
ev = env.admin("audit", "show", "--action", "device.leave")["events"]
T.ok(ev and ev[0]["outcome"] == "change" and ev[0]["device"].lower() == A.device_id.lower(),
     "the leave is an audit event (device.leave)", str(ev[:1]))
T.ok(not os.path.exists(os.path.join(A.state, "device.json")) and
     not os.path.exists(os.path.join(A.state, "device-key.pem")) and
     not [f for f in os.listdir(os.path.join(A.state, "users"))],
     "after leave: no device state, no device key, no user state",
     str(os.listdir(A.state)))
check_run("after leave: logon says not joined (exit 5)", A.logon(alice, RESET), rc=5,
          stderr_has="not joined")

cleanup()
sys.exit(T.done())
