#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The reference story end to end (suite "server", needs the Samba lab; root).

Run through run-server-tests.sh, which starts a fresh cloudtrustd.  The
administrator's part goes through cloudtrust-admin --json; the device's part
through the independent Python client (ctclient.py); the Kerberos part
through cloudtrust-krb and the real Samba AD DC of tests/lab:

  admin: user add (--password-stdin), user mfa enroll, user set-onprem with
  the lab's alice, kerberos-server publish with the lab's RODC key, policy
  set UseCloudTrustForOnPremAuth true;
  device: password + TOTP -> join -> token bound to the device -> Hello key
  -> policy -> nonce -> PRT with tgt=true -> session key, clientKey, AS-REP
  -> cloudtrust-krb store + exchange at the DC -> smbclient lists netlogon;
  renewal gives a fresh partial TGT that exchanges too;
  bob (no on-prem identity): no_onprem_identity; dave (domain without a
  Kerberos server object): no_kerberos_server; Administrator (RID 500):
  denied_account; a disabled user and a disabled device are refused at
  sign-in; the audit trail shows grants and denials.

Brings the lab up if it is not running and takes it down afterwards if it
started it.  Prints TAP.
"""

import atexit
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cryptography.x509.oid import NameOID  # noqa: E402
from ctclient import (  # noqa: E402
    Client, Device, Key, Otp, PrtReply, Tap, b64_decode, check_error, describe, expect_json, jws_claims,
    parse_otpauth, policy_node, write_private)

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(HERE, "..", "lab", "lab.sh")
PAC_CHECK = os.path.join(HERE, "..", "lab", "pac_check.py")
PY = "/usr/bin/python3"
BAD_GRANT = (400, "invalid_grant", 50126)

T = Tap()


def bail(msg):
    print("Bail out! " + msg, flush=True)
    sys.exit(1)


for v in ["CT_SERVER_URL", "CT_SERVER_CACERT", "CT_ADMIN_TOKEN_FILE", "CT_TENANT", "CT_ADMIN",
          "CT_KRB_TOOL"]:
    if not os.environ.get(v):
        bail("%s is not set (run through run-server-tests.sh)" % v)
ADMIN = os.environ["CT_ADMIN"]
KRB_TOOL = os.environ["CT_KRB_TOOL"]
for prog in [ADMIN, KRB_TOOL]:
    if not os.access(prog, os.X_OK):
        bail("%s is not built" % prog)
if os.geteuid() != 0:
    bail("the lab needs root (network namespace, samba)")

# --- the lab ------------------------------------------------------------------


def run(cmd, timeout=120, env=None, stdin=None):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env=env, input=stdin)


LAB_DIR = os.environ.get("CT_LAB_DIR", "/var/tmp/cloudtrust-lab")


def lab_release():
    # Counted use: the last test out stops a lab that a test started.
    run([LAB, "release"], timeout=120)


up = run([LAB, "acquire"], timeout=600)
if up.returncode != 0:
    bail("lab.sh acquire failed: " + (up.stdout + up.stderr)[-600:].replace("\n", " | "))
atexit.register(lab_release)


def read_env_file(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
            if not m:
                continue
            val = m.group(2)
            if len(val) >= 2 and val[0] == "'" and val[-1] == "'":
                val = val[1:-1]
            env[m.group(1)] = val
    return env


L = read_env_file(os.path.join(LAB_DIR, "lab.env"))
route = run(["ip", "route", "get", L["CT_LAB_DC_IP"]])
if "dev %s-h" % L["CT_LAB_NS"] not in route.stdout:
    bail("%s does not route into the lab namespace: %s" % (L["CT_LAB_DC_IP"], route.stdout))
KENV = dict(os.environ, KRB5_CONFIG=L["CT_LAB_KRB5_CONFIG"])
T.diag("lab: realm %s, DC %s (%s), RODC N=%s key version %s" % (
    L["CT_LAB_REALM"], L["CT_LAB_DC_HOST"], L["CT_LAB_DC_IP"], L["CT_LAB_RODC_N"],
    L["CT_LAB_RODC_KEY_VERSION"]))

W = tempfile.mkdtemp(prefix="ct-story.")
os.chmod(W, 0o700)


atexit.register(lambda: subprocess.run(["rm", "-rf", W]))


DOMAIN = L["CT_LAB_DNS_DOMAIN"]
REALM = L["CT_LAB_REALM"]
TENANT = os.environ["CT_TENANT"]
c = Client.from_env()

# --- cloudtrust-admin ---------------------------------------------------------


def adm(*args, stdin=None):
    """Runs cloudtrust-admin --json ARGS; returns (rc, parsed JSON or None, output)."""
    cmd = [ADMIN, "--server", os.environ["CT_SERVER_URL"],
           "--token-file", os.environ["CT_ADMIN_TOKEN_FILE"],
           "--cacert", os.environ["CT_SERVER_CACERT"], "--json"] + list(args)
    p = run(cmd, timeout=60, stdin=stdin)
    try:
        j = json.loads(p.stdout) if p.stdout.strip() else None
    except ValueError:
        j = None
    return p.returncode, j, "$ cloudtrust-admin %s\nexit %d\nstdout: %s\nstderr: %s" % (
        " ".join(args), p.returncode, p.stdout[-800:], p.stderr[-800:])


def adm_ok(*args, stdin=None):
    rc, j, out = adm(*args, stdin=stdin)
    if rc != 0:
        raise RuntimeError(out)
    return j


def step(name, fn):
    """A TAP line for fn() -> truthy; returns fn()'s value (None on failure)."""
    box = []

    def wrapped():
        v = fn()
        box.append(v)
        return v is not False and v is not None, "returned %r" % (v,)
    T.check(name, wrapped)
    return box[0] if box else None


