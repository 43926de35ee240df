#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""ctclient - an independent client of cloudtrustd, for the server tests.

Written from the message shapes in docs/PROTOCOL.md (MS-DVRJ, MS-KPP,
MS-OAPXBC and the [ours] parts), on python3-cryptography and requests, with
no code shared with the C implementation: when both agree on the bytes, the
server speaks the published shapes.

Everything here is deliberately plain: functions that build exactly the
message the document describes, with keyword overrides so the negative tests
can break one field at a time.  HTTP calls return the requests.Response; the
caller decides what a good answer is.

Run it as a script for a self-test of the crypto pieces against published
vectors (RFC 6238, RFC 7515 A.3) and round trips:
    /usr/bin/python3 tests/server/ctclient.py --selftest
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import struct
import sys
import time
import urllib.parse

import requests
from requests.adapters import HTTPAdapter
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature, encode_dss_signature)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.kbkdf import (
    KBKDFHMAC, CounterLocation, Mode)
from cryptography.x509.oid import NameOID

_HERE = os.path.dirname(os.path.abspath(__file__))

# --- constants from docs/PROTOCOL.md -----------------------------------------

GRANT_NONCE = "srv_challenge"
GRANT_PASSWORD_OTP = "urn:cloudtrust:grant-type:password-otp"
GRANT_JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GRANT_REFRESH = "refresh_token"
KDF_LABEL = b"AzureAD-SecureConversation"
PRT_SCOPE = "openid aza ugs"
# The Windows broker's client id, as Windows and ROADtools send it; §6 names
# the claim but not its value.
BROKER_CLIENT_ID = "38aa3b87-a06d-4817-b275-7a316988d93b"
# The fixed placeholder CN that Windows puts in the join CSR (MS-DVRJ).
CSR_PLACEHOLDER_CN = "7E980AD9-B86D-4306-9425-9AC066FB014A"
POLICY_PREFIX = "./Device/Vendor/MSFT/PassportForWork/{TenantId}/Policies/"
ENROLLMENT_AUD = "urn:cloudtrust:enrollment"
MAX_BODY = 64 * 1024

# --- base64 -------------------------------------------------------------------

_B64URL_RE = re.compile(r"^[A-Za-z0-9_-]*$")


def b64url(data):
    """RFC 4648 §5 without padding."""
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    """Strict: url alphabet, no padding, no whitespace."""
    if isinstance(text, bytes):
        text = text.decode("ascii")
    if not _B64URL_RE.match(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url: %r" % text[:40])
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64(data):
    """Standard alphabet with padding."""
    return base64.b64encode(data).decode("ascii")


def b64_decode(text):
    """Strict standard base64 with padding."""
    if isinstance(text, str):
        text = text.encode("ascii")
    if len(text) % 4:
        raise ValueError("standard base64 length is not a multiple of 4")
    return base64.b64decode(text, validate=True)


def json_compact(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=False).encode()


# --- keys and BCRYPT blobs ----------------------------------------------------

def _int_bytes(n, length=None):
    if length is None:
        length = max(1, (n.bit_length() + 7) // 8)
    return n.to_bytes(length, "big")


def rsa1_blob(pub):
    """BCRYPT_RSAKEY_BLOB (PROTOCOL-NOTES §1): 'RSA1', LE u32 BitLength,
    cbPublicExp, cbModulus, cbPrime1 = 0, cbPrime2 = 0, then exponent and
    modulus big-endian."""
    nums = pub.public_numbers()
    bits = pub.key_size
    e = _int_bytes(nums.e)
    n = _int_bytes(nums.n, (bits + 7) // 8)
    return b"RSA1" + struct.pack("<IIIII", bits, len(e), len(n), 0, 0) + e + n


def ecs1_blob(pub):
    """BCRYPT_ECCKEY_BLOB for P-256: bytes 45 43 53 31 ('ECS1'), LE u32
    cbKey = 32, X, Y."""
    nums = pub.public_numbers()
    return b"ECS1" + struct.pack("<I", 32) + _int_bytes(nums.x, 32) + _int_bytes(nums.y, 32)


def blob_kid(blob):
    """kid = b64 (standard, padded) of SHA-256 over the blob bytes."""
    return b64(hashlib.sha256(blob).digest())


class Key:
    """A private key with what the protocol needs of it: alg, JWS signature,
    BCRYPT blob and kid."""

    def __init__(self, priv):
        self.priv = priv

    @classmethod
    def rsa(cls, bits=2048):
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=bits))

    @classmethod
    def p256(cls):
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @property
    def is_rsa(self):
        return isinstance(self.priv, rsa.RSAPrivateKey)

    @property
    def alg(self):
        return "RS256" if self.is_rsa else "ES256"

    @property
    def public(self):
        return self.priv.public_key()

    def sign(self, data, alg=None):
        alg = alg or self.alg
        if alg == "RS256":
            return self.priv.sign(data, padding.PKCS1v15(), hashes.SHA256())
        if alg == "ES256":
            r, s = decode_dss_signature(self.priv.sign(data, ec.ECDSA(hashes.SHA256())))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        raise ValueError("cannot sign %s with this key" % alg)

    def blob(self):
        return rsa1_blob(self.public) if self.is_rsa else ecs1_blob(self.public)

    def kid(self):
        return blob_kid(self.blob())

    def spki_der(self):
        return self.public.public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)


