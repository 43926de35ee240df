#!/usr/bin/env bash
# cloudtrust-admin tenant init runs cloudtrustd init on this machine (TAP).
set -u
admin=${1:?usage: test-admin-tenant-init.sh CLOUDTRUST-ADMIN CLOUDTRUSTD}
export CLOUDTRUSTD=${2:?}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
n=0 bad=0
t() { n=$((n + 1)); if "${@:2}"; then echo "ok $n - $1"; else echo "not ok $n - $1"; bad=$((bad + 1)); fi; }

out=$("$admin" tenant init --state-dir "$d/s" --tenant-name Fabrikam --domain fabrikam.test 2>&1)
t "init succeeds" test $? -eq 0
t "prints the tenant id" grep -Eq '^tenant [0-9a-f-]{36}$' <<<"$out"
t "master key is 0600" test "$(stat -c %a "$d/s/master.key")" = 600
t "admin token is 0600" test "$(stat -c %a "$d/s/admin.token")" = 600
t "clients can read the CA" test "$(stat -c %a "$d/s/tls/ca.pem")" = 644
"$admin" tenant init --state-dir "$d/s" --tenant-name Again >/dev/null 2>&1
t "a second init is refused (exit 1)" test $? -eq 1
"$admin" tenant init --tenant-name X >/dev/null 2>&1
t "missing --state-dir is a usage error (exit 2)" test $? -eq 2
CLOUDTRUSTD=/nonexistent/cloudtrustd "$admin" tenant init --state-dir "$d/t" --tenant-name X >/dev/null 2>&1
t "a missing cloudtrustd is an error (exit 1)" test $? -eq 1
t "and leaves nothing behind" test ! -e "$d/t/master.key"
echo "1..$n"
((bad == 0))
