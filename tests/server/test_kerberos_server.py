#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""kerberos-server set / remove against the Samba lab DC (suite
"kerberos-server", root).  Run through run-server-tests.sh (a fresh cloudtrustd).

Works on a second server object, --name CloudTrustTest, so the lab's own
AzureADKerberos object (which test-exchange.sh and lab.env rely on) stays as
it is.  Everything the tool did is checked independently: the AD objects
with Samba's ldb on the DC's sam.ldb, the key with labkeys.py (Samba's NDR
parser), the cloud side with kerberos-server get.

The lab's certificate names dc1.corp.example.test, which this host cannot
resolve: each cloudtrust-admin runs in a private mount namespace whose
/etc/hosts adds that name (unshare -m; nothing changes for other processes).
"""

import atexit
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lab"))
from ctclient import Client, Device, Key, Otp, PrtReply, Tap, expect_json  # noqa: E402

LAB = os.path.join(HERE, "..", "lab", "lab.sh")
NAME = "CloudTrustTest"
T = Tap()


def bail(msg):
    print("Bail out! " + msg, flush=True)
    sys.exit(1)


for v in ["CT_SERVER_URL", "CT_SERVER_CACERT", "CT_ADMIN_TOKEN_FILE", "CT_ADMIN"]:
    if not os.environ.get(v):
        bail("%s is not set (run through run-server-tests.sh)" % v)
if os.geteuid() != 0:
    bail("the lab needs root (network namespace, samba, unshare)")
ADMIN = os.environ["CT_ADMIN"]


def run(cmd, timeout=120, stdin=None):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=stdin)


up = run([LAB, "acquire"], timeout=600)
if up.returncode != 0:
    bail("lab.sh acquire failed: " + (up.stdout + up.stderr)[-600:].replace("\n", " | "))
atexit.register(lambda: run([LAB, "release"], timeout=120))

import labkeys  # noqa: E402  (needs samba's python modules: /usr/bin/python3)
import ldb  # noqa: E402

LAB_DIR = os.environ.get("CT_LAB_DIR", "/var/tmp/cloudtrust-lab")
L = {}
with open(os.path.join(LAB_DIR, "lab.env")) as f:
    for line in f:
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)='?(.*?)'?$", line.rstrip("\n"))
        if m:
            L[m.group(1)] = m.group(2)
route = run(["ip", "route", "get", L["CT_LAB_DC_IP"]])
if "dev %s-h" % L["CT_LAB_NS"] not in route.stdout:
    bail("%s does not route into the lab namespace: %s" % (L["CT_LAB_DC_IP"], route.stdout))

W = tempfile.mkdtemp(prefix="ct-ks.")
atexit.register(lambda: subprocess.run(["rm", "-rf", W]))
HOSTS = os.path.join(W, "hosts")
with open("/etc/hosts") as f, open(HOSTS, "w") as out:
    out.write(f.read() + "\n%s %s\n" % (L["CT_LAB_DC_IP"], L["CT_LAB_DC_HOST"]))
GOOD_PW = os.path.join(W, "good.pw")
BAD_PW = os.path.join(W, "bad.pw")
for path, pw in ((GOOD_PW, L["CT_LAB_ADMINISTRATOR_PASSWORD"]), (BAD_PW, "not-the-password")):
    with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write(pw + "\n")

BASE = L["CT_LAB_BASE_DN"]
DOMAIN = L["CT_LAB_DNS_DOMAIN"]
COMP_DN = "CN=%s,OU=Domain Controllers,%s" % (NAME, BASE)
KRBTGT_DN = "CN=krbtgt_%s,CN=Users,%s" % (NAME, BASE)
DOMSID = L["CT_LAB_DOMAIN_SID"]
samdb, _ = labkeys.open_samdb(L["CT_LAB_SAMDB"], L["CT_LAB_SMB_CONF"])


def adm(*args, stdin=None):
    """cloudtrust-admin ARGS in a mount namespace that resolves the DC's name."""
    cmd = ["unshare", "-m", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', HOSTS,
           ADMIN, "--server", os.environ["CT_SERVER_URL"],
           "--token-file", os.environ["CT_ADMIN_TOKEN_FILE"],
           "--cacert", os.environ["CT_SERVER_CACERT"]] + list(args)
    p = run(cmd, timeout=120, stdin=stdin)
    return p.returncode, p.stdout, p.stderr, "$ cloudtrust-admin %s\nexit %d\nstdout: %s\nstderr: %s" % (
        " ".join(args), p.returncode, p.stdout[-1500:], p.stderr[-800:])


