#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile requests against cloudtrustd (suite "server", no lab needed).

Run through run-server-tests.sh, which starts a fresh daemon.  Sets up a few
users and devices through the admin API and the protocol, then sends a table
of requests that each break one thing, and checks the HTTP status, the OAuth
`error` and the code of docs/PROTOCOL.md §10 (plus Cache-Control: no-store
and a trace id that matches X-Trace-Id).  Positive control rows sit next to
the refusals, so a refusal for the wrong reason shows up.  Afterwards: the
daemon still answers /healthz and no refused request left state behind.

Each row comes from a source address of its own (127.1.x.y): throttling
(§3: per user and per source address) then only meets the rows that test it,
and the row's audit event is found by its address: every refused sign-in
(invalid_grant) must leave a deny event with a reason, shown as a comment.
Rows about time (a nonce older than 5 minutes, MFA older than 10) go to the
second instance the harness starts, whose clock runs CT_LATER_OFFSET ahead.
Prints TAP.
"""

import binascii
import hashlib
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ctclient import (  # noqa: E402
    GRANT_JWT_BEARER, GRANT_NONCE, GRANT_PASSWORD_OTP, MAX_BODY, Client, Device, Key, Otp,
    PrtReply, Tap, b64, b64url, b64url_decode, cert_issued_by, check_error, describe,
    ecs1_blob, expect_json, jws_claims, jws_parse, jws_sign, kdf, make_csr, policy_node,
    self_signed_cert)
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402

T = Tap()

BAD_REQ = (400, "invalid_request", 50000)
BAD_GRANT = (400, "invalid_grant", 50126)
UNAUTH = (401, "unauthorized", 40101)
NO_DEVICE = (401, "invalid_token", 50155)
THROTTLED = (429, "too_many_requests", 50053)
BAD_TENANT = (404, "invalid_tenant", 90002)
BAD_GRANT_TYPE = (400, "unsupported_grant_type", 90004)
NOT_FOUND = (404, "not_found", 40400)
CONFLICT = (409, "conflict", 40900)
TOO_LARGE = (413, "request_too_large", 41300)
# PROTOCOL.md is ambiguous here (see the report / README): a JWS that parses
# but whose alg is not allowed, or which lacks a claim, is "bad JWS"
# (invalid_request, §10) or "signature does not verify" (invalid_grant, §6).
MALFORMED_OR_GRANT = (400, ("invalid_request", "invalid_grant"), (50000, 50126))
DOMAIN = "corp.example.test"

try:
    base = Client.from_env()
    ADMIN_TOKEN = open(os.environ["CT_ADMIN_TOKEN_FILE"]).read().strip()
except Exception as e:  # no environment: every row would fail; say why once
    print("Bail out! %s" % e)
    sys.exit(1)
TENANT = base.tenant

_src = [0]
NOW = lambda: int(time.time())  # noqa: E731


def src_addr(n):
    return "127.1.%d.%d" % (n // 250, n % 250 + 1)


def cl():
    """A client on a source address of its own."""
    _src[0] += 1
    c = Client(base.base, base.cacert, TENANT, source_address=src_addr(_src[0]))
    if base._disco is not None:
        c._disco = base._disco
    return c


def admin(method, path, body=None, token=ADMIN_TOKEN, **kw):
    return cl().admin(method, path, body, token=token, **kw)


def err_row(name, want, fn, srcs=()):
    """One table row: fn() returns the reply, which must be the error want.
    A refused sign-in (invalid_grant) must also have left a deny audit event
    with a reason (§6: "audit event with the reason"), found by the row's
    own source address; the reason is shown as a TAP comment."""
    alts = lambda v: "/".join(map(str, v)) if isinstance(v, tuple) else str(v)  # noqa: E731
    note = []

    def run():
        n0 = _src[0]
        r = fn()
        probs = check_error(r, *want)
        if probs or r.json().get("error") != "invalid_grant":
            return probs
        srcs_ = {src_addr(n) for n in range(n0 + 1, _src[0] + 1)} | set(srcs)
        ev = expect_json(admin("GET", "/audit?limit=100"))["events"]
        deny = [e for e in ev if e.get("source") in srcs_ and e.get("outcome") == "deny"]
        if not deny or not all(e.get("reason") for e in deny):
            return ["no deny audit event with a reason from the row's source(s) %s"
                    % sorted(srcs_)]
        note.append("audit: " + ", ".join("%s %s" % (e.get("action"), e.get("reason"))
                                          for e in deny))
        return []
    T.check("%s -> %s %s %s" % (name, alts(want[0]), alts(want[1]), alts(want[2])), run)
    for line in note:
        T.diag(line)


def flip_sig(token):
    h, p, s = token.split(".")
    sig = bytearray(b64url_decode(s))
    sig[len(sig) // 2] ^= 0x01
    return "%s.%s.%s" % (h, p, b64url(bytes(sig)))


def setup(name, fn):
    """A setup step as a TAP line; returns fn()'s value or None."""
    box = []

    def run():
        box.append(fn())
        return True
    T.check("setup: " + name, run)
    return box[0] if box else None


# ---------------------------------------------------------------------------
# Setup: users, MFA, devices, Hello keys.
# ---------------------------------------------------------------------------

PW = {u: "Pw-%s-%s!" % (u, binascii.hexlify(os.urandom(8)).decode())
      for u in ["alice", "bob", "carol", "dora", "fred", "tina"]}
UPN = {u: "%s@%s" % (u, DOMAIN) for u in PW}


class Need(dict):
    """Results of setup steps: a missing one says which step failed."""

    def __init__(self, what):
        super().__init__()
        self.what = what

    def __getitem__(self, k):
        v = self.get(k)
        if v is None:
            raise RuntimeError("no %s for %s: that setup step failed" % (self.what, k))
        return v


OTP = Need("TOTP secret")

