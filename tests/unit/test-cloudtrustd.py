#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""cloudtrustd as a process: options, configuration errors and exit codes,
/healthz over HTTP and HTTPS, the pidfile, SIGHUP, clean shutdown on
SIGTERM/SIGINT, --daemon with its readiness pipe, sd_notify, journal lines.

Usage: test-cloudtrustd.py PATH-TO-cloudtrustd   (prints TAP)
"""
import http.client
import json
import os
import re
import select
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

BINARY = sys.argv[1]
STATE = None  # a state directory made by "cloudtrustd init" in main()
checks = 0
failed = 0


def check(ok, what):
    global checks, failed
    checks += 1
    if not ok:
        failed += 1
    print(("ok" if ok else "not ok") + " %d - %s" % (checks, what), flush=True)
    return ok


def run(*args, env=None):
    return subprocess.run([BINARY, *args], capture_output=True, text=True,
                          timeout=30, env=env)


class Daemon:
    """cloudtrustd in the foreground; reads its stderr until a line matches."""

    def __init__(self, *args, env=None):
        self.p = subprocess.Popen([BINARY, "--foreground", *args],
                                  stderr=subprocess.PIPE, env=env)
        self.fd = self.p.stderr.fileno()
        self.buf = b""
        self.lines = []

    def _read(self, timeout):
        """Moves complete lines from the pipe to self.lines; False at EOF."""
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return True
        chunk = os.read(self.fd, 65536)
        self.buf += chunk
        *done, self.buf = self.buf.split(b"\n")
        self.lines += [l.decode(errors="replace") for l in done]
        return bool(chunk)

    def wait_line(self, pattern, timeout=10):
        seen = 0
        end = time.time() + timeout
        while True:
            for line in self.lines[seen:]:
                m = re.search(pattern, line)
                if m:
                    self.lines.remove(line)
                    return m
            seen = len(self.lines)
            if time.time() > end or not self._read(0.2):
                return None

    def stop(self, sig=signal.SIGTERM):
        self.p.send_signal(sig)
        try:
            rc = self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = None
        while self._read(0):
            pass
        return rc


def get(port, path, tls_ctx=None):
    if tls_ctx is None:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    else:
        c = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=tls_ctx)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    version = c.sock.version() if tls_ctx is not None else None
    c.close()
    return r, body, version


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_options(tmp):
    r = run("--version")
    check(r.returncode == 0 and re.match(r"cloudtrustd \d+\.\d+", r.stdout), "--version")
    r = run("--help")
    check(r.returncode == 0 and "--config" in r.stdout and "issuer_url" in r.stdout
          and "exit status" in r.stdout, "--help lists options and keys")
    r = run("--no-such-option")
    check(r.returncode == 2, "unknown option: exit 2")
    r = run("extra")
    check(r.returncode == 2 and "unexpected argument" in r.stderr, "stray argument: exit 2")
    r = run("--config", tmp + "/missing.conf")
    check(r.returncode == 2 and "missing.conf" in r.stderr, "missing config file: exit 2")

    conf = tmp + "/bad.conf"
    with open(conf, "w") as f:
        f.write("# comment\nthreads = 2\nbogus = 1\n")
    r = run("--config", conf)
    check(r.returncode == 2 and "bad.conf:3: unknown key \"bogus\"" in r.stderr,
          "bad key: exit 2 with file and line")
    r = run("--set", "threads=lots", "--check-config")
    check(r.returncode == 2 and "threads must be an integer" in r.stderr, "bad --set: exit 2")

    good = tmp + "/good.conf"
    with open(good, "w") as f:
        f.write("threads = 2\nlog_level = warning\nstate_dir = /srv/ct\n")
    r = run("--config", good, "--set", "threads=3", "--log-level", "debug",
            "--insecure-http", "--check-config")
    check(r.returncode == 0, "--check-config: exit 0")
    check("threads = 3\n" in r.stdout and "log_level = debug\n" in r.stdout,
          "the command line overrides the file")
    check("insecure_http = true\n" in r.stdout, "a bool long option alone means true")
    check("database = sqlite:/srv/ct/cloudtrust.db\n" in r.stdout,
          "defaults follow state_dir from the file")
    r = run("--config", good, "--insecure-http=false", "--check-config")
    check("insecure_http = false\n" in r.stdout, "--insecure-http=false")


def test_foreground_http(tmp):
    pidfile = tmp + "/fg.pid"
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(tmp + "/notify.sock")
    notify.settimeout(10)
    env = dict(os.environ, NOTIFY_SOCKET=tmp + "/notify.sock")
    env.pop("JOURNAL_STREAM", None)
    d = Daemon("--set", "listen=127.0.0.1:0", "--insecure-http", "--state-dir", STATE,
               "--pidfile", pidfile, "--threads", "2", env=env)
    m = d.wait_line(r"listening on 127\.0\.0\.1:0 \(port (\d+), http\)")
    if not check(m is not None, "foreground daemon starts and logs its port"):
        d.stop(signal.SIGKILL)
        print("# " + "\n# ".join(d.lines))
        return
    port = int(m.group(1))
    check(any("INSECURE" in l for l in d.lines), "plain HTTP is logged as insecure")
    check(notify.recv(256) == b"READY=1", "sd_notify READY=1")
    with open(pidfile) as f:
        check(f.read() == "%d\n" % d.p.pid, "pidfile holds the pid")
    check(os.stat(pidfile).st_mode & 0o777 == 0o644, "pidfile is mode 0644")

    r, body, _ = get(port, "/healthz")
    check(r.status == 200 and json.loads(body) == {"status": "ok"}, "GET /healthz")
    check(r.getheader("Cache-Control") == "no-store"
          and r.getheader("X-Content-Type-Options") == "nosniff", "security headers")
    r, body, _ = get(port, "/nope")
    check(r.status == 404 and json.loads(body)["error"] == "not_found", "404 JSON")
    check(d.wait_line(r"GET /nope 404 \d+us trace=[0-9a-f-]{36}") is not None,
          "the access log line carries the trace id")

    d.p.send_signal(signal.SIGHUP)
    check(d.wait_line(r"SIGHUP: logs reopened") is not None, "SIGHUP reopens logs")
    r, _, _ = get(port, "/healthz")
    check(r.status == 200, "still serving after SIGHUP")

    rc = d.stop(signal.SIGTERM)
    check(rc == 0, "SIGTERM: exit 0")
    check(notify.recv(256) == b"STOPPING=1", "sd_notify STOPPING=1")
    check(not os.path.exists(pidfile), "pidfile removed on exit")
    check(any("stopped" in l for l in d.lines), "logs that it stopped")
    notify.close()


def test_https(tmp):
    cert, key = tmp + "/cert.pem", tmp + "/key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    d = Daemon("--set", "listen=127.0.0.1:0", "--tls-cert", cert, "--tls-key", key,
               "--state-dir", STATE)
    m = d.wait_line(r"\(port (\d+), https\)")
    if not check(m is not None, "HTTPS daemon starts"):
        d.stop(signal.SIGKILL)
        print("# " + "\n# ".join(d.lines))
        return
    ctx = ssl.create_default_context(cafile=cert)
    r, body, version = get(int(m.group(1)), "/healthz", ctx)
    check(r.status == 200 and json.loads(body) == {"status": "ok"}, "GET /healthz over TLS")
    check(version in ("TLSv1.3", "TLSv1.2"), "TLS 1.2 or 1.3 (%s)" % version)
    check(d.stop(signal.SIGINT) == 0, "SIGINT: exit 0")

    r = run("--set", "listen=127.0.0.1:0", "--tls-cert", tmp + "/none.pem",
            "--tls-key", key)
    check(r.returncode == 1 and "none.pem" in r.stderr, "missing certificate: exit 1")


def test_runtime_errors(tmp):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    r = run("--set", "listen=127.0.0.1:%d" % busy.getsockname()[1], "--insecure-http",
            "--state-dir", STATE)
    check(r.returncode == 1 and "cannot serve" in r.stderr, "port in use: exit 1")
    busy.close()


def stop_detached(pid, pidfile):
    """SIGTERM to a detached daemon; True once it has removed its pidfile."""
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if not os.path.exists(pidfile):
            return True
        time.sleep(0.1)
    return False


def test_daemon_mode(tmp):
    pidfile = tmp + "/d.pid"
    port = free_port()
    args = ["--daemon", "--set", "listen=127.0.0.1:%d" % port, "--insecure-http",
            "--pidfile", pidfile, "--state-dir", STATE]
    r = run(*args)
    check(r.returncode == 0, "--daemon returns 0 once the daemon is ready")
    try:
        with open(pidfile) as f:
            pid = int(f.read())
    except OSError:
        check(False, "daemon wrote its pidfile")
        return
    check(True, "daemon wrote its pidfile")
    resp, body, _ = get(port, "/healthz")
    check(resp.status == 200, "daemon serves /healthz")
    r = run(*args)
    check(r.returncode == 1, "a second instance on the same pidfile fails (exit 1)")
    with open(pidfile) as f:
        check(int(f.read()) == pid, "the second instance left the pidfile alone")
    check(stop_detached(pid, pidfile), "SIGTERM stops the daemon and removes the pidfile")

    # A stale pidfile (its process is gone) is replaced.
    with open(pidfile, "w") as f:
        f.write("999999999\n")
    r = run(*args)
    check(r.returncode == 0, "a stale pidfile is replaced")
    with open(pidfile) as f:
        check(stop_detached(int(f.read()), pidfile), "and stops again")


def test_journal(tmp):
    rfd, wfd = os.pipe()
    st = os.fstat(wfd)
    env = dict(os.environ, JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino))
    p = subprocess.Popen([BINARY, "--set", "listen=127.0.0.1:0", "--insecure-http",
                          "--state-dir", STATE], stderr=wfd, env=env)
    os.close(wfd)
    out = b""
    end = time.time() + 10
    while b"listening" not in out and time.time() < end:
        r, _, _ = select.select([rfd], [], [], 0.2)
        if r:
            out += os.read(rfd, 4096)
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=10)
    os.close(rfd)
    check(re.search(rb"^<5>cloudtrustd \S+ listening", out, re.M) is not None,
          "journal lines: <level> prefix, no timestamp")
    check(re.search(rb"^<4>warning: serving plain HTTP", out, re.M) is not None,
          "journal warning line")


def main():
    global STATE
    with tempfile.TemporaryDirectory(prefix="ct-daemon-") as tmp:
        STATE = tmp + "/state"
        r = run("init", "--state-dir", STATE, "--tenant-name", "Daemon Test")
        check(r.returncode == 0, "cloudtrustd init makes a state directory")
        test_options(tmp)
        test_foreground_http(tmp)
        test_https(tmp)
        test_runtime_errors(tmp)
        test_daemon_mode(tmp)
        test_journal(tmp)
    print("1..%d" % checks)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
