#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run-server-tests.sh - run one Python suite against a fresh cloudtrustd.
#
#   run-server-tests.sh BUILD_DIR SUITE_SCRIPT [SUITE ARGS...]
#
# Makes a temporary state directory, runs `cloudtrustd init` there, starts
# `cloudtrustd` on 127.0.0.1 with an ephemeral port (PID recorded), waits
# (bounded) for STATE/cloudtrustd.port, and the same for a second instance on
# the same state directory whose service clock runs 11 minutes ahead (the
# test hook CLOUDTRUST_TEST_TIME_OFFSET), runs the suite with
# /usr/bin/python3 and passes its TAP through, then stops each daemon with
# SIGTERM by its PID and checks that it exits 0 within a few seconds (TAP
# lines of its own).  The plan is printed last.  The suite gets:
#   CT_SERVER_URL        https://127.0.0.1:PORT
#   CT_SERVER_URL_LATER  the instance whose clock is CT_LATER_OFFSET s ahead
#   CT_SERVER_CACERT     STATE/tls/ca.pem
#   CT_ADMIN_TOKEN_FILE  STATE/admin.token
#   CT_TENANT            the tenant id (printed by `cloudtrustd init`)
#   CT_ADMIN             BUILD_DIR/src/admin/cloudtrust-admin
#   CT_KRB_TOOL          BUILD_DIR/src/tools/cloudtrust-krb
#   CT_STATE_DIR         the state directory (read-only use: logs, files)
#   CT_DAEMON_LOG        the daemon's stdout and stderr
# A missing program or a daemon that does not come up is a failure
# ("Bail out!"), never a skip.
set -uo pipefail

BUILD=$(realpath "${1:?usage: run-server-tests.sh BUILD_DIR SUITE_SCRIPT [ARGS...]}")
SUITE=$(realpath "${2:?usage: run-server-tests.sh BUILD_DIR SUITE_SCRIPT [ARGS...]}")
shift 2
PY=/usr/bin/python3
DAEMON=$BUILD/src/server/cloudtrustd
START_TIMEOUT=${CT_SERVER_START_TIMEOUT:-30}
STOP_TIMEOUT=${CT_SERVER_STOP_TIMEOUT:-10}

bail() { echo "Bail out! $*"; exit 1; }
[[ -x $PY ]] || bail "$PY is missing (Debian's python3 with python3-cryptography and python3-requests)"
[[ -x $DAEMON ]] || bail "$DAEMON is not built (is the cloudtrustd target in src/server/meson.build?)"
[[ -r $SUITE ]] || bail "cannot read $SUITE"

declare -A PIDS=()
D=$(mktemp -d /tmp/ct-srvtest.XXXXXX) || bail "mktemp failed"
S=$D/state
cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill -0 "$pid" 2>/dev/null || continue
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
	rm -rf "$D"
}
trap cleanup EXIT
mkdir -m 0700 "$S" || bail "cannot create $S"

dump_log() { # last lines of the daemon's log as TAP comments
	[[ -s $D/daemon.log ]] || return 0
	echo "# --- last lines of the cloudtrustd log ---"
	tail -n "${1:-40}" "$D/daemon.log" | sed 's/^/#   /'
}

if ! "$DAEMON" init --state-dir "$S" --tenant-name Contoso --domain corp.example.test \
	--listen 127.0.0.1:0 >"$D/init.out" 2>&1; then
	sed 's/^/# /' "$D/init.out"
	bail "cloudtrustd init failed"
fi
GUID_RE='[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
TENANT=$(grep -oE "$GUID_RE" "$D/init.out" | tail -n 1)
for f in tls/ca.pem admin.token; do
	[[ -s $S/$f ]] || { sed 's/^/# /' "$D/init.out"; bail "cloudtrustd init did not write $S/$f"; }
done