T.check("discovery document has the documented endpoints and grant types", lambda: (
    lambda d: [p for p in [
        None if d.get("token_endpoint", "").endswith("/%s/oauth2/token" % TENANT)
        else "token_endpoint %r" % d.get("token_endpoint"),
        None if d.get("tenant_id") == TENANT else "tenant_id %r" % d.get("tenant_id"),
        None if set(["srv_challenge", GRANT_JWT_BEARER, "refresh_token", GRANT_PASSWORD_OTP])
        <= set(d.get("grant_types_supported", [])) else "grant_types_supported",
        None if d.get("device_registration_endpoint", "").endswith("/EnrollmentServer/device/")
        else "device_registration_endpoint",
        None if d.get("key_registration_endpoint", "").endswith("/EnrollmentServer/key/")
        else "key_registration_endpoint",
    ] if p])(base.disco))

for u in PW:
    setup("admin adds %s" % UPN[u], lambda u=u: expect_json(admin(
        "POST", "/users", {"upn": UPN[u], "display_name": u.title(), "password": PW[u]}), 201))


def enroll(u):
    j = expect_json(admin("POST", "/users/%s/mfa" % UPN[u]))
    o = Otp(j["otpauth_uri"])
    if o.key != Otp(j["secret"]).key:
        raise RuntimeError("otpauth_uri secret differs from secret")
    OTP[u] = o
    return o


for u in PW:
    setup("MFA enrolled for %s (otpauth URI secret = secret)" % u, lambda u=u: enroll(u))


def sign_in(u, device=None, source=None):
    c = source or cl()
    r = c.password_otp(UPN[u], PW[u], OTP[u].fresh(), device=device)
    return expect_json(r)["access_token"]


def join(token, dev):
    r = cl().join(token, dev)
    dev.absorb_join(expect_json(r))
    return dev


def register(token, hello):
    j = expect_json(cl().register_key(token, hello.blob()))
    if j.get("kid") != hello.kid():
        raise RuntimeError("kid %r, want %r" % (j.get("kid"), hello.kid()))
    return j


TOK = Need("access token")
# Phase 1 (one TOTP step): a token per user.
for u in ["alice", "bob", "carol"]:
    TOK[u] = setup("%s signs in with password + TOTP" % u, lambda u=u: sign_in(u))

A1, A2 = Device(name="alice-1"), Device(key=Key.p256(), name="alice-2-p256")
B1, B2, C1 = Device(name="bob-1"), Device(name="bob-2"), Device(name="carol-1")
for who, dev in [("alice", A1), ("alice", A2), ("bob", B1), ("bob", B2), ("carol", C1)]:
    setup("%s joins %s" % (who, dev.name), lambda who=who, dev=dev: join(TOK[who], dev))


def check_join_reply():
    A1.x5c()  # joined?
    probs = []
    cert = x509.load_der_x509_certificate(A1.cert_der)
    if A1.thumbprint.lower() != hashlib.sha1(A1.cert_der).hexdigest():
        probs.append("Thumbprint %r is not SHA-1 of RawBody" % A1.thumbprint)
    cns = [a.value for a in cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)]
    if [v.lower() for v in cns] != [A1.device_id.lower()]:
        probs.append("certificate CN %r != DeviceId %r" % (cns, A1.device_id))
    try:
        uuid.UUID(A1.device_id)
    except (ValueError, TypeError):
        probs.append("DeviceId %r is not a GUID" % A1.device_id)
    if cert.public_key().public_numbers() != A1.key.public.public_numbers():
        probs.append("certificate key is not the CSR's key")
    return probs


T.check("join reply: thumbprint = SHA-1 of the certificate, CN = DeviceId, CSR key certified",
        check_join_reply)

BOUND = Need("device-bound token")
# Phase 2 (next TOTP step): tokens bound to a device.
for u, dev in [("alice", A1), ("bob", B1), ("carol", C1)]:
    BOUND[u] = setup("%s gets a token bound to %s" % (u, dev.name),
                     lambda u=u, dev=dev: sign_in(u, device=dev))


def check_tokens():
    probs = []
    t1, t2 = jws_claims(TOK["alice"]), jws_claims(BOUND["alice"])
    h = jws_parse(BOUND["alice"])[0]
    if h.get("alg") != "ES256" or not h.get("kid"):
        probs.append("access token header %r" % h)
    for k, want in [("aud", "urn:cloudtrust:enrollment"), ("tid", TENANT), ("upn", UPN["alice"])]:
        if t2.get(k) != want:
            probs.append("%s = %r, want %r" % (k, t2.get(k), want))
    if not {"pwd", "mfa", "ngcmfa"} <= set(t2.get("amr", [])):
        probs.append("amr %r" % t2.get("amr"))
    if t2.get("exp", 0) - t2.get("iat", 0) != 3600:
        probs.append("lifetime %r" % (t2.get("exp", 0) - t2.get("iat", 0)))
    if "deviceid" in t1:
        probs.append("unbound token has deviceid %r" % t1["deviceid"])
    if str(t2.get("deviceid", "")).lower() != A1.device_id.lower():
        probs.append("bound token deviceid %r, want %r" % (t2.get("deviceid"), A1.device_id))
    return probs


T.check("access tokens: ES256 with kid; aud, tid, upn, amr, 1 hour (docs/PROTOCOL.md §3); deviceid only when bound",
        check_tokens)

HA1, HB1, HC1 = Key.rsa(), Key.rsa(), Key.rsa()
HA2 = Key.p256()
for u, hk, label in [("alice", HA1, "RSA1"), ("bob", HB1, "RSA1"), ("carol", HC1, "RSA1")]:
    setup("%s registers a Hello key (%s blob)" % (u, label),
          lambda u=u, hk=hk: register(BOUND[u], hk))

# Phase 3 (next TOTP step).
BOUND["alice2"] = setup("alice gets a token bound to alice-2 (P-256 device key)",
                        lambda: sign_in("alice", device=A2))
setup("alice registers a P-256 Hello key (ECS1 blob) on alice-2",
      lambda: register(BOUND["alice2"], HA2))
BOUND["bob2"] = setup("bob gets a token bound to bob-2", lambda: sign_in("bob", device=B2))

DEVICES_AFTER_SETUP = setup("admin lists the devices", lambda: sorted(
    d["id"].lower() for d in expect_json(admin("GET", "/devices"))["devices"]))


# ---------------------------------------------------------------------------
# Positive controls (the refusals below differ from these in one thing).
# ---------------------------------------------------------------------------

