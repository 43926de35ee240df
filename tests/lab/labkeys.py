#!/usr/bin/python3
"""Read Kerberos keys (and lab facts) from a Samba AD DC's local sam.ldb.

Run on the DC host as root, with the samba python bindings (/usr/bin/python3).
The database is opened directly with a system session, so the encrypted
secrets are readable; the DC may be running.

  labkeys.py --samdb DIR/private/sam.ldb --account krbtgt_N [--prefix CT_KEYS_]
      prints the account's keys as shell assignments:
      <prefix>ACCOUNT, <prefix>KEY_VERSION (msDS-KeyVersionNumber, low 16 bits),
      <prefix>SALT, <prefix>KEY_AES256, <prefix>KEY_AES128, and when the DC
      keeps them <prefix>OLD_KEY_*, <prefix>OLD_KEY_VERSION, <prefix>OLDER_KEY_*,
      <prefix>OLDER_KEY_VERSION. Keys are hex.

  labkeys.py --samdb DIR/private/sam.ldb --lab-env [--krbtgt-keytab F] [--cifs-keytab F]
             [--rodc-keytab F]
      used by lab.sh: everything lab.env needs (domain SID, users, FileReaders,
      the Kerberos server object's N and keys), and exports the keytabs.

The keys come from supplementalCredentials, package "Primary:Kerberos-Newer-Keys"
(hex-encoded package_PrimaryKerberosBlob, version 4): current keys, then
old_keys (previous password) and older_keys (the one before).
"""

import argparse
import binascii
import os
import sys
import tempfile

import ldb
from samba.auth import system_session
from samba.dcerpc import drsblobs, security
from samba.ndr import ndr_unpack
from samba.param import LoadParm
from samba.samdb import SamDB

ENCTYPE_NAMES = {18: "AES256", 17: "AES128"}
LAB_USERS = ["alice", "bob", "mallory", "carol", "Administrator"]
SERVER_CN = "AzureADKerberos"


class LabKeyError(Exception):
    pass


def open_samdb(path, smbconf):
    if not os.path.exists(path):
        raise LabKeyError("no such database: %s" % path)
    lp = LoadParm()
    if smbconf is None:
        guess = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(path))), "etc", "smb.conf")
        smbconf = guess if os.path.exists(guess) else None
    if smbconf is not None:
        lp.load(smbconf)
    # private dir must be the database's, for the encrypted-secrets key.
    lp.set("private dir", os.path.dirname(os.path.abspath(path)))
    return SamDB(url=path, session_info=system_session(), lp=lp), lp


def find_account(samdb, name):
    res = samdb.search(base=samdb.domain_dn(), scope=ldb.SCOPE_SUBTREE,
                       expression="(sAMAccountName=%s)" % ldb.binary_encode(name),
                       attrs=["sAMAccountName", "objectSid", "supplementalCredentials",
                              "msDS-KeyVersionNumber", "msDS-SecondaryKrbTgtNumber",
                              "userPrincipalName", "userAccountControl"])
    if len(res) != 1:
        raise LabKeyError("account %s: %d matches" % (name, len(res)))
    return res[0]


def kerberos_keys(msg):
    """Return (salt, {"keys"|"old_keys"|"older_keys": {enctype: bytes}})."""
    if "supplementalCredentials" not in msg:
        raise LabKeyError("%s has no supplementalCredentials (not readable, or no password set)" % msg.dn)
    scb = ndr_unpack(drsblobs.supplementalCredentialsBlob, msg["supplementalCredentials"][0])
    pkg = None
    for p in scb.sub.packages or []:
        if p.name == "Primary:Kerberos-Newer-Keys":
            pkg = p
            break
    if pkg is None:
        raise LabKeyError("%s: no Primary:Kerberos-Newer-Keys package" % msg.dn)
    blob = ndr_unpack(drsblobs.package_PrimaryKerberosBlob, binascii.a2b_hex(pkg.data))
    if blob.version != 4:
        raise LabKeyError("%s: unexpected Kerberos-Newer-Keys version %d" % (msg.dn, blob.version))
    ctr = blob.ctr
    out = {}
    for which in ("keys", "old_keys", "older_keys"):
        entries = getattr(ctr, which) or []
        d = {}
        for k in entries:
            value = k.value
            if not isinstance(value, bytes):
                value = bytes(value)
            d[k.keytype] = value[:k.value_len]
        out[which] = d
    return ctr.salt.string, out


def key_version(msg):
    if "msDS-KeyVersionNumber" not in msg:
        raise LabKeyError("%s: no msDS-KeyVersionNumber" % msg.dn)
    return int(msg["msDS-KeyVersionNumber"][0]) & 0xFFFF


