#!/usr/bin/python3
"""Create the cloudtrust lab's directory objects on the Samba AD DC, over LDAP.

Run by lab.sh once after the DC first answers. Idempotent: every object is
looked up first and only what is missing is created or fixed.

  users:  alice   member of "Allowed RODC Password Replication Group" and FileReaders
          bob     no extra group
          mallory member of both the Allowed and the Denied RODC groups
          carol   member of the Allowed group, account disabled
  group:  FileReaders (global security group)
  the Kerberos server object (PROTOCOL-NOTES.md section 3):
          CN=AzureADKerberos,OU=Domain Controllers,<base>  (computer, RODC-like)
          CN=krbtgt_AzureAD,CN=Users,<base>  (secondary krbtgt, sAMAccountName krbtgt_N)

Passwords come from the environment (CT_LAB_ADMIN_PASSWORD, CT_LAB_<USER>_PASSWORD),
never from the command line. Needs /usr/bin/python3 (samba python bindings).
"""

import argparse
import os
import sys

import ldb
from samba import dsdb
from samba.credentials import Credentials, DONT_USE_KERBEROS
from samba.dcerpc import security
from samba.param import LoadParm
from samba.samdb import SamDB

ALLOWED_GROUP = "Allowed RODC Password Replication Group"   # RID 571
DENIED_GROUP = "Denied RODC Password Replication Group"     # RID 572
FILEREADERS = "FileReaders"

USERS = {
    # name: (groups, disabled)
    "alice": ([ALLOWED_GROUP, FILEREADERS], False),
    "bob": ([], False),
    "mallory": ([ALLOWED_GROUP, DENIED_GROUP], False),
    "carol": ([ALLOWED_GROUP], True),
}

SERVER_CN = "AzureADKerberos"
SERVER_SAM = "AzureADKerberos$"
KRBTGT_CN = "krbtgt_AzureAD"
UAC_PREFERRED = 0x5001002   # WORKSTATION_TRUST | TRUSTED_TO_AUTH_FOR_DELEGATION | PARTIAL_SECRETS | DISABLED
UAC_FALLBACK = 0x4001002    # same without TRUSTED_TO_AUTH_FOR_DELEGATION
NEVER_REVEAL_BUILTIN = ["S-1-5-32-544", "S-1-5-32-548", "S-1-5-32-549", "S-1-5-32-551"]


def fail(msg):
    print("labsetup.py: error: %s" % msg, file=sys.stderr)
    sys.exit(1)


def say(msg):
    print("labsetup.py: %s" % msg, file=sys.stderr)


def one(samdb, base, expression, attrs, scope=ldb.SCOPE_SUBTREE):
    res = samdb.search(base=base, scope=scope, expression=expression, attrs=attrs)
    if len(res) > 1:
        fail("more than one object for %s" % expression)
    return res[0] if len(res) == 1 else None


def dn_or_none(samdb, dn, attrs):
    try:
        res = samdb.search(base=dn, scope=ldb.SCOPE_BASE, attrs=attrs)
    except ldb.LdbError as e:
        if e.args[0] == ldb.ERR_NO_SUCH_OBJECT:
            return None
        raise
    return res[0]


def ensure_group(samdb, base, name):
    if one(samdb, base, "(&(objectClass=group)(sAMAccountName=%s))" % ldb.binary_encode(name), ["dn"]) is None:
        say("creating group %s" % name)
        samdb.newgroup(name, description="cloudtrust lab group")


def ensure_member(samdb, base, group, user_dn):
    g = one(samdb, base, "(&(objectClass=group)(sAMAccountName=%s))" % ldb.binary_encode(group), ["member"])
    if g is None:
        fail("group %s not found" % group)
    members = [str(ldb.Dn(samdb, str(m))).lower() for m in g.get("member", [])]
    if str(user_dn).lower() in members:
        return
    say("adding %s to %s" % (user_dn, group))
    m = ldb.Message()
    m.dn = g.dn
    m["member"] = ldb.MessageElement(str(user_dn), ldb.FLAG_MOD_ADD, "member")
    samdb.modify(m)


def set_uac_bits(samdb, dn, current, bits):
    if (current & bits) == bits:
        return
    m = ldb.Message()
    m.dn = dn
    m["userAccountControl"] = ldb.MessageElement(str(current | bits), ldb.FLAG_MOD_REPLACE,
                                                 "userAccountControl")
    samdb.modify(m)