def good_prt(device=A1, hello=HA1, upn=UPN["alice"], **kw):
    r = cl().prt(device, upn, hello, **kw)
    return PrtReply(expect_json(r), device.transport.priv)


def control_prt():
    p = good_prt()
    j = p.raw
    probs = []
    if j.get("token_type") != "pop":
        probs.append("token_type %r" % j.get("token_type"))
    if j.get("refresh_token_expires_in") != 1209600:
        probs.append("refresh_token_expires_in %r" % j.get("refresh_token_expires_in"))
    if p.session_key_header.get("alg") != "RSA-OAEP":
        probs.append("session_key_jwe alg %r (default must be RSA-OAEP)"
                     % p.session_key_header.get("alg"))
    if not isinstance(j.get("tgt_ad"), dict) or j["tgt_ad"].get("error") != "no_onprem_identity":
        probs.append("tgt_ad %r, want error no_onprem_identity" % (j.get("tgt_ad"),))
    if "tgt_cloud" not in j or j["tgt_cloud"] is not None:
        probs.append("tgt_cloud %r, want null" % (j.get("tgt_cloud", "<absent>"),))
    idt = jws_claims(j["id_token"])
    if jws_parse(j["id_token"])[0].get("alg") != "ES256":
        probs.append("id_token alg")
    for k, want in [("upn", UPN["alice"]), ("tid", TENANT), ("amr", ["ngcmfa"])]:
        if idt.get(k) != want:
            probs.append("id_token %s = %r" % (k, idt.get(k)))
    if str(idt.get("deviceid", "")).lower() != A1.device_id.lower():
        probs.append("id_token deviceid %r" % idt.get("deviceid"))
    try:
        import json as _j
        if not isinstance(_j.loads(b64url_decode(j["client_info"])), dict):
            probs.append("client_info is not a JSON object")
    except Exception as e:
        probs.append("client_info: %s" % e)
    return probs


T.check("control: alice's PRT (RSA device and Hello keys): shape, RSA-OAEP session key, "
        "tgt_ad.error no_onprem_identity", control_prt)
T.check("control: alice's PRT with a P-256 device key and P-256 Hello key",
        lambda: good_prt(device=A2, hello=HA2) is not None)
T.check("control: session_key_alg=RSA-OAEP-256 gives an RSA-OAEP-256 JWE", lambda: (
    lambda p: (p.session_key_header.get("alg") == "RSA-OAEP-256", p.session_key_header))(
        good_prt(form={"session_key_alg": "RSA-OAEP-256"})))


def control_nonce():
    c = cl()
    n1, n2 = c.nonce(), c.nonce()
    return (len(b64url_decode(n1)) == 32 and n1 != n2, "nonces %r %r" % (n1, n2))


T.check("control: srv_challenge gives distinct 32-byte b64url nonces", control_nonce)

# ---------------------------------------------------------------------------
# Tenant, grant type, form.
# ---------------------------------------------------------------------------

OTHER_TENANT = str(uuid.uuid4())
err_row("discovery of an unknown tenant", BAD_TENANT, lambda: cl().discovery(OTHER_TENANT))
err_row("srv_challenge at an unknown tenant", BAD_TENANT,
        lambda: cl().token({"grant_type": GRANT_NONCE}, tenant=OTHER_TENANT))
err_row("unknown grant_type", BAD_GRANT_TYPE,
        lambda: cl().token({"grant_type": "urn:example:nonsense"}))
err_row("no grant_type", BAD_REQ, lambda: cl().token({"username": UPN["alice"]}))
err_row("grant_type given twice (duplicate form field)", BAD_REQ,
        lambda: cl().token(raw=b"grant_type=srv_challenge&grant_type=srv_challenge"))
err_row("username given twice in password-otp", BAD_REQ,
        lambda: cl().token([("grant_type", GRANT_PASSWORD_OTP), ("username", UPN["fred"]),
                            ("username", UPN["alice"]), ("password", PW["alice"]),
                            ("otp", "000000")]))
err_row("non-UTF-8 form value (%FF%FE in username)", BAD_REQ, lambda: cl().token(
    raw=("grant_type=%s&username=%%FF%%FEalice&password=x&otp=123456"
         % GRANT_PASSWORD_OTP.replace(":", "%3A")).encode()))
err_row("raw 0xFF byte in the form body", BAD_REQ,
        lambda: cl().token(raw=b"grant_type=srv_challenge&x=\xff"))
err_row("invalid percent escape in the form", BAD_REQ,
        lambda: cl().token(raw=b"grant_type=srv_challenge&x=%G1"))
err_row("body over 64 KiB", TOO_LARGE, lambda: cl().token(
    raw=b"grant_type=srv_challenge&pad=" + b"A" * (MAX_BODY + 16)))

# ---------------------------------------------------------------------------
# First factor (§3).
# ---------------------------------------------------------------------------

PWFAIL = {}


def pw_fail(kind):
    u = "fred"
    if kind == "password":
        r = cl().password_otp(UPN[u], "not-" + PW[u], OTP[u].code_at(time.time()))
    elif kind == "otp":
        r = cl().password_otp(UPN[u], PW[u], OTP[u].wrong())
    else:
        r = cl().password_otp("nobody-%s@%s" % (uuid.uuid4().hex[:8], DOMAIN), PW[u], "123456")
    PWFAIL[kind] = r
    return r


err_row("wrong password", BAD_GRANT, lambda: pw_fail("password"))
err_row("wrong TOTP code", BAD_GRANT, lambda: pw_fail("otp"))
err_row("unknown user", BAD_GRANT, lambda: pw_fail("user"))


def same_reply():
    rs = [PWFAIL[k].json() for k in ["password", "otp", "user"]]
    strip = [{k: v for k, v in j.items() if k not in ("trace_id", "timestamp")} for j in rs]
    return (strip[0] == strip[1] == strip[2], "replies differ: %r" % strip)


T.check("wrong password, wrong code and unknown user get the same reply", same_reply)
err_row("reused TOTP code (alice's last code, right password)", BAD_GRANT,
        lambda: cl().password_otp(UPN["alice"], PW["alice"], OTP["alice"].last()))
