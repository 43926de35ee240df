#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""capture-replies.py BUILD_DIR OUT_DIR [VECTOR_DIR] - real cloudtrustd
replies as seeds for fuzz/fuzz-client-reply.c (and the client-proto unit
test).

Starts a cloudtrustd and the lab (e2e_env.py), walks every flow the client
speaks with the independent Python client (tests/server/ctclient.py), and
writes each reply body to OUT_DIR/<kind>-<name>, prefixed with the kind
byte the fuzz target reads: d discovery, n nonce, t token, j join, k key
registration, p PRT / renewal, e error (then one byte: HTTP status - 300).

Refusals are captured too (unknown tenant, wrong password, a stale MFA
token, a disabled device's PRT request).

With VECTOR_DIR, one PRT reply becomes a golden vector for the C decoders:
prt-reply.json (the body), transport-key.pem (the test device's transport
key, made for this capture only), and what the Python client opened from
them: session-key.hex and reply-key.hex.  Run as root:

    /usr/bin/python3 tests/client/lib/capture-replies.py build \
        fuzz/corpus/client-reply tests/data/client
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from e2e_env import Env  # noqa: E402
from ctclient import Client, Device, Key  # noqa: E402


def main(build, outdir, vecdir=None):
    os.makedirs(outdir, exist_ok=True)

    def save(kind, name, r):
        if kind == "e":
            data = b"e" + bytes([r.status_code - 300]) + r.content
        else:
            if r.status_code != 200:
                raise RuntimeError("%s: HTTP %d %s" % (name, r.status_code, r.text[:300]))
            data = kind.encode() + r.content
        with open(os.path.join(outdir, "%s-%s" % (kind, name)), "wb") as f:
            f.write(data)

    with Env(build) as env:
        alice = env.user("alice")
        bob = env.user("bob", onprem=False)
        env.admin("policy", "set", "UseCloudTrustForOnPremAuth", "true")
        c = Client(env.url, env.cacert, env.tenant)
        later = Client(env.url_later, env.cacert, env.tenant)
        save("d", "discovery", c.discovery())
        save("e", "unknown-tenant", c.discovery(tenant="00000000-0000-0000-0000-000000000000"))
        save("n", "nonce", c.token({"grant_type": "srv_challenge"}))
        save("e", "wrong-password", c.password_otp(alice.upn, "wrong", alice.code()))
        tok = c.password_otp(alice.upn, alice.password, alice.code())
        save("t", "access-token", tok)
        dev = Device(key=Key.p256(), name="capture")
        r = c.join(tok.json()["access_token"], dev)
        save("j", "join-p256", r)
        dev.absorb_join(r.json())
        bound = c.password_otp(alice.upn, alice.password, alice.code(), device=dev)
        save("t", "bound-token", bound)
        hello = Key.p256()
        save("k", "kpp-ecs1", c.register_key(bound.json()["access_token"], hello.blob()))
        save("e", "kpp-conflict", c.register_key(bound.json()["access_token"], hello.blob()))
        save("e", "kpp-stale-mfa", later.register_key(bound.json()["access_token"],
                                                      Key.p256().blob()))
        save("p", "prt-tgt-ad", c.prt(dev, alice.upn, hello, form={"session_key_alg":
                                                                      "RSA-OAEP-256"}))
        p = c.prt(dev, alice.upn, hello)
        save("p", "prt-rsa-oaep", p)
        from ctclient import PrtReply
        pr = PrtReply(p.json(), dev.transport.priv)
        if vecdir:
            from cryptography.hazmat.primitives import serialization
            os.makedirs(vecdir, exist_ok=True)
            files = {
                "prt-reply.json": p.content,
                "transport-key.pem": dev.transport.priv.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption()),
                "session-key.hex": (pr.session_key.hex() + "\n").encode(),
                "reply-key.hex": (pr.reply_key.hex() + "\n").encode(),
            }
            for name, data in files.items():
                with open(os.path.join(vecdir, name), "wb") as f:
                    f.write(data)
        save("p", "renewal", c.renew(pr.prt, pr.session_key))
        save("e", "renewal-bad-key", c.renew(pr.prt, os.urandom(32)))
        # bob: no on-prem identity -> tgt_ad.error
        btok = c.password_otp(bob.upn, bob.password, bob.code())
        bdev = Device(key=Key.p256(), name="capture-bob")
        bdev.absorb_join(c.join(btok.json()["access_token"], bdev).json())
        bb = c.password_otp(bob.upn, bob.password, bob.code(), device=bdev)
        bh = Key.p256()
        c.register_key(bb.json()["access_token"], bh.blob())
        save("p", "prt-no-onprem", c.prt(bdev, bob.upn, bh))
        env.admin("device", "disable", dev.device_id)
        save("e", "prt-device-disabled", c.prt(dev, alice.upn, hello))
        save("e", "policy-device-disabled", c.policy(dev))
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
