#!/usr/bin/python3
"""labseeds.py - helpers for capture_seeds.sh.

labseeds.py tgs CCACHE SPN KDC_IP
    one plain TGS exchange built with impacket's ASN.1 and crypto (no FAST,
    no subkey, unlike MIT's kvno against this DC), using the TGT in CCACHE;
    prints nothing on success.

labseeds.py STAGEDIR - derive inner Kerberos structures from captured messages.

Used by capture_seeds.sh. STAGEDIR holds the captured messages (as-rep-*.der,
tgs-req-*.der, tgs-rep-*.der, ...) and the MIT ccaches (*.cc) the exchanges
produced. The lab users' passwords come from the environment
(CT_LAB_<USER>_PASSWORD, CT_LAB_ADMIN_PASSWORD; source lab.env with set -a).

Writes next to them:
  ap-req-N.der            the AP-REQ inside each TGS-REQ (PA-TGS-REQ)
  authenticator-N.der     its decrypted Authenticator (TGT session key, usage 7)
  enc-as-rep-part-N.der   each AS-REP's decrypted enc-part (password key, usage 3)
  enc-tgs-rep-part-N.der  each TGS-REP's decrypted enc-part (subkey usage 9 or
                          session key usage 8)
Prints one line per derived file. Never fails on a message it cannot open
(prints why); exits 1 only on a usage or I/O error.
"""

import glob
import os
import sys

from impacket.krb5.asn1 import AP_REQ, AS_REP, ETYPE_INFO2, TGS_REP, TGS_REQ, Authenticator
from impacket.krb5.ccache import CCache
from impacket.krb5.crypto import Key, _enctype_table
from pyasn1.codec.der import decoder

PA_TGS_REQ = 1
PA_ETYPE_INFO2 = 19


def say(msg):
    print("labseeds.py: %s" % msg)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    say("wrote %s (%d bytes)" % (os.path.basename(path), len(data)))


def password_for(name):
    var = "CT_LAB_ADMIN_PASSWORD" if name.lower() == "administrator" else "CT_LAB_%s_PASSWORD" % name.upper()
    return os.environ.get(var)


def try_decrypt(key, usage, cipher):
    try:
        return _enctype_table[key.enctype].decrypt(key, usage, cipher)
    except Exception:
        return None


def session_keys(stage):
    keys = []
    for cc in sorted(glob.glob(os.path.join(stage, "*.cc"))):
        try:
            c = CCache.loadFile(cc)
        except Exception as e:
            say("skipping %s: %s" % (cc, e))
            continue
        for cred in c.credentials:
            kt = cred["key"]["keytype"]
            if kt in _enctype_table:
                keys.append(Key(kt, bytes(cred["key"]["keyvalue"])))
    return keys