err_row("5-digit TOTP code", BAD_GRANT,
        lambda: cl().password_otp(UPN["fred"], PW["fred"], OTP["fred"].code_at(time.time())[:5]))
err_row("password-otp without otp", BAD_REQ, lambda: cl().token(
    {"grant_type": GRANT_PASSWORD_OTP, "username": UPN["fred"], "password": PW["fred"]}))
err_row("password-otp without password", BAD_REQ, lambda: cl().token(
    {"grant_type": GRANT_PASSWORD_OTP, "username": UPN["fred"], "otp": "123456"}))


def disabled_sign_in():
    expect_json(admin("POST", "/users/%s/disable" % UPN["dora"]))
    return cl().password_otp(UPN["dora"], PW["dora"], OTP["dora"].fresh())


err_row("disabled user signs in with the right password and a fresh code", BAD_GRANT,
        disabled_sign_in)




def foreign_assertion():
    # carol's right password and a fresh code, but the device assertion is
    # signed by a key that is not the certificate's.
    a = cl().device_assertion(C1, key=Key.rsa())
    return cl().password_otp(UPN["carol"], PW["carol"], OTP["carol"].fresh(), assertion=a)


err_row("device_assertion not signed by the x5c certificate's key", MALFORMED_OR_GRANT,
        foreign_assertion)

# Throttling: per user (5 failures / 15 min) from one address ...
TINA_SRC = cl()


def tina_fail():
    return TINA_SRC.password_otp(UPN["tina"], "wrong-" + PW["tina"], OTP["tina"].wrong())


err_row("tina: first wrong password", BAD_GRANT, tina_fail, srcs={TINA_SRC.source})


def tina_throttled():
    for _ in range(4):
        tina_fail()
    # Right password and a fresh code: still refused while throttled.
    return TINA_SRC.password_otp(UPN["tina"], PW["tina"], OTP["tina"].fresh())


err_row("tina after 5 failures, right password and code: throttled", THROTTLED, tina_throttled)
err_row("tina throttled from another source address too (per user)", THROTTLED,
        lambda: cl().password_otp(UPN["tina"], PW["tina"], OTP["tina"].code_at(time.time())))

# ... and per source (20 failures / 15 min), across users.
SRC = cl()
SRC_FIRST = []


def source_throttled():
    for i in range(20):
        r = SRC.password_otp("spray-%d-%s@%s" % (i, uuid.uuid4().hex[:6], DOMAIN), "x", "123456")
        SRC_FIRST.append(r.status_code)
    return SRC.password_otp("spray-last@%s" % DOMAIN, "x", "123456")


err_row("21st failure from one source address: throttled", THROTTLED, source_throttled)
T.check("the 20 failures before it were 400, not throttled early",
        lambda: (SRC_FIRST == [400] * 20, "statuses %r" % SRC_FIRST))
err_row("another source address is not throttled (wrong password: 400)", BAD_GRANT,
        lambda: cl().password_otp("spray-other@%s" % DOMAIN, "x", "123456"))

# ---------------------------------------------------------------------------
# Device join (§4), with alice's unbound token.
# ---------------------------------------------------------------------------


def forged_token(tok, claims=None, alg=None):
    h, p, _, _ = jws_parse(tok)
    import json as _j
    c = _j.loads(p)
    c.update(claims or {})
    if alg == "none":
        return jws_sign(None, c, header=dict(h, alg="none"), signer=lambda si: b"")
    if claims is not None:  # the real signature over edited claims
        return jws_sign(None, c, header=h, signer=lambda si: jws_parse(tok)[2])
    return jws_sign(Key.p256(), c, header=h)  # same header (kid), our key


J = Device(name="refused")
err_row("join without Authorization", UNAUTH, lambda: cl().join(None, J))
err_row("join with a garbage bearer token", UNAUTH, lambda: cl().join("not.a.token", J))
err_row("join with a token signed by another key (same kid)", UNAUTH,
        lambda: cl().join(forged_token(TOK["alice"]), J))
err_row("join with an alg=none token", UNAUTH,
        lambda: cl().join(forged_token(TOK["alice"], alg="none"), J))
err_row("join with a token whose claims were edited (upn)", UNAUTH,
        lambda: cl().join(forged_token(TOK["alice"], {"upn": UPN["bob"]}), J))
err_row("join with malformed JSON", BAD_REQ, lambda: cl().join(TOK["alice"], raw=b'{"Certif'))
err_row("join with duplicate JSON keys", BAD_REQ, lambda: cl().join(
    TOK["alice"], raw=('{"TransportKey": "%s", "TransportKey": "%s", "CertificateRequest": '
                       '{"Type": "pkcs10", "Data": "%s"}, "JoinType": 0}'
                       % (b64(J.transport.blob()), b64(Key.rsa().blob()),
                          b64(make_csr(J.key)))).encode()))
err_row("join with a JSON array body", BAD_REQ, lambda: cl().join(TOK["alice"], raw=b"[]"))


def join_with(**over):
    body = J.join_body()
    for k, v in over.items():
        if v is None:
            body.pop(k, None)
        else:
            body[k] = v
    return cl().join(TOK["alice"], body=body)


err_row("join without CertificateRequest", BAD_REQ, lambda: join_with(CertificateRequest=None))
err_row("join without TransportKey", BAD_REQ, lambda: join_with(TransportKey=None))
err_row("join with CertificateRequest.Type x509", BAD_REQ, lambda: join_with(
    CertificateRequest={"Type": "x509", "Data": b64(make_csr(J.key))}))
err_row("join with a garbage CSR", BAD_REQ, lambda: join_with(
    CertificateRequest={"Type": "pkcs10", "Data": b64(os.urandom(300))}))
err_row("join with CSR data that is not base64", BAD_REQ, lambda: join_with(
    CertificateRequest={"Type": "pkcs10", "Data": "!!not base64!!"}))


def csr_bad_sig():
    der = bytearray(make_csr(J.key))
    der[-5] ^= 0x40  # inside the signature BIT STRING
    return join_with(CertificateRequest={"Type": "pkcs10", "Data": b64(bytes(der))})