PW = {}
OTP = {}


def add_user(upn, name):
    PW[upn] = "Story-%s-%s!" % (name, os.urandom(6).hex())
    j = adm_ok("user", "add", upn, "--display-name", name.title(), "--password-stdin",
               stdin=PW[upn] + "\n")
    if j.get("upn", "").lower() != upn.lower() or j.get("enabled") is not True:
        raise RuntimeError("user add printed %r" % j)
    return j


def enroll(upn):
    j = adm_ok("user", "mfa", "enroll", upn)
    p = parse_otpauth(j["otpauth_uri"])
    if p["secret_b32"].upper().rstrip("=") != str(j.get("secret", "")).upper().rstrip("="):
        raise RuntimeError("secret %r is not the one in the URI %r" % (j.get("secret"),
                                                                        j["otpauth_uri"]))
    OTP[upn] = Otp(j["otpauth_uri"])
    return j


def set_onprem(upn, sam, domain, sid, onprem_upn=None):
    args = ["user", "set-onprem", upn, "--sam", sam, "--domain", domain, "--sid", sid]
    if onprem_upn:
        args += ["--onprem-upn", onprem_upn]
    j = adm_ok(*args)
    op = j.get("onprem") or {}
    if op.get("sid") != sid or op.get("sam_account_name") != sam:
        raise RuntimeError("set-onprem printed %r" % j)
    return j


ALICE = L["CT_LAB_ALICE_UPN"]
BOB = L["CT_LAB_BOB_UPN"]
DAVE = "dave@" + DOMAIN
ADMINISTRATOR = "administrator@" + DOMAIN
BRANCH = "branch.example.test"

# --- 1. The administrator ----------------------------------------------------

for upn in [ALICE, BOB, DAVE, ADMINISTRATOR]:
    step("admin: user add %s --password-stdin" % upn,
         lambda upn=upn: add_user(upn, upn.split("@")[0]))
    step("admin: user mfa enroll %s (secret parsed from the otpauth URI)" % upn,
         lambda upn=upn: enroll(upn))
step("admin: user set-onprem alice with the lab's SID",
     lambda: set_onprem(ALICE, L["CT_LAB_ALICE_NAME"], DOMAIN, L["CT_LAB_ALICE_SID"], ALICE))
step("admin: tenant domain add %s" % BRANCH, lambda: adm_ok("tenant", "domain", "add", BRANCH))
step("admin: user set-onprem dave in %s (no Kerberos server object there)" % BRANCH,
     lambda: set_onprem(DAVE, "dave", BRANCH, L["CT_LAB_DOMAIN_SID"] + "-4321"))
