#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""PIN-to-full-TGT latency, software keystore and swtpm (bench/README.md).

Sets up a real cloudtrustd and the lab DC (tests/client/lib/e2e_env.py), one
device per keystore kind, alice joined and enrolled on each with cloud trust
on, then runs logon-bench (in process: ct_client_logon N times) on each and
prints its name=value lines.  Exits non-zero when any sign-in fails.

    run-logon-bench.py BUILD_DIR [--n N] [--argon2-m-kib K]

The software keystore uses the client's default Argon2id cost (t=3, 64 MiB)
unless --argon2-m-kib lowers it: the PIN check is most of its latency.
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "client", "lib"))
from e2e_env import Env, SetupError, Swtpm  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--argon2-m-kib", type=int, default=65536)
    a = ap.parse_args()
    bench = os.path.join(os.path.abspath(a.build), "bench", "logon-bench")
    failed = False
    try:
        env = Env(a.build)
    except SetupError as e:
        print("run-logon-bench: %s" % e, file=sys.stderr)
        return 1
    tpm = None
    try:
        alice = env.user("alice")
        env.admin("policy", "set", "UseCloudTrustForOnPremAuth", "true")
        tpm = Swtpm(env.work)
        devices = [("soft", env.device("soft", keystore="soft", extra_conf={
                       "argon2_t": "3", "argon2_m_kib": str(a.argon2_m_kib)})),
                   ("tpm", env.device("tpm", keystore="tpm", extra_conf={"tcti": tpm.tcti}))]
        pin = "48213579"
        for label, dev in devices:
            for step, p in (("join", dev.join(alice)), ("enroll", dev.enroll(alice, pin))):
                if p.returncode != 0:
                    print("run-logon-bench: %s %s failed: %s" % (label, step, p.stdout + p.stderr),
                          file=sys.stderr)
                    return 1
            pin_file = dev.pin_file(pin, "bench-pin")
            print("%s_argon2_m_kib=%d" % (label, a.argon2_m_kib) if label == "soft"
                  else "tpm_kind=swtpm", flush=True)
            r = subprocess.run([bench, "--config", dev.conf, "--user", alice.local,
                                "--pin-file", pin_file, "--n", str(a.n), "--label", label],
                               capture_output=True, text=True, env=dict(env.child_env(),
                                                                        TSS2_LOG="all+NONE"))
            sys.stdout.write(r.stdout)
            sys.stderr.write(r.stderr[-2000:])
            failed = failed or r.returncode != 0
    finally:
        if tpm is not None:
            tpm.close()
        env.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
