#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Independent cross-check of the PACs ct_pac_build makes.

Runs pac-gen (tests/unit/pac-gen.c) with several option sets and checks each
PAC with code that shares nothing with ours:
  - Samba's NDR parser (samba.dcerpc.krb5pac, the code Samba's KDC uses)
    must unpack it, every field must hold the sample user's values, and
    Samba's own NDR encoder must give back the very same bytes;
  - impacket's RFC 3961 crypto must verify the server signature
    (HMAC-SHA1-96-AES256, usage 17, over the PAC with everything after
    SignatureType zeroed in both signature buffers) and the KDC signature
    (over the server signature value);
  - a PAC with one flipped byte must fail the server signature check (so the
    check is known to be able to fail);
  - the other direction: PACs encoded by Samba (resource groups, non-NULL
    empty strings, non-ASCII names, UPN_DNS_INFO without flag S) must decode
    with ct_pac_decode (via "pac-gen --dump") to the values Samba was given.

Prints TAP.  Needs the system python (/usr/bin/python3) with samba and
impacket.

  pac-samba-check.py PAC-GEN                 run every variant
  pac-samba-check.py --pac FILE [VARIANT...] check one existing PAC file
                                             against the expectations of the
                                             given pac-gen options
"""

import os
import struct
import subprocess
import sys
import tempfile

try:
    from samba.dcerpc import krb5pac, samr, security
    from samba.ndr import ndr_pack, ndr_unpack
    from impacket.krb5 import crypto
except ImportError as e:  # pragma: no cover
    print("1..0 # SKIP samba or impacket python modules missing: %s" % e)
    sys.exit(0)

# The fixed values pac-gen.c uses.
SERVER_KEY = bytes(range(0x00, 0x20))
KDC_KEY = bytes(range(0x20, 0x40))
DOMAIN_SID = "S-1-5-21-1111111111-2222222222-3333333333"
RID = 1105
USER_SID = "%s-%d" % (DOMAIN_SID, RID)
AUTHTIME = 1700000000
NTTIME = (AUTHTIME + 11644473600) * 10000000
NEVER = 0x7FFFFFFFFFFFFFFF

VARIANTS = [
    [],
    ["--no-upn"],
    ["--rodc", "40000"],
    ["--rodc", "7"],
    ["--extra-sids"],
    ["--no-groups"],
    ["--kdc-aes128"],
    ["--omit-requestor"],
    ["--omit-attributes"],
    ["--omit-upn-dns-info"],
    ["--omit-requestor", "--omit-attributes", "--omit-upn-dns-info"],
]

count = 0
failed = 0


def check(ok, what, detail=None):
    global count, failed
    count += 1
    print("%sok %d - %s" % ("" if ok else "not ", count, what))
    if not ok:
        failed += 1
        if detail is not None:
            for line in str(detail).splitlines():
                print("#   " + line)
    sys.stdout.flush()
    return ok


def eq(got, want, what):
    return check(got == want, what, "got:  %r\nwant: %r" % (got, want))


def raw_buffers(pac):
    """Our own minimal header parse: [(type, size, offset)]."""
    n, version = struct.unpack_from("<II", pac, 0)
    return [struct.unpack_from("<IIQ", pac, 8 + 16 * i) for i in range(n)]


def zeroed_for_signing(pac):
    b = bytearray(pac)
    for t, size, off in raw_buffers(pac):
        if t in (6, 7):
            b[off + 4:off + size] = bytes(size - 4)
    return bytes(b)


def expectations(opts):
    e = {
        "types": [1, 10],
        "rodc": None,
        "upn": "alice@corp.example.test",
        "upn_flags": 2,
        "groups": [(513, 7), (1107, 7), (571, 7)],
        "extra_sids": [],
        "kdc_cksum": 16,
        "kdc_key": crypto.Key(18, KDC_KEY),
    }
    if "--omit-upn-dns-info" not in opts:
        e["types"].append(12)
    if "--omit-attributes" not in opts:
        e["types"].append(17)
    if "--omit-requestor" not in opts:
        e["types"].append(18)
    e["types"] += [6, 7]
    if "--rodc" in opts:
        e["rodc"] = int(opts[opts.index("--rodc") + 1])
    if "--no-upn" in opts:
        e["upn"] = "alice@corp.example.test"  # constructed: lower-case domain
        e["upn_flags"] = 3
    if "--no-groups" in opts:
        e["groups"] = [(513, 7)]
    if "--extra-sids" in opts:
        e["extra_sids"] = [("S-1-18-1", 7), ("S-1-5-21-4-5-6-1000", 7)]
    if "--kdc-aes128" in opts:
        e["kdc_cksum"] = 15
        e["kdc_key"] = crypto.Key(17, KDC_KEY[:16])
    return e


def check_pac(pac, opts, name):
    e = expectations(opts)
    try:
        p = ndr_unpack(krb5pac.PAC_DATA, pac)
    except Exception as ex:  # samba raises RuntimeError / NTSTATUSError
        check(False, "%s: Samba's NDR parser accepts the PAC" % name, ex)
        return
    check(True, "%s: Samba's NDR parser accepts the PAC" % name)
    eq(ndr_pack(p), pac, "%s: Samba re-encodes it to the same bytes" % name)
    eq(p.version, 0, "%s: version 0" % name)
    eq([b.type for b in p.buffers], e["types"], "%s: buffer types and order" % name)
    raw = raw_buffers(pac)
    check(all(off % 8 == 0 for _, _, off in raw), "%s: every offset 8-aligned" % name)
    end = max(off + ((size + 7) & ~7) for _, size, off in raw)
    eq(len(pac), end, "%s: PAC ends with the padded last buffer" % name)

    by_type = {b.type: b for b in p.buffers}
    raw_by_type = {t: (size, off) for t, size, off in raw}

    # LOGON_INFO
    size, off = raw_by_type[1]
    eq(pac[off:off + 8], bytes.fromhex("01100800cccccccc"), "%s: type serialisation header" % name)
    objlen = struct.unpack_from("<I", pac, off + 8)[0]
    check(objlen % 8 == 0 and size == 16 + objlen,
          "%s: LOGON_INFO object buffer length %% 8 == 0" % name, (size, objlen))
    base = by_type[1].info.info.info3.base
    info3 = by_type[1].info.info.info3
    eq(base.rid, RID, "%s: LOGON_INFO UserId" % name)
    eq(str(base.domain_sid), DOMAIN_SID, "%s: LOGON_INFO LogonDomainId" % name)
    eq(base.primary_gid, 513, "%s: LOGON_INFO PrimaryGroupId" % name)
    eq(base.account_name.string, "alice", "%s: LOGON_INFO EffectiveName" % name)
    eq(base.full_name.string, "Alice Example", "%s: LOGON_INFO FullName" % name)
    eq(base.logon_domain.string, "CORP", "%s: LOGON_INFO LogonDomainName" % name)
    eq(base.logon_time, NTTIME, "%s: LOGON_INFO LogonTime = authtime" % name)
    eq((base.logoff_time, base.kickoff_time), (NEVER, NEVER), "%s: LOGON_INFO Logoff/KickOff never" % name)
    eq([(g.rid, g.attributes) for g in base.groups.rids] if base.groups.count else [],
       e["groups"], "%s: LOGON_INFO GroupIds" % name)
    eq([(str(s.sid), s.attributes) for s in info3.sids] if info3.sidcount else [],
       e["extra_sids"], "%s: LOGON_INFO ExtraSids" % name)
    eq(base.user_flags, 0x20 if e["extra_sids"] else 0, "%s: LOGON_INFO UserFlags" % name)

    # CLIENT_INFO
    ci = by_type[10].info
    eq(ci.account_name, "alice", "%s: CLIENT_INFO name" % name)
    eq(ci.logon_time, NTTIME, "%s: CLIENT_INFO ClientId = authtime" % name)

    if 12 in by_type:
        u = by_type[12].info
        eq(u.upn_name, e["upn"], "%s: UPN_DNS_INFO Upn" % name)
        eq(u.dns_domain_name, "CORP.EXAMPLE.TEST", "%s: UPN_DNS_INFO DnsDomainName" % name)
        eq(u.flags, e["upn_flags"], "%s: UPN_DNS_INFO flags" % name)
        eq(u.ex.samaccountname, "alice", "%s: UPN_DNS_INFO SamName" % name)
        eq(str(u.ex.objectsid), USER_SID, "%s: UPN_DNS_INFO Sid" % name)
    if 17 in by_type:
        a = by_type[17].info
        eq((a.flags_length, a.flags), (2, 1), "%s: ATTRIBUTES_INFO PAC_WAS_REQUESTED" % name)
    if 18 in by_type:
        eq(str(by_type[18].info.sid), USER_SID, "%s: REQUESTOR sid = user SID" % name)

    # Signatures
    srv = by_type[6].info
    kdc = by_type[7].info
    eq(srv.type, 16, "%s: server checksum type 16" % name)
    eq(kdc.type, e["kdc_cksum"], "%s: KDC checksum type" % name)
    srv_value = bytes(srv.signature)
    kdc_blob = bytes(kdc.signature)
    eq(len(srv_value), 12, "%s: server signature length" % name)
    if e["rodc"] is None:
        eq(len(kdc_blob), 12, "%s: KDC signature without RODC id" % name)
    else:
        eq(len(kdc_blob), 14, "%s: KDC signature with RODC id" % name)
        eq(struct.unpack("<H", kdc_blob[12:])[0], e["rodc"], "%s: RODCIdentifier" % name)
    try:
        crypto.verify_checksum(16, crypto.Key(18, SERVER_KEY), 17,
                               zeroed_for_signing(pac), srv_value)
        check(True, "%s: impacket verifies the server signature" % name)
    except Exception as ex:
        check(False, "%s: impacket verifies the server signature" % name, repr(ex))
    try:
        crypto.verify_checksum(e["kdc_cksum"], e["kdc_key"], 17, srv_value, kdc_blob[:12])
        check(True, "%s: impacket verifies the KDC signature" % name)
    except Exception as ex:
        check(False, "%s: impacket verifies the KDC signature" % name, repr(ex))
    # The server signature does not verify if the RODC id were left in place.
    if e["rodc"] is not None:
        b = bytearray(pac)
        size, off = raw_by_type[6]
        b[off + 4:off + size] = bytes(size - 4)
        size, off = raw_by_type[7]
        b[off + 4:off + size - 2] = bytes(size - 6)
        try:
            crypto.verify_checksum(16, crypto.Key(18, SERVER_KEY), 17, bytes(b), srv_value)
            check(False, "%s: signature was made with the RODC id zeroed" % name)
        except crypto.InvalidChecksum:
            check(True, "%s: signature was made with the RODC id zeroed" % name)


def check_negative(pac, name):
    """The checker must be able to fail: a flipped byte breaks the signature."""
    size, off = [(s, o) for t, s, o in raw_buffers(pac) if t == 1][0]
    b = bytearray(pac)
    b[off + 0x60] ^= 0x01  # inside LOGON_INFO
    srv = [(s, o) for t, s, o in raw_buffers(pac) if t == 6][0]
    value = pac[srv[1] + 4:srv[1] + srv[0]]
    try:
        crypto.verify_checksum(16, crypto.Key(18, SERVER_KEY), 17,
                               zeroed_for_signing(bytes(b)), value)
        check(False, "%s: a flipped byte fails impacket's check" % name)
    except crypto.InvalidChecksum:
        check(True, "%s: a flipped byte fails impacket's check" % name)


def our_dump(pacgen, pac, d):
    path = os.path.join(d, "samba.pac")
    with open(path, "wb") as f:
        f.write(pac)
    r = subprocess.run([pacgen, "--dump", path], stdout=subprocess.PIPE,
                       universal_newlines=True)
    return r.returncode, r.stdout


def check_decoder(pacgen, d):
    """The other direction: our decoder reads PACs that Samba's encoder made."""
    subprocess.run([pacgen, "--extra-sids", os.path.join(d, "base")], check=True)
    with open(os.path.join(d, "base"), "rb") as f:
        p = ndr_unpack(krb5pac.PAC_DATA, f.read())
    li = p.buffers[0].info.info
    base = li.info3.base
    base.account_name.string = "j\u00fcrgen"
    base.full_name.string = "J\u00fcrgen \U0001F642"
    base.logon_script.string = ""          # non-NULL empty strings, as Windows
    base.profile_path.string = ""
    base.home_directory.string = "\\\\srv\\home"
    base.home_drive.string = "H:"
    base.logon_server.string = "DC1"
    base.rid = 4242
    base.primary_gid = 1300
    base.user_flags = 0x220
    rg = li.resource_groups
    rg.domain_sid = security.dom_sid("S-1-5-21-7-8-9")
    rids = []
    for rid in (2001, 2002, 2003):
        r = samr.RidWithAttribute()
        r.rid = rid
        r.attributes = 0x20000007
        rids.append(r)
    rg.groups.count = len(rids)
    rg.groups.rids = rids
    p.buffers[0].info.info = li
    p.buffers[1].info.account_name = "j\u00fcrgen@x"
    u = p.buffers[2].info
    u.flags = 0                             # no SamName/Sid extension
    u.upn_name = "j\u00fcrgen@corp.example.test"
    pac = ndr_pack(p)
    rc, out = our_dump(pacgen, pac, d)
    check(rc == 0, "decoder: ct_pac_decode accepts a Samba-encoded PAC", out)
    for want in ['effective name:    "j\u00fcrgen"',
                 'full name:         "J\u00fcrgen \U0001F642"',
                 "user RID:          4242",
                 "primary group RID: 1300",
                 "user flags:        0x00000220",
                 "logon domain SID:  " + DOMAIN_SID,
                 "S-1-18-1 attributes 0x7",
                 "S-1-5-21-4-5-6-1000 attributes 0x7",
                 "resource group domain SID: S-1-5-21-7-8-9",
                 "resource groups (3):",
                 "2003 attributes 0x20000007",
                 'name:      "j\u00fcrgen@x"',
                 'UPN:        "j\u00fcrgen@corp.example.test"',
                 "flags:      0x0\n"]:
        check(want in out, "decoder: dump has %r" % want, out)
    check("SAM name" not in out, "decoder: no SamName without flag S", out)

    # Samba's encoder with an unpaired surrogate in a name: refused.
    base.account_name.string = "x"
    p.buffers[0].info.info = li
    pac = bytearray(ndr_pack(p))
    i = pac.find("x".encode("utf-16-le") + b"\x00\x00", 0x100)
    pac[i:i + 2] = b"\x00\xd8"
    rc, out = our_dump(pacgen, bytes(pac), d)
    check(rc == 1 and "BAD_PAC" in out, "decoder: refuses an unpaired surrogate", out)


def main(argv):
    if len(argv) >= 3 and argv[1] == "--pac":
        with open(argv[2], "rb") as f:
            check_pac(f.read(), argv[3:], os.path.basename(argv[2]))
    elif len(argv) == 2:
        with tempfile.TemporaryDirectory() as d:
            for opts in VARIANTS:
                name = " ".join(opts) or "default"
                path = os.path.join(d, "pac")
                r = subprocess.run([argv[1]] + opts + [path])
                if not check(r.returncode == 0, "%s: pac-gen runs" % name):
                    continue
                with open(path, "rb") as f:
                    pac = f.read()
                check_pac(pac, opts, name)
                if not opts:
                    check_negative(pac, name)
            check_decoder(argv[1], d)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print("1..%d" % count)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
