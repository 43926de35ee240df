#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""e2e_env - a real cloudtrustd, the Samba lab DC and client devices, for the
client's end-to-end tests (suite "e2e") and anything built on the client
library (the PAM tests, the README story).

As a module:

    from e2e_env import Env
    with Env(build_dir) as env:           # lab acquire, cloudtrustd x2, admin setup
        alice = env.user("alice")        # cloud user + TOTP + on-prem identity,
                                         # and a local account "ctalice"
        dev = env.device("a")            # a client state dir + client.conf
        r = dev.run("join", "--server", env.url, ...)   # the cloudtrust command

As a script (for shell tests and people):

    e2e_env.py up   --build BUILD --work DIR [--users alice,bob,mallory]
        starts everything, writes DIR/env.sh (NAME='value' lines) and
        DIR/env.json, and leaves the daemons running (PIDs in DIR/pids);
    e2e_env.py down --work DIR
        stops the daemons by their recorded PIDs, releases the lab, removes
        the local accounts it created and DIR.

env.sh gives CT_SERVER_URL, CT_SERVER_URL_LATER (the instance whose clock is
11 minutes ahead), CT_SERVER_CACERT, CT_TENANT, CT_ADMIN, CT_ADMIN_TOKEN_FILE,
CT_CLOUDTRUST (the command), CT_LAB_* (lab.env), and per user U:
CT_USER_<U>_UPN, _PASSWORD_FILE, _OTP_SECRET, _LOCAL (local account name,
ct<name> plus 4 hex digits unique to this environment), _UID, _GID.

