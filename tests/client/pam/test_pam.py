#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""pam_cloudtrust.so through pamtester (suite "pam", root).

A real cloudtrustd and the lab DC (tests/client/lib/e2e_env.py); alice joins
a device and enrolls a PIN with the cloudtrust command; then a test PAM
service (/etc/pam.d/cloudtrust-test-PID, removed at the end) runs our module
for auth and session, and pam_exec after it writes the PAM environment the
session exported, so KRB5CCNAME is checked as an application would see it.

Usage: test_pam.py BUILD_DIR
"""

import atexit
import os
import stat
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "server"))
from ctclient import Tap  # noqa: E402
from e2e_env import Env, SetupError  # noqa: E402

T = Tap()


def bail(msg):
    print("Bail out! " + msg, flush=True)
    sys.exit(1)


if len(sys.argv) != 2:
    bail("usage: test_pam.py BUILD_DIR")
BUILD = os.path.abspath(sys.argv[1])
MODULE = os.path.join(BUILD, "src", "client", "pam", "pam_cloudtrust.so")
if not os.path.exists(MODULE):
    bail("%s is not built" % MODULE)
try:
    env = Env(BUILD)
except SetupError as e:
    bail(str(e))
atexit.register(env.close)

SERVICE = "cloudtrust-test-%d" % os.getpid()
SERVICE_FILE = os.path.join("/etc/pam.d", SERVICE)
DUMP = os.path.join(env.work, "session-env")
DUMPER = os.path.join(env.work, "dump-env.sh")
with open(DUMPER, "w") as f:
    f.write("#!/bin/sh\nenv > %s\n" % DUMP)
os.chmod(DUMPER, 0o755)


def remove_service():
    if os.path.exists(SERVICE_FILE):
        os.unlink(SERVICE_FILE)


atexit.register(remove_service)
alice = env.user("alice")
bob = env.user("bob")
dev = env.device("pam")
with open(SERVICE_FILE, "w") as f:
    f.write("# written by tests/client/pam/test_pam.py; removed when it ends\n"
            "auth     required %s config=%s debug\n"
            "account  required pam_permit.so\n"
            "session  required %s config=%s\n"
            "session  optional pam_exec.so %s\n" % (MODULE, dev.conf, MODULE, dev.conf, DUMPER))


def sanitizer_preload():
    """In an ASan/UBSan build the module needs the sanitizer runtimes loaded
    first: pamtester is not instrumented, so preload them.  Leak checking is
    off for pamtester's process (it and libpam are not ours)."""
    ldd = subprocess.run(["ldd", MODULE], capture_output=True, text=True).stdout
    libs = [ln.split("=>")[1].split()[0] for ln in ldd.splitlines()
            if "=>" in ln and ("libasan" in ln or "libubsan" in ln)]
    if not libs:
        return {}
    return {"LD_PRELOAD": " ".join(libs),
            "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=1:verify_asan_link_order=0"}


PAMTESTER_ENV = dict(env.child_env(), **sanitizer_preload())


def pamtester(user, pin, *ops):
    """pamtester SERVICE USER OPS with the PIN on standard input."""
    p = subprocess.run(["pamtester", "-v", SERVICE, user] + list(ops or ["authenticate"]),
                       input=(pin + "\n") if pin is not None else "", capture_output=True,
                       text=True, timeout=120, env=PAMTESTER_ENV)
    return p, "exit %d\nstdout: %s\nstderr: %s" % (p.returncode, p.stdout[-1500:], p.stderr[-1500:])


PIN = "48213579"
p = dev.join(alice)
T.ok(p.returncode == 0, "alice joins the device with the cloudtrust command", p.stdout + p.stderr)
env.admin("policy", "set", "UseCloudTrustForOnPremAuth", "true")
p = dev.enroll(alice, PIN)
T.ok(p.returncode == 0, "alice enrolls a PIN after MFA", p.stdout + p.stderr)

CC = dev.ccache(alice)
if os.path.exists(CC):
    os.unlink(CC)
p, log = pamtester(alice.local, PIN, "authenticate", "open_session")
T.ok(p.returncode == 0 and "successfully authenticated" in p.stderr + p.stdout,
     "pamtester: the PIN authenticates alice (auth) and the session opens", log)


def cache_ok():
    st = os.stat(CC)
    k = subprocess.run(["klist", "-c", "FILE:" + CC], capture_output=True, text=True,
                       env=env.child_env())
    return (stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == alice.uid
            and "krbtgt/%s@%s" % (env.lab["CT_LAB_REALM"], env.lab["CT_LAB_REALM"]) in k.stdout,
            "mode %o uid %d (alice %d)\n%s" % (stat.S_IMODE(st.st_mode), st.st_uid, alice.uid,
                                              k.stdout + k.stderr))


