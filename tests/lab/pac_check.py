#!/usr/bin/python3
"""pac_check.py - independent oracle for Kerberos tickets and their PAC.

Decrypts a ticket with impacket's RFC 3961/3962 code, decodes EncTicketPart
with impacket's ASN.1 definitions and the PAC with Samba's NDR parsers
(samba.dcerpc.krb5pac), verifies the PAC signatures where a key is at hand,
and prints JSON. Nothing here shares code with cloudtrust's own C decoder.

Modes (exactly one of --ccache, --ticket-der, --pac-file):

  --ccache FILE (--keytab FILE | --key-hex HEX --enctype N) [--server PRINC]
      the ticket for PRINC (default krbtgt/REALM@REALM, REALM of the cache's
      default principal) from an MIT file ccache; the newest one if several.
  --ticket-der FILE (--keytab FILE | --key-hex HEX --enctype N)
      a raw DER Ticket ([APPLICATION 1]), e.g. minted by our C code.
  --pac-file FILE [--key-hex HEX --enctype N]
      raw PAC bytes; with a key the server signature is checked too.

Other options:
  --dump-pac FILE        write the raw PAC bytes found in the ticket
  --dump-ticket FILE     write the ticket's DER (handy with --ccache)
  --dump-enc-part FILE   write the decrypted EncTicketPart DER
  --kdc-keytab FILE / --kdc-key-hex HEX
                         krbtgt key for the KDC signature of service tickets
                         (for a ticket to krbtgt/... the ticket key is used)
  --strict               exit 1 when a signature that could be checked is wrong,
                         or when the ticket carries no PAC

Keys in a keytab are tried in this order: same principal + enctype + kvno,
same principal + enctype, any entry with the enctype. The kvno is compared
as an unsigned 32-bit number (RODC kvnos are (N << 16) | version).

Exit status: 0 success, 1 failure (message on stderr), 2 usage.
Needs /usr/bin/python3 (samba and impacket modules).
"""

import argparse
import binascii
import datetime
import json
import struct
import sys

try:
    from impacket.krb5.asn1 import AuthorizationData, EncTicketPart, Ticket
    from impacket.krb5.ccache import CCache
    from impacket.krb5.crypto import Key, _checksum_table, _enctype_table
    from pyasn1.codec.der import decoder
    from pyasn1.error import PyAsn1Error
    from samba.dcerpc import krb5pac
    from samba.ndr import ndr_unpack
except ImportError as e:  # pragma: no cover
    sys.stderr.write("pac_check.py: error: %s (run with /usr/bin/python3)\n" % e)
    sys.exit(1)

KU_TICKET = 2
KU_PAC_CHECKSUM = 17        # KERB_NON_KERB_CKSUM_SALT
AD_IF_RELEVANT = 1
AD_WIN2K_PAC = 128

PAC_TYPE_NAMES = {
    1: "LOGON_INFO", 2: "CREDENTIAL_INFO", 6: "SRV_CHECKSUM", 7: "KDC_CHECKSUM",
    10: "CLIENT_INFO", 11: "CONSTRAINED_DELEGATION", 12: "UPN_DNS_INFO",
    13: "CLIENT_CLAIMS_INFO", 14: "DEVICE_INFO", 15: "DEVICE_CLAIMS_INFO",
    16: "TICKET_CHECKSUM", 17: "ATTRIBUTES_INFO", 18: "REQUESTER_SID",
    19: "FULL_CHECKSUM",
}
TICKET_FLAG_NAMES = [
    "reserved", "forwardable", "forwarded", "proxiable", "proxy", "may-postdate",
    "postdated", "invalid", "renewable", "initial", "pre-authent", "hw-authent",
    "transited-policy-checked", "ok-as-delegate", "anonymous", "enc-pa-rep",
]
# checksum type -> (signature length, enctype of the key)
CKSUM_INFO = {16: (12, 18), 15: (12, 17), -138: (16, 23), 0xFFFFFF76: (16, 23)}
ENCTYPE_KEYLEN = {18: 32, 17: 16, 23: 16}


class CheckError(Exception):
    pass


# ------------------------------------------------------------------ keytab