def account_assignments(msg, prefix):
    salt, keys = kerberos_keys(msg)
    ver = key_version(msg)
    out = [
        (prefix + "ACCOUNT", str(msg["sAMAccountName"][0])),
        (prefix + "KEY_VERSION", str(ver)),
        (prefix + "SALT", str(salt)),
    ]
    for which, label, delta in (("keys", "KEY", 0), ("old_keys", "OLD_KEY", 1), ("older_keys", "OLDER_KEY", 2)):
        if not keys[which]:
            continue
        if delta:
            out.append((prefix + label + "_VERSION", str(ver - delta)))
        for etype, name in ENCTYPE_NAMES.items():
            if etype in keys[which]:
                out.append((prefix + label + "_" + name, keys[which][etype].hex()))
    if 18 not in keys["keys"]:
        raise LabKeyError("%s has no aes256-cts-hmac-sha1-96 key" % msg.dn)
    return out


def sid(msg):
    return str(ndr_unpack(security.dom_sid, msg["objectSid"][0]))


def export_keytab(lp, path, principal):
    """Export one principal's keys with samba's own exporter (as samba-tool
    domain exportkeytab does), atomically replacing PATH."""
    import samba.dckeytab  # noqa: F401  (adds Net.export_keytab)
    from samba.net import Net
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".keytab.", dir=d)
    os.close(fd)
    os.unlink(tmp)  # the exporter appends to an existing file; start empty
    # The exporter prints "Export one principal to ..." from C; keep it (and
    # anything else it says on fd 1/2) in a buffer shown only on failure.
    sys.stdout.flush()
    sys.stderr.flush()
    saved = (os.dup(1), os.dup(2))
    chatter = tempfile.TemporaryFile()
    os.dup2(chatter.fileno(), 1)
    os.dup2(chatter.fileno(), 2)
    ok = False
    try:
        try:
            Net(None, lp).export_keytab(keytab=tmp, principal=principal)
            ok = True
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            if not ok:
                chatter.seek(0)
                sys.stderr.write(chatter.read().decode("utf-8", "replace"))
            chatter.close()
        if not os.path.exists(tmp) or os.path.getsize(tmp) <= 2:
            raise LabKeyError("exporting %s gave an empty keytab" % principal)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_rodc_keytab(path, realm, n, krb):
    """Our own keytab of the Kerberos server object's keys (current, old,
    older), principal krbtgt/REALM@REALM, kvno (N << 16) | key version in the
    32-bit field (as samba-tool exports it), so an oracle can decrypt partial
    TGTs by kvno without trusting our C code's key handling."""
    import struct
    import time
    _, keys = kerberos_keys(krb)
    ver = key_version(krb)

    def counted(b):
        return struct.pack("!H", len(b)) + b

    ts = int(time.time())
    body = b""
    for which, delta in (("keys", 0), ("old_keys", 1), ("older_keys", 2)):
        kvno = ((n << 16) | ((ver - delta) & 0xFFFF)) & 0xFFFFFFFF
        for etype in sorted(keys[which], reverse=True):
            if etype not in ENCTYPE_NAMES:
                continue
            key = keys[which][etype]
            e = (struct.pack("!H", 2) + counted(realm.encode()) + counted(b"krbtgt") +
                 counted(realm.encode()) + struct.pack("!L", 2) + struct.pack("!L", ts) +
                 struct.pack("!B", kvno & 0xFF) + struct.pack("!HH", etype, len(key)) + key +
                 struct.pack("!L", kvno))
            body += struct.pack("!l", len(e)) + e
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".keytab.", dir=d)
    try:
        os.write(fd, b"\x05\x02" + body)
        os.fchmod(fd, 0o600)
        os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def lab_env(samdb, lp, krbtgt_keytab, cifs_keytab, rodc_keytab):
    out = []
    base = samdb.domain_dn()
    realm = lp.get("realm").upper()
    out.append(("CT_LAB_BASE_DN", str(base)))
    out.append(("CT_LAB_DOMAIN_SID", str(samdb.get_domain_sid())))
    for u in LAB_USERS:
        m = find_account(samdb, u)
        U = u.upper()
        out.append(("CT_LAB_%s_NAME" % U, str(m["sAMAccountName"][0])))
        out.append(("CT_LAB_%s_SID" % U, sid(m)))
        out.append(("CT_LAB_%s_RID" % U, sid(m).rsplit("-", 1)[1]))
        out.append(("CT_LAB_%s_PRINCIPAL" % U, "%s@%s" % (m["sAMAccountName"][0], realm)))
        if "userPrincipalName" in m:
            out.append(("CT_LAB_%s_UPN" % U, str(m["userPrincipalName"][0])))
    res = samdb.search(base=base, scope=ldb.SCOPE_SUBTREE,
                       expression="(&(objectClass=group)(sAMAccountName=FileReaders))",
                       attrs=["objectSid"])
    if len(res) != 1:
        raise LabKeyError("group FileReaders not found")
    out.append(("CT_LAB_FILEREADERS_SID", sid(res[0])))

    comp_dn = "CN=%s,OU=Domain Controllers,%s" % (SERVER_CN, base)
    try:
        res = samdb.search(base=comp_dn, scope=ldb.SCOPE_BASE,
                           attrs=["msDS-KrbTgtLink", "userAccountControl", "sAMAccountName"])
    except ldb.LdbError as e:
        if e.args[0] == ldb.ERR_NO_SUCH_OBJECT:
            raise LabKeyError("Kerberos server object %s not found" % comp_dn)
        raise
    comp = res[0]
    if "msDS-KrbTgtLink" not in comp:
        raise LabKeyError("%s has no msDS-KrbTgtLink" % comp_dn)
    krbtgt_dn = str(comp["msDS-KrbTgtLink"][0])
    res = samdb.search(base=krbtgt_dn, scope=ldb.SCOPE_BASE, attrs=["sAMAccountName"])
    krb = find_account(samdb, str(res[0]["sAMAccountName"][0]))
    n = int(krb["msDS-SecondaryKrbTgtNumber"][0])
    out.append(("CT_LAB_RODC_COMPUTER_DN", comp_dn))
    out.append(("CT_LAB_RODC_COMPUTER_UAC", "0x%x" % int(comp["userAccountControl"][0])))
    out.append(("CT_LAB_RODC_KRBTGT_DN", krbtgt_dn))
    out.append(("CT_LAB_RODC_N", str(n)))
    acc = account_assignments(krb, "CT_LAB_RODC_")
    out.extend(acc)
    ver = int(dict(acc)["CT_LAB_RODC_KEY_VERSION"])
    out.append(("CT_LAB_RODC_KVNO", str((n << 16) | ver)))

    dom = find_account(samdb, "krbtgt")
    out.append(("CT_LAB_KRBTGT_KVNO", str(key_version(dom))))
    if krbtgt_keytab:
        export_keytab(lp, krbtgt_keytab, "krbtgt/%s@%s" % (realm, realm))
    dc = find_account(samdb, lp.get("netbios name").upper() + "$")
    out.append(("CT_LAB_DC_ACCOUNT", str(dc["sAMAccountName"][0])))
    out.append(("CT_LAB_DC_KVNO", str(key_version(dc))))
    if cifs_keytab:
        # The DC machine account's keys, under the service name clients ask for.
        export_keytab(lp, cifs_keytab, "cifs/%s.%s@%s"
                      % (lp.get("netbios name").lower(), lp.get("realm").lower(), realm))
    if rodc_keytab:
        write_rodc_keytab(rodc_keytab, realm, n, krb)
    return out


