#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run-signin-bench.sh - the sign-in benchmark against a fresh cloudtrustd.
#
#   run-signin-bench.sh BUILD_DIR [--clients N] [--seconds S] [--keys rsa|ec|both]
#                       [--users K] [--count C] [--keep-log FILE]
#
# Makes a temporary state directory, runs `cloudtrustd init`, starts
# cloudtrustd on 127.0.0.1 port 0 (PID recorded, log to a file), waits
# (bounded) for STATE/cloudtrustd.port, sets up K users per key kind with
# signin-setup.py (default K = max(N, 2)), then for each key kind runs
# BUILD_DIR/bench/signin-bench and reads the daemon's utime + stime from
# /proc/PID/stat before and after it.  Prints signin-bench's name=value
# lines followed by server_cpu_us_per_signin= (server CPU time of the run /
# sign-ins), one block per key kind.  Stops the daemon with SIGTERM by its
# PID and removes the temporary directory.
#
# Exit status: 0 when every block had sign-ins and no failure (and the
# daemon ran to the end and stopped on SIGTERM), 1 otherwise, 2 usage.
# On failure the last lines of the daemon's and setup's logs go to stderr.
set -uo pipefail

PY=/usr/bin/python3
HERE=$(dirname "$(realpath "$0")")
START_TIMEOUT=${CT_SERVER_START_TIMEOUT:-30}
STOP_TIMEOUT=${CT_SERVER_STOP_TIMEOUT:-10}

usage() {
	echo "usage: $0 BUILD_DIR [--clients N] [--seconds S] [--keys rsa|ec|both]" \
		"[--users K] [--count C] [--keep-log FILE]" >&2
	exit 2
}
die() { echo "run-signin-bench: $*" >&2; exit 1; }
is_uint() { [[ $1 =~ ^[1-9][0-9]{0,8}$ ]]; }

[[ $# -ge 1 ]] || usage
BUILD=$(realpath "$1") || usage
shift
CLIENTS=1 SECONDS_=10 KEYS=both USERS='' COUNT='' KEEP_LOG=''
while [[ $# -gt 0 ]]; do
	[[ $# -ge 2 ]] || usage
	case $1 in
	--clients) CLIENTS=$2 ;;
	--seconds) SECONDS_=$2 ;;
	--keys) KEYS=$2 ;;
	--users) USERS=$2 ;;
	--count) COUNT=$2 ;;
	--keep-log) KEEP_LOG=$2 ;;
	*) usage ;;
	esac
	shift 2
done
{ is_uint "$CLIENTS" && is_uint "$SECONDS_"; } || usage
[[ -z $COUNT ]] || is_uint "$COUNT" || usage
case $KEYS in rsa | ec) KINDS=$KEYS ;; both) KINDS="rsa ec" ;; *) usage ;; esac
[[ -n $USERS ]] || USERS=$((CLIENTS > 2 ? CLIENTS : 2))
is_uint "$USERS" || usage

DAEMON=$BUILD/src/server/cloudtrustd
BENCH=$BUILD/bench/signin-bench
[[ -x $PY ]] || die "$PY is missing (Debian's python3 with python3-cryptography, python3-requests)"
[[ -x $DAEMON ]] || die "$DAEMON is not built"
[[ -x $BENCH ]] || die "$BENCH is not built"
TICKS=$(getconf CLK_TCK) || die "getconf CLK_TCK failed"

PID=
D=$(mktemp -d /tmp/ct-bench.XXXXXX) || die "mktemp failed"
S=$D/state
LOG=$D/daemon.log
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$PID" 2>/dev/null
	fi
	[[ -z $KEEP_LOG ]] || cp "$LOG" "$KEEP_LOG" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
mkdir -m 0700 "$S" || die "cannot create $S"

show_logs() {
	local f
	for f in "$D/init.out" "$D/setup.log" "$LOG"; do
		[[ -s $f ]] || continue
		echo "--- last lines of $(basename "$f") ---" >&2
		tail -n 30 "$f" >&2
	done
}
fail() { show_logs; die "$@"; }

"$DAEMON" init --state-dir "$S" --tenant-name Bench --domain corp.example.test \
	--listen 127.0.0.1:0 >"$D/init.out" 2>&1 || fail "cloudtrustd init failed"
TENANT=$(grep -oE '[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}' "$D/init.out" | tail -n 1)
[[ -n $TENANT ]] || fail "cloudtrustd init printed no tenant id"

"$DAEMON" --state-dir "$S" --listen 127.0.0.1:0 >"$LOG" 2>&1 &
PID=$!
PORT=
for _ in $(seq $((START_TIMEOUT * 10))); do
	[[ -s $S/cloudtrustd.port ]] && PORT=$(grep -oE '[0-9]+' "$S/cloudtrustd.port" | tail -n 1)
	[[ -n $PORT ]] && break
	kill -0 "$PID" 2>/dev/null || fail "cloudtrustd exited before writing its port"
	sleep 0.1
done
[[ -n $PORT ]] || fail "cloudtrustd wrote no port file within ${START_TIMEOUT}s"
URL=https://127.0.0.1:$PORT

"$PY" "$HERE/signin-setup.py" --url "$URL" --cacert "$S/tls/ca.pem" \
	--admin-token-file "$S/admin.token" --tenant "$TENANT" --out "$D/ids" \
	--users "$USERS" --keys "$KEYS" >"$D/setup.log" 2>&1 || fail "signin-setup.py failed"

# utime + stime of the daemon in clock ticks (fields 14 and 15; the
# command name in field 2 may hold spaces, so count after its ')').
cpu_ticks() {
	local stat rest
	stat=$(<"/proc/$PID/stat") || return 1
	rest=${stat##*) }
	read -r -a f <<<"$rest"
	echo $((f[11] + f[12]))
}

rc=0
for kind in $KINDS; do
	args=(--url "$URL" --cacert "$S/tls/ca.pem" --identities "$D/ids" --keys "$kind"
		--clients "$CLIENTS" --seconds "$SECONDS_")
	[[ -z $COUNT ]] || args+=(--count "$COUNT")
	t0=$(cpu_ticks) || fail "cloudtrustd (PID $PID) is gone"
	"$BENCH" "${args[@]}" >"$D/bench.out"
	brc=$?
	t1=$(cpu_ticks) || fail "cloudtrustd (PID $PID) died during the $kind run"
	cat "$D/bench.out"
	signins=$(sed -n 's/^signins=//p' "$D/bench.out")
	if [[ -n $signins && $signins -gt 0 ]]; then
		echo "server_cpu_us_per_signin=$(((t1 - t0) * 1000000 / TICKS / signins))"
	else
		echo "server_cpu_us_per_signin=0"
	fi
	((brc == 0)) || { echo "run-signin-bench: the $kind run failed (signin-bench exit $brc)" >&2; rc=1; }
done

kill -TERM "$PID"
for _ in $(seq $((STOP_TIMEOUT * 10))); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$PID" 2>/dev/null; then
	echo "run-signin-bench: cloudtrustd did not stop within ${STOP_TIMEOUT}s of SIGTERM" >&2
	rc=1
else
	wait "$PID"
	drc=$?
	PID=
	((drc == 0)) || { echo "run-signin-bench: cloudtrustd exited $drc after SIGTERM" >&2; rc=1; }
fi
((rc == 0)) || show_logs
exit $rc