def read_keytab(path):
    """Parse an MIT keytab (format 0x502 / 0x501) without impacket.
    Returns a list of dicts: principal, kvno (unsigned 32-bit), enctype, key."""
    try:
        data = open(path, "rb").read()
    except OSError as e:
        raise CheckError("cannot read keytab %s: %s" % (path, e.strerror))
    if len(data) < 2 or data[0] != 5 or data[1] not in (1, 2):
        raise CheckError("%s is not a keytab (bad header)" % path)
    v502 = data[1] == 2
    pos, out = 2, []
    while pos + 4 <= len(data):
        (size,) = struct.unpack_from("!l", data, pos)
        pos += 4
        if size == 0:
            break
        if size < 0:               # hole left by a deleted entry
            pos += -size
            continue
        ent = data[pos:pos + size]
        if len(ent) != size:
            raise CheckError("%s: truncated entry" % path)
        pos += size
        p = 0

        def take(n):
            nonlocal p
            if p + n > len(ent):
                raise CheckError("%s: malformed entry" % path)
            b = ent[p:p + n]
            p += n
            return b
        (ncomp,) = struct.unpack("!H", take(2))
        if not v502:
            ncomp -= 1
        (rl,) = struct.unpack("!H", take(2))
        realm = take(rl).decode("utf-8", "replace")
        comps = []
        for _ in range(ncomp):
            (cl,) = struct.unpack("!H", take(2))
            comps.append(take(cl).decode("utf-8", "replace"))
        if v502:
            take(4)                # name type
        take(4)                    # timestamp
        (kvno8,) = struct.unpack("!B", take(1))
        (etype, klen) = struct.unpack("!hH", take(4))
        key = take(klen)
        kvno = kvno8
        if len(ent) - p >= 4:
            (kvno32,) = struct.unpack("!L", ent[p:p + 4])
            if kvno32 != 0:
                kvno = kvno32
        out.append({"principal": "/".join(comps) + "@" + realm, "kvno": kvno,
                    "enctype": etype, "key": key})
    return out


def candidate_keys(entries, principal, enctype, kvno):
    """Keys to try, best first, as (entry, how-matched)."""
    pl = principal.lower() if principal else None
    same = [e for e in entries if e["enctype"] == enctype]
    ranked = []
    for e in same:
        pm = pl is not None and e["principal"].lower() == pl
        km = kvno is not None and e["kvno"] == kvno
        rank = 0 if (pm and km) else 1 if pm else 2 if km else 3
        ranked.append((rank, e))
    ranked.sort(key=lambda t: t[0])
    names = {0: "principal+enctype+kvno", 1: "principal+enctype", 2: "enctype+kvno", 3: "enctype"}
    return [(e, names[r]) for r, e in ranked]


def key_from_hex(hexkey, enctype):
    try:
        key = binascii.a2b_hex(hexkey.strip())
    except (binascii.Error, ValueError):
        raise CheckError("--key-hex is not valid hex")
    if enctype not in ENCTYPE_KEYLEN:
        raise CheckError("unsupported --enctype %d (use 17, 18 or 23)" % enctype)
    if len(key) != ENCTYPE_KEYLEN[enctype]:
        raise CheckError("key is %d bytes; enctype %d needs %d" % (len(key), enctype, ENCTYPE_KEYLEN[enctype]))
    return key


# ------------------------------------------------------------------ helpers

def ktime(t):
    """KerberosTime (GeneralizedTime 'YYYYMMDDHHMMSSZ') -> ISO 8601."""
    if t is None or not t.hasValue():
        return None
    s = str(t)
    try:
        d = datetime.datetime.strptime(s, "%Y%m%d%H%M%SZ")
    except ValueError:
        return s
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def nttime(v):
    """NTTIME (100 ns since 1601) -> ISO 8601, None for 0 / 'never'."""
    v = int(v)
    if v == 0 or v >= 0x7FFFFFFFFFFFFFFF:
        return None
    secs = v // 10000000 - 11644473600
    try:
        return datetime.datetime.fromtimestamp(secs, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError, OSError):
        return str(v)


def principal_str(pn, realm):
    comps = [str(c) for c in pn["name-string"]]
    return "/".join(comps) + ("@" + str(realm) if realm is not None else "")


def flags_list(bits):
    out = []
    for i, b in enumerate(bits):
        if int(b):
            out.append(TICKET_FLAG_NAMES[i] if i < len(TICKET_FLAG_NAMES) else "bit%d" % i)
    return out


def s(v):
    return None if v is None else str(v)


def lsa(v):
    return None if v is None or v.string is None else str(v.string)


# ------------------------------------------------------------------ ticket