Everything runs as root on loopback and in the lab's network namespace.
TOTP codes come from ctclient.Otp (tests/server), which never hands out the
same 30-second step twice for one user: the server accepts each step once.
"""

import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "server"))
from ctclient import Otp, parse_otpauth  # noqa: E402

LAB = os.path.join(ROOT, "tests", "lab", "lab.sh")
LAB_DIR = os.environ.get("CT_LAB_DIR", "/var/tmp/cloudtrust-lab")
LATER_OFFSET = 660
# Lab users and what the lab made of them (tests/lab/README.md).
LAB_USERS = ("alice", "bob", "mallory", "carol")
LOCAL_PREFIX = "ct"


class SetupError(RuntimeError):
    pass


def run(cmd, timeout=120, env=None, stdin=None, check=False):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                       input=stdin)
    if check and p.returncode != 0:
        raise SetupError("%s: exit %d\n%s%s" % (" ".join(cmd), p.returncode,
                                                  p.stdout[-1500:], p.stderr[-1500:]))
    return p


def read_env_file(path):
    env = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line.rstrip("\n"))
            if not m:
                continue
            val = m.group(2)
            if len(val) >= 2 and val[0] == "'" and val[-1] == "'":
                val = val[1:-1]
            env[m.group(1)] = val
    return env


def write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


class Daemon:
    """One cloudtrustd on a shared state directory."""

    def __init__(self, binary, state, log, env_extra=None, start_timeout=30):
        port_file = os.path.join(state, "cloudtrustd.port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        env = dict(os.environ)
        env.update(env_extra or {})
        self.log = open(log, "ab")
        self.proc = subprocess.Popen([binary, "--state-dir", state, "--listen", "127.0.0.1:0"],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.pid = self.proc.pid
        deadline = time.time() + start_timeout
        self.port = None
        while time.time() < deadline:
            if os.path.exists(port_file):
                m = re.search(r"\d+", open(port_file).read())
                if m:
                    self.port = int(m.group(0))
                    break
            if self.proc.poll() is not None:
                raise SetupError("cloudtrustd exited with %d before writing its port"
                                 % self.proc.returncode)
            time.sleep(0.1)
        if self.port is None:
            self.stop()
            raise SetupError("cloudtrustd wrote no port file within %ds" % start_timeout)
        self.url = "https://127.0.0.1:%d" % self.port

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


class User:
    """A cloud user with a password, TOTP, maybe an on-prem identity, and
    the local account that enrolls it."""

    def __init__(self, env, name, upn, password, otp_uri, local):
        self.env = env
        self.name = name
        self.upn = upn
        self.password = password
        self.otp = Otp(otp_uri)
        self.otp_secret = parse_otpauth(otp_uri)["secret_b32"]
        self.password_file = os.path.join(env.work, "pw-" + name)
        write_private(self.password_file, password + "\n")
        self.local = local
        pw = pwd.getpwnam(local)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid

    def code(self):
        """A TOTP code for a step not used before."""
        return self.otp.fresh()


class Device:
    """One client device: a state directory and the client.conf naming it.
    Every device of one Env shares the ccache directory (sticky, like /tmp)."""

    def __init__(self, env, name, keystore="soft", extra_conf=None):
        self.env = env
        self.name = name
        self.dir = os.path.join(env.work, "dev-" + name)
        os.makedirs(self.dir, mode=0o755, exist_ok=True)
        self.state = os.path.join(self.dir, "state")
        self.policy_file = os.path.join(self.dir, "policy.json")
        self.conf = os.path.join(self.dir, "client.conf")
        self.keystore = keystore
        self.extra = dict(extra_conf or {})
        self.write_conf()

    def write_conf(self, **over):
        conf = {
            "state_dir": self.state,
            "policy_file": self.policy_file,
            "ccache": "FILE:%s/krb5cc_%%{uid}_%s" % (self.env.ccache_dir, self.name),
            "keystore": self.keystore,
            "kdc": self.env.lab["CT_LAB_DC_IP"] if self.env.lab else None,
            # Cheap Argon2id for tests; the defaults are for people.
            "argon2_t": "1",
            "argon2_m_kib": "64",
            "pin_max_attempts": "3",
        }
        conf.update(self.extra)
        conf.update(over)
        with open(self.conf, "w") as f:
            for k, v in conf.items():
                if v is not None:
                    f.write("%s = %s\n" % (k, v))

    def ccache(self, user):
        return "%s/krb5cc_%d_%s" % (self.env.ccache_dir, user.uid, self.name)

    def run(self, *args, stdin=None, timeout=120, env=None):
        cmd = [self.env.cloudtrust, "--config", self.conf] + list(args)
        e = dict(self.env.child_env())
        e.update(env or {})
        return run(cmd, timeout=timeout, env=e, stdin=stdin)

    def pin_file(self, pin, tag="pin"):
        path = os.path.join(self.dir, tag)
        write_private(path, pin + "\n")
        return path

    def join(self, user, server_url=None, *extra):
        return self.run("join", "--server", server_url or self.env.url, "--tenant",
                        self.env.tenant, "--ca", self.env.cacert, "--user", user.upn,
                        "--password-file", user.password_file, "--otp", user.code(),
                        *extra)

    def enroll(self, user, pin, otp=None):
        return self.run("enroll", "--user", user.local, "--upn", user.upn,
                        "--password-file", user.password_file, "--otp",
                        otp if otp is not None else user.code(),
                        "--pin-file", self.pin_file(pin))

    def logon(self, user, pin):
        return self.run("logon", "--user", user.local, "--pin-file", self.pin_file(pin, "logon-pin"))

    def status(self, user=None):
        args = ["status", "--json"] + (["--user", user.local] if user else [])
        p = self.run(*args)
        return p, (json.loads(p.stdout) if p.returncode == 0 and p.stdout.strip() else None)


class Env:
    """cloudtrustd (two instances on one database: the second 11 minutes
    ahead), the lab DC, cloud users and devices.  Use as a context manager
    or call close()."""

    def __init__(self, build, work=None, with_lab=True, keep=False):
        self.build = os.path.abspath(build)
        self.daemon_bin = os.path.join(self.build, "src", "server", "cloudtrustd")
        self.admin_bin = os.path.join(self.build, "src", "admin", "cloudtrust-admin")
        self.cloudtrust = os.path.join(self.build, "src", "client", "cli", "cloudtrust")
        for b in (self.daemon_bin, self.admin_bin, self.cloudtrust):
            if not os.access(b, os.X_OK):
                raise SetupError("%s is not built" % b)
        if os.geteuid() != 0:
            raise SetupError("the client end-to-end tests need root")
        self.keep = keep
        self.work = work or tempfile.mkdtemp(prefix="ct-e2e.")
        os.makedirs(self.work, exist_ok=True)
        os.chmod(self.work, 0o755)
        self.ccache_dir = os.path.join(self.work, "ccache")
        os.makedirs(self.ccache_dir, exist_ok=True)
        os.chmod(self.ccache_dir, 0o1777)
        self.daemons = {}
        self.users = {}
        self.tag = os.urandom(2).hex()
        self.created_accounts = []
        self.lab = None
        self.lab_acquired = False
        try:
            if with_lab:
                self._lab_up()
            self._server_up()
        except BaseException:
            self.close()
            raise

    # -- setup --

    def _lab_up(self):
        p = run([LAB, "acquire"], timeout=900)
        if p.returncode != 0:
            raise SetupError("lab.sh acquire failed: " + (p.stdout + p.stderr)[-800:])
        self.lab_acquired = True
        self.lab = read_env_file(os.path.join(LAB_DIR, "lab.env"))
        route = run(["ip", "route", "get", self.lab["CT_LAB_DC_IP"]])
        if "dev %s-h" % self.lab["CT_LAB_NS"] not in route.stdout:
            raise SetupError("%s does not route into the lab namespace: %s"
                             % (self.lab["CT_LAB_DC_IP"], route.stdout))

    def _server_up(self):
        self.state = os.path.join(self.work, "server")
        os.makedirs(self.state, mode=0o700, exist_ok=True)
        domain = self.lab["CT_LAB_DNS_DOMAIN"] if self.lab else "corp.example.test"
        p = run([self.daemon_bin, "init", "--state-dir", self.state, "--tenant-name",
                 "Contoso", "--domain", domain, "--listen", "127.0.0.1:0"], check=True)
        m = re.search(r"tenant ([0-9a-fA-F-]{36})", p.stdout + p.stderr)
        if not m:
            raise SetupError("cloudtrustd init printed no tenant id: " + p.stdout)
        self.tenant = m.group(1)
        self.cacert = os.path.join(self.state, "tls", "ca.pem")
        self.admin_token_file = os.path.join(self.state, "admin.token")
        log = os.path.join(self.work, "cloudtrustd.log")
        self.daemons["main"] = Daemon(self.daemon_bin, self.state, log)
        self.daemons["later"] = Daemon(self.daemon_bin, self.state, log, {
            "CLOUDTRUST_TEST_TIME_OFFSET": str(LATER_OFFSET)})
        self.url = self.daemons["main"].url
        self.url_later = self.daemons["later"].url
        if self.lab:
            key_file = os.path.join(self.work, "rodc.key")
            write_private(key_file, "18:%s\n" % self.lab["CT_LAB_RODC_KEY_AES256"])
            self.admin("kerberos-server", "publish", "--domain", domain, "--realm",
                       self.lab["CT_LAB_REALM"], "--rodc", self.lab["CT_LAB_RODC_N"],
                       "--key-file", key_file, "--key-version",
                       self.lab["CT_LAB_RODC_KEY_VERSION"], "--enctype", "18",
                       "--display-name", "AzureADKerberos")

    def local_account(self, name):
        """A local account (created when missing, removed at close)."""
        try:
            pwd.getpwnam(name)
        except KeyError:
            run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                 "--user-group", name], check=True)
            self.created_accounts.append(name)
        return name

    def user(self, name, onprem=True, local=None):
        """The cloud user name@DOMAIN (a lab user when onprem), with a fresh
        password and TOTP secret, and a local account (ct<name>)."""
        if name in self.users:
            return self.users[name]
        domain = self.lab["CT_LAB_DNS_DOMAIN"] if self.lab else "corp.example.test"
        upn = "%s@%s" % (name, domain)
        password = "E2e-%s-%s!" % (name, os.urandom(6).hex())
        self.admin("user", "add", upn, "--display-name", name.title(), "--password-stdin",
                   stdin=password + "\n")
        j = self.admin("user", "mfa", "enroll", upn)
        if onprem:
            U = name.upper()
            if self.lab is None or ("CT_LAB_%s_SID" % U) not in self.lab:
                raise SetupError("no lab identity for %s" % name)
            self.admin("user", "set-onprem", upn, "--sam", self.lab["CT_LAB_%s_NAME" % U],
                       "--domain", domain, "--sid", self.lab["CT_LAB_%s_SID" % U],
                       "--onprem-upn", self.lab.get("CT_LAB_%s_UPN" % U, upn))
        # One account per Env: runs side by side never share (or delete) one.
        acct = self.local_account(local or "%s%s%s" % (LOCAL_PREFIX, name, self.tag))
        u = User(self, name, upn, password, j["otpauth_uri"], acct)
        self.users[name] = u
        return u

    def device(self, name, **kw):
        return Device(self, name, **kw)

    # -- tools --

    def child_env(self):
        e = dict(os.environ)
        if self.lab:
            e["KRB5_CONFIG"] = self.lab["CT_LAB_KRB5_CONFIG"]
        e.pop("CLOUDTRUST_CLIENT_CONF", None)
        return e

    def admin(self, *args, stdin=None, check=True):
        """cloudtrust-admin --json ARGS; the parsed output (or None)."""
        cmd = [self.admin_bin, "--server", self.url, "--token-file", self.admin_token_file,
               "--cacert", self.cacert, "--json"] + list(args)
        p = run(cmd, timeout=60, stdin=stdin, check=check)
        try:
            return json.loads(p.stdout) if p.stdout.strip() else None
        except ValueError:
            return None

    def as_user(self, user, cmd, env=None, timeout=60):
        """Runs cmd with the user's uid and gid (setpriv), as a login would."""
        e = dict(self.child_env())
        e.update({"HOME": self.work, "USER": user.local, "LOGNAME": user.local})
        e.update(env or {})
        return run(["setpriv", "--reuid=%d" % user.uid, "--regid=%d" % user.gid,
                    "--clear-groups", "--"] + list(cmd), timeout=timeout, env=e)

    def smbclient(self, user, ccache):
        """smbclient -k on the DC's netlogon share as the user with ccache."""
        return self.as_user(user, ["smbclient", "//%s/netlogon" % self.lab["CT_LAB_DC_HOST"],
                                   "-I", self.lab["CT_LAB_DC_IP"], "--use-kerberos=required",
                                   "-N", "-c", "ls"], env={"KRB5CCNAME": "FILE:" + ccache})

    def env_vars(self):
        v = {
            "CT_SERVER_URL": self.url, "CT_SERVER_URL_LATER": self.url_later,
            "CT_LATER_OFFSET": str(LATER_OFFSET), "CT_SERVER_CACERT": self.cacert,
            "CT_TENANT": self.tenant, "CT_ADMIN": self.admin_bin,
            "CT_ADMIN_TOKEN_FILE": self.admin_token_file, "CT_CLOUDTRUST": self.cloudtrust,
            "CT_E2E_WORK": self.work, "CT_E2E_CCACHE_DIR": self.ccache_dir,
            "CT_DAEMON_LOG": os.path.join(self.work, "cloudtrustd.log"),
        }
        for name, u in self.users.items():
            U = name.upper()
            v.update({"CT_USER_%s_UPN" % U: u.upn, "CT_USER_%s_PASSWORD_FILE" % U:
                      u.password_file, "CT_USER_%s_OTP_SECRET" % U: u.otp_secret,
                      "CT_USER_%s_LOCAL" % U: u.local, "CT_USER_%s_UID" % U: str(u.uid),
                      "CT_USER_%s_GID" % U: str(u.gid)})
        if self.lab:
            v.update(self.lab)
        return v

    def close(self):
        rcs = {}
        for name, d in list(self.daemons.items()):
            rcs[name] = d.stop()
        self.daemons = {}
        for acct in self.created_accounts:
            run(["userdel", acct])
        self.created_accounts = []
        if self.lab_acquired:
            run([LAB, "release"], timeout=300)
            self.lab_acquired = False
        if not self.keep and os.path.isdir(self.work):
            shutil.rmtree(self.work, ignore_errors=True)
        return rcs

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