def ad_args(pw=GOOD_PW, dc=None, cacert=None):
    return ["--dc", dc or L["CT_LAB_DC_HOST"],
            "--dc-cacert", cacert or os.path.join(LAB_DIR, "private", "tls", "ca.pem"),
            "--bind-dn", "CN=Administrator,CN=Users,%s" % BASE,
            "--bind-password-file", pw, "--name", NAME]


def set_cmd(**kw):
    return ["kerberos-server", "set", "--domain", DOMAIN, "--samba-conf",
            L["CT_LAB_SMB_CONF"]] + ad_args(**kw)


def find(dn, attrs):
    try:
        # extended_dn: DN values carry <SID=...> (the reveal groups are compared by SID)
        res = samdb.search(base=dn, scope=ldb.SCOPE_BASE, attrs=attrs, controls=["extended_dn:1:1"])
    except ldb.LdbError:
        return None
    return res[0] if len(res) == 1 else None


def cleanup_ad():
    """Removes a CloudTrustTest object left by an earlier run, with ldb."""
    comp = find(COMP_DN, ["msDS-KrbTgtLink"])
    dns = [COMP_DN] if comp is not None else []
    if comp is not None and "msDS-KrbTgtLink" in comp:
        dns.append(str(comp["msDS-KrbTgtLink"][0]).split(";")[-1])
    if find(KRBTGT_DN, ["cn"]) is not None and KRBTGT_DN not in dns:
        dns.append(KRBTGT_DN)
    for dn in dns:
        samdb.delete(dn)
        T.diag("removed leftover %s" % dn)


cleanup_ad()
atexit.register(cleanup_ad)

# --- set ----------------------------------------------------------------------

rc, out, err, log = adm(*set_cmd())
T.ok(rc == 0 and "created %s" % COMP_DN in out and "created %s" % KRBTGT_DN in out
     and "linked %s" % COMP_DN in out and "published to cloudtrustd" in out,
     "set creates the computer, the krbtgt account, the link, and publishes (one line each)", log)
T.diag(out)


def check_computer():
    c = find(COMP_DN, ["sAMAccountName", "userAccountControl", "msDS-KrbTgtLink", "primaryGroupID",
                       "msDS-RevealOnDemandGroup", "msDS-NeverRevealGroup"])
    if c is None:
        return (False, "no %s" % COMP_DN)
    probs = []
    if str(c["sAMAccountName"][0]) != NAME + "$":
        probs.append("sAMAccountName %s" % c["sAMAccountName"][0])
    if int(c["userAccountControl"][0]) != 0x5001002:
        probs.append("userAccountControl 0x%x" % int(c["userAccountControl"][0]))
    if not str(c["msDS-KrbTgtLink"][0]).lower().endswith(";" + KRBTGT_DN.lower()):
        probs.append("msDS-KrbTgtLink %s" % c["msDS-KrbTgtLink"][0])
    sid_of = lambda v: re.search(r"<SID=([^>]+)>", str(v)).group(1)  # noqa: E731
    allow = [sid_of(v) for v in c["msDS-RevealOnDemandGroup"]]
    deny = sorted(sid_of(v) for v in c["msDS-NeverRevealGroup"])
    if allow != ["%s-571" % DOMSID]:
        probs.append("msDS-RevealOnDemandGroup %s" % allow)
    want = sorted(["%s-572" % DOMSID, "S-1-5-32-544", "S-1-5-32-548", "S-1-5-32-549", "S-1-5-32-551"])
    if deny != want:
        probs.append("msDS-NeverRevealGroup %s" % deny)
    return probs