step("admin: user set-onprem administrator with the lab's Administrator (RID 500)",
     lambda: set_onprem(ADMINISTRATOR, L["CT_LAB_ADMINISTRATOR_NAME"], DOMAIN,
                        L["CT_LAB_ADMINISTRATOR_SID"]))

KEY_FILE = os.path.join(W, "rodc.key")
write_private(KEY_FILE, "18:%s\n" % L["CT_LAB_RODC_KEY_AES256"])


def publish():
    rc, j, out = adm("kerberos-server", "publish", "--domain", DOMAIN, "--realm", REALM,
                     "--rodc", L["CT_LAB_RODC_N"], "--key-file", KEY_FILE,
                     "--key-version", L["CT_LAB_RODC_KEY_VERSION"], "--enctype", "18",
                     "--display-name", "AzureADKerberos", "--updated-from", L["CT_LAB_DC_HOST"])
    probs = []
    if rc != 0 or not isinstance(j, dict):
        return [out]
    if L["CT_LAB_RODC_KEY_AES256"].lower() in out.lower():
        probs.append("the key's bytes were printed")
    prim = j.get("primary") or {}
    if str(j.get("rodc_number")) != L["CT_LAB_RODC_N"]:
        probs.append("rodc_number %r" % j.get("rodc_number"))
    if str(prim.get("key_version")) != L["CT_LAB_RODC_KEY_VERSION"] or prim.get("enctype") != 18:
        probs.append("primary %r" % prim)
    if not prim.get("fingerprint"):
        probs.append("no fingerprint")
    if j.get("realm") != REALM:
        probs.append("realm %r" % j.get("realm"))
    return probs


T.check("admin: kerberos-server publish with the lab's RODC key (no key bytes shown)", publish)
T.check("admin: kerberos-server get shows the key version, not the key", lambda: (
    lambda r: (r[0] == 0 and L["CT_LAB_RODC_KEY_AES256"].lower() not in r[2].lower()
               and str((r[1] or {}).get("primary", {}).get("key_version"))
               == L["CT_LAB_RODC_KEY_VERSION"], r[2]))(adm("kerberos-server", "get", DOMAIN)))
step("admin: policy set UseCloudTrustForOnPremAuth true",
     lambda: adm_ok("policy", "set", "UseCloudTrustForOnPremAuth", "true") or True)

# --- 2. Devices: sign-in, join, bound token, Hello key ------------------------

T.check("device: discovery names this tenant's token endpoint", lambda: (
    c.disco.get("tenant_id") == TENANT and c.token_endpoint.endswith(
        "/%s/oauth2/token" % TENANT), json.dumps(c.disco)[:400]))

TOK, DEV, HELLO, BOUND = {}, {}, {}, {}
USERS = [ALICE, BOB, DAVE, ADMINISTRATOR]


def sign_in(upn, device=None):
    r = c.password_otp(upn, PW[upn], OTP[upn].fresh(), device=device)
    return expect_json(r)["access_token"]


for upn in USERS:
    TOK[upn] = step("%s: password + TOTP gives an access token" % upn, lambda upn=upn: sign_in(upn))