err_row("join with a CSR whose signature does not verify", BAD_REQ, csr_bad_sig)
err_row("join with a CSR for an RSA-1024 key", BAD_REQ, lambda: join_with(
    CertificateRequest={"Type": "pkcs10", "Data": b64(make_csr(Key.rsa(1024)))}))
err_row("join with a garbage transport key blob", BAD_REQ,
        lambda: join_with(TransportKey=b64(b"RSA1" + os.urandom(60))))
err_row("join with an RSA-1024 transport key", BAD_REQ,
        lambda: join_with(TransportKey=b64(Key.rsa(1024).blob())))
err_row("join with a truncated RSA1 transport key", BAD_REQ,
        lambda: join_with(TransportKey=b64(J.transport.blob()[:-10])))
err_row("join with a P-256 transport key (must be RSA)", BAD_REQ,
        lambda: join_with(TransportKey=b64(Key.p256().blob())))
err_row("join with JoinType 99", BAD_REQ, lambda: join_with(JoinType=99))

# ---------------------------------------------------------------------------
# Hello key registration (§5).
# ---------------------------------------------------------------------------

UNBOUND_KEY = Key.rsa()    # refused: token without deviceid
DISABLED_DEV_KEY = Key.rsa()  # refused: token bound to a disabled device
err_row("key registration without Authorization", UNAUTH,
        lambda: cl().register_key(None, HA1.blob()))
err_row("key registration with a forged token", UNAUTH,
        lambda: cl().register_key(forged_token(BOUND["alice"]), UNBOUND_KEY.blob()))
err_row("key registration with a token without deviceid", NO_DEVICE,
        lambda: cl().register_key(TOK["alice"], UNBOUND_KEY.blob()))
err_row("key registration with garbage kngc", BAD_REQ,
        lambda: cl().register_key(BOUND["alice"], os.urandom(100)))
err_row("key registration with kngc not base64", BAD_REQ,
        lambda: cl().register_key(BOUND["alice"], body={"kngc": "%%%"}))
err_row("key registration without kngc", BAD_REQ,
        lambda: cl().register_key(BOUND["alice"], body={"kid": "x"}))
err_row("key registration with an RSA-1024 RSA1 blob", BAD_REQ,
        lambda: cl().register_key(BOUND["alice"], Key.rsa(1024).blob()))


def off_curve():
    b = bytearray(ecs1_blob(Key.p256().public))
    b[-1] ^= 0x01  # Y no longer matches X
    return cl().register_key(BOUND["alice"], bytes(b))


err_row("key registration with an ECS1 point off the curve", BAD_REQ, off_curve)
err_row("key registration with an ECS1 blob with cbKey 48", BAD_REQ, lambda: cl().register_key(
    BOUND["alice"], b"ECS1" + (48).to_bytes(4, "little") + os.urandom(96)))


def disabled_device_register():
    expect_json(admin("POST", "/devices/%s/disable" % B2.device_id))
    try:
        return cl().register_key(BOUND["bob2"], DISABLED_DEV_KEY.blob())
    finally:
        admin("POST", "/devices/%s/enable" % B2.device_id)


err_row("key registration with a token bound to a disabled device", NO_DEVICE,
        disabled_device_register)


def later():
    """A client of the second instance, whose clock runs CT_LATER_OFFSET s ahead."""
    c = cl()
    c.base = os.environ["CT_SERVER_URL_LATER"].rstrip("/")
    return c


LATER = int(os.environ.get("CT_LATER_OFFSET", "0"))
STALE_KEY = Key.rsa()
err_row("key registration with an MFA token 11 minutes old (instance with the clock ahead)",
        (401, "invalid_token", 50072),
        lambda: later().register_key(BOUND["alice"], STALE_KEY.blob()))

# ---------------------------------------------------------------------------
# PRT request (§6): every failure is 400 invalid_grant 50126.
# ---------------------------------------------------------------------------

prt = lambda **kw: cl().prt(A1, UPN["alice"], HA1, **kw)  # noqa: E731

err_row("PRT: outer signature altered", BAD_GRANT,
        lambda: prt(outer_signer=lambda si: bytes(bytearray(A1.key.sign(si))[:-1]) + b"\0"))


def inner_flipped():
    c = cl()
    n = c.nonce()
    a = flip_sig(c.inner_assertion(HA1, UPN["alice"], n))
    req = c.outer_request(A1, UPN["alice"], n, a)
    return c.token({"grant_type": GRANT_JWT_BEARER, "request": req, "client_info": "1",
                    "tgt": "true", "windows_api_version": "2.0"})


err_row("PRT: inner (Hello) signature altered", BAD_GRANT, inner_flipped)
err_row("PRT: outer signed by a key other than the certificate's", BAD_GRANT,
        lambda: prt(outer_key=Key.rsa()))
err_row("PRT: device certificate self-signed (another CA), CN = the device id", BAD_GRANT,
        lambda: prt(outer_header={"x5c": [b64(self_signed_cert(A1.key, A1.device_id))]}))


def lookalike_ca():
    issuer = x509.load_der_x509_certificate(A1.cert_der).issuer.rfc4514_string()
    cn = issuer.split("CN=", 1)[1].split(",")[0] if "CN=" in issuer else "Device CA"
    fake = cert_issued_by(Key.p256(), cn, A1.key, A1.device_id)
    return prt(outer_header={"x5c": [b64(fake)]})


err_row("PRT: device certificate from a look-alike CA with the device CA's name", BAD_GRANT,
        lookalike_ca)
err_row("PRT: bob's device certificate with alice's device key", BAD_GRANT,
        lambda: prt(outer_header={"x5c": B1.x5c()}))
err_row("PRT: no x5c header", MALFORMED_OR_GRANT, lambda: prt(outer_header={"x5c": None}))
err_row("PRT: unknown kid", BAD_GRANT,
        lambda: prt(inner_header={"kid": b64(os.urandom(32))}))
err_row("PRT: kid and signature of bob's Hello key, username alice", BAD_GRANT,
        lambda: cl().prt(A1, UPN["alice"], HB1))
err_row("PRT: alice's Hello key registered on alice-2, used from alice-1", BAD_GRANT,
        lambda: cl().prt(A1, UPN["alice"], HA2))
