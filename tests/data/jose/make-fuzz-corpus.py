#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpora of fuzz/fuzz-jws.c, fuzz-jwe.c and fuzz-json.c.

Seeds are real inputs of the shapes the protocol uses (PROTOCOL-NOTES.md
§2), made with python3-cryptography under the fixed keys the fuzzers hold:
fuzz-rsa2048.pem and fuzz-p256.pem here (test-only keys), and the HS256,
dir and session secrets below.  Also included: the RFC 7515/7516/7520
examples from rfc-vectors.json and a few near-misses (alg none, crit,
A128GCM, kdf_ver 2).  Files already in a corpus directory (fuzzer findings
kept as regression inputs) are left alone; seeds are overwritten.

Run from anywhere: /usr/bin/python3 tests/data/jose/make-fuzz-corpus.py
"""

import base64
import datetime
import json
import os
import struct

from cryptography import x509
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.kbkdf import (CounterLocation,
                                                      KBKDFHMAC, Mode)
from cryptography.x509.oid import NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "..", "..", "fuzz", "corpus")
HS_KEY = b"fuzz-jws HS256 secret, 32 bytes."
DIR_KEY = b"fuzz-jwe dir A256GCM key 32 byte"
SESSION_KEY = b"fuzz-jwe PRT session key 32 byte"
LABEL = b"AzureAD-SecureConversation"


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64(b):
    return base64.b64encode(b).decode()


def jdump(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def load(name):
    with open(os.path.join(HERE, name), "rb") as f:
        return serialization.load_pem_private_key(f.read(), None)


RSA = load("fuzz-rsa2048.pem")
P256 = load("fuzz-p256.pem")


def jws(header, payload, key=None):
    h = b64u(jdump(header))
    inp = (h + "." + b64u(payload)).encode()
    alg = header.get("alg")
    if alg == "RS256":
        sig = key.sign(inp, padding.PKCS1v15(), hashes.SHA256())
    elif alg == "ES256":
        r, s = decode_dss_signature(key.sign(inp, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    elif alg == "HS256":
        m = hmac.HMAC(HS_KEY, hashes.SHA256())
        m.update(inp)
        sig = m.finalize()
    else:
        sig = b""
    return (inp.decode() + "." + b64u(sig)).encode()


def jwe_dir(header, cek, plain):
    h = b64u(jdump(header))
    iv = os.urandom(12)
    ct = AESGCM(cek).encrypt(iv, plain, h.encode())
    return ".".join([h, "", b64u(iv), b64u(ct[:-16]), b64u(ct[-16:])]).encode()


def session_jwe(plain, header_extra=None):
    ctx = os.urandom(24)
    key = KBKDFHMAC(algorithm=hashes.SHA256(), mode=Mode.CounterMode,
                    length=32, rlen=4, llen=4,
                    location=CounterLocation.BeforeFixed, label=LABEL,
                    context=ctx, fixed=None).derive(SESSION_KEY)
    header = {"alg": "dir", "enc": "A256GCM", "ctx": b64(ctx)}
    header.update(header_extra or {})
    return jwe_dir(header, key, plain)


def rsa_oaep_jwe(pub, plain):
    h = b64u(jdump({"alg": "RSA-OAEP", "enc": "A256GCM"}))
    cek, iv = os.urandom(32), os.urandom(12)
    ek = pub.encrypt(cek, padding.OAEP(padding.MGF1(hashes.SHA1()),
                                       hashes.SHA1(), None))
    ct = AESGCM(cek).encrypt(iv, plain, h.encode())
    return ".".join([h, b64u(ek), b64u(iv), b64u(ct[:-16]),
                     b64u(ct[-16:])]).encode()


def rsa1(key):
    n = key.public_key().public_numbers()
    e = n.e.to_bytes((n.e.bit_length() + 7) // 8, "big")
    m = n.n.to_bytes((n.n.bit_length() + 7) // 8, "big")
    return b"RSA1" + struct.pack("<IIIII", n.n.bit_length(), len(e), len(m),
                                 0, 0) + e + m


def ecs1(key):
    n = key.public_key().public_numbers()
    return b"ECS1" + struct.pack("<I", 32) + n.x.to_bytes(32, "big") + \
        n.y.to_bytes(32, "big")


def device_cert():
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                         "6f1c2e3a-0000-4000-8000-00000000c0de")])
    now = datetime.datetime(2024, 1, 1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(RSA.public_key()).serial_number(1)
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=3650))
            .sign(RSA, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def write(kind, name, data):
    d = os.path.join(CORPUS, kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    with open(os.path.join(HERE, "rfc-vectors.json")) as f:
        rfc = json.load(f)
    assertion = jdump({"iss": "user@corp.example.test", "aud": "common",
                       "iat": 1700000000, "exp": 1700000300,
                       "request_nonce": "AwABAAEAAAACAOz_BAD0_8vU",
                       "scope": "openid aza ugs"})
    kid = b64(os.urandom(32))
    inner = jws({"alg": "RS256", "kid": kid, "use": "ngc"}, assertion, RSA)
    outer = jdump({"client_id": "38aa3b87-a06d-4817-b275-7a316988d93b",
                   "request_nonce": "AwABAAEAAAACAOz_BAD0_8vU",
                   "scope": "openid aza ugs",
                   "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                   "username": "user@corp.example.test",
                   "assertion": inner.decode()})
    cert = b64(device_cert())
    write("jws", "ngc-assertion-rs256", inner)
    write("jws", "prt-request-x5c", jws({"alg": "RS256", "typ": "JWT",
                                         "x5c": [cert]}, outer, RSA))
    write("jws", "es256", jws({"alg": "ES256", "kid": kid, "use": "ngc"},
                              assertion, P256))
    write("jws", "hs256-renewal", jws({"alg": "HS256", "ctx": b64(os.urandom(24))},
                                      jdump({"refresh_token": "x",
                                             "is_primary": "true"})))
    write("jws", "alg-none", jws({"alg": "none"}, assertion))
    write("jws", "crit", jws({"alg": "RS256", "crit": ["b64"], "b64": False},
                             assertion, RSA))
    write("jws", "empty-payload", jws({"alg": "HS256"}, b""))
    for name in ("rfc7515_a2", "rfc7515_a3", "rfc7520_4_1", "rfc7520_4_3",
                 "rfc7520_4_4"):
        write("jws", name, rfc[name]["jws"].encode())

    client_key = os.urandom(32)
    write("jwe", "dir", jwe_dir({"alg": "dir", "enc": "A256GCM"}, DIR_KEY,
                                b'{"a":1}'))
    write("jwe", "dir-empty", jwe_dir({"alg": "dir", "enc": "A256GCM"},
                                      DIR_KEY, b""))
    write("jwe", "session-clientkey", session_jwe(client_key))
    write("jwe", "session-kdf-ver1", session_jwe(client_key, {"kdf_ver": 1}))
    write("jwe", "session-kdf-ver2", session_jwe(client_key, {"kdf_ver": 2}))
    write("jwe", "rsa-oaep", rsa_oaep_jwe(RSA.public_key(), client_key))
    for name in ("rfc7516_a1", "rfc7520_5_2", "rfc7520_5_6"):
        write("jwe", name, rfc[name]["jwe"].encode())

    write("json", "kpp-kngc-rsa1", jdump({"kngc": b64(rsa1(RSA))}))
    write("json", "kpp-kngc-ecs1", jdump({"kngc": b64(ecs1(P256))}))
    write("json", "dvrj-join", jdump({
        "CertificateRequest": {"Type": "pkcs10", "Data": b64(os.urandom(64))},
        "TransportKey": b64(rsa1(RSA)), "TargetDomain": "corp.example.test",
        "DeviceType": "Linux", "OSVersion": "6.1", "DeviceDisplayName": "d1",
        "JoinType": "0", "Attributes": {"ReuseDevice": "true"}}))
    tgt = {"clientKey": session_jwe(client_key).decode(), "keyType": 18,
           "messageBuffer": b64(os.urandom(200)), "realm": "CORP.EXAMPLE.TEST",
           "sn": "krbtgt/CORP.EXAMPLE.TEST", "cn": "user",
           "sessionKeyType": "18", "accountType": 1}
    write("json", "prt-response", jdump({
        "token_type": "pop", "refresh_token": "AQAB", "refresh_token_expires_in":
        "1209600", "session_key_jwe": rsa_oaep_jwe(RSA.public_key(),
                                                   os.urandom(32)).decode(),
        "tgt_ad": json.dumps(tgt), "tgt_cloud": tgt,
        "kerberos_top_level_names": ".corp.example.test"}))
    write("json", "policy-lenient", jdump({
        "UsePassportForWork": "True", "MinimumPINLength": "6",
        "tgt": "1", "exp": 1700000300, "iat": "1700000000"}))
    write("json", "nested", b'{"x5c":[["a",{"b":[1,2.5,null,true]}]],'
                            b'"Nonce":"\\u00e9\\ud83d\\ude00"}')
    write("json", "rsa1-blob", rsa1(RSA))
    write("json", "ecs1-blob", ecs1(P256))
    write("json", "spki-rsa", RSA.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo))
    write("json", "spki-p256", P256.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo))
    write("json", "b64-std", b64(os.urandom(40)).encode())
    write("json", "b64-url", b64u(os.urandom(41)).encode())


if __name__ == "__main__":
    main()
