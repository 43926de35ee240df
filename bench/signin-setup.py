#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""signin-setup - identities for the sign-in benchmark (bench/signin-bench).

Against a running cloudtrustd, through the independent Python client
(tests/server/ctclient.py) and the admin API (docs/PROTOCOL.md §9):

  - publishes a Kerberos server object for the domain (realm in upper case,
    RODC number 4242, key version 1, a random AES-256 key: no DC is needed,
    the service mints the partial TGT and nobody exchanges it here);
  - for each key kind asked for (rsa: RSA-2048 device and Hello keys, the
    compatible form; ec: P-256 device and Hello keys, ours) creates USERS
    users bench-KIND-I@DOMAIN with MFA and an on-prem identity (SID
    S-1-5-21-1-2-3-<1000+n>), signs each in with password + TOTP, joins a
    device (transport key RSA-2048 in both kinds: PROTOCOL.md §4), signs in
    again bound to the device and registers the Hello key;
  - writes one JSON file per identity, OUT/KIND-I.json (mode 0600, OUT is
    0700): kind, upn, tenant, kid, device_id, device_cert_der_b64 (standard
    base64 DER), device_key_pem, hello_key_pem, transport_key_pem (PKCS#8).

Each user's requests come from a source address of their own (127.3.x.y),
so the per-source sign-in throttle of §3 never couples users.  The second
password + TOTP sign-in of a user uses the code of the next 30-second step
(PROTOCOL.md §3: the current step ±1 is accepted, each step once per user),
so setup does not wait for the clock; if the server refuses that
code, it waits for the real next step and tries once more.

Prints "identities=N" and "dir=OUT" on success; exit status 0 ok, 1 failure
(the reason on stderr), 2 usage.
"""

import argparse
import concurrent.futures
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "server"))
from cryptography.hazmat.primitives import serialization  # noqa: E402
from ctclient import (  # noqa: E402
    Client, Device, Key, Otp, b64, describe, expect_json, write_private)

RODC_NUMBER = 4242
KEY_VERSION = 1
ENCTYPE_AES256 = 18
FIRST_RID = 1000
KINDS = ("rsa", "ec")


class SetupError(Exception):
    pass


def pem(key):
    return key.priv.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()).decode("ascii")


def new_key(kind):
    return Key.rsa(2048) if kind == "rsa" else Key.p256()


def source_address(n):
    """A loopback address of its own for user n (1..62500)."""
    return "127.3.%d.%d" % (n // 250, n % 250 + 1)


class Setup:
    def __init__(self, args):
        self.a = args
        self.token = open(args.admin_token_file).read().strip()
        self.admin_client = Client(args.url, args.cacert, args.tenant)

    def admin(self, method, path, body=None, status=200):
        r = self.admin_client.admin(method, path, body, token=self.token)
        if r.status_code != status:
            raise SetupError("%s /admin/v1%s: %s" % (method, path, describe(r)))
        return r.json() if r.status_code != 204 else None

    def tenant_and_server(self):
        domain = self.a.domain.lower()
        t = self.admin("GET", "/tenant")
        if domain not in [d.lower() for d in t.get("domains", [])]:
            self.admin("POST", "/tenant/domains", {"domain": domain}, status=201)
        ks = self.admin("PUT", "/kerberos-servers/" + domain, {
            "realm": domain.upper(), "rodc_number": RODC_NUMBER,
            "display_name": "AzureADKerberos (benchmark)",
            "key": {"enctype": ENCTYPE_AES256, "key_version": KEY_VERSION,
                    "key_hex": os.urandom(32).hex()}})
        if (ks.get("primary") or {}).get("key_version") != KEY_VERSION:
            raise SetupError("kerberos server object not published: %r" % ks)

    def identity(self, kind, i, n):
        """User n (global index), the i-th of its kind; returns the file path."""
        domain = self.a.domain.lower()
        upn = "bench-%s-%d@%s" % (kind, i, domain)
        pw = "Bench-%s!" % os.urandom(12).hex()
        c = Client(self.a.url, self.a.cacert, self.a.tenant,
                   source_address=source_address(n))
        self.admin("POST", "/users", {"upn": upn, "display_name": "Bench %s %d" % (kind, i),
                                      "password": pw}, status=201)
        otp = Otp(self.admin("POST", "/users/%s/mfa" % upn)["otpauth_uri"])
        self.admin("PUT", "/users/%s/onprem" % upn, {
            "sam_account_name": "bench%s%d" % (kind, i), "domain_name": domain,
            "sid": "S-1-5-21-1-2-3-%d" % (FIRST_RID + n), "upn": upn})

        tok = expect_json(c.password_otp(upn, pw, otp.fresh()))["access_token"]
        dev = Device(key=new_key(kind), transport=Key.rsa(2048),
                     name="bench-%s-%d" % (kind, i))
        dev.absorb_join(expect_json(c.join(tok, dev)))

        # The next step's code: inside the server's one-step window.
        step = otp.last_step + 1
        r = c.password_otp(upn, pw, otp.code_at(step * otp.period), device=dev)
        if r.status_code != 200:
            r = c.password_otp(upn, pw, otp.fresh(), device=dev)
        bound = expect_json(r)["access_token"]

        hello = new_key(kind)
        reg = expect_json(c.register_key(bound, hello.blob()))
        if reg.get("kid") != hello.kid():
            raise SetupError("%s: kid %r, want %r" % (upn, reg.get("kid"), hello.kid()))
        path = os.path.join(self.a.out, "%s-%d.json" % (kind, i))
        write_private(path, json_text({
            "kind": kind, "upn": upn, "tenant": self.a.tenant, "kid": hello.kid(),
            "device_id": dev.device_id, "device_cert_der_b64": b64(dev.cert_der),
            "device_key_pem": pem(dev.key), "hello_key_pem": pem(hello),
            "transport_key_pem": pem(dev.transport)}))
        return path


def json_text(obj):
    return json.dumps(obj, indent=1, sort_keys=True) + "\n"


def main():
    p = argparse.ArgumentParser(description="Identities for bench/signin-bench.")
    p.add_argument("--url", required=True, help="https://127.0.0.1:PORT")
    p.add_argument("--cacert", required=True, help="STATE/tls/ca.pem")
    p.add_argument("--admin-token-file", required=True, help="STATE/admin.token")
    p.add_argument("--tenant", required=True, help="tenant id")
    p.add_argument("--out", required=True, help="output directory (created 0700)")
    p.add_argument("--users", type=int, default=8, help="users per key kind (default 8)")
    p.add_argument("--keys", choices=KINDS + ("both",), default="both")
    p.add_argument("--domain", default="corp.example.test")
    p.add_argument("--jobs", type=int, default=4, help="users set up at once (default 4)")
    a = p.parse_args()
    if not 1 <= a.users <= 1000 or not 1 <= a.jobs <= 32:
        p.error("--users must be 1..1000 and --jobs 1..32")
    if not a.url.startswith("https://127.0.0.1:"):
        p.error("--url must be https://127.0.0.1:PORT (the benchmark stays on loopback)")
    os.makedirs(a.out, mode=0o700, exist_ok=True)
    os.chmod(a.out, 0o700)
    kinds = KINDS if a.keys == "both" else (a.keys,)
    t0 = time.monotonic()
    try:
        s = Setup(a)
        s.tenant_and_server()
        work = [(k, i, n + 1) for n, (k, i) in
                enumerate((k, i) for k in kinds for i in range(a.users))]
        with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
            paths = list(ex.map(lambda w: s.identity(*w), work))
    except (SetupError, RuntimeError, OSError, KeyError, ValueError) as e:
        print("signin-setup: %s" % e, file=sys.stderr)
        return 1
    print("identities=%d" % len(paths))
    print("dir=%s" % a.out)
    print("setup_s=%.1f" % (time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
