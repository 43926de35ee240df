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


def run(cmd, timeout=120, stdin=None, env=None):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=stdin,
                          env=env)


up = run([LAB, "acquire"], timeout=600)
if up.returncode != 0:
    bail("lab.sh acquire failed: " + (up.stdout + up.stderr)[-600:].replace("\n", " | "))
atexit.register(lambda: run([LAB, "release"], timeout=120))

import labkeys  # noqa: E402  (needs samba's python modules: /usr/bin/python3)
import ldb  # noqa: E402
from samba.dcerpc import security  # noqa: E402
from samba.ndr import ndr_unpack  # noqa: E402


def ndr_sid(raw):
    return ndr_unpack(security.dom_sid, raw)

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


def adm(*args, stdin=None, server=None, env=None):
    """cloudtrust-admin ARGS in a mount namespace that resolves the DC's name."""
    cmd = ["unshare", "-m", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', HOSTS,
           ADMIN, "--server", server or os.environ["CT_SERVER_URL"],
           "--token-file", os.environ["CT_ADMIN_TOKEN_FILE"],
           "--cacert", os.environ["CT_SERVER_CACERT"]] + list(args)
    p = run(cmd, timeout=120, stdin=stdin, env=env)
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

# --- the windows key source's derivation, against a DC ------------------------


