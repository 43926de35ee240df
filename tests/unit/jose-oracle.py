#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Cross-checks src/jose against python3-cryptography, in both directions.

Drives test-jose-tool (tests/unit/test-jose-tool.c) and checks what it
writes with code that shares nothing with ours, and feeds it what this
script writes:
  - JWE RSA-OAEP (SHA-1) and RSA-OAEP-256 with A256GCM: C encrypts, Python
    decrypts (AAD = the protected header as sent) and the reverse;
  - JWE "dir" A256GCM, and the MS-OAPXBC session-key form (24-byte ctx,
    SP800-108 KBKDFHMAC with label "AzureAD-SecureConversation"), both ways;
  - JWS RS256, ES256 (raw r||s) and HS256, both ways, plus a tampered token
    the C side must refuse;
  - the KDF on random keys, labels, contexts and lengths;
  - RSA1 and ECS1 key blobs built here from the PROTOCOL-NOTES layout: the C
    import yields the same key (SPKI bytes) and kid, and the C export the
    same blob.
Prints TAP.  Usage: jose-oracle.py TEST-JOSE-TOOL
"""

import base64
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature, encode_dss_signature)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.kbkdf import (CounterLocation,
                                                      KBKDFHMAC, Mode)

TOOL = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="jose-oracle-")
count = 0
failed = 0


def ok(cond, what, detail=""):
    """One TAP line; on failure, detail (the C side's stderr) as a comment."""
    global count, failed
    count += 1
    if not cond:
        failed += 1
    print("%sok %d - %s" % ("" if cond else "not ", count, what))
    if not cond and detail.strip():
        print("# " + detail.strip().replace("\n", "\n# "))
    sys.stdout.flush()


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64u_d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def tool(args, data=b""):
    """Runs the C tool; returns (exit status, stdout bytes, stderr text)."""
    p = subprocess.run([TOOL] + args, input=data, capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def write(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def spki(key):
    return key.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo)


def pkcs8(key):
    return key.private_bytes(serialization.Encoding.DER,
                             serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def kdf(key, label, ctx, length):
    return KBKDFHMAC(algorithm=hashes.SHA256(), mode=Mode.CounterMode,
                     length=length, rlen=4, llen=4,
                     location=CounterLocation.BeforeFixed, label=label,
                     context=ctx, fixed=None).derive(key)


def oaep(alg):
    h = hashes.SHA1() if alg == "RSA-OAEP" else hashes.SHA256()
    return padding.OAEP(mgf=padding.MGF1(h), algorithm=h, label=None)


def py_jwe(header, cek_or_none, enc_key, plain, rsa_pub=None, alg=None):
    """Compact JWE the way a client or Entra would build it."""
    h = b64u(json.dumps(header, separators=(",", ":")).encode())
    cek = cek_or_none if cek_or_none is not None else os.urandom(32)
    ek = rsa_pub.encrypt(cek, oaep(alg)) if rsa_pub is not None else b""
    iv = os.urandom(12)
    ct = AESGCM(cek).encrypt(iv, plain, h.encode())
    return ".".join([h, b64u(ek), b64u(iv), b64u(ct[:-16]), b64u(ct[-16:])])


def py_jwe_open(compact, cek=None, rsa_priv=None):
    h, ek, iv, ct, tag = compact.split(".")
    header = json.loads(b64u_d(h))
    if rsa_priv is not None:
        cek = rsa_priv.decrypt(b64u_d(ek), oaep(header["alg"]))
    return header, AESGCM(cek).decrypt(b64u_d(iv), b64u_d(ct) + b64u_d(tag),
                                       h.encode())


def check_jwe_rsa(key):
    priv = write("rsa.p8", pkcs8(key))
    pub = write("rsa.spki", spki(key))
    for alg in ("RSA-OAEP", "RSA-OAEP-256"):
        plain = os.urandom(32)
        st, out, err = tool(["jwe-encrypt", alg, pub], plain)
        ok(st == 0, "C encrypts %s" % alg, err)
        try:
            header, got = py_jwe_open(out.decode(), rsa_priv=key)
            ok(got == plain and header == {"alg": alg, "enc": "A256GCM"},
               "Python decrypts C's %s JWE" % alg)
        except Exception as e:  # noqa: BLE001 - any failure is a test failure
            ok(False, "Python decrypts C's %s JWE: %r" % (alg, e))
        t = py_jwe({"alg": alg, "enc": "A256GCM", "kid": "tk"}, None, None,
                   plain, key.public_key(), alg)
        st, out, err = tool(["jwe-decrypt", alg, priv], t.encode())
        ok(st == 0 and out == plain, "C decrypts Python's %s JWE" % alg, err)
        other = "RSA-OAEP-256" if alg == "RSA-OAEP" else "RSA-OAEP"
        st, out, err = tool(["jwe-decrypt", other, priv], t.encode())
        ok(st == 1 and "UNSUPPORTED_ALG" in err,
           "C refuses %s where %s is expected" % (alg, other))


def check_jwe_dir():
    key = os.urandom(32)
    kf = write("dir.key", key)
    plain = b"{\"clientKey\":\"...\"}"
    st, out, err = tool(["jwe-encrypt", "dir", kf], plain)
    header, got = py_jwe_open(out.decode(), cek=key)
    ok(st == 0 and got == plain and header["alg"] == "dir",
       "Python decrypts C's dir JWE")
    t = py_jwe({"alg": "dir", "enc": "A256GCM"}, key, None, plain)
    st, out, err = tool(["jwe-decrypt", "dir", kf], t.encode())
    ok(st == 0 and out == plain, "C decrypts Python's dir JWE")
    t = py_jwe({"alg": "dir", "enc": "A256GCM"}, os.urandom(32), None, plain)
    st, out, err = tool(["jwe-decrypt", "dir", kf], t.encode())
    ok(st == 1 and "INTEGRITY" in err, "C refuses a dir JWE under another key")


def check_jwe_session():
    sk = os.urandom(32)
    kf = write("session.key", sk)
    client_key = os.urandom(32)
    st, out, err = tool(["jwe-encrypt", "session", kf], client_key)
    h = json.loads(b64u_d(out.decode().split(".")[0]))
    ctx = base64.b64decode(h.get("ctx", ""), validate=True)
    ok(st == 0 and len(ctx) == 24 and h["alg"] == "dir",
       "C's session JWE carries a 24-byte ctx")
    _, got = py_jwe_open(out.decode(),
                         cek=kdf(sk, b"AzureAD-SecureConversation", ctx, 32))
    ok(got == client_key, "Python derives the key from ctx and decrypts")
    ctx = os.urandom(24)
    t = py_jwe({"alg": "dir", "enc": "A256GCM",
                "ctx": base64.b64encode(ctx).decode()},
               kdf(sk, b"AzureAD-SecureConversation", ctx, 32), None,
               client_key)
    st, out, err = tool(["jwe-decrypt", "session", kf], t.encode())
    ok(st == 0 and out == client_key, "C decrypts a session JWE made here")


def py_sign(alg, key, payload):
    h = b64u(json.dumps({"alg": alg}).encode())
    inp = (h + "." + b64u(payload)).encode()
    if alg == "RS256":
        sig = key.sign(inp, padding.PKCS1v15(), hashes.SHA256())
    elif alg == "ES256":
        r, s = decode_dss_signature(key.sign(inp, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        m = hmac.HMAC(key, hashes.SHA256())
        m.update(inp)
        sig = m.finalize()
    return inp.decode() + "." + b64u(sig)


def py_verify(alg, key, compact):
    h, p, s = compact.split(".")
    inp, sig = (h + "." + p).encode(), b64u_d(s)
    if json.loads(b64u_d(h)).get("alg") != alg:
        return False
    try:
        if alg == "RS256":
            key.public_key().verify(sig, inp, padding.PKCS1v15(),
                                    hashes.SHA256())
        elif alg == "ES256":
            if len(sig) != 64:
                return False
            der = encode_dss_signature(int.from_bytes(sig[:32], "big"),
                                       int.from_bytes(sig[32:], "big"))
            key.public_key().verify(der, inp, ec.ECDSA(hashes.SHA256()))
        else:
            m = hmac.HMAC(key, hashes.SHA256())
            m.update(inp)
            m.verify(sig)
    except InvalidSignature:
        return False
    return True


def check_jws(alg, key):
    if alg == "HS256":
        sign_file = verify_file = write("hs.key", key)
    else:
        sign_file = write(alg + ".p8", pkcs8(key))
        verify_file = write(alg + ".spki", spki(key))
    payload = json.dumps({"iss": "user@corp.example.test",
                          "request_nonce": b64u(os.urandom(16))}).encode()
    st, out, err = tool(["jws-sign", alg, sign_file], payload)
    ok(st == 0 and py_verify(alg, key, out.decode()),
       "Python verifies C's %s JWS" % alg, err)
    t = py_sign(alg, key, payload)
    st, out, err = tool(["jws-verify", alg, verify_file], t.encode())
    ok(st == 0 and out == payload, "C verifies Python's %s JWS" % alg)
    h, p, s = t.split(".")
    bad = h + "." + b64u(payload + b" ") + "." + s
    st, out, err = tool(["jws-verify", alg, verify_file], bad.encode())
    ok(st == 1 and "SIGNATURE" in err, "C refuses a modified %s payload" % alg)


def check_kdf():
    cases = [(32, 26, 24, 32), (32, 0, 0, 32), (16, 5, 7, 48), (64, 1, 100, 64),
             (1, 3, 3, 100), (48, 40, 1, 17)]
    good = True
    for klen, llen, clen, outlen in cases:
        k, lab, c = os.urandom(klen), os.urandom(llen), os.urandom(clen)
        st, out, err = tool(["kdf", k.hex(), lab.hex(), c.hex(), str(outlen)])
        good &= st == 0 and bytes.fromhex(out.decode()) == kdf(k, lab, c, outlen)
    ok(good, "C's KDF equals KBKDFHMAC on %d random cases" % len(cases))


def rsa1_blob(key):
    n = key.public_key().public_numbers()
    e = n.e.to_bytes((n.e.bit_length() + 7) // 8, "big")
    m = n.n.to_bytes((n.n.bit_length() + 7) // 8, "big")
    return b"RSA1" + struct.pack("<IIIII", n.n.bit_length(), len(e), len(m),
                                 0, 0) + e + m


def ecs1_blob(key):
    n = key.public_key().public_numbers()
    return b"ECS1" + struct.pack("<I", 32) + n.x.to_bytes(32, "big") + \
        n.y.to_bytes(32, "big")


def check_blob(name, key, blob):
    st, out, err = tool(["blob-import", write(name + ".blob", blob)])
    kid = base64.b64encode(hashlib.sha256(blob).digest()).decode()
    fields = out.decode().split()
    ok(st == 0 and len(fields) == 2 and fields[0] == kid,
       "%s blob: C's kid is base64(SHA-256(blob))" % name, err)
    ok(len(fields) == 2 and bytes.fromhex(fields[1]) == spki(key),
       "%s blob: C imports the same public key" % name)
    st, out, err = tool(["blob-export", write(name + ".spki", spki(key))])
    ok(st == 0 and bytes.fromhex(out.decode()) == blob,
       "%s blob: C exports the same bytes" % name)


def main():
    rsa2048 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa3072 = rsa.generate_private_key(public_exponent=3, key_size=3072)
    p256 = ec.generate_private_key(ec.SECP256R1())
    check_jwe_rsa(rsa2048)
    check_jwe_dir()
    check_jwe_session()
    check_jws("RS256", rsa2048)
    check_jws("ES256", p256)
    check_jws("HS256", os.urandom(32))
    check_kdf()
    check_blob("RSA1-2048", rsa2048, rsa1_blob(rsa2048))
    check_blob("RSA1-3072-e3", rsa3072, rsa1_blob(rsa3072))
    check_blob("ECS1", p256, ecs1_blob(p256))
    print("1..%d" % count)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        for f in os.listdir(TMP):
            os.unlink(os.path.join(TMP, f))
        os.rmdir(TMP)