T.check("the computer object has the name, userAccountControl, link and reveal groups (ldb)",
        check_computer)

krb = find(KRBTGT_DN, ["sAMAccountName", "msDS-SecondaryKrbTgtNumber"])
N = int(krb["msDS-SecondaryKrbTgtNumber"][0]) if krb is not None else -1
T.ok(krb is not None and str(krb["sAMAccountName"][0]) == "krbtgt_%d" % N and 0 < N < 65536
     and str(N) != L["CT_LAB_RODC_N"],
     "the krbtgt account is krbtgt_N with its own N (RODC_DCPROMO)", str(krb))


def cloud():
    rc, out, err, log = adm("--json", "kerberos-server", "get", DOMAIN)
    return (json.loads(out) if rc == 0 else None), rc, log


def check_key():
    msg = labkeys.find_account(samdb, "krbtgt_%d" % N)
    _, keys = labkeys.kerberos_keys(msg)
    kv = labkeys.key_version(msg)
    j, rc, log = cloud()
    if j is None:
        return (False, log)
    fp = j["primary"]["fingerprint"]
    want = hashlib.sha256(keys["keys"][18]).hexdigest()
    return (j["rodc_number"] == N and j["primary"]["key_version"] == kv and j["primary"]["enctype"] == 18
            and len(fp) >= 16 and want.startswith(fp),
            "cloud %s; AD N=%d version %d sha256 %s" % (j, N, kv, want))


T.check("the published key is krbtgt_N's key as Samba's NDR parser reads it (fingerprint, N, version)",
        check_key)



def krb_login(tag, key_file, kv):
    """cloudtrust-krb login: a partial TGT for alice under krbtgt_N and the key
    in key_file, exchanged at the DC."""
    return run([os.environ["CT_KRB_TOOL"], "login", "--realm", L["CT_LAB_REALM"],
                "--user", L["CT_LAB_ALICE_NAME"], "--sid", L["CT_LAB_ALICE_SID"],
                "--upn", L["CT_LAB_ALICE_UPN"], "--netbios", L["CT_LAB_DOMAIN"],
                "--rodc", str(N), "--key-file", key_file, "--key-version", str(kv),
                "--ccache", os.path.join(W, "alice-%s.cc" % tag), "--kdc", L["CT_LAB_DC_IP"]])