def windows_derivation():
    """A Windows DC never reveals a key, and Samba replaces passwords set on
    krbtgt accounts with random ones, so the windows source's derivation is
    checked on an account whose password is known: alice's key as derived by
    the windows source must be the key Samba stored for her."""
    msg = labkeys.find_account(samdb, L["CT_LAB_ALICE_NAME"])
    salt, keys = labkeys.kerberos_keys(msg)
    pwf = os.path.join(W, "alice.pw")
    with open(os.open(pwf, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write(L["CT_LAB_ALICE_PASSWORD"] + "\n")
    p = run([os.environ["CT_KS_DERIVE"], "--derive", L["CT_LAB_REALM"], L["CT_LAB_ALICE_NAME"], pwf])
    return (p.returncode == 0 and salt == L["CT_LAB_REALM"] + L["CT_LAB_ALICE_NAME"]
            and p.stdout.strip() == keys["keys"][18].hex(),
            "salt %s; derived %s; stored %s" % (salt, p.stdout.strip(), keys["keys"][18].hex()))


T.check("the windows key source derives the key a DC stores (salt realm+sAMAccountName)",
        windows_derivation)

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

# --- binding with a Kerberos ticket instead of a password ------------------------


def kerberos_bind():
    """kinit as the domain administrator, then set and get --kerberos: GSSAPI
    with a sealed SASL layer on ldap:// (no password on the command line or in
    a file).  A real DC registers ldap/<its FQDN> (samba_spnupdate); the
    lab's does not run that, so the test registers it."""
    spn = "ldap/%s" % L["CT_LAB_DC_HOST"]
    lst = run(["samba-tool", "spn", "list", L["CT_LAB_DC_NETBIOS"] + "$", "-H", L["CT_LAB_SAMDB"],
               "-s", L["CT_LAB_SMB_CONF"]])
    if spn.lower() not in lst.stdout.lower():
        run(["samba-tool", "spn", "add", spn, L["CT_LAB_DC_NETBIOS"] + "$", "-H", L["CT_LAB_SAMDB"],
             "-s", L["CT_LAB_SMB_CONF"]])
    cc = "FILE:" + os.path.join(W, "admin.cc")
    kenv = dict(os.environ, KRB5_CONFIG=L["CT_LAB_KRB5_CONFIG"], KRB5CCNAME=cc)
    k = run(["kinit", "Administrator@" + L["CT_LAB_REALM"]], stdin=L["CT_LAB_ADMINISTRATOR_PASSWORD"] + "\n",
            env=kenv)
    base = ["--dc", L["CT_LAB_DC_HOST"], "--kerberos", "--name", NAME]
    rc, out, err, log = adm(*(["kerberos-server", "set", "--domain", DOMAIN, "--samba-conf",
                               L["CT_LAB_SMB_CONF"]] + base), env=kenv)
    rc2, out2, err2, log2 = adm(*(["--json", "kerberos-server", "get", DOMAIN] + base), env=kenv)
    nokrb = dict(kenv, KRB5CCNAME="FILE:" + os.path.join(W, "none.cc"))
    rc3, out3, err3, log3 = adm(*(["kerberos-server", "get", DOMAIN] + base), env=nokrb)
    ok = (k.returncode == 0 and rc == 0 and "nothing changed" in out and rc2 == 0
          and json.loads(out2)["status"] == "in sync" and rc3 != 0 and "kinit first" in err3)
    return (ok, "\n".join([k.stderr, log, log2, log3]))


T.check("--kerberos: set and get bind with the administrator's ticket (GSSAPI, sealed); "
        "without a ticket a clear error", kerberos_bind)

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

# --- the password replication policy, repaired ---------------------------------


def repair_groups():
    """Someone takes a built-in admin group off the never-reveal list: set
    puts the policy back, and changes nothing else."""
    m = ldb.Message()
    m.dn = ldb.Dn(samdb, COMP_DN)
    m["msDS-NeverRevealGroup"] = ldb.MessageElement(["<SID=S-1-5-32-544>"], ldb.FLAG_MOD_DELETE,
                                                    "msDS-NeverRevealGroup")
    samdb.modify(m)
    broken = check_computer()
    rc, out, err, log = adm(*set_cmd())
    return (broken != [] and rc == 0 and "repaired %s" % COMP_DN in out and "created" not in out
            and "published" not in out and check_computer() == [], "%s\nbefore: %s" % (log, broken))


T.check("set repairs a changed password replication policy (and only that)", repair_groups)

# --- rotate -------------------------------------------------------------------


def rot_cmd(*extra):
    return ["kerberos-server", "rotate", "--domain", DOMAIN, "--samba-conf",
            L["CT_LAB_SMB_CONF"]] + ad_args() + list(extra)


def ad_kv():
    return labkeys.key_version(labkeys.find_account(samdb, "krbtgt_%d" % N))


def save_tgt(tag):
    """A sign-in's tgt_ad, kept as files to exchange later."""
    p = PrtReply(expect_json(cl.prt(A["dev"], ALICE, A["hello"])), A["dev"].transport.priv)
    files = tuple(os.path.join(W, "%s.%s" % (tag, n)) for n in ("as-rep.der", "reply.key"))
    p.write_krb_files(*files)
    return files


def exchange_saved(files, tag):
    """cloudtrust-krb store + exchange of a saved tgt_ad: (ok, log)."""
    cc = os.path.join(W, "%s.cc" % tag)
    logs = []
    for cmd in ([os.environ["CT_KRB_TOOL"], "store", "--asrep", files[0], "--reply-key-file",
                 files[1], "--ccache", cc],
                [os.environ["CT_KRB_TOOL"], "exchange", "--ccache", cc, "--kdc", L["CT_LAB_DC_IP"]]):
        o = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=KENV)
        logs.append(o.stdout + o.stderr)
        if o.returncode != 0:
            return False, "\n".join(logs)
    return "full TGT stored" in logs[1], "\n".join(logs)


kv0 = ad_kv()
old_tgt = save_tgt("gen0")
rc, out, err, log = adm(*rot_cmd())
T.ok(rc == 1 and "24 hours" in err and "--force" in err and ad_kv() == kv0,
     "rotate right after set is refused (24-hour guard, names --force); AD unchanged", log)


def load_run(seconds_after, action):
    """Sign-ins with exchanges in two threads while action() runs: (results, action's result).
    Each result is (ok, started, log)."""
    import threading
    import time
    stop = threading.Event()
    results = []
    lock = threading.Lock()

    def worker(k):
        c = Client.from_env()
        i = 0
        while not stop.is_set():
            i += 1
            tag = "load%d-%d" % (k, i)
            t0 = time.monotonic()
            try:
                p = PrtReply(expect_json(c.prt(A["dev"], ALICE, A["hello"])), A["dev"].transport.priv)
                files = tuple(os.path.join(W, "%s.%s" % (tag, n)) for n in ("as-rep.der", "reply.key"))
                p.write_krb_files(*files)
                ok, lg = exchange_saved(files, tag)
            except Exception as e:  # noqa: BLE001  (a failure to count, with its reason)
                ok, lg = False, repr(e)
            with lock:
                results.append((ok, t0, lg))
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    t_start = time.monotonic()
    res = action()
    t_end = time.monotonic()
    time.sleep(seconds_after)
    stop.set()
    for t in threads:
        t.join()
    return results, res, t_start, t_end


results, (rc, out, err, log), t_start, t_end = load_run(3, lambda: adm(*rot_cmd("--force")))
kv1 = ad_kv()
T.ok(rc == 0 and kv1 == kv0 + 1 and "rotated %s" % KRBTGT_DN in out
     and "key version %d is primary in cloudtrustd, %d kept as secondary" % (kv1, kv0) in out,
     "rotate --force: AD has a new key version, published as primary, previous kept (one line each)",
     log)
fails = [r for r in results if not r[0]]
before = [r for r in results if r[0] and r[1] < t_start]
after = [r for r in results if r[0] and r[1] > t_end]
T.ok(len(results) >= 6 and not fails and before and after,
     "zero downtime: %d sign-ins with exchanges during the rotation, none failed "
     "(%d before it, %d after it)" % (len(results), len(before), len(after)),
     "\n".join(r[2][-300:] for r in fails[:3]))
T.check("the cloud's primary key is the new AD key", check_key)


def secondary_is_previous():
    j, rc, log = cloud()
    return (j is not None and j["secondary"] is not None and j["secondary"]["key_version"] == kv0
            and j["primary"]["key_version"] == kv1, log if j is None else str(j))


T.check("the cloud keeps the previous key as secondary", secondary_is_previous)
T.check("get --dc after the rotation: in sync", check_get("in sync"))
ok, lg = exchange_saved(old_tgt, "gen0-after1")
T.ok(ok, "a partial TGT issued under the previous key is still exchanged after the rotation", lg)


def audited():
    rc, out, err, log = adm("--json", "audit", "show", "--action", "kerberos_server.rotate")
    ev = json.loads(out)["events"] if rc == 0 else []
    return (len(ev) >= 1 and ev[0]["outcome"] == "change", log)


T.check("the rotation is an audit event (kerberos_server.rotate)", audited)

rc, out, err, log = adm(*rot_cmd())
T.ok(rc == 1 and "24 hours" in err and ad_kv() == kv1, "a second rotation within 24 h is refused", log)
rc, out, err, log = adm(*(set_cmd() + ["--rotate-key", "--force"]))
kv2 = ad_kv()
T.ok(rc == 0 and kv2 == kv1 + 1 and "rotated %s" % KRBTGT_DN in out,
     "set --rotate-key --force rotates again", log)
T.check("after the second rotation the cloud has the newest key", check_key)


def cloud_holds_two_newest():
    j, rc, log = cloud()
    return (j is not None and j["primary"]["key_version"] == kv2
            and j["secondary"]["key_version"] == kv1, log if j is None else str(j))


T.check("after two rotations the cloud holds only the two newest keys (the oldest is gone)",
        cloud_holds_two_newest)
# Samba's DC keeps two earlier keys (Kerberos-Newer-Keys: OldKeys and
# OlderKeys), so a ticket two rotations old is still exchanged; one more
# rotation pushes its key out.
ok, lg = exchange_saved(old_tgt, "gen0-after2")
T.ok(ok, "after two rotations the DC still exchanges a partial TGT under the oldest key "
     "(Samba keeps n-1 and n-2)", lg)
rc, out, err, log = adm(*rot_cmd("--force"))
T.ok(rc == 0 and ad_kv() == kv2 + 1, "a third rotation (--force)", log)
ok, lg = exchange_saved(old_tgt, "gen0-after3")
T.ok(not ok and ("KRB_AP_ERR" in lg or "KDC_ERR" in lg),
     "after three rotations the DC refuses a partial TGT under that oldest key", lg)
T.check("alice still signs in and reaches the share under the newest key", signin_exchange)


def stale_cloud_refuses_rotate():
    """AD ahead of the cloud (a rotation that failed after the AD step): rotate
    refuses and says to run set, get explains, set repairs."""
    p = run(["samba-tool", "user", "setpassword", "krbtgt_%d" % N, "--random-password",
             "-H", L["CT_LAB_SAMDB"], "-s", L["CT_LAB_SMB_CONF"]])
    rc, out, err, log = adm(*rot_cmd("--force"))
    ok = p.returncode == 0 and rc == 4 and "run kerberos-server set to repair" in err
    j, glog = get_both()
    ok = ok and j is not None and "partial TGTs minted now are refused" in j["status"]
    rc2, out2, err2, log2 = adm(*set_cmd())
    return (ok and rc2 == 0 and "published to cloudtrustd" in out2, "\n".join([log, glog, log2]))


T.check("stale cloud state: rotate refuses (exit 4), get explains, set republishes",
        stale_cloud_refuses_rotate)
T.check("in sync after the repair", check_get("in sync"))

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

# --- cloudtrustd unreachable ----------------------------------------------------


def cloud_unreachable():
    """set with cloudtrustd down: a clear error; AD is made, get says the cloud
    has no object, and set (cloud back) publishes."""
    rc, out, err, log = adm(*set_cmd(), server="https://127.0.0.1:1")
    ok = rc == 1 and "127.0.0.1:1" in err and "connect" in err.lower() and "created %s" % COMP_DN in out
    j, glog = get_both()
    ok = ok and j is not None and "cloudtrustd has no object" in j["status"]
    rc2, out2, err2, log2 = adm(*set_cmd())
    ok = ok and rc2 == 0 and "published to cloudtrustd" in out2 and "created" not in out2
    rc3, out3, err3, log3 = adm(*(["kerberos-server", "remove", DOMAIN, "--yes"] + ad_args()))
    return (ok and rc3 == 0, "\n".join([log, glog, log2, log3]))


T.check("cloudtrustd unreachable: set says so (exit 1) after making the AD side; get explains; "
        "set publishes once it is back", cloud_unreachable)

# --- a delegated, non-admin account --------------------------------------------
# The rights docs/ADMIN-GUIDE.md lists, granted with Samba's own SD tools; the
# domain's descriptors are put back afterwards.
from samba.sd_utils import SDUtils  # noqa: E402

COMPUTER_CLASS = "bf967a86-0de6-11d0-a285-00aa003049e2"
USER_CLASS = "bf967aba-0de6-11d0-a285-00aa003049e2"
DS_INSTALL_REPLICA = "9923a32a-3607-11d2-b9be-0000f87a36b2"
RESET_PASSWORD = "00299570-246d-11d0-a768-00aa006e0529"
ATTR_KRBTGT_LINK = "778ff5c9-6f4e-4b74-856a-d68383313910"
ATTR_REVEAL = "303d9f4a-1dd6-4b38-8fc5-33afe8c988ad"
ATTR_NEVER_REVEAL = "15585999-fd49-4d66-b25d-eeb96aba8174"
DC_OU = "OU=Domain Controllers,%s" % BASE
USERS = "CN=Users,%s" % BASE
sdu = SDUtils(samdb)
saved_sd = {dn: sdu.get_sd_as_sddl(dn) for dn in (DC_OU, USERS, BASE)}
DLG = "ksdlg%s" % os.urandom(3).hex()
DLG_DN = "CN=%s,%s" % (DLG, USERS)
DLG_PW = os.path.join(W, "dlg.pw")
dlg_pass = "Dlg-%s-9x!" % os.urandom(6).hex()
with open(os.open(DLG_PW, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
    f.write(dlg_pass + "\n")


def undo_delegation():
    for dn, sddl in saved_sd.items():
        sdu.modify_sd_on_dn(dn, sddl)
    if find(DLG_DN, ["cn"]) is not None:
        samdb.delete(DLG_DN)


atexit.register(undo_delegation)
samdb.newuser(DLG, dlg_pass)
dlg_sid = str(ndr_sid(find(DLG_DN, ["objectSid"])["objectSid"][0]))
for dn, ace in [
        (DC_OU, "(OA;CI;CCDC;%s;;%s)" % (COMPUTER_CLASS, dlg_sid)),
        (DC_OU, "(OA;CIIO;WP;%s;%s;CO)" % (ATTR_KRBTGT_LINK, COMPUTER_CLASS)),
        (DC_OU, "(OA;CIIO;WP;%s;%s;CO)" % (ATTR_REVEAL, COMPUTER_CLASS)),
        (DC_OU, "(OA;CIIO;WP;%s;%s;CO)" % (ATTR_NEVER_REVEAL, COMPUTER_CLASS)),
        (USERS, "(OA;CI;CCDC;%s;;%s)" % (USER_CLASS, dlg_sid)),
        (USERS, "(OA;CIIO;CR;%s;%s;CO)" % (RESET_PASSWORD, USER_CLASS))]:
    sdu.dacl_add_ace(dn, ace)


def dlg_args():
    a = ad_args()
    a[a.index("--bind-dn") + 1] = DLG_DN
    a[a.index("--bind-password-file") + 1] = DLG_PW
    return a


DLG_SET = ["kerberos-server", "set", "--domain", DOMAIN, "--samba-conf", L["CT_LAB_SMB_CONF"]]
rc, out, err, log = adm(*(DLG_SET + dlg_args()))
T.ok(rc == 1 and "DS-Install-Replica" in err and find(COMP_DN, ["cn"]) is None
     and find(KRBTGT_DN, ["cn"]) is None,
     "a delegated account without DS-Install-Replica: an error naming that right, nothing created", log)
sdu.dacl_add_ace(BASE, "(OA;;CR;%s;;%s)" % (DS_INSTALL_REPLICA, dlg_sid))
rc, out, err, log = adm(*(DLG_SET + dlg_args()))
T.ok(rc == 0 and "created %s" % COMP_DN in out and "created %s" % KRBTGT_DN in out
     and "published to cloudtrustd" in out,
     "with the documented rights the delegated (non-admin) account runs set", log)
krb = find(KRBTGT_DN, ["msDS-SecondaryKrbTgtNumber"])
N = int(krb["msDS-SecondaryKrbTgtNumber"][0]) if krb is not None else -1
T.check("the delegate's object: alice signs in, the DC exchanges, smbclient lists netlogon",
        signin_exchange)
rc, out, err, log = adm(*(["kerberos-server", "rotate", "--domain", DOMAIN, "--samba-conf",
                           L["CT_LAB_SMB_CONF"], "--force"] + dlg_args()))
T.ok(rc == 0 and "rotated %s" % KRBTGT_DN in out, "the delegate rotates (Reset Password as the "
     "object's creator)", log)
T.check("after the delegate's rotation alice still reaches the share", signin_exchange)
rc, out, err, log = adm(*(["kerberos-server", "remove", DOMAIN, "--yes"] + dlg_args()))
T.ok(rc == 0 and find(COMP_DN, ["cn"]) is None and find(KRBTGT_DN, ["cn"]) is None,
     "the delegate removes the object", log)

sys.exit(T.done())