for upn in USERS:
    def join(upn=upn):
        d = Device(name="story-" + upn.split("@")[0])
        cert = d.absorb_join(expect_json(c.join(TOK[upn], d)))
        cn = [a.value.lower() for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
        DEV[upn] = d
        return bool(d.device_id) and cn == [d.device_id.lower()]
    step("%s: device join gives a certificate whose CN is the device id" % upn, join)
for upn in USERS:
    def bound(upn=upn):
        t = sign_in(upn, device=DEV[upn])
        BOUND[upn] = t
        return str(jws_claims(t).get("deviceid", "")).lower() == DEV[upn].device_id.lower()
    step("%s: token bound to the device (device_assertion) carries deviceid" % upn, bound)
for upn in USERS:
    def register(upn=upn):
        h = Key.rsa()
        j = expect_json(c.register_key(BOUND[upn], h.blob()))
        HELLO[upn] = h
        return j.get("kid") == h.kid() and j.get("upn", "").lower() == upn.lower()
    step("%s: Hello key registered (kid = b64 SHA-256 of the RSA1 blob)" % upn, register)


def policy_check():
    j = expect_json(c.policy(DEV[ALICE], ALICE))
    v = j.get("policies", {}).get(policy_node(TENANT, "UseCloudTrustForOnPremAuth"))
    return (v == "true", "UseCloudTrustForOnPremAuth = %r in %r" % (v, j))


T.check("alice: the device's policy says UseCloudTrustForOnPremAuth true", policy_check)

# --- 3. alice: PRT, partial TGT, exchange, SMB ---------------------------------

P = {}


def prt_alice():
    r = c.prt(DEV[ALICE], ALICE, HELLO[ALICE])
    P["alice"] = PrtReply(expect_json(r), DEV[ALICE].transport.priv)
    return True


step("alice: PRT with tgt=true", prt_alice)


def tgt_fields():
    p = P["alice"]
    t = p.tgt_ad
    probs = []
    if p.tgt_ad_was_string:
        probs.append("tgt_ad is a string holding JSON, PROTOCOL.md shows an object")
    want = {"realm": REALM, "sn": "krbtgt/" + REALM, "cn": L["CT_LAB_ALICE_NAME"],
            "keyType": 18, "sessionKeyType": 18, "accountType": 1}
    for k, v in want.items():
        if not isinstance(t, dict) or t.get(k) != v:
            probs.append("tgt_ad.%s = %r, want %r" % (k, (t or {}).get(k), v))
    if p.reply_key is None or len(p.reply_key) != 32:
        probs.append("clientKey did not give a 32-byte reply key")
    if p.client_key_header and len(b64_decode(p.client_key_header.get("ctx", ""))) != 24:
        probs.append("ctx is not 24 bytes: %r" % p.client_key_header)
    return probs


T.check("alice: tgt_ad has realm, sn, cn, keyType 18, sessionKeyType 18, accountType 1; "
        "clientKey opens with the KDF of the session key", tgt_fields)

CC = os.path.join(W, "alice.cc")


def store(p, cc):
    asrep, key = os.path.join(W, "as-rep.der"), os.path.join(W, "reply.key")
    p.write_krb_files(asrep, key)
    o = run([KRB_TOOL, "store", "--asrep", asrep, "--reply-key-file", key, "--ccache", cc],
            env=KENV)
    return (o.returncode == 0, o.stdout + o.stderr)


T.check("alice: cloudtrust-krb store opens the AS-REP with the reply key", lambda: store(
    P["alice"], CC))


def oracle():
    o = run([PY, PAC_CHECK, "--ccache", CC, "--key-hex", L["CT_LAB_RODC_KEY_AES256"],
             "--enctype", "18", "--strict"], env=KENV)
    try:
        j = json.loads(o.stdout)
    except ValueError:
        return False, o.stdout + o.stderr
    return (o.returncode == 0 and str(j.get("ticket_kvno")) == L["CT_LAB_RODC_KVNO"]
            and j["pac"].get("requester_sid") == L["CT_LAB_ALICE_SID"],
            o.stdout[-1200:] + o.stderr[-400:])


T.check("oracle: the partial TGT has kvno N<<16|version, PAC signatures verify, requester SID "
        "is alice's", oracle)


def exchange(cc):
    o = run([KRB_TOOL, "exchange", "--ccache", cc, "--kdc", L["CT_LAB_DC_IP"]], env=KENV)
    return (o.returncode == 0 and "full TGT stored" in o.stdout + o.stderr, o.stdout + o.stderr)


T.check("alice: cloudtrust-krb exchange at the DC gives a full TGT", lambda: exchange(CC))


def smb(cc):
    o = run(["smbclient", "//%s/netlogon" % L["CT_LAB_DC_HOST"], "-I", L["CT_LAB_DC_IP"],
             "--use-kerberos=required", "-N", "-c", "ls"], env=dict(KENV, KRB5CCNAME=cc))
    return ("blocks of size" in o.stdout, o.stdout[-600:] + o.stderr[-600:])


T.check("alice: smbclient lists //%s/netlogon with that cache" % L["CT_LAB_DC_HOST"],
        lambda: smb(CC))


def renewal():
    p0 = P["alice"]
    r = c.renew(p0.prt, p0.session_key)
    p = PrtReply(expect_json(r), DEV[ALICE].transport.priv, session_key=p0.session_key)
    P["renewed"] = p
    return (p.session_key == p0.session_key and p.asrep is not None and p.asrep != p0.asrep,
            "renewal reply: %r" % {k: (v if k == "tgt_ad" else "...") for k, v in p.raw.items()})


T.check("alice: renewal (HS256, KDF key) gives a fresh partial TGT under the same session key",
        renewal)
CC2 = os.path.join(W, "alice-renewed.cc")
T.check("alice: the renewed partial TGT exchanges and reaches the share too", lambda: (
    lambda s, e: (s[0] and e[0] and smb(CC2)[0], s[1] + e[1]))(
        store(P["renewed"], CC2), exchange(CC2)))

# --- 4. Who gets no partial TGT ------------------------------------------------


def tgt_error(upn, want):
    def f():
        r = c.prt(DEV[upn], upn, HELLO[upn])
        j = expect_json(r)
        t = j.get("tgt_ad")
        if isinstance(t, str):
            t = json.loads(t)
        return (isinstance(t, dict) and t.get("error") == want and "clientKey" not in t
                and bool(j.get("refresh_token")),
                "tgt_ad %r, refresh_token %s" % (t, "present" if j.get("refresh_token")
                                                 else "missing"))
    return f


T.check("bob (no on-prem identity): PRT issued, tgt_ad.error no_onprem_identity",
        tgt_error(BOB, "no_onprem_identity"))
T.check("dave (%s has no Kerberos server object): tgt_ad.error no_kerberos_server" % BRANCH,
        tgt_error(DAVE, "no_kerberos_server"))
T.check("administrator (RID 500): tgt_ad.error denied_account",
        tgt_error(ADMINISTRATOR, "denied_account"))

# --- 5. Disabled user and device ------------------------------------------------

step("admin: user disable bob", lambda: adm_ok("user", "disable", BOB).get("enabled") is False)
T.check("bob disabled: PRT refused (400 invalid_grant 50126)",
        lambda: check_error(c.prt(DEV[BOB], BOB, HELLO[BOB]), *BAD_GRANT))
T.check("bob disabled: password + fresh TOTP refused (400 invalid_grant 50126)",
        lambda: check_error(c.password_otp(BOB, PW[BOB], OTP[BOB].fresh()), *BAD_GRANT))
step("admin: device disable alice's device",
     lambda: adm_ok("device", "disable", DEV[ALICE].device_id).get("enabled") is False)
T.check("alice's device disabled: PRT refused (400 invalid_grant 50126)",
        lambda: check_error(c.prt(DEV[ALICE], ALICE, HELLO[ALICE]), *BAD_GRANT))
step("admin: device enable alice's device",
     lambda: adm_ok("device", "enable", DEV[ALICE].device_id).get("enabled") is True)
T.check("alice's device enabled again: PRT issued", lambda: (
    lambda r: (r.status_code == 200, describe(r)))(c.prt(DEV[ALICE], ALICE, HELLO[ALICE])))

# --- 6. Audit -------------------------------------------------------------------


def audit():
    j = adm_ok("audit", "show", "--limit", "500")
    ev = j.get("events", []) if isinstance(j, dict) else []
    text = lambda e: json.dumps(e).lower()  # noqa: E731
    has = lambda pred: any(pred(e) for e in ev)  # noqa: E731
    checks = {
        "a grant for alice": has(lambda e: e.get("outcome") == "grant"
                                 and e.get("actor", "").lower() == ALICE.lower()),
        "a deny for bob (disabled)": has(lambda e: e.get("outcome") == "deny"
                                         and e.get("actor", "").lower() == BOB.lower()),
        "a deny naming alice's disabled device": has(
            lambda e: e.get("outcome") == "deny"
            and DEV[ALICE].device_id.lower() in text(e)),
        "an event naming no_onprem_identity": has(lambda e: "no_onprem_identity" in text(e)),
        "an event naming no_kerberos_server": has(lambda e: "no_kerberos_server" in text(e)),
        "an event naming denied_account": has(lambda e: "denied_account" in text(e)),
        "admin changes with actor admin": has(lambda e: e.get("actor") == "admin"),
    }
    missing = [k for k, v in checks.items() if not v]
    return (not missing, "missing: %s (%d events)" % (", ".join(missing), len(ev)))


T.check("admin: audit show lists the grants and the refusals", audit)

sys.exit(T.done())