err_row("PRT: username bob with alice's device and key", BAD_GRANT,
        lambda: cl().prt(A1, UPN["bob"], HA1, inner={"iss": UPN["bob"]}))

def nonce_replay():
    c = cl()
    n = c.nonce()
    expect_json(c.prt(A1, UPN["alice"], HA1, nonce=n))
    return cl().prt(A1, UPN["alice"], HA1, nonce=n)


err_row("PRT: nonce replayed after a successful request", BAD_GRANT, nonce_replay)
err_row("PRT: unknown nonce", BAD_GRANT, lambda: prt(nonce=b64url(os.urandom(32))))


def nonce_burnt():
    c = cl()
    n = c.nonce()
    first = c.prt(A1, UPN["alice"], HA1, nonce=n, inner={"iss": UPN["bob"]})
    if first.status_code != 400:
        raise RuntimeError("the failing first request was answered %s" % describe(first))
    return cl().prt(A1, UPN["alice"], HA1, nonce=n)


err_row("PRT: good request with a nonce a failed request already presented", BAD_GRANT,
        nonce_burnt)
T.check("control: the instance with the clock ahead issues a PRT for its own nonce", lambda: (
    lambda r: (r.status_code == 200, describe(r)))(
        later().prt(A1, UPN["alice"], HA1, now=NOW() + LATER)))
err_row("PRT: nonce 11 minutes old (issued by one instance, presented to the one ahead)",
        BAD_GRANT, lambda: later().prt(A1, UPN["alice"], HA1, nonce=cl().nonce(),
                                       now=NOW() + LATER))
err_row("PRT: inner iss is not the username", BAD_GRANT,
        lambda: prt(inner={"iss": UPN["bob"]}))
err_row("PRT: inner aud is another tenant", BAD_GRANT, lambda: prt(inner={"aud": OTHER_TENANT}))
err_row("PRT: inner aud missing", MALFORMED_OR_GRANT, lambda: prt(inner={"aud": None}))
err_row("PRT: inner assertion expired (exp 100 s ago)", BAD_GRANT,
        lambda: prt(inner={"iat": NOW() - 400, "exp": NOW() - 100}))
err_row("PRT: inner iat 6 minutes in the future", BAD_GRANT,
        lambda: prt(inner={"iat": NOW() + 360, "exp": NOW() + 600}))
err_row("PRT: inner exp one hour ahead (lifetime over 10 minutes)", BAD_GRANT,
        lambda: prt(inner={"iat": NOW(), "exp": NOW() + 3600}))
err_row("PRT: inner exp before iat", BAD_GRANT,
        lambda: prt(inner={"iat": NOW(), "exp": NOW() - 10}))
err_row("PRT: inner request_nonce differs from the outer one", BAD_GRANT,
        lambda: prt(inner={"request_nonce": cl().nonce()}))
err_row("PRT: inner header use is not ngc", MALFORMED_OR_GRANT,
        lambda: prt(inner_header={"use": "sig"}))
err_row("PRT: inner assertion alg none, no signature", MALFORMED_OR_GRANT,
        lambda: prt(inner_header={"alg": "none"}, inner_signer=lambda si: b""))
err_row("PRT: outer alg none, no signature", MALFORMED_OR_GRANT,
        lambda: prt(outer_header={"alg": "none"}, outer_signer=lambda si: b""))


def hs256_confusion():
    pem = A1.key.public.public_bytes(serialization.Encoding.PEM,
                                     serialization.PublicFormat.SubjectPublicKeyInfo)
    import hmac as _h
    return prt(outer_header={"alg": "HS256"},
               outer_signer=lambda si: _h.new(pem, si, hashlib.sha256).digest())


err_row("PRT: outer alg HS256 keyed with the device's RSA public key", MALFORMED_OR_GRANT,
        hs256_confusion)
err_row("PRT: outer RS256 header on an ES256 device key (alg/key mismatch)", MALFORMED_OR_GRANT,
        lambda: cl().prt(A2, UPN["alice"], HA2, outer_header={"alg": "RS256"},
                         outer_signer=lambda si: A2.key.sign(si, "ES256")))


def prt_raw_request(req):
    return cl().token({"grant_type": GRANT_JWT_BEARER, "request": req, "client_info": "1",
                       "tgt": "true"})


err_row("PRT: request JWS with two parts", BAD_REQ,
        lambda: prt_raw_request(b64url(b'{"alg":"RS256"}') + "." + b64url(b"{}")))
err_row("PRT: request JWS with a bad base64url header", BAD_REQ,
        lambda: prt_raw_request("e*J.eyJ9." + b64url(os.urandom(64))))
err_row("PRT: request JWS whose header is not JSON", BAD_REQ,
        lambda: prt_raw_request(b64url(b"not json") + "." + b64url(b"{}") + "."
                                + b64url(os.urandom(256))))
err_row("PRT: no request field", BAD_REQ, lambda: cl().token(
    {"grant_type": GRANT_JWT_BEARER, "client_info": "1", "tgt": "true"}))
err_row("PRT: outer claims without assertion", MALFORMED_OR_GRANT,
        lambda: prt(outer={"assertion": None}))
err_row("PRT: outer claims without username", MALFORMED_OR_GRANT,
        lambda: prt(outer={"username": None}))


def disabled_user_prt():
    expect_json(admin("POST", "/users/%s/disable" % UPN["carol"]))
    return cl().prt(C1, UPN["carol"], HC1)


err_row("PRT: disabled user", BAD_GRANT, disabled_user_prt)
T.check("control: carol enabled again gets a PRT", lambda: (
    expect_json(admin("POST", "/users/%s/enable" % UPN["carol"])) is not None
    and good_prt(C1, HC1, UPN["carol"]) is not None))


def disabled_device_prt():
    expect_json(admin("POST", "/devices/%s/disable" % B1.device_id))
    return cl().prt(B1, UPN["bob"], HB1)


err_row("PRT: disabled device", BAD_GRANT, disabled_device_prt)
T.check("control: bob's device enabled again gets a PRT", lambda: (
    expect_json(admin("POST", "/devices/%s/enable" % B1.device_id)) is not None
    and good_prt(B1, HB1, UPN["bob"]) is not None))