def ensure_user(samdb, base, name, password, groups, disabled):
    filt = "(&(objectClass=user)(sAMAccountName=%s))" % ldb.binary_encode(name)
    u = one(samdb, base, filt, ["userAccountControl"])
    if u is None:
        say("creating user %s" % name)
        samdb.newuser(name, password, givenname=name.capitalize(), surname="Lab",
                      description="cloudtrust lab user")
        u = one(samdb, base, filt, ["userAccountControl"])
    # The lab lives longer than the default 42-day password age.
    set_uac_bits(samdb, u.dn, int(u["userAccountControl"][0]), dsdb.UF_DONT_EXPIRE_PASSWD)
    for g in groups:
        ensure_member(samdb, base, g, u.dn)
    if disabled:
        u = one(samdb, base, filt, ["userAccountControl"])
        if not int(u["userAccountControl"][0]) & dsdb.UF_ACCOUNTDISABLE:
            say("disabling %s" % name)
            samdb.disable_account(filt)


def ensure_server_object(samdb, base, domsid):
    comp_dn = "CN=%s,OU=Domain Controllers,%s" % (SERVER_CN, base)
    krbtgt_dn = "CN=%s,CN=Users,%s" % (KRBTGT_CN, base)
    comp = dn_or_none(samdb, comp_dn, ["userAccountControl", "msDS-KrbTgtLink"])
    if comp is None:
        rec = {
            "dn": comp_dn,
            "objectClass": "computer",
            "sAMAccountName": SERVER_SAM,
            "userAccountControl": str(UAC_PREFERRED),
            "msDS-RevealOnDemandGroup": "<SID=%s-%d>" % (domsid, security.DOMAIN_RID_RODC_ALLOW),
            "msDS-NeverRevealGroup": ["<SID=%s-%d>" % (domsid, security.DOMAIN_RID_RODC_DENY)] +
                                     ["<SID=%s>" % s for s in NEVER_REVEAL_BUILTIN],
        }
        try:
            samdb.add(rec)
            say("created %s (userAccountControl 0x%x)" % (comp_dn, UAC_PREFERRED))
        except ldb.LdbError as e:
            say("adding with userAccountControl 0x%x refused (%s); retrying with 0x%x"
                % (UAC_PREFERRED, e.args[1], UAC_FALLBACK))
            rec["userAccountControl"] = str(UAC_FALLBACK)
            samdb.add(rec)
            say("created %s (userAccountControl 0x%x)" % (comp_dn, UAC_FALLBACK))
        comp = dn_or_none(samdb, comp_dn, ["userAccountControl", "msDS-KrbTgtLink"])

    link = comp.get("msDS-KrbTgtLink", idx=0)
    if link is not None:
        krbtgt_dn = str(link)
    krb = dn_or_none(samdb, krbtgt_dn, ["sAMAccountName", "msDS-SecondaryKrbTgtNumber"])
    if krb is None:
        # As samba's join.py does for an RODC: the RODC_DCPROMO control makes
        # the DC pick N, name the account krbtgt_N and give it a random key.
        rec = {
            "dn": krbtgt_dn,
            "objectClass": "user",
            "userAccountControl": str(dsdb.UF_NORMAL_ACCOUNT | dsdb.UF_ACCOUNTDISABLE),
            "showInAdvancedViewOnly": "TRUE",
            "description": "krbtgt for %s (cloudtrust lab Kerberos server object)" % SERVER_SAM,
        }
        samdb.add(rec, ["rodc_join:1:1"])
        krb = dn_or_none(samdb, krbtgt_dn, ["sAMAccountName", "msDS-SecondaryKrbTgtNumber"])
        say("created %s: sAMAccountName %s, msDS-SecondaryKrbTgtNumber %s"
            % (krbtgt_dn, krb["sAMAccountName"][0], krb.get("msDS-SecondaryKrbTgtNumber", idx=0)))
    if "msDS-SecondaryKrbTgtNumber" not in krb:
        fail("%s has no msDS-SecondaryKrbTgtNumber (not created with the RODC_DCPROMO control?)" % krbtgt_dn)

    if link is None or str(link).lower() != str(krb.dn).lower():
        m = ldb.Message()
        m.dn = comp.dn
        m["msDS-KrbTgtLink"] = ldb.MessageElement(str(krb.dn), ldb.FLAG_MOD_REPLACE, "msDS-KrbTgtLink")
        samdb.modify(m)
        say("linked %s -> %s" % (comp.dn, krb.dn))
    return comp_dn