def make_csr(key, cn=CSR_PLACEHOLDER_CN):
    """PKCS#10 DER signed with SHA-256 by key (RSA or P-256)."""
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
           .sign(key.priv, hashes.SHA256()))
    return csr.public_bytes(serialization.Encoding.DER)


def self_signed_cert(key, cn, days=30):
    """A certificate for key issued by itself (a device cert from another CA)."""
    import datetime
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime.utcnow()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=days))
            .sign(key.priv, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def cert_issued_by(ca_key, ca_name, subject_key, cn, days=30):
    """A certificate for subject_key with CN cn, signed by ca_key."""
    import datetime
    now = datetime.datetime.utcnow()
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ca_name)]))
            .public_key(subject_key.public).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=days))
            .sign(ca_key.priv, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


# --- JWS ----------------------------------------------------------------------

def jws_sign(key, claims, header=None, alg=None, signer=None):
    """Compact JWS.  header entries override the defaults {alg, typ}; a None
    value removes a member.  signer(signing_input) replaces the key's
    signature (negative tests)."""
    h = {"alg": alg or (key.alg if key else "none"), "typ": "JWT"}
    for k, v in (header or {}).items():
        if v is None:
            h.pop(k, None)
        else:
            h[k] = v
    payload = claims if isinstance(claims, (bytes, bytearray)) else json_compact(claims)
    signing_input = (b64url(json_compact(h)) + "." + b64url(payload)).encode("ascii")
    if signer is not None:
        sig = signer(signing_input)
    else:
        sig = key.sign(signing_input, h["alg"])
    return signing_input.decode("ascii") + "." + b64url(sig)


def jws_hs256(secret, claims, header=None):
    h = {"alg": "HS256", "typ": "JWT"}
    h.update(header or {})
    signing_input = (b64url(json_compact(h)) + "." + b64url(json_compact(claims))).encode("ascii")
    sig = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return signing_input.decode("ascii") + "." + b64url(sig)


def jws_parse(token):
    """Returns (header dict, payload bytes, signature bytes, signing input)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("JWS has %d parts" % len(parts))
    header = json.loads(b64url_decode(parts[0]))
    payload = b64url_decode(parts[1])
    sig = b64url_decode(parts[2])
    return header, payload, sig, (parts[0] + "." + parts[1]).encode("ascii")


def jws_claims(token):
    return json.loads(jws_parse(token)[1])


def jws_verify_es256(token, pub):
    """True if the ES256 JWS verifies with the P-256 public key pub."""
    header, _, sig, si = jws_parse(token)
    if header.get("alg") != "ES256" or len(sig) != 64:
        return False
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        pub.verify(der, si, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


# --- JWE ----------------------------------------------------------------------

def _jwe_split(token):
    parts = token.split(".")
    if len(parts) != 5:
        raise ValueError("JWE has %d parts, want 5" % len(parts))
    header = json.loads(b64url_decode(parts[0]))
    return parts, header, [b64url_decode(p) for p in parts[1:]]


def _gcm_open(key, parts, iv, ct, tag):
    if len(iv) != 12 or len(tag) != 16:
        raise ValueError("A256GCM wants a 12-byte IV and 16-byte tag (got %d, %d)"
                         % (len(iv), len(tag)))
    return AESGCM(key).decrypt(iv, ct + tag, parts[0].encode("ascii"))


def jwe_decrypt_rsa(token, priv):
    """Compact JWE with alg RSA-OAEP (SHA-1) or RSA-OAEP-256, enc A256GCM.
    Returns (header, plaintext)."""
    parts, header, (ek, iv, ct, tag) = _jwe_split(token)
    alg = header.get("alg")
    if alg == "RSA-OAEP":
        h = hashes.SHA1()
    elif alg == "RSA-OAEP-256":
        h = hashes.SHA256()
    else:
        raise ValueError("unexpected JWE alg %r" % alg)
    if header.get("enc") != "A256GCM":
        raise ValueError("unexpected JWE enc %r" % header.get("enc"))
    cek = priv.decrypt(ek, padding.OAEP(mgf=padding.MGF1(algorithm=h), algorithm=h, label=None))
    if len(cek) != 32:
        raise ValueError("CEK is %d bytes" % len(cek))
    return header, _gcm_open(cek, parts, iv, ct, tag)


def jwe_decrypt_dir(token, key):
    """Compact JWE alg dir, enc A256GCM.  Returns (header, plaintext)."""
    parts, header, (ek, iv, ct, tag) = _jwe_split(token)
    if header.get("alg") != "dir" or header.get("enc") != "A256GCM":
        raise ValueError("want alg dir / enc A256GCM, got %r / %r"
                         % (header.get("alg"), header.get("enc")))
    if ek:
        raise ValueError("alg dir with a non-empty encrypted key")
    return header, _gcm_open(key, parts, iv, ct, tag)


def jwe_encrypt_dir(key, plaintext, header_extra=None):
    """For the self-test: the inverse of jwe_decrypt_dir."""
    h = {"alg": "dir", "enc": "A256GCM"}
    h.update(header_extra or {})
    ph = b64url(json_compact(h))
    iv = os.urandom(12)
    out = AESGCM(key).encrypt(iv, plaintext, ph.encode("ascii"))
    return ".".join([ph, "", b64url(iv), b64url(out[:-16]), b64url(out[-16:])])


def kdf(session_key, context, label=KDF_LABEL, length=32):
    """SP800-108 counter mode, HMAC-SHA256, r = 32, L as 32 bits, counter
    before the fixed input label || 0x00 || context || L."""
    return KBKDFHMAC(algorithm=hashes.SHA256(), mode=Mode.CounterMode, length=length,
                     rlen=4, llen=4, location=CounterLocation.BeforeFixed,
                     label=label, context=context, fixed=None).derive(session_key)


# --- TOTP (RFC 6238 / RFC 4226, computed here with hmac) ----------------------

def b32_decode(secret):
    s = secret.strip().replace(" ", "").upper()
    return base64.b32decode(s + "=" * (-len(s) % 8))


def hotp(key, counter, digits=6, digest=hashlib.sha1):
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    off = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return "%0*d" % (digits, code)


def totp(key, t=None, period=30, digits=6, digest=hashlib.sha1):
    if isinstance(key, str):
        key = b32_decode(key)
    t = time.time() if t is None else t
    return hotp(key, int(t // period), digits, digest)


def parse_otpauth(uri):
    """otpauth://totp/LABEL?secret=B32&issuer=..&algorithm=..&digits=..&period=..
    -> dict(secret (bytes), secret_b32, label, issuer, digits, period, digest)."""
    u = urllib.parse.urlsplit(uri)
    if u.scheme != "otpauth" or u.netloc != "totp":
        raise ValueError("not an otpauth://totp URI: %r" % uri)
    q = urllib.parse.parse_qs(u.query, strict_parsing=True)
    one = {k: v[0] for k, v in q.items() if len(v) == 1}
    if set(one) != set(q):
        raise ValueError("repeated parameter in %r" % uri)
    digests = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
    alg = one.get("algorithm", "SHA1").upper()
    return {
        "secret_b32": one["secret"],
        "secret": b32_decode(one["secret"]),
        "label": urllib.parse.unquote(u.path.lstrip("/")),
        "issuer": one.get("issuer"),
        "digits": int(one.get("digits", "6")),
        "period": int(one.get("period", "30")),
        "digest": digests[alg],
    }


class Otp:
    """TOTP codes for one secret, never the same time step twice: the server
    accepts a code once, so a second sign-in in the same 30 s waits for the
    next step."""

    def __init__(self, uri_or_secret):
        if uri_or_secret.startswith("otpauth://"):
            p = parse_otpauth(uri_or_secret)
        else:
            p = {"secret": b32_decode(uri_or_secret), "digits": 6, "period": 30,
                 "digest": hashlib.sha1}
        self.key, self.digits, self.period, self.digest = (
            p["secret"], p["digits"], p["period"], p["digest"])
        self.last_step = None

    def code_at(self, t):
        return hotp(self.key, int(t // self.period), self.digits, self.digest)

    def fresh(self):
        """A code for a step not used before (sleeps to the next step if needed)."""
        step = int(time.time() // self.period)
        if self.last_step is not None and step <= self.last_step:
            time.sleep((self.last_step + 1) * self.period - time.time() + 0.3)
            step = int(time.time() // self.period)
        self.last_step = step
        return hotp(self.key, step, self.digits, self.digest)

    def last(self):
        """The code handed out last (to replay it)."""
        return hotp(self.key, self.last_step, self.digits, self.digest)

    def wrong(self):
        """A code valid for no step near now."""
        near = {hotp(self.key, int(time.time() // self.period) + d, self.digits, self.digest)
                for d in range(-3, 4)}
        c = 0
        while "%0*d" % (self.digits, c) in near:
            c += 1
        return "%0*d" % (self.digits, c)


# --- device -------------------------------------------------------------------

class Device:
    """What a joined device holds: device key, transport key, certificate."""

    def __init__(self, key=None, transport=None, name="ct-test-device"):
        self.key = key or Key.rsa()
        self.transport = transport or Key.rsa()
        self.name = name
        self.cert_der = None
        self.device_id = None
        self.thumbprint = None

    def join_body(self, join_type=0, domain="corp.example.test", csr=None, transport_blob=None):
        return {
            "CertificateRequest": {"Type": "pkcs10",
                                   "Data": b64(csr if csr is not None else make_csr(self.key))},
            "TransportKey": b64(transport_blob if transport_blob is not None
                                else self.transport.blob()),
            "TargetDomain": domain,
            "DeviceType": "Linux",
            "OSVersion": "Debian 12",
            "DeviceDisplayName": self.name,
            "JoinType": join_type,
            "Attributes": {"ReuseDevice": "true"},
        }

    def absorb_join(self, reply):
        """Takes the MS-DVRJ reply; returns the issued x509 certificate."""
        self.cert_der = b64_decode(reply["Certificate"]["RawBody"])
        self.thumbprint = reply["Certificate"]["Thumbprint"]
        self.device_id = reply["DeviceId"]
        return x509.load_der_x509_certificate(self.cert_der)

    def x5c(self, cert_der=None):
        if cert_der is None and self.cert_der is None:
            raise RuntimeError("device %s has no certificate (its join failed)" % self.name)
        return [b64(cert_der or self.cert_der)]


def write_private(path, data):
    """Writes a file mode 0600 (keys, reply keys)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def _merge(base, over):
    """dict base updated by over; a None value in over removes the member."""
    out = dict(base)
    for k, v in (over or {}).items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


# --- HTTP client --------------------------------------------------------------

class _SourceAdapter(HTTPAdapter):
    """Connects from a chosen local address (throttling is per source)."""

    def __init__(self, source, **kw):
        self._source = (source, 0)
        super().__init__(**kw)

    def init_poolmanager(self, *a, **kw):
        kw["source_address"] = self._source
        return super().init_poolmanager(*a, **kw)


class Client:
    """One client of one cloudtrustd: base_url like https://127.0.0.1:PORT."""

    def __init__(self, base_url, cacert, tenant, source_address=None, timeout=30):
        self.base = base_url.rstrip("/")
        self.tenant = tenant
        self.timeout = timeout
        self.s = requests.Session()
        # Never the environment's proxies or CA bundle (REQUESTS_CA_BUNDLE
        # would override Session.verify): only the service's CA, only loopback.
        self.s.trust_env = False
        self.s.verify = cacert
        self.cacert = cacert
        self.source = source_address
        if source_address:
            self.s.mount("https://", _SourceAdapter(source_address))
            self.s.mount("http://", _SourceAdapter(source_address))
        self._disco = None

    @classmethod
    def from_env(cls, **kw):
        need = ["CT_SERVER_URL", "CT_SERVER_CACERT", "CT_TENANT"]
        missing = [n for n in need if not os.environ.get(n)]
        if missing:
            raise RuntimeError("environment lacks %s (run through run-server-tests.sh)"
                               % ", ".join(missing))
        return cls(os.environ["CT_SERVER_URL"], os.environ["CT_SERVER_CACERT"],
                   os.environ["CT_TENANT"], **kw)

    def url(self, path):
        return self.base + path

    def request(self, method, path, **kw):
        kw.setdefault("timeout", self.timeout)
        kw.setdefault("verify", self.cacert)
        return self.s.request(method, self.url(path), **kw)

    # §1
    def discovery(self, tenant=None):
        return self.request("GET", "/%s/.well-known/openid-configuration" % (tenant or self.tenant))

    @property
    def disco(self):
        if self._disco is None:
            r = self.discovery()
            if r.status_code != 200:
                raise RuntimeError("discovery: HTTP %d %s" % (r.status_code, r.text[:200]))
            self._disco = r.json()
        return self._disco

    @property
    def token_endpoint(self):
        """The token endpoint as the service names it (the aud of device
        assertions); requests themselves go to our base URL."""
        return self.disco["token_endpoint"]

    def token(self, fields=None, tenant=None, raw=None, headers=None):
        """POST /{tenant}/oauth2/token with a form (dict or list of pairs) or raw bytes."""
        path = "/%s/oauth2/token" % (tenant or self.tenant)
        if raw is not None:
            h = {"Content-Type": "application/x-www-form-urlencoded"}
            h.update(headers or {})
            return self.request("POST", path, data=raw, headers=h)
        return self.request("POST", path, data=fields, headers=headers)

    # §2
    def nonce(self):
        r = self.token({"grant_type": GRANT_NONCE})
        if r.status_code != 200:
            raise RuntimeError("srv_challenge: HTTP %d %s" % (r.status_code, r.text[:200]))
        return r.json()["Nonce"]

    # §3
    def device_assertion(self, device, nonce=None, aud=None, iat=None, key=None, x5c=None,
                         claims=None):
        nonce = nonce if nonce is not None else self.nonce()
        c = _merge({"request_nonce": nonce, "aud": aud or self.token_endpoint,
                    "iat": int(time.time()) if iat is None else iat}, claims)
        return jws_sign(key or device.key, c, header={"x5c": x5c or device.x5c()})

    def password_otp(self, upn, password, otp, device=None, assertion=None, extra=None):
        f = {"grant_type": GRANT_PASSWORD_OTP, "username": upn, "password": password, "otp": otp}
        if device is not None and assertion is None:
            assertion = self.device_assertion(device)
        if assertion is not None:
            f["device_assertion"] = assertion
        return self.token(_merge(f, extra))

    # §4
    def join(self, token, device=None, body=None, raw=None, join_type=0):
        h = {}
        if token is not None:
            h["Authorization"] = "Bearer " + token
        path = "/EnrollmentServer/device/?api-version=2.0"
        if raw is not None:
            h["Content-Type"] = "application/json"
            return self.request("POST", path, data=raw, headers=h)
        return self.request("POST", path, json=body if body is not None
                            else device.join_body(join_type=join_type), headers=h)

    # §5
    def register_key(self, token, blob=None, body=None, raw=None):
        h = {}
        if token is not None:
            h["Authorization"] = "Bearer " + token
        path = "/EnrollmentServer/key/?api-version=1.0"
        if raw is not None:
            h["Content-Type"] = "application/json"
            return self.request("POST", path, data=raw, headers=h)
        return self.request("POST", path, json=body if body is not None else {"kngc": b64(blob)},
                            headers=h)

    # §6
    def inner_assertion(self, hello, upn, nonce, now=None, claims=None, header=None, signer=None):
        now = int(time.time()) if now is None else now
        c = _merge({"iss": upn, "aud": self.tenant, "iat": now, "exp": now + 300,
                    "request_nonce": nonce, "scope": PRT_SCOPE}, claims)
        h = _merge({"kid": hello.kid(), "use": "ngc"}, header)
        return jws_sign(hello, c, header=h, signer=signer)

    def outer_request(self, device, upn, nonce, assertion, claims=None, header=None,
                      key=None, signer=None):
        c = _merge({"client_id": BROKER_CLIENT_ID, "request_nonce": nonce, "scope": PRT_SCOPE,
                    "grant_type": GRANT_JWT_BEARER, "username": upn, "assertion": assertion},
                   claims)
        h = _merge({"x5c": device.x5c()}, header)
        return jws_sign(key or device.key, c, header=h, signer=signer)

    def prt(self, device, upn, hello, nonce=None, tgt=True, inner=None, inner_header=None,
            outer=None, outer_header=None, outer_key=None, outer_signer=None, inner_signer=None,
            form=None, now=None):
        """A PRT request (§6), every part overridable; returns the Response."""
        nonce = nonce if nonce is not None else self.nonce()
        a = self.inner_assertion(hello, upn, nonce, now=now, claims=inner, header=inner_header,
                                 signer=inner_signer)
        req = self.outer_request(device, upn, nonce, a, claims=outer, header=outer_header,
                                 key=outer_key, signer=outer_signer)
        f = {"grant_type": GRANT_JWT_BEARER, "request": req, "client_info": "1",
             "windows_api_version": "2.0"}
        if tgt:
            f["tgt"] = "true"
        return self.token(_merge(f, form))

    # §7
    def renew(self, prt, session_key, nonce=None, ctx=None, key=None, claims=None, tgt=True):
        nonce = nonce if nonce is not None else self.nonce()
        ctx = ctx if ctx is not None else os.urandom(24)
        c = _merge({"grant_type": GRANT_REFRESH, "refresh_token": prt, "request_nonce": nonce,
                    "iat": int(time.time()), "tgt": tgt}, claims)
        signing_key = key if key is not None else kdf(session_key, ctx)
        req = jws_hs256(signing_key, c, header={"ctx": b64(ctx)})
        return self.token({"grant_type": GRANT_JWT_BEARER, "request": req})

    # §8
    def policy(self, device, upn=None, nonce=None, key=None, x5c=None):
        nonce = nonce if nonce is not None else self.nonce()
        c = {"request_nonce": nonce, "iat": int(time.time())}
        if upn:
            c["upn"] = upn
        req = jws_sign(key or device.key, c, header={"x5c": x5c or device.x5c()})
        return self.request("POST", "/EnrollmentServer/policy/", data={"request": req})

    # §4b
    def leave(self, device, nonce=None, key=None, purpose="leave"):
        nonce = nonce if nonce is not None else self.nonce()
        c = {"request_nonce": nonce, "iat": int(time.time())}
        if purpose is not None:
            c["purpose"] = purpose
        req = jws_sign(key or device.key, c, header={"x5c": device.x5c()})
        return self.request("POST", "/EnrollmentServer/device/leave/", data={"request": req})

    # §9
    def admin(self, method, path, body=None, token=None, raw=None, headers=None):
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        if raw is not None:
            h.setdefault("Content-Type", "application/json")
            return self.request(method, "/admin/v1" + path, data=raw, headers=h)
        return self.request(method, "/admin/v1" + path, json=body, headers=h)


def policy_node(tenant, rel):
    return POLICY_PREFIX.replace("{TenantId}", tenant) + rel


# --- the PRT reply ------------------------------------------------------------

class PrtReply:
    """A decoded §6 reply: session key, PRT, and the partial TGT if any."""

    def __init__(self, reply, transport_priv, session_key=None):
        self.raw = reply
        self.prt = reply["refresh_token"]
        if "session_key_jwe" in reply and reply["session_key_jwe"]:
            self.session_key_header, self.session_key = jwe_decrypt_rsa(
                reply["session_key_jwe"], transport_priv)
        else:
            self.session_key_header, self.session_key = None, session_key
        if self.session_key is None or len(self.session_key) != 32:
            raise ValueError("no 32-byte session key in the reply")
        tgt = reply.get("tgt_ad")
        self.tgt_ad_was_string = isinstance(tgt, str)
        if isinstance(tgt, str):
            tgt = json.loads(tgt)
        self.tgt_ad = tgt
        self.reply_key = self.asrep = self.client_key_header = None
        if isinstance(tgt, dict) and "clientKey" in tgt:
            hdr = jws_parse_header_only(tgt["clientKey"])
            ctx = b64_decode(hdr["ctx"])
            self.client_key_header, self.reply_key = jwe_decrypt_dir(
                tgt["clientKey"], kdf(self.session_key, ctx))
            self.asrep = b64_decode(tgt["messageBuffer"])

    def write_krb_files(self, asrep_path, key_path):
        """AS-REP DER and the reply key as '18:HEX' (mode 0600)."""
        if self.asrep is None or self.reply_key is None:
            raise RuntimeError("the reply has no partial TGT: tgt_ad = %r" % (self.tgt_ad,))
        write_private(asrep_path, self.asrep)
        write_private(key_path, "%d:%s\n" % (int(self.tgt_ad["keyType"]),
                                             binascii.hexlify(self.reply_key).decode()))


def jws_parse_header_only(token):
    return json.loads(b64url_decode(token.split(".", 1)[0]))


# --- response checks ----------------------------------------------------------

def check_error(r, status, error, code):
    """Checks an OAuth-style error reply.  error and code may be tuples of
    acceptable values.  Returns a list of problems (empty when it matches)."""
    probs = []
    errors = error if isinstance(error, tuple) else (error,)
    codes = code if isinstance(code, tuple) else (code,)
    statuses = status if isinstance(status, tuple) else (status,)
    if r.status_code not in statuses:
        probs.append("status %d, want %s" % (r.status_code, "/".join(map(str, statuses))))
    try:
        j = r.json()
    except ValueError:
        probs.append("body is not JSON: %r" % r.text[:200])
        return probs
    if not isinstance(j, dict):
        probs.append("body is not a JSON object")
        return probs
    if j.get("error") not in errors:
        probs.append("error %r, want %s" % (j.get("error"), "/".join(errors)))
    ec_ = j.get("error_codes")
    if not isinstance(ec_, list) or not any(c in ec_ for c in codes):
        probs.append("error_codes %r, want %s" % (ec_, "/".join(map(str, codes))))
    if "no-store" not in r.headers.get("Cache-Control", ""):
        probs.append("Cache-Control %r lacks no-store" % r.headers.get("Cache-Control"))
    tid = r.headers.get("X-Trace-Id")
    if not tid:
        probs.append("no X-Trace-Id header")
    elif j.get("trace_id") != tid:
        probs.append("trace_id %r != X-Trace-Id %r" % (j.get("trace_id"), tid))
    if not isinstance(j.get("error_description"), str):
        probs.append("no error_description")
    if "timestamp" not in j:
        probs.append("no timestamp")
    return probs


def describe(r):
    try:
        body = r.text[:300]
    except Exception:  # pragma: no cover
        body = "?"
    return "HTTP %d %s" % (r.status_code, body)


def expect_json(r, status=200):
    """The JSON body of a reply that must have the given status, else raises."""
    if r.status_code != status:
        raise RuntimeError("want HTTP %d, got %s" % (status, describe(r)))
    return r.json()


# --- TAP ----------------------------------------------------------------------

class Tap:
    """TAP output; the harness adds its own lines and the plan."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        name = name.replace("#", "No.").replace("\n", " ")
        if cond:
            print("ok %d - %s" % (self.n, name), flush=True)
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name), flush=True)
            for line in str(diag or "").splitlines():
                print("#   " + line, flush=True)
        return cond

    def skip(self, name, reason):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, name, reason), flush=True)

    def diag(self, msg):
        for line in str(msg).splitlines():
            print("# " + line, flush=True)

    def check(self, name, fn):
        """Runs fn() -> (cond, diag) or a list of problems; an exception fails the row."""
        try:
            res = fn()
        except Exception as e:  # every failure is a TAP line, never a crash
            import traceback
            ours = [f for f in traceback.extract_tb(e.__traceback__)
                    if os.path.dirname(os.path.abspath(f.filename)) == _HERE][-2:]
            where = "; ".join("%s:%d %s" % (os.path.basename(f.filename), f.lineno, f.line)
                              for f in ours)
            return self.ok(False, name, "exception: %s: %s\nat %s" % (
                type(e).__name__, str(e)[:1500], where))
        if isinstance(res, list):
            return self.ok(not res, name, "\n".join(res))
        if isinstance(res, tuple):
            return self.ok(bool(res[0]), name, res[1] if len(res) > 1 else None)
        return self.ok(bool(res), name)

    def done(self):
        print("1..%d" % self.n, flush=True)
        return 1 if self.failed else 0


# --- self-test ----------------------------------------------------------------

def _selftest():
    t = Tap()
    # RFC 6238 appendix B, SHA-1, secret "12345678901234567890", 8 digits.
    key = b"12345678901234567890"
    for when, want in [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
                       (1234567890, "89005924"), (2000000000, "69279037"),
                       (20000000000, "65353130")]:
        t.ok(totp(key, when, digits=8) == want, "RFC 6238 SHA-1 T=%d" % when)
    t.ok(totp(key, 59) == "287082", "6-digit truncation of the RFC 6238 T=59 value")
    # oathtool (oath-toolkit) as a second opinion on the current code.
    import subprocess
    now = int(time.time())
    try:
        o = subprocess.run(["oathtool", "--totp", "-b", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
                            "-N", "@%d" % now], capture_output=True, text=True, timeout=10)
        got = o.stdout.strip()
    except OSError as ex:
        got = "oathtool not runnable: %s" % ex
    t.ok(got == totp(key, now), "oathtool agrees at T=%d" % now, "oathtool: %r" % got)
    p = parse_otpauth("otpauth://totp/Contoso:alice%40corp.example.test?secret=GEZDGNBVGY3TQOJQ"
                      "GEZDGNBVGY3TQOJQ&issuer=Contoso&algorithm=SHA1&digits=6&period=30")
    t.ok(p["secret"] == key and p["label"] == "Contoso:alice@corp.example.test",
         "otpauth URI parsed")
    # RFC 7515 A.3: ES256 example verifies with our raw r||s handling.
    jwk = {"x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
           "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
    pub = ec.EllipticCurvePublicNumbers(int.from_bytes(b64url_decode(jwk["x"]), "big"),
                                        int.from_bytes(b64url_decode(jwk["y"]), "big"),
                                        ec.SECP256R1()).public_key()
    a3 = ("eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
          "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxL"
          "a8ISlSApmWQxfKTUJqPP3-Kg6NU1Q")
    t.ok(jws_verify_es256(a3, pub), "RFC 7515 A.3 ES256 example verifies")
    t.ok(not jws_verify_es256(a3[:-2] + ("A" if a3[-2] != "A" else "B") + a3[-1], pub),
         "RFC 7515 A.3 with a changed signature does not")
    # Blobs.
    k = Key.rsa()
    blob = k.blob()
    n = k.public.public_numbers().n
    t.ok(blob[:4] == bytes.fromhex("52534131") and struct.unpack("<IIIII", blob[4:24])
         == (2048, 3, 256, 0, 0) and blob[24:27] == b"\x01\x00\x01"
         and int.from_bytes(blob[27:], "big") == n, "RSA1 blob layout")
    e = Key.p256()
    eb = e.blob()
    t.ok(eb[:4] == bytes.fromhex("45435331") and eb[4:8] == b"\x20\0\0\0" and len(eb) == 72,
         "ECS1 blob layout")
    t.ok(b64_decode(k.kid()) == hashlib.sha256(blob).digest() and k.kid().endswith("="),
         "kid is padded standard base64 of SHA-256(blob)")
    # JWS round trips through cryptography's verifiers.
    tok = jws_sign(e, {"a": 1})
    t.ok(jws_verify_es256(tok, e.public), "ES256 JWS verifies as raw r||s")
    tok = jws_sign(k, {"a": 1})
    h, _, sig, si = jws_parse(tok)
    try:
        k.public.verify(sig, si, padding.PKCS1v15(), hashes.SHA256())
        good = True
    except InvalidSignature:
        good = False
    t.ok(good and h == {"alg": "RS256", "typ": "JWT"}, "RS256 JWS verifies")
    # JWE: RSA-OAEP and RSA-OAEP-256 made here by hand, then dir with ctx + KDF.
    for alg, hh in [("RSA-OAEP", hashes.SHA1()), ("RSA-OAEP-256", hashes.SHA256())]:
        cek, iv, msg = os.urandom(32), os.urandom(12), os.urandom(32)
        ph = b64url(json_compact({"alg": alg, "enc": "A256GCM"}))
        ek = k.public.encrypt(cek, padding.OAEP(mgf=padding.MGF1(hh), algorithm=hh, label=None))
        ct = AESGCM(cek).encrypt(iv, msg, ph.encode())
        tok = ".".join([ph, b64url(ek), b64url(iv), b64url(ct[:-16]), b64url(ct[-16:])])
        t.ok(jwe_decrypt_rsa(tok, k.priv)[1] == msg, "JWE %s/A256GCM decrypts" % alg)
    sk, ctx, rk = os.urandom(32), os.urandom(24), os.urandom(32)
    tok = jwe_encrypt_dir(kdf(sk, ctx), rk, {"ctx": b64(ctx)})
    hdr, pt = jwe_decrypt_dir(tok, kdf(sk, b64_decode(jws_parse_header_only(tok)["ctx"])))
    t.ok(pt == rk and hdr["ctx"] == b64(ctx), "dir/A256GCM with a KDF key from ctx")
    # The KDF by hand: one block of HMAC(K, [1]_32 || label || 0x00 || ctx || [256]_32).
    by_hand = hmac.new(sk, struct.pack(">I", 1) + KDF_LABEL + b"\0" + ctx + struct.pack(">I", 256),
                       hashlib.sha256).digest()
    t.ok(kdf(sk, ctx) == by_hand, "KBKDFHMAC = SP800-108 counter mode by hand")
    # CSR.
    csr = x509.load_der_x509_csr(make_csr(k))
    t.ok(csr.is_signature_valid and csr.public_key().public_numbers() == k.public.public_numbers(),
         "CSR signed by the device key")
    return t.done()


if __name__ == "__main__":
    if sys.argv[1:] == ["--selftest"]:
        sys.exit(_selftest())
    print("usage: ctclient.py --selftest", file=sys.stderr)
    sys.exit(2)