def decrypt_ticket(ticket_der, keys):
    """keys: list of (key bytes, enctype, description). Returns
    (ticket asn1, EncTicketPart asn1, used key bytes, used description,
    EncTicketPart DER)."""
    try:
        tkt, rest = decoder.decode(ticket_der, asn1Spec=Ticket())
    except PyAsn1Error as e:
        raise CheckError("not a DER Ticket: %s" % str(e).splitlines()[0])
    if rest:
        raise CheckError("%d trailing bytes after the Ticket" % len(rest))
    etype = int(tkt["enc-part"]["etype"])
    cipher = bytes(tkt["enc-part"]["cipher"])
    if etype not in _enctype_table:
        raise CheckError("unsupported ticket enctype %d" % etype)
    tried = []
    for key, ketype, desc in keys:
        if ketype != etype:
            continue
        try:
            plain = _enctype_table[etype].decrypt(Key(etype, key), KU_TICKET, cipher)
        except Exception:  # integrity check failure: wrong key
            tried.append(desc)
            continue
        try:
            etp, rest = decoder.decode(plain, asn1Spec=EncTicketPart())
        except PyAsn1Error as e:
            raise CheckError("decrypted, but EncTicketPart does not decode: %s" % str(e).splitlines()[0])
        if rest:
            raise CheckError("%d trailing bytes after EncTicketPart" % len(rest))
        return tkt, etp, key, desc, plain
    if not tried:
        raise CheckError("no key of enctype %d available for this ticket" % etype)
    raise CheckError("decryption failed (integrity check) with every candidate key: %s" % "; ".join(tried))


def find_pac(etp):
    """Return the raw PAC bytes (AD-IF-RELEVANT -> AD-WIN2K-PAC), or None."""
    ad = etp["authorization-data"]
    if ad is None or not ad.hasValue():
        return None
    found = []
    for el in ad:
        if int(el["ad-type"]) != AD_IF_RELEVANT:
            continue
        try:
            inner, rest = decoder.decode(bytes(el["ad-data"]), asn1Spec=AuthorizationData())
        except PyAsn1Error as e:
            raise CheckError("AD-IF-RELEVANT does not decode: %s" % str(e).splitlines()[0])
        for a in inner:
            if int(a["ad-type"]) == AD_WIN2K_PAC:
                found.append(bytes(a["ad-data"]))
    if len(found) > 1:
        raise CheckError("ticket carries %d PACs" % len(found))
    return found[0] if found else None


# ------------------------------------------------------------------ PAC

def raw_buffers(pac):
    if len(pac) < 8:
        raise CheckError("PAC shorter than its header")
    count, version = struct.unpack_from("<LL", pac, 0)
    if 8 + 16 * count > len(pac):
        raise CheckError("PAC header claims %d buffers, too many for %d bytes" % (count, len(pac)))
    out = []
    for i in range(count):
        t, size, off = struct.unpack_from("<LLQ", pac, 8 + 16 * i)
        if off + size > len(pac):
            raise CheckError("PAC buffer %d (type %d) runs past the end" % (i, t))
        out.append({"type": t, "offset": off, "size": size})
    return version, out


def checksum(cksumtype, key, data):
    if cksumtype not in _checksum_table:
        raise CheckError("unsupported PAC checksum type %d" % cksumtype)
    _, etype = CKSUM_INFO[cksumtype]
    return _checksum_table[cksumtype].checksum(Key(etype, key), KU_PAC_CHECKSUM, data)


def parse_sig(pac, buf):
    b = pac[buf["offset"]:buf["offset"] + buf["size"]]
    if len(b) < 4:
        raise CheckError("signature buffer type %d too short" % buf["type"])
    (ct,) = struct.unpack_from("<l", b, 0)
    ctu = ct & 0xFFFFFFFF
    siglen = CKSUM_INFO.get(ct, CKSUM_INFO.get(ctu, (len(b) - 4, None)))[0]
    sig = b[4:4 + siglen]
    extra = b[4 + siglen:]
    rodc = struct.unpack("<H", extra[:2])[0] if len(extra) >= 2 else None
    return {"cksumtype": ct, "sig": sig, "siglen": siglen, "rodc_id": rodc}