# -- swtpm -------------------------------------------------------------------

def free_port_pair():
    for _ in range(200):
        s1, s2 = socket.socket(), socket.socket()
        try:
            s1.bind(("127.0.0.1", 0))
            p = s1.getsockname()[1]
            s2.bind(("127.0.0.1", p + 1))
            return p
        except OSError:
            continue
        finally:
            s1.close()
            s2.close()
    raise SetupError("no two free ports for swtpm")


class Swtpm:
    def __init__(self, work):
        self.dir = os.path.join(work, "swtpm")
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        self.port = free_port_pair()
        self.proc = subprocess.Popen(
            ["swtpm", "socket", "--tpm2",
             "--server", "type=tcp,port=%d,bindaddr=127.0.0.1" % self.port,
             "--ctrl", "type=tcp,port=%d,bindaddr=127.0.0.1" % (self.port + 1),
             "--tpmstate", "dir=" + self.dir, "--flags", "not-need-init,startup-clear"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(500):
            if self.proc.poll() is not None:
                raise SetupError("swtpm exited with %d" % self.proc.returncode)
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    break
            time.sleep(0.01)
        self.tcti = "swtpm:host=127.0.0.1,port=%d" % self.port

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()



# -- script mode: up / down ----------------------------------------------------

def _up(build, work, users):
    env = Env(build, work=work, keep=True)
    try:
        for u in users:
            env.user(u, onprem=u in LAB_USERS)
        v = env.env_vars()
        with open(os.path.join(work, "env.json"), "w") as f:
            json.dump(v, f, indent=2)
        with open(os.path.join(work, "env.sh"), "w") as f:
            for k, val in sorted(v.items()):
                f.write("%s='%s'\n" % (k, str(val).replace("'", "")))
        with open(os.path.join(work, "pids"), "w") as f:
            json.dump({"daemons": [d.pid for d in env.daemons.values()],
                       "accounts": env.created_accounts, "lab": env.lab_acquired}, f)
        print(os.path.join(work, "env.sh"))
    except BaseException:
        env.close()
        raise
    # The daemons outlive this process: detach from them.
    for d in env.daemons.values():
        d.log.close()
    os._exit(0)


def _down(work):
    with open(os.path.join(work, "pids")) as f:
        p = json.load(f)
    for pid in p["daemons"]:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
    for acct in p["accounts"]:
        run(["userdel", acct])
    if p["lab"]:
        run([LAB, "release"], timeout=300)
    shutil.rmtree(work, ignore_errors=True)


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(prog="e2e_env.py")
    ap.add_argument("action", choices=["up", "down"])
    ap.add_argument("--build")
    ap.add_argument("--work", required=True)
    ap.add_argument("--users", default="alice,bob,mallory")
    a = ap.parse_args(argv)
    if a.action == "up":
        if not a.build:
            ap.error("up needs --build")
        _up(a.build, a.work, [u for u in a.users.split(",") if u])
    else:
        _down(a.work)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