def login_alice(tag):
    """krb_login with krbtgt_N's current key as labkeys.py reads it."""
    msg = labkeys.find_account(samdb, "krbtgt_%d" % N)
    _, keys = labkeys.kerberos_keys(msg)
    kf = os.path.join(W, "key-%s" % tag)
    with open(os.open(kf, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write("18:%s\n" % keys["keys"][18].hex())
    return krb_login(tag, kf, labkeys.key_version(msg))


p = login_alice("set")
T.ok(p.returncode == 0 and "full TGT stored" in p.stdout + p.stderr,
     "the DC exchanges alice's partial TGT under the new object's N and key "
     "(the reveal groups let her through)", p.stdout + p.stderr)

# --- a sign-in through cloudtrustd under the object set made --------------------

ALICE = L["CT_LAB_ALICE_UPN"]
KENV = dict(os.environ, KRB5_CONFIG=L["CT_LAB_KRB5_CONFIG"])
cl = Client.from_env()
A = {}


def alice_device():
    """alice as an administrator and her device set her up: a cloud user with
    TOTP, her lab SID, the policy on; a joined device with a Hello key."""
    pw = "Ks-%s!" % os.urandom(6).hex()
    cmds = [(["user", "add", ALICE, "--password-stdin"], pw + "\n"),
            (["user", "mfa", "enroll", ALICE], None),
            (["user", "set-onprem", ALICE, "--sam", L["CT_LAB_ALICE_NAME"], "--domain", DOMAIN,
              "--sid", L["CT_LAB_ALICE_SID"], "--onprem-upn", ALICE], None),
            (["policy", "set", "UseCloudTrustForOnPremAuth", "true"], None)]
    for args, stdin in cmds:
        rc, out, err, log = adm(*(["--json"] + args), stdin=stdin)
        if rc != 0:
            return (False, log)
        if args[1] == "mfa":
            otp = Otp(json.loads(out)["otpauth_uri"])
    tok = expect_json(cl.password_otp(ALICE, pw, otp.fresh()))["access_token"]
    dev = Device(name="ks-alice")
    dev.absorb_join(expect_json(cl.join(tok, dev)))
    bound = expect_json(cl.password_otp(ALICE, pw, otp.fresh(), device=dev))["access_token"]
    hello = Key.rsa()
    expect_json(cl.register_key(bound, hello.blob()))
    A.update(dev=dev, hello=hello)
    return True


def signin_exchange():
    """PRT with tgt_ad → cloudtrust-krb store + exchange at the DC → smbclient."""
    p = PrtReply(expect_json(cl.prt(A["dev"], ALICE, A["hello"])), A["dev"].transport.priv)
    asrep, key, cc = (os.path.join(W, n) for n in ("as-rep.der", "reply.key", "alice-prt.cc"))
    p.write_krb_files(asrep, key)
    logs = []
    for cmd in ([os.environ["CT_KRB_TOOL"], "store", "--asrep", asrep, "--reply-key-file", key,
                 "--ccache", cc],
                [os.environ["CT_KRB_TOOL"], "exchange", "--ccache", cc, "--kdc", L["CT_LAB_DC_IP"]]):
        o = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=KENV)
        logs.append(o.stdout + o.stderr)
        if o.returncode != 0:
            return (False, "\n".join(logs))
    o = subprocess.run(["smbclient", "//%s/netlogon" % L["CT_LAB_DC_HOST"], "-I", L["CT_LAB_DC_IP"],
                        "--use-kerberos=required", "-N", "-c", "ls"], capture_output=True,
                       text=True, timeout=60, env=dict(KENV, KRB5CCNAME=cc))
    logs.append(o.stdout[-400:] + o.stderr[-400:])
    return ("full TGT stored" in logs[1] and "blocks of size" in o.stdout, "\n".join(logs))


def tgt_ad_error():
    j = expect_json(cl.prt(A["dev"], ALICE, A["hello"]))
    t = j.get("tgt_ad")
    t = json.loads(t) if isinstance(t, str) else t
    return ((t or {}).get("error") == "no_kerberos_server", "tgt_ad %r" % t)


T.check("alice: cloud user, TOTP, on-prem SID, policy, joined device, Hello key", alice_device)
T.check("alice signs in through cloudtrustd: the DC exchanges her tgt_ad and smbclient lists "
        "netlogon", signin_exchange)

# --- idempotence ----------------------------------------------------------------

rc, out, err, log = adm(*set_cmd())
T.ok(rc == 0 and "nothing changed" in out and "created" not in out and "published" not in out,
     "set again changes nothing and says so", log)

# --- get: both sides ------------------------------------------------------------


def get_both():
    rc, out, err, log = adm(*(["--json", "kerberos-server", "get", DOMAIN] + ad_args()))
    return (json.loads(out) if rc == 0 else None), log


def check_get(status_has):
    def fn():
        j, log = get_both()
        if j is None:
            return (False, log)
        msg = labkeys.find_account(samdb, "krbtgt_%d" % N)
        kv = labkeys.key_version(msg)
        return (j["id"] == N and j["key_version"] == kv and status_has in j["status"]
                and j["domain_dns_name"] == DOMAIN and j["display_name"] == NAME
                and j["key_updated_on"] > 0, "AD key version %d; %s" % (kv, j))
    return fn


T.check("get --dc shows both sides, matching: 'in sync'", check_get("in sync"))


def half_made():
    """Takes the link away (a half-made object): set puts it back, nothing else."""
    m = ldb.Message()
    m.dn = ldb.Dn(samdb, COMP_DN)
    m["msDS-KrbTgtLink"] = ldb.MessageElement([], ldb.FLAG_MOD_DELETE, "msDS-KrbTgtLink")
    samdb.modify(m)
    rc, out, err, log = adm(*set_cmd())
    return (rc == 0 and "linked %s" % COMP_DN in out and "created" not in out
            and "published" not in out, log)


T.check("a half-made object (no msDS-KrbTgtLink) is completed, nothing else changes", half_made)

# A new key on the DC (Samba replaces a set password with a random one).
p = run(["samba-tool", "user", "setpassword", "krbtgt_%d" % N, "--random-password",
         "-H", L["CT_LAB_SAMDB"], "-s", L["CT_LAB_SMB_CONF"]])
T.ok(p.returncode == 0, "samba-tool gives krbtgt_N a new key", p.stdout + p.stderr)
T.check("get --dc says the key versions disagree and what that breaks",
        check_get("partial TGTs minted now are refused by the DC"))
rc, out, err, log = adm(*set_cmd())
T.ok(rc == 0 and "published to cloudtrustd" in out and "created" not in out,
     "set republishes the new key (and only that)", log)
T.check("the republished key is the new one", check_key)
T.check("get --dc: in sync again", check_get("in sync"))

# --- errors -------------------------------------------------------------------

rc, out, err, log = adm(*set_cmd(pw=BAD_PW))
T.ok(rc == 5 and "invalid bind DN or password" in err and "token file" not in err,
     "a wrong bind password: a clear error and exit 5", log)
rc, out, err, log = adm(*set_cmd(dc=L["CT_LAB_DC_IP"] + ":1"))
T.ok(rc == 1 and "cannot be reached" in err, "nothing listening: 'the DC cannot be reached', exit 1", log)
rc, out, err, log = adm(*set_cmd(cacert=os.environ["CT_SERVER_CACERT"]))
T.ok(rc == 1 and "TLS" in err, "a CA file that did not sign the DC's certificate: a TLS error, exit 1", log)
rc, out, err, log = adm(*(["kerberos-server", "set", "--domain", "other.test"] + ad_args()))
T.ok(rc == 3 and "domain not found" in err, "an unknown domain: 'domain not found', exit 3", log)

# --- remove -------------------------------------------------------------------

rc, out, err, log = adm(*(["kerberos-server", "remove", DOMAIN, "--yes"] + ad_args()))
T.ok(rc == 0 and "deleted %s" % COMP_DN in out and "deleted %s" % KRBTGT_DN in out,
     "remove --dc deletes the cloud object, the computer and the krbtgt account", log)
T.ok(find(COMP_DN, ["cn"]) is None and find(KRBTGT_DN, ["cn"]) is None,
     "both AD objects are gone (ldb)")
j, rc, log = cloud()
T.ok(j is None and rc == 3, "the cloud object is gone (get: exit 3)", log)
T.check("after remove a sign-in says tgt_ad.error no_kerberos_server", tgt_ad_error)
p = krb_login("gone", os.path.join(W, "key-set"), 1)
T.ok(p.returncode != 0, "after remove the DC refuses partial TGTs under that N",
     p.stdout + p.stderr)
T.ok(find(L["CT_LAB_RODC_COMPUTER_DN"], ["cn"]) is not None,
     "the lab's own AzureADKerberos object is untouched")

sys.exit(T.done())