def main():
    ap = argparse.ArgumentParser(description="Read Kerberos keys from a Samba DC's sam.ldb.")
    ap.add_argument("--samdb", required=True, help="path of sam.ldb (DIR/private/sam.ldb)")
    ap.add_argument("--smbconf", help="the DC's smb.conf (default: DIR/etc/smb.conf next to the database)")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--account", help="sAMAccountName whose keys to print (e.g. krbtgt_1234)")
    g.add_argument("--lab-env", action="store_true", help="print the lab.env facts (used by lab.sh)")
    ap.add_argument("--prefix", default="CT_KEYS_", help="variable prefix for --account (default CT_KEYS_)")
    ap.add_argument("--krbtgt-keytab", help="with --lab-env: export krbtgt@REALM keys to this keytab")
    ap.add_argument("--cifs-keytab", help="with --lab-env: export the DC machine account keys to this keytab")
    ap.add_argument("--rodc-keytab", help="with --lab-env: write the Kerberos server object's keys to this keytab")
    args = ap.parse_args()

    try:
        samdb, lp = open_samdb(args.samdb, args.smbconf)
        if args.account:
            pairs = account_assignments(find_account(samdb, args.account), args.prefix)
        else:
            pairs = lab_env(samdb, lp, args.krbtgt_keytab, args.cifs_keytab, args.rodc_keytab)
    except (LabKeyError, ldb.LdbError) as e:
        msg = e.args[1] if isinstance(e, ldb.LdbError) else str(e)
        print("labkeys.py: error: %s" % msg, file=sys.stderr)
        return 1
    for k, v in pairs:
        print("%s=%s" % (k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