# ---------------------------------------------------------------------------
# Renewal (§7) and policy (§8).
# ---------------------------------------------------------------------------

P0_ = setup("alice's PRT for the renewal rows", lambda: good_prt())


def p0():
    if P0_ is None:
        raise RuntimeError("no PRT for the renewal rows: that setup step failed")
    return P0_



def renewal_ok():
    r = cl().renew(p0().prt, p0().session_key)
    j = expect_json(r)
    p = PrtReply(j, A1.transport.priv, session_key=p0().session_key)
    return (p.session_key == p0().session_key and isinstance(p.prt, str) and p.prt,
            "session key changed or no PRT")


T.check("control: renewal with the KDF key gives a PRT with the same session key", renewal_ok)
err_row("renewal signed with a random key", BAD_GRANT,
        lambda: cl().renew(p0().prt, p0().session_key, key=os.urandom(32)))
err_row("renewal signed with the session key itself (no KDF)", BAD_GRANT,
        lambda: cl().renew(p0().prt, p0().session_key, key=p0().session_key))


def renewal_ctx_mismatch():
    c = cl()
    key = kdf(p0().session_key, os.urandom(24))
    return c.renew(p0().prt, p0().session_key, key=key, ctx=os.urandom(24))


err_row("renewal whose ctx header is not the context of its key", BAD_GRANT,
        renewal_ctx_mismatch)


def tampered_prt():
    t = p0().prt
    i = len(t) // 2
    t = t[:i] + ("A" if t[i] != "A" else "B") + t[i + 1:]
    return cl().renew(t, p0().session_key)


err_row("renewal with a tampered PRT", BAD_GRANT, tampered_prt)


def renewal_replay():
    c = cl()
    n = c.nonce()
    expect_json(c.renew(p0().prt, p0().session_key, nonce=n))
    return cl().renew(p0().prt, p0().session_key, nonce=n)


err_row("renewal with a replayed nonce", BAD_GRANT, renewal_replay)


def policy_ok():
    j = expect_json(cl().policy(A1, UPN["alice"]))
    pol = j.get("policies", {})
    want = {policy_node(TENANT, "UsePassportForWork"): "true",
            policy_node(TENANT, "UseCloudTrustForOnPremAuth"): "false"}
    bad = ["%s = %r, want %r" % (k, pol.get(k), v) for k, v in want.items() if pol.get(k) != v]
    return bad + (["values are not all strings"]
                  if not all(isinstance(v, str) for v in pol.values()) else [])


T.check("control: policy fetch gives the defaults as strings under the tenant's node", policy_ok)
err_row("policy fetch signed by a key that is not the certificate's",
        ((400, 401), ("invalid_grant", "unauthorized"), (50126, 40101)),
        lambda: cl().policy(A1, key=Key.rsa()))

LEAVE_REFUSED = ((401,), ("unauthorized",), (40101,))
err_row("leave: a device-signed request without purpose (policy-shaped)", LEAVE_REFUSED,
        lambda: cl().leave(A1, purpose=None))
err_row("leave: purpose is not \"leave\"", LEAVE_REFUSED, lambda: cl().leave(A1, purpose="policy"))
err_row("leave: signed by a key that is not the certificate's", LEAVE_REFUSED,
        lambda: cl().leave(A1, key=Key.rsa()))


def leave_replay():
    n = cl().nonce()
    expect_json(cl().policy(A1, nonce=n))
    return cl().leave(A1, nonce=n)


err_row("leave: a nonce already spent", LEAVE_REFUSED, leave_replay)
T.check("after the refused leave requests the device is still there and gets a policy",
        lambda: isinstance(expect_json(cl().policy(A1)).get("policies"), dict))

# ---------------------------------------------------------------------------
# Admin API (§9).
# ---------------------------------------------------------------------------

err_row("admin: no Authorization", UNAUTH, lambda: cl().admin("GET", "/users"))
err_row("admin: wrong token", UNAUTH,
        lambda: cl().admin("GET", "/users", token=b64url(os.urandom(32))))
err_row("admin: right token, Basic scheme", UNAUTH, lambda: cl().admin(
    "GET", "/users", headers={"Authorization": "Basic " + b64(("admin:" + ADMIN_TOKEN).encode())}))
err_row("admin: a protocol access token is not an admin token", UNAUTH,
        lambda: cl().admin("GET", "/users", token=BOUND["alice"]))


def audit_after_401():
    # Diff by id: the instance with the clock ahead wrote events "in the future".
    ids = {e.get("id") for e in expect_json(admin("GET", "/audit?limit=500"))["events"]}
    r = cl().admin("POST", "/users", {"upn": "mallory@" + DOMAIN, "display_name": "M",
                                     "password": "x" * 12}, token="wrong")
    new = [e for e in expect_json(admin("GET", "/audit?limit=500"))["events"]
           if e.get("id") not in ids]
    return (r.status_code == 401 and any(e.get("outcome") == "deny" for e in new)
            and not any("mallory" in str(e.get("actor", "")) or e.get("outcome") == "change"
                        for e in new),
            "HTTP %d; new audit events %r" % (r.status_code, new))


T.check("admin: a refused admin call writes a new deny audit event (actor is not the "
        "user it tried to create)", audit_after_401)
err_row("admin: unknown user", NOT_FOUND, lambda: admin("GET", "/users/nobody@" + DOMAIN))
err_row("admin: add an existing user", CONFLICT, lambda: admin(
    "POST", "/users", {"upn": UPN["alice"], "display_name": "A", "password": "Another-pw-123"}))
err_row("admin: add an existing user, upper case UPN", CONFLICT, lambda: admin(
    "POST", "/users", {"upn": UPN["alice"].upper(), "display_name": "A",
                       "password": "Another-pw-123"}))
err_row("admin: add user with malformed JSON", BAD_REQ,
        lambda: admin("POST", "/users", raw=b'{"upn": '))
err_row("admin: add user with duplicate JSON keys", BAD_REQ, lambda: admin(
    "POST", "/users", raw=('{"upn": "eve@%s", "upn": "evil@%s", "display_name": "E", '
                           '"password": "Pw-123456789"}' % (DOMAIN, DOMAIN)).encode()))