def verify(samdb, base, domsid, comp_dn):
    comp = dn_or_none(samdb, comp_dn, ["sAMAccountName", "userAccountControl", "primaryGroupID",
                                       "msDS-KrbTgtLink", "msDS-RevealOnDemandGroup",
                                       "msDS-NeverRevealGroup"])
    if comp is None:
        fail("%s missing after creation" % comp_dn)
    uac = int(comp["userAccountControl"][0])
    if not uac & dsdb.UF_PARTIAL_SECRETS_ACCOUNT:
        fail("%s lacks UF_PARTIAL_SECRETS_ACCOUNT (uac 0x%x)" % (comp_dn, uac))
    if "msDS-KrbTgtLink" not in comp:
        fail("%s has no msDS-KrbTgtLink" % comp_dn)
    reveal = [str(v) for v in comp.get("msDS-RevealOnDemandGroup", [])]
    never = [str(v) for v in comp.get("msDS-NeverRevealGroup", [])]
    krb = dn_or_none(samdb, str(comp["msDS-KrbTgtLink"][0]),
                     ["sAMAccountName", "msDS-SecondaryKrbTgtNumber", "msDS-KeyVersionNumber"])
    if krb is None:
        fail("msDS-KrbTgtLink of %s points at a missing object" % comp_dn)
    n = int(krb["msDS-SecondaryKrbTgtNumber"][0])
    sam = str(krb["sAMAccountName"][0])
    if sam != "krbtgt_%d" % n:
        fail("krbtgt account name %s does not match msDS-SecondaryKrbTgtNumber %d" % (sam, n))
    say("verified %s: uac 0x%x, primaryGroupID %s, link %s (%s, N=%d, key version %s), "
        "reveal %d value(s), never-reveal %d value(s)"
        % (comp_dn, uac, comp.get("primaryGroupID", idx=0), krb.dn, sam, n,
           krb.get("msDS-KeyVersionNumber", idx=0), len(reveal), len(never)))
    if len(reveal) != 1 or len(never) != 1 + len(NEVER_REVEAL_BUILTIN):
        fail("unexpected replication policy on %s: reveal=%r never=%r" % (comp_dn, reveal, never))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--smbconf", required=True, help="the lab DC's smb.conf")
    ap.add_argument("--url", required=True, help="e.g. ldap://10.99.0.2")
    args = ap.parse_args()

    admin_pw = os.environ.get("CT_LAB_ADMIN_PASSWORD")
    if not admin_pw:
        fail("CT_LAB_ADMIN_PASSWORD not set")
    passwords = {}
    for u in USERS:
        passwords[u] = os.environ.get("CT_LAB_%s_PASSWORD" % u.upper())
        if not passwords[u]:
            fail("CT_LAB_%s_PASSWORD not set" % u.upper())

    lp = LoadParm()
    lp.load(args.smbconf)
    creds = Credentials()
    creds.guess(lp)
    creds.set_username("Administrator")
    creds.set_domain(lp.get("workgroup"))
    creds.set_password(admin_pw)
    # NTLMSSP with sign+seal (the default for SASL binds from samba's ldb):
    # enough for Samba to accept password operations without LDAPS.
    creds.set_kerberos_state(DONT_USE_KERBEROS)
    try:
        samdb = SamDB(url=args.url, credentials=creds, lp=lp)
    except ldb.LdbError as e:
        fail("LDAP bind to %s as Administrator failed: %s" % (args.url, e.args[1]))

    base = str(samdb.domain_dn())
    domsid = samdb.get_domain_sid()

    ensure_group(samdb, base, FILEREADERS)
    for name, (groups, disabled) in USERS.items():
        ensure_user(samdb, base, name, passwords[name], groups, disabled)
    comp_dn = ensure_server_object(samdb, base, domsid)
    verify(samdb, base, domsid, comp_dn)


if __name__ == "__main__":
    try:
        main()
    except ldb.LdbError as e:
        fail("LDAP operation failed: %s (ldb error %d)" % (e.args[1], e.args[0]))