T.check("the module wrote alice's full TGT: 0600, owned by her, klist shows krbtgt", cache_ok)


def session_env():
    text = open(DUMP).read()
    return ("KRB5CCNAME=%s" % ("FILE:" + CC) in text or "KRB5CCNAME=%s" % CC in text,
            [ln for ln in text.splitlines() if "KRB5" in ln])


T.check("the session exports KRB5CCNAME naming that cache (seen by pam_exec)", session_env)
s = env.smbclient(alice, CC)
T.ok(s.returncode == 0 and "blocks of size" in s.stdout,
     "with that cache smbclient -k lists the share, no password", s.stdout[-300:] + s.stderr[-300:])

p, log = pamtester(alice.local, "99999999")
T.ok(p.returncode != 0 and "Authentication failure" in p.stderr + p.stdout,
     "a wrong PIN: PAM_AUTH_ERR (Authentication failure)", log)
T.ok("PIN is not correct" in p.stderr + p.stdout or "PIN" in p.stderr + p.stdout,
     "and the user is told the PIN was wrong", log)
p, log = pamtester(bob.local, PIN)
T.ok(p.returncode != 0 and "User not known" in p.stderr + p.stdout,
     "a user with no Hello key (bob, before he enrolls): PAM_USER_UNKNOWN, so the stack can "
     "fall through", log)
# A second user on the same device (any user of the tenant may sign in on a
# joined device).  bob is outside the password replication policy: the cloud
# accepts his PIN, the DC refuses his ticket.
p = dev.enroll(bob, "73915824")
T.ok(p.returncode == 0, "bob enrolls his own PIN on alice's device", p.stdout + p.stderr)
CCB = dev.ccache(bob)
p, log = pamtester(bob.local, "73915824")
T.ok(p.returncode == 0 and "domain controller refused" in p.stdout + p.stderr
     and not os.path.exists(CCB),
     "bob: signed in (the cloud took his PIN), told the domain controller refused the "
     "on-premises ticket, and no cache is written", log)
p, log = pamtester(alice.local, PIN)
T.ok(p.returncode == 0, "alice still signs in on the same device afterwards", log)
p, log = pamtester("ct-no-such-user-x", PIN)
T.ok(p.returncode != 0, "an unknown local account is refused", log)

# Lock the key: the device allows 3 wrong PINs (e2e_env's client.conf).
for i in range(3):
    pamtester(alice.local, "1470%04d" % i)
p, log = pamtester(alice.local, PIN)
T.ok(p.returncode != 0 and ("Have exhausted maximum number of retries" in p.stderr + p.stdout
                            or "maximum" in (p.stderr + p.stdout).lower()),
     "after the configured wrong PINs the key is locked: PAM_MAXTRIES even with the right PIN", log)

# Offline rule: with the server unreachable the PIN is checked against the
# key alone; a fresh PIN via pin reset first (the key is locked).
pinf = dev.pin_file(PIN, "reset-pin")
p = dev.run("pin", "reset", "--user", alice.local, "--password-file", alice.password_file,
            "--otp", alice.code(), "--pin-file", pinf)
T.ok(p.returncode == 0, "pin reset (MFA again) unlocks alice with a new key", p.stdout + p.stderr)
dev.write_conf(server_url="https://127.0.0.1:1")
p, log = pamtester(alice.local, PIN)
T.ok(p.returncode == 0 and "offline" in (p.stdout + p.stderr).lower(),
     "server unreachable, offline sign-in allowed: the PIN is checked locally (PAM_SUCCESS, "
     "told it is offline)", log)
p, log = pamtester(alice.local, "99999998")
T.ok(p.returncode != 0, "offline, a wrong PIN still fails", log)
dev.write_conf(server_url="https://127.0.0.1:1", offline_logon="false")
p, log = pamtester(alice.local, PIN)
T.ok(p.returncode != 0 and "cannot retrieve authentication info" in p.stderr + p.stdout,
     "offline sign-in off and server unreachable: PAM_AUTHINFO_UNAVAIL", log)
dev.write_conf()

nm = subprocess.run(["nm", "-D", "--defined-only", MODULE], capture_output=True, text=True)
T.ok(nm.returncode == 0 and "pam_sm_authenticate" in nm.stdout and "pam_sm_open_session" in nm.stdout,
     "the module exports the auth and session entry points", nm.stderr)
needed = subprocess.run(["readelf", "-d", MODULE], capture_output=True, text=True)
libs = [ln for ln in needed.stdout.splitlines() if "(NEEDED)" in ln]
T.ok(libs and not [ln for ln in libs if any(x in ln for x in ("sqlite", "microhttpd", "ldap", "oath"))],
     "the module needs no server or admin library directly (no sqlite, microhttpd, ldap, oath)",
     "\n".join(libs))

sys.exit(T.done())
