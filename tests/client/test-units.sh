#!/usr/bin/env bash
# The systemd units for automatic renewal (src/client/cli), checked with
# systemd-analyze verify: the service as the build configures it (pointing at
# the built cloudtrust), its timer, and a broken copy that must be refused.
# Usage: test-units.sh CLOUDTRUST_BINARY SERVICE_IN TIMER
set -uo pipefail
bin=$(realpath "$1") service_in=$(realpath "$2") timer=$(realpath "$3")
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
echo "1..4"
n=0
ok() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; sed 's/^/#   /' "$W/out"; fi; }

sed "s|@BINDIR@|$(dirname "$bin")|" "$service_in" >"$W/cloudtrust-refresh@.service"
sed "s|^ExecStart=.*|ExecStart=/nonexistent/cloudtrust refresh --user %i|" \
	"$W/cloudtrust-refresh@.service" >"$W/broken-refresh@.service"
cp "$timer" "$W/cloudtrust-refresh@.timer"
cd "$W" || exit 1
for u in cloudtrust-refresh@alice.service cloudtrust-refresh@alice.timer broken-refresh@alice.service; do
	ln -s "${u/@alice/@}" "$u"
done
systemd-analyze verify --man=no cloudtrust-refresh@alice.service >"$W/out" 2>&1
ok $? "the renewal service (ExecStart = the built cloudtrust refresh --user %i) verifies"
systemd-analyze verify --man=no cloudtrust-refresh@alice.timer >"$W/out" 2>&1
ok $? "its timer verifies"
systemd-analyze verify --man=no broken-refresh@alice.service >"$W/out" 2>&1
[[ $? != 0 ]] && grep -q 'not executable' "$W/out"
ok $? "a unit whose ExecStart is missing is refused (the check can fail)"
# Renew well inside the 10-hour TGT lifetime.
grep -qx 'OnUnitActiveSec=4h' "$W/cloudtrust-refresh@.timer" >"$W/out" 2>&1
ok $? "the timer renews every 4 hours, inside the 10-hour TGT lifetime"