# start_daemon NAME [ENV=VALUE...]: starts one instance on the state directory,
# records its PID in PIDS[NAME] and its port in PORT.  Instances share the
# database, as several cloudtrustd behind one name do.
start_daemon() {
	local name=$1 pid
	shift
	rm -f "$S/cloudtrustd.port"
	env "$@" "$DAEMON" --state-dir "$S" --listen 127.0.0.1:0 >>"$D/daemon.log" 2>&1 &
	pid=$!
	PIDS[$name]=$pid
	PORT=
	for _ in $(seq $((START_TIMEOUT * 10))); do
		if [[ -s $S/cloudtrustd.port ]]; then
			PORT=$(grep -oE '[0-9]+' "$S/cloudtrustd.port" | tail -n 1)
			[[ -n $PORT ]] && return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	dump_log
	kill -0 "$pid" 2>/dev/null && bail "cloudtrustd ($name) wrote no port file within ${START_TIMEOUT}s"
	wait "$pid"
	bail "cloudtrustd ($name) exited with status $? before writing $S/cloudtrustd.port"
}
start_daemon main
MAIN_PORT=$PORT
# A second instance whose clock runs 11 minutes ahead (the test hook
# CLOUDTRUST_TEST_TIME_OFFSET): nonces older than 5 minutes and MFA older
# than 10 minutes, without waiting.
LATER_OFFSET=660
start_daemon later CLOUDTRUST_TEST_TIME_OFFSET=$LATER_OFFSET
LATER_PORT=$PORT
PORT=$MAIN_PORT

export CT_SERVER_URL=https://127.0.0.1:$PORT
export CT_SERVER_URL_LATER=https://127.0.0.1:$LATER_PORT
export CT_LATER_OFFSET=$LATER_OFFSET
export CT_SERVER_CACERT=$S/tls/ca.pem
export CT_ADMIN_TOKEN_FILE=$S/admin.token
export CT_ADMIN=$BUILD/src/admin/cloudtrust-admin
export CT_KRB_TOOL=$BUILD/src/tools/cloudtrust-krb
export CT_STATE_DIR=$S
export CT_DAEMON_LOG=$D/daemon.log
if [[ -z $TENANT ]]; then
	# init printed no GUID: ask the admin API (§9 GET /admin/v1/tenant).
	TENANT=$("$PY" - <<-'EOF' 2>&1
	import os, requests
	tok = open(os.environ["CT_ADMIN_TOKEN_FILE"]).read().strip()
	r = requests.get(os.environ["CT_SERVER_URL"] + "/admin/v1/tenant", timeout=10,
	                 verify=os.environ["CT_SERVER_CACERT"], headers={"Authorization": "Bearer " + tok})
	print(r.json()["id"])
	EOF
	) || { sed 's/^/# /' "$D/init.out"; bail "no tenant id from cloudtrustd init or the admin API: $TENANT"; }
	echo "# cloudtrustd init printed no tenant id; took it from GET /admin/v1/tenant"
fi
export CT_TENANT=$TENANT
echo "# cloudtrustd PID ${PIDS[main]} on $CT_SERVER_URL, PID ${PIDS[later]} (clock +${LATER_OFFSET}s) on $CT_SERVER_URL_LATER; tenant $CT_TENANT, state $S"

# Pass the suite's TAP through, renumbering nothing; drop its plan (ours is last).
n=0
failed=0
while IFS= read -r line; do
	if [[ $line =~ ^1\.\.[0-9]+ ]]; then
		continue
	fi
	if [[ $line =~ ^(not\ )?ok\ [0-9]+ ]]; then
		n=$((n + 1))
		[[ $line == not* && $line != *"# TODO"* ]] && failed=$((failed + 1))
	fi
	echo "$line"
done < <("$PY" "$SUITE" "$@" 2>&1; echo "# suite exit status $?")

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

for name in main later; do
	pid=${PIDS[$name]}
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid"
		rc=$?
		unset "PIDS[$name]"
		not_ok "cloudtrustd ($name) is still running after the suite (it exited with status $rc)"
		not_ok "cloudtrustd ($name) exits 0 on SIGTERM (it was not running)"
		continue
	fi
	ok "cloudtrustd ($name) is still running after the suite"
	kill -TERM "$pid"
	stopped=0
	for _ in $(seq $((STOP_TIMEOUT * 10))); do
		kill -0 "$pid" 2>/dev/null || { stopped=1; break; }
		sleep 0.1
	done
	if ((stopped)); then
		wait "$pid"
		rc=$?
		if ((rc == 0)); then
			ok "cloudtrustd ($name) exits 0 on SIGTERM"
		else
			not_ok "cloudtrustd ($name) exits 0 on SIGTERM (status $rc)"
		fi
	else
		not_ok "cloudtrustd ($name) exits 0 on SIGTERM (still running after ${STOP_TIMEOUT}s; killed)"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	unset "PIDS[$name]"
done
((failed > 0)) && dump_log 60
echo "1..$n"
((failed == 0))