def verify_signatures(pac, bufs, server_key, kdc_key):
    """Server signature over the PAC with both signature buffers zeroed
    (Samba/Heimdal zero everything after the 4-byte type, RODC id included;
    MS-PAC's wording zeroes only the Signature field: both are tried);
    KDC signature over the server signature bytes."""
    res = {}
    srv = [b for b in bufs if b["type"] == 6]
    kdc = [b for b in bufs if b["type"] == 7]
    if len(srv) != 1 or len(kdc) != 1:
        res["server_signature"] = res["kdc_signature"] = None
        return res, ["PAC has %d server and %d KDC signature buffers" % (len(srv), len(kdc))]
    problems = []
    ssig, ksig = parse_sig(pac, srv[0]), parse_sig(pac, kdc[0])
    sres = {"cksumtype": ssig["cksumtype"], "valid": None}
    kres = {"cksumtype": ksig["cksumtype"], "valid": None, "rodc_id": ksig["rodc_id"]}
    if server_key is not None:
        variants = []
        for name, whole in (("whole-buffer", True), ("signature-only", False)):
            z = bytearray(pac)
            for b, sg in ((srv[0], ssig), (kdc[0], ksig)):
                n = b["size"] - 4 if whole else sg["siglen"]
                z[b["offset"] + 4:b["offset"] + 4 + n] = bytes(n)
            variants.append((name, bytes(z)))
        sres["valid"] = False
        for name, data in variants:
            try:
                ok = checksum(ssig["cksumtype"], server_key, data) == ssig["sig"]
            except (CheckError, ValueError) as e:
                sres["error"] = str(e)
                break
            if ok:
                sres["valid"] = True
                sres["zeroing"] = name
                break
        if sres["valid"] is False:
            problems.append("server signature does not verify")
    if kdc_key is not None:
        try:
            kres["valid"] = checksum(ksig["cksumtype"], kdc_key, ssig["sig"]) == ksig["sig"]
        except (CheckError, ValueError) as e:
            kres["valid"] = False
            kres["error"] = str(e)
        if not kres["valid"]:
            problems.append("KDC signature does not verify")
    res["server_signature"] = sres
    res["kdc_signature"] = kres
    return res, problems


def logon_info_json(li):
    base = li.info3.base
    dom = s(base.domain_sid)
    groups = []
    if base.groups.rids is not None:
        groups = [{"rid": int(g.rid), "attributes": int(g.attributes)} for g in base.groups.rids[:base.groups.count]]
    extra = []
    if li.info3.sids is not None:
        extra = [{"sid": s(x.sid), "attributes": int(x.attributes)} for x in li.info3.sids[:li.info3.sidcount]]
    rg = li.resource_groups
    res_groups = None
    if rg is not None and (rg.domain_sid is not None or rg.groups.count):
        res_groups = {"domain_sid": s(rg.domain_sid),
                      "rids": [int(g.rid) for g in (rg.groups.rids or [])[:rg.groups.count]]}
    return {
        "account_name": lsa(base.account_name),
        "full_name": lsa(base.full_name),
        "logon_domain": lsa(base.logon_domain),
        "logon_server": lsa(base.logon_server),
        "domain_sid": dom,
        "user_rid": int(base.rid),
        "user_sid": "%s-%d" % (dom, base.rid) if dom else None,
        "primary_group_rid": int(base.primary_gid),
        "group_rids": [g["rid"] for g in groups],
        "groups": groups,
        "extra_sids": extra,
        "resource_groups": res_groups,
        "user_flags": int(base.user_flags),
        "acct_flags": int(base.acct_flags),
        "logon_time": nttime(base.logon_time),
        "logon_count": int(base.logon_count),
    }


def upn_json(u):
    out = {"upn": s(u.upn_name), "dns_domain": s(u.dns_domain_name), "flags": int(u.flags),
           "sam_name": None, "sid": None}
    if u.flags & krb5pac.PAC_UPN_DNS_FLAG_HAS_SAM_NAME_AND_SID:
        sn = u.ex
        out["sam_name"] = s(sn.samaccountname)
        out["sid"] = s(sn.objectsid)
    return out