err_row("admin: add user without password", BAD_REQ,
        lambda: admin("POST", "/users", {"upn": "eve@" + DOMAIN, "display_name": "E"}))
err_row("admin: unknown user's MFA enrollment", NOT_FOUND,
        lambda: admin("POST", "/users/nobody@%s/mfa" % DOMAIN))
err_row("admin: on-prem identity with a malformed SID", BAD_REQ, lambda: admin(
    "PUT", "/users/%s/onprem" % UPN["bob"],
    {"sam_account_name": "bob", "domain_name": DOMAIN, "sid": "S-1-x-banana"}))
err_row("admin: MinimumPINLength 3 (range 4-127)", BAD_REQ, lambda: admin(
    "PUT", "/policies", {"node": "PINComplexity/MinimumPINLength", "value": "3"}))
err_row("admin: unknown policy node", BAD_REQ,
        lambda: admin("PUT", "/policies", {"node": "MakeEverythingSecure", "value": "true"}))
err_row("admin: UseCloudTrustForOnPremAuth = maybe", BAD_REQ, lambda: admin(
    "PUT", "/policies", {"node": "UseCloudTrustForOnPremAuth", "value": "maybe"}))
err_row("admin: policy for an unknown group", NOT_FOUND, lambda: admin(
    "PUT", "/policies", {"node": "UsePassportForWork", "value": "true", "group": "nogroup"}))
KS_KEY = {"enctype": 18, "key_version": 2, "key_hex": binascii.hexlify(os.urandom(32)).decode()}
err_row("admin: Kerberos server with RODC number 0", BAD_REQ, lambda: admin(
    "PUT", "/kerberos-servers/" + DOMAIN,
    {"realm": DOMAIN.upper(), "rodc_number": 0, "key": KS_KEY}))
err_row("admin: Kerberos server with RODC number 65536", BAD_REQ, lambda: admin(
    "PUT", "/kerberos-servers/" + DOMAIN,
    {"realm": DOMAIN.upper(), "rodc_number": 65536, "key": KS_KEY}))
err_row("admin: Kerberos server key of 31 bytes for AES-256", BAD_REQ, lambda: admin(
    "PUT", "/kerberos-servers/" + DOMAIN,
    {"realm": DOMAIN.upper(), "rodc_number": 7,
     "key": dict(KS_KEY, key_hex=binascii.hexlify(os.urandom(31)).decode())}))
err_row("admin: Kerberos server key with RC4 enctype 23", BAD_REQ, lambda: admin(
    "PUT", "/kerberos-servers/" + DOMAIN,
    {"realm": DOMAIN.upper(), "rodc_number": 7,
     "key": dict(KS_KEY, enctype=23, key_hex=binascii.hexlify(os.urandom(16)).decode())}))
err_row("admin: unknown Kerberos server", NOT_FOUND,
        lambda: admin("GET", "/kerberos-servers/nowhere.example.test"))
err_row("admin: delete an unknown device", NOT_FOUND,
        lambda: admin("DELETE", "/devices/" + str(uuid.uuid4())))
err_row("admin: disable an unknown device", NOT_FOUND,
        lambda: admin("POST", "/devices/%s/disable" % uuid.uuid4()))


def group_twice():
    admin("POST", "/groups", {"name": "staff-neg"})
    return admin("POST", "/groups", {"name": "staff-neg"})


err_row("admin: add an existing group", CONFLICT, group_twice)
err_row("admin: add a member to an unknown group", NOT_FOUND, lambda: admin(
    "POST", "/groups/nogroup/members/add", {"upn": UPN["alice"]}))
err_row("admin: add an unknown user to a group", NOT_FOUND, lambda: admin(
    "POST", "/groups/staff-neg/members/add", {"upn": "nobody@" + DOMAIN}))

# ---------------------------------------------------------------------------
# Afterwards: still serving, nothing half-written.
# ---------------------------------------------------------------------------


def healthz():
    r = cl().request("GET", "/healthz")
    return (r.status_code == 200 and r.json().get("status") == "ok", describe(r))


T.check("after the table: /healthz answers 200 {\"status\": \"ok\"}", healthz)
T.check("after the table: the device list is the one after setup (refused joins added nothing)",
        lambda: (lambda now: (now == DEVICES_AFTER_SETUP, "setup %r, now %r"
                              % (DEVICES_AFTER_SETUP, now)))(sorted(
                                  d["id"].lower()
                                  for d in expect_json(admin("GET", "/devices"))["devices"])))
err_row("after the table: the key refused for a token without deviceid is not registered",
        BAD_GRANT, lambda: cl().prt(A1, UPN["alice"], UNBOUND_KEY))
err_row("after the table: the key refused on a disabled device is not registered", BAD_GRANT,
        lambda: cl().prt(B2, UPN["bob"], DISABLED_DEV_KEY))
err_row("after the table: the key refused for a stale MFA token is not registered", BAD_GRANT,
        lambda: cl().prt(A1, UPN["alice"], STALE_KEY))


def enabled_again():
    expect_json(admin("POST", "/users/%s/enable" % UPN["dora"]))
    return sign_in("dora") is not None


T.check("control: dora (disabled in the first-factor rows) enabled again signs in",
        enabled_again)
T.check("after the table: alice's registered keys still sign in (RSA and P-256)",
        lambda: good_prt() is not None and good_prt(A2, HA2) is not None)


def audit_denies():
    ev = expect_json(admin("GET", "/audit?limit=500"))["events"]
    denies = [e for e in ev if e.get("outcome") == "deny"]
    grants = [e for e in ev if e.get("outcome") == "grant"]
    at = [e.get("at") for e in ev]
    return [p for p in [
        None if len(denies) >= 30 else "only %d deny events" % len(denies),
        None if grants else "no grant events",
        None if at == sorted(at, reverse=True) else "not newest first",
        None if any(e.get("actor") == UPN["alice"] and e.get("outcome") == "grant" for e in ev)
        else "no grant event with actor alice",
    ] if p]


T.check("after the table: audit lists the refusals (deny) and grants, newest first",
        audit_denies)

sys.exit(T.done())