def tgs(ccache, spn, kdc):
    """A plain TGS exchange (RFC 4120, no FAST): authenticator with a
    checksum over the request body (Samba answers KRB_AP_ERR_INAPP_CKSUM
    without one, as impacket's getKerberosTGS sends), no subkey."""
    import datetime
    import random
    import socket
    from impacket.krb5 import constants
    from impacket.krb5.asn1 import seq_set, seq_set_iter
    from impacket.krb5.crypto import _checksum_table
    from impacket.krb5.kerberosv5 import sendReceive
    from impacket.krb5.types import KerberosTime, Principal, Ticket as TicketT
    from pyasn1.codec.der import encoder
    from pyasn1.type.univ import noValue

    socket.setdefaulttimeout(10)
    c = CCache.loadFile(ccache)
    realm = c.principal.realm["data"]
    realm = realm.decode() if isinstance(realm, bytes) else realm
    cred = c.getCredential("krbtgt/%s@%s" % (realm, realm), anySPN=False)
    if cred is None:
        print("labseeds.py: no TGT in %s" % ccache, file=sys.stderr)
        return 1
    t = cred.toTGT()
    skey = t["sessionKey"]
    rep = decoder.decode(t["KDC_REP"], asn1Spec=AS_REP())[0]

    req = TGS_REQ()
    req["pvno"] = 5
    req["msg-type"] = int(constants.ApplicationTagNumbers.TGS_REQ.value)
    body = seq_set(req, "req-body")
    body["kdc-options"] = constants.encodeFlags([constants.KDCOptions.forwardable.value,
                                                 constants.KDCOptions.canonicalize.value])
    server = Principal(spn, type=constants.PrincipalNameType.NT_SRV_INST.value)
    seq_set(body, "sname", server.components_to_asn1)
    body["realm"] = realm
    body["till"] = KerberosTime.to_asn1(datetime.datetime.utcnow() + datetime.timedelta(hours=10))
    body["nonce"] = random.getrandbits(31)
    seq_set_iter(body, "etype", (int(constants.EncryptionTypes.aes256_cts_hmac_sha1_96.value),
                                 int(constants.EncryptionTypes.aes128_cts_hmac_sha1_96.value)))
    # Checksum over KDC-REQ-BODY: the [4]-tagged field's contents.
    tagged = encoder.encode(req["req-body"])
    n = tagged[1]
    body_der = tagged[2:] if n < 0x80 else tagged[2 + (n & 0x7F):]

    auth = Authenticator()
    auth["authenticator-vno"] = 5
    auth["crealm"] = str(rep["crealm"])
    client = Principal()
    client.from_asn1(rep, "crealm", "cname")
    seq_set(auth, "cname", client.components_to_asn1)
    cks = {18: 16, 17: 15}[skey.enctype]
    auth["cksum"] = noValue
    auth["cksum"]["cksumtype"] = cks
    auth["cksum"]["checksum"] = _checksum_table[cks].checksum(skey, 6, body_der)
    now = datetime.datetime.utcnow()
    auth["cusec"] = now.microsecond
    auth["ctime"] = KerberosTime.to_asn1(now)

    ap = AP_REQ()
    ap["pvno"] = 5
    ap["msg-type"] = int(constants.ApplicationTagNumbers.AP_REQ.value)
    ap["ap-options"] = constants.encodeFlags([])
    tkt = TicketT()
    tkt.from_asn1(rep["ticket"])
    seq_set(ap, "ticket", tkt.to_asn1)
    ap["authenticator"] = noValue
    ap["authenticator"]["etype"] = skey.enctype
    ap["authenticator"]["cipher"] = _enctype_table[skey.enctype].encrypt(skey, 7, encoder.encode(auth), None)

    req["padata"] = noValue
    req["padata"][0] = noValue
    req["padata"][0]["padata-type"] = int(constants.PreAuthenticationDataTypes.PA_TGS_REQ.value)
    req["padata"][0]["padata-value"] = encoder.encode(ap)
    r = sendReceive(encoder.encode(req), realm, kdc)
    trep = decoder.decode(r, asn1Spec=TGS_REP())[0]
    _enctype_table[skey.enctype].decrypt(skey, 8, bytes(trep["enc-part"]["cipher"]))
    return 0


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "tgs":
        try:
            return tgs(sys.argv[2], sys.argv[3], sys.argv[4])
        except Exception as e:  # a KRB-ERROR is a fine seed too; just say so
            print("labseeds.py: tgs %s: %s" % (sys.argv[3], str(e).splitlines()[0][:200]), file=sys.stderr)
            return 1
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print(__doc__, file=sys.stderr)
        return 1
    stage = sys.argv[1]
    n = {"ap-req": 0, "authenticator": 0, "enc-as-rep-part": 0, "enc-tgs-rep-part": 0}

    def out(kind, data):
        n[kind] += 1
        write(os.path.join(stage, "%s-%d.der" % (kind, n[kind])), data)

    # AS-REP enc-part with the password-derived key (salt from PA-ETYPE-INFO2).
    for f in sorted(glob.glob(os.path.join(stage, "as-rep-*.der"))):
        rep = decoder.decode(read(f), asn1Spec=AS_REP())[0]
        cname = "/".join(str(x) for x in rep["cname"]["name-string"])
        pw = password_for(cname)
        if pw is None:
            say("%s: no password known for %s" % (os.path.basename(f), cname))
            continue
        etype = int(rep["enc-part"]["etype"])
        salt, params = str(rep["crealm"]) + cname, None
        if rep["padata"].hasValue():
            for pa in rep["padata"]:
                if int(pa["padata-type"]) == PA_ETYPE_INFO2:
                    for e in decoder.decode(bytes(pa["padata-value"]), asn1Spec=ETYPE_INFO2())[0]:
                        if int(e["etype"]) == etype:
                            if e["salt"].hasValue():
                                salt = str(e["salt"])
                            if e["s2kparams"].hasValue():
                                params = bytes(e["s2kparams"])
        key = _enctype_table[etype].string_to_key(pw.encode(), salt.encode(), params)
        plain = try_decrypt(key, 3, bytes(rep["enc-part"]["cipher"]))
        if plain is None:
            say("%s: cannot decrypt with %s's password key" % (os.path.basename(f), cname))
            continue
        out("enc-as-rep-part", plain)

    # TGS-REQ -> AP-REQ -> Authenticator (-> subkey); then TGS-REP enc-parts.
    skeys = session_keys(stage)
    # (Key, usage): TGT session keys (usage 8) and authenticator subkeys (9).
    # MIT's kvno uses FAST against this DC: its replies are under a
    # strengthened key we do not derive, so only impacket's exchanges open.
    reply_keys = [(k, 8) for k in skeys]
    for f in sorted(glob.glob(os.path.join(stage, "tgs-req-*.der"))):
        req = decoder.decode(read(f), asn1Spec=TGS_REQ())[0]
        for pa in req["padata"]:
            if int(pa["padata-type"]) != PA_TGS_REQ:
                continue
            apreq_der = bytes(pa["padata-value"])
            out("ap-req", apreq_der)
            apreq = decoder.decode(apreq_der, asn1Spec=AP_REQ())[0]
            cipher = bytes(apreq["authenticator"]["cipher"])
            for k in skeys:
                if k.enctype != int(apreq["authenticator"]["etype"]):
                    continue
                plain = try_decrypt(k, 7, cipher)
                if plain is None:
                    continue
                out("authenticator", plain)
                auth = decoder.decode(plain, asn1Spec=Authenticator())[0]
                if auth["subkey"].hasValue():
                    sk = auth["subkey"]
                    reply_keys.append((Key(int(sk["keytype"]), bytes(sk["keyvalue"])), 9))
                break
            else:
                say("%s: no TGT session key in the ccaches opens its authenticator"
                    " (e.g. the TGT was replaced by kinit -R)" % os.path.basename(f))
    for f in sorted(glob.glob(os.path.join(stage, "tgs-rep-*.der"))):
        rep = decoder.decode(read(f), asn1Spec=TGS_REP())[0]
        cipher = bytes(rep["enc-part"]["cipher"])
        etype = int(rep["enc-part"]["etype"])
        for k, usage in reversed(reply_keys):
            if k.enctype != etype:
                continue
            plain = try_decrypt(k, usage, cipher)
            if plain is not None:
                out("enc-tgs-rep-part", plain)
                break
        else:
            fast = rep["padata"].hasValue() and any(int(p["padata-type"]) == 136 for p in rep["padata"])
            say("%s: %s" % (os.path.basename(f), "FAST-armoured reply (strengthened key), not opened" if fast
                            else "no known key opens its enc-part"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