def decode_pac(pac, server_key=None, kdc_key=None):
    version, bufs = raw_buffers(pac)
    try:
        p = ndr_unpack(krb5pac.PAC_DATA, pac)
    except Exception as e:
        raise CheckError("Samba's NDR parser rejects the PAC: %s" % e)
    out = {
        "size": len(pac),
        "version": version,
        "buffer_types": [b["type"] for b in bufs],
        "buffer_names": [PAC_TYPE_NAMES.get(b["type"], "UNKNOWN_%d" % b["type"]) for b in bufs],
        "buffers": [dict(b, name=PAC_TYPE_NAMES.get(b["type"], "UNKNOWN")) for b in bufs],
        "logon_info": None, "upn_dns_info": None, "requester_sid": None,
        "client_info": None, "attributes_info": None,
    }
    for b in p.buffers:
        t = b.type
        if t == krb5pac.PAC_TYPE_LOGON_INFO:
            out["logon_info"] = logon_info_json(b.info.info)
        elif t == krb5pac.PAC_TYPE_LOGON_NAME:
            out["client_info"] = {"name": s(b.info.account_name),
                                  "logon_time": nttime(b.info.logon_time),
                                  "logon_time_nt": int(b.info.logon_time)}
        elif t == krb5pac.PAC_TYPE_UPN_DNS_INFO:
            out["upn_dns_info"] = upn_json(b.info)
        elif t == krb5pac.PAC_TYPE_REQUESTER_SID:
            out["requester_sid"] = s(b.info.sid)
        elif t == krb5pac.PAC_TYPE_ATTRIBUTES_INFO:
            out["attributes_info"] = {"flags": int(b.info.flags)}
    sigs, problems = verify_signatures(pac, bufs, server_key, kdc_key)
    out.update(sigs)
    return out, problems


# ------------------------------------------------------------------ main

def write_file(path, data):
    try:
        with open(path, "wb") as f:
            f.write(data)
    except OSError as e:
        raise CheckError("cannot write %s: %s" % (path, e.strerror))


def load_ccache_ticket(path, server):
    try:
        cc = CCache.loadFile(path)
    except Exception as e:
        raise CheckError("cannot read ccache %s: %s" % (path, e))
    if cc is None or not cc.credentials:
        raise CheckError("ccache %s holds no credentials" % path)
    if server is None:
        realm = cc.principal.realm["data"]
        realm = realm.decode() if isinstance(realm, bytes) else realm
        server = "krbtgt/%s@%s" % (realm, realm)
    matches, seen = [], []
    for c in cc.credentials:
        name = c["server"].prettyPrint()
        name = name.decode("utf-8", "replace") if isinstance(name, bytes) else name
        seen.append(name)
        if name.lower() == server.lower():
            matches.append(c)
    if not matches:
        raise CheckError("no ticket for %s in %s (has: %s)" % (server, path, ", ".join(seen)))
    return bytes(matches[-1].ticket["data"]), server, len(matches)


def main():
    ap = argparse.ArgumentParser(description="Decrypt a Kerberos ticket and decode its PAC; print JSON.",
                                 epilog="See the module docstring (head -40 %s) for details." % sys.argv[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--ccache", help="MIT file credential cache")
    src.add_argument("--ticket-der", help="file with one raw DER Ticket")
    src.add_argument("--pac-file", help="file with raw PAC bytes")
    ap.add_argument("--server", help="server principal to pick from the ccache (default krbtgt/REALM@REALM)")
    ap.add_argument("--keytab", help="keytab holding the ticket's service key")
    ap.add_argument("--key-hex", help="the ticket's service key, hex")
    ap.add_argument("--enctype", type=int, help="enctype of --key-hex (18 aes256, 17 aes128, 23 rc4)")
    ap.add_argument("--kdc-keytab", help="keytab with the krbtgt key, for the KDC signature")
    ap.add_argument("--kdc-key-hex", help="krbtgt key (hex, same enctype as the KDC checksum)")
    ap.add_argument("--dump-pac", help="write the raw PAC bytes to this file")
    ap.add_argument("--dump-ticket", help="write the ticket DER to this file")
    ap.add_argument("--dump-enc-part", help="write the decrypted EncTicketPart DER to this file")
    ap.add_argument("--strict", action="store_true", help="fail on a bad signature or a missing PAC")
    args = ap.parse_args()

    if args.key_hex is not None and args.enctype is None:
        ap.error("--key-hex needs --enctype")
    if (args.ccache or args.ticket_der) and not (args.keytab or args.key_hex):
        ap.error("--ccache / --ticket-der need --keytab or --key-hex/--enctype")

    out = {}
    problems = []
    if args.pac_file:
        try:
            pac = open(args.pac_file, "rb").read()
        except OSError as e:
            raise CheckError("cannot read %s: %s" % (args.pac_file, e.strerror))
        skey = key_from_hex(args.key_hex, args.enctype) if args.key_hex else None
        kkey = binascii.a2b_hex(args.kdc_key_hex) if args.kdc_key_hex else None
        out["pac"], problems = decode_pac(pac, skey, kkey)
    else:
        if args.ccache:
            der, server, nmatch = load_ccache_ticket(args.ccache, args.server)
            out["source"] = {"ccache": args.ccache, "server": server, "matches": nmatch}
        else:
            try:
                der = open(args.ticket_der, "rb").read()
            except OSError as e:
                raise CheckError("cannot read %s: %s" % (args.ticket_der, e.strerror))
            out["source"] = {"ticket_der": args.ticket_der}
        try:
            pre, _ = decoder.decode(der, asn1Spec=Ticket())
        except PyAsn1Error as e:
            raise CheckError("not a DER Ticket: %s" % str(e).splitlines()[0])
        etype = int(pre["enc-part"]["etype"])
        kvno_raw = int(pre["enc-part"]["kvno"]) if pre["enc-part"]["kvno"].hasValue() else None
        kvno = kvno_raw & 0xFFFFFFFF if kvno_raw is not None else None
        sname = principal_str(pre["sname"], pre["realm"])
        keys = []
        if args.key_hex:
            keys.append((key_from_hex(args.key_hex, args.enctype), args.enctype, "--key-hex"))
        if args.keytab:
            for e, how in candidate_keys(read_keytab(args.keytab), sname, etype, kvno):
                keys.append((e["key"], e["enctype"], "keytab %s kvno %d (%s)" % (e["principal"], e["kvno"], how)))
        tkt, etp, key, desc, plain = decrypt_ticket(der, keys)
        if args.dump_ticket:
            write_file(args.dump_ticket, der)
        if args.dump_enc_part:
            write_file(args.dump_enc_part, plain)
        crealm = str(etp["crealm"])
        out.update({
            "server": sname,
            "ticket_kvno": kvno,
            "ticket_kvno_raw": kvno_raw,
            "ticket_kvno_high": kvno >> 16 if kvno is not None else None,
            "ticket_kvno_low": kvno & 0xFFFF if kvno is not None else None,
            "enctype": etype,
            "decrypted_with": desc,
            "client": principal_str(etp["cname"], crealm),
            "client_name_type": int(etp["cname"]["name-type"]),
            "flags": flags_list(etp["flags"]),
            "session_key_type": int(etp["key"]["keytype"]),
            "authtime": ktime(etp["authtime"]),
            "starttime": ktime(etp["starttime"]) if etp["starttime"].hasValue() else None,
            "endtime": ktime(etp["endtime"]),
            "renew_till": ktime(etp["renew-till"]) if etp["renew-till"].hasValue() else None,
        })
        pac = find_pac(etp)
        if pac is None:
            out["pac"] = None
            problems.append("ticket has no PAC")
        else:
            if args.dump_pac:
                write_file(args.dump_pac, pac)
            kdc_key = None
            if sname.lower().startswith("krbtgt/"):
                kdc_key = key
            elif args.kdc_key_hex:
                kdc_key = binascii.a2b_hex(args.kdc_key_hex)
            elif args.kdc_keytab:
                realm = str(pre["realm"])
                ents = [e for e in read_keytab(args.kdc_keytab)
                        if e["principal"].lower() == ("krbtgt/%s@%s" % (realm, realm)).lower()]
                _, bufs = raw_buffers(pac)
                kb = [b for b in bufs if b["type"] == 7]
                if kb:
                    ct = parse_sig(pac, kb[0])["cksumtype"]
                    want = CKSUM_INFO.get(ct, (None, None))[1]
                    ents = [e for e in ents if e["enctype"] == want]
                    if ents:
                        kdc_key = ents[0]["key"]
            out["pac"], p2 = decode_pac(pac, key, kdc_key)
            problems += p2
            ci = out["pac"]["client_info"]
            if ci is not None:
                cname = "/".join(str(c) for c in etp["cname"]["name-string"])
                out["pac"]["client_info"]["matches_ticket_client"] = (ci["name"] == cname)
                at = out["authtime"]
                out["pac"]["client_info"]["matches_authtime"] = (ci["logon_time"] == at)
    out["problems"] = problems
    print(json.dumps(out, indent=2, sort_keys=False))
    if args.strict and problems:
        raise CheckError("; ".join(problems))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckError as e:
        sys.stderr.write("pac_check.py: error: %s\n" % e)
        sys.exit(1)
