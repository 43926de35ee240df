#!/usr/bin/env bash
# story.sh - the reference story (docs: ../shared/docs/DESIGN.md §0), end to
# end on one machine with real parts and the embedded defaults:
#
#   a Samba AD DC in a network namespace; cloudtrustd on SQLite; the
#   administrator sets up the Kerberos server object, a user with an on-prem
#   identity and TOTP, and turns Hello on by policy; the device joins; the
#   user enrolls a PIN after MFA; then
#     (1) without cloud trust the SMB share asks for credentials,
#     (2) with cloud trust the PIN sign-in opens it at once (smbclient -k),
#   and the device shows its state and events.
#
# Cleans up after itself (daemon, local account, caches, temporary files;
# the lab DC is stopped unless it was running before).  Run as root.
#   scripts/story.sh          software keystore (Argon2id-sealed Hello key)
#   scripts/story.sh --tpm    the Hello key in a TPM (swtpm on loopback)
# Exits non-zero when any step does not turn out as the story says.
# CT_STORY_BUILD=DIR uses an existing build directory as it is (the e2e
# suite runs the story that way); otherwise build/ is set up and compiled.
set -euo pipefail
cd "$(dirname "$0")/.."

TPM=0
case ${1:-} in
--tpm) TPM=1 ;;
"") ;;
*) echo "usage: $0 [--tpm]" >&2; exit 2 ;;
esac
[[ $(id -u) -eq 0 ]] || { echo "story.sh: run as root (network namespace, Samba DC, local account)" >&2; exit 1; }
if [[ -n ${CT_STORY_BUILD:-} ]]; then
	B=$(cd "$CT_STORY_BUILD" && pwd)
else
	scripts/deps.sh
	[[ -f build/build.ninja ]] || meson setup build -Dwerror=true -Dwarning_level=3 >/dev/null
	meson compile -C build >/dev/null
	B=$PWD/build
fi

LAB=tests/lab/lab.sh
DAEMON=$B/src/server/cloudtrustd
ADMIN=$B/src/admin/cloudtrust-admin
CLIENT=$B/src/client/cli/cloudtrust
W=$(mktemp -d /tmp/cloudtrust-story.XXXXXX)
chmod 755 "$W"
LOCAL=ctstory$$
PIN=48213579
DAEMON_PID= SWTPM_PID= LAB_HELD=0 ACCOUNT=0 USER_UID=

cleanup() {
	set +e
	[[ -n $DAEMON_PID ]] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
	[[ -n $SWTPM_PID ]] && kill "$SWTPM_PID" 2>/dev/null && wait "$SWTPM_PID" 2>/dev/null
	[[ -n $USER_UID ]] && rm -f "/tmp/krb5cc_$USER_UID"
	((ACCOUNT)) && userdel "$LOCAL" 2>/dev/null
	((LAB_HELD)) && "$LAB" release >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '    $ %s\n' "$*"; }
fail() { echo "story.sh: FAILED: $*" >&2; exit 1; }

step "1. A Samba AD DC (dc1.corp.example.test) in a network namespace"
"$LAB" acquire
LAB_HELD=1
# shellcheck disable=SC1091
source "${CT_LAB_DIR:-/var/tmp/cloudtrust-lab}/lab.env"
export KRB5_CONFIG=$CT_LAB_KRB5_CONFIG
ip route get "$CT_LAB_DC_IP" | grep -q "dev $CT_LAB_NS-h" ||
	fail "$CT_LAB_DC_IP does not route into the lab namespace"
# The DC's LDAPS certificate names its FQDN, which this host does not
# resolve: admin commands that talk to AD see it in a private /etc/hosts.
cp /etc/hosts "$W/hosts"
echo "$CT_LAB_DC_IP $CT_LAB_DC_HOST" >>"$W/hosts"
with_dc_name() { unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$W/hosts" "$@"; }

step "2. cloudtrustd, the cloud identity service (SQLite, loopback)"
mkdir -m 700 "$W/server"
show cloudtrustd init --state-dir ... --tenant-name Contoso --domain $CT_LAB_DNS_DOMAIN
"$DAEMON" init --state-dir "$W/server" --tenant-name Contoso --domain "$CT_LAB_DNS_DOMAIN" \
	--listen 127.0.0.1:0 >"$W/init.out"
TENANT=$(grep -oE 'tenant [0-9a-f-]{36}' "$W/init.out" | head -1 | cut -d' ' -f2)
[[ -n $TENANT ]] || fail "cloudtrustd init printed no tenant id"
"$DAEMON" --state-dir "$W/server" --listen 127.0.0.1:0 >"$W/daemon.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 100); do [[ -s $W/server/cloudtrustd.port ]] && break; sleep 0.1; done
PORT=$(grep -oE '[0-9]+' "$W/server/cloudtrustd.port" | head -1)
[[ -n $PORT ]] || fail "cloudtrustd did not start (see $W/daemon.log)"
URL=https://127.0.0.1:$PORT
CA=$W/server/tls/ca.pem
echo "tenant $TENANT at $URL"
adm() { "$ADMIN" --server "$URL" --token-file "$W/server/admin.token" --cacert "$CA" "$@"; }

step "3. The administrator sets up the Kerberos server object (AD over LDAPS, then the cloud)"
umask 077
printf '%s\n' "$CT_LAB_ADMINISTRATOR_PASSWORD" >"$W/dc-admin.pw"
AD_ARGS=(--dc "$CT_LAB_DC_HOST" --dc-cacert "$CT_LAB_DIR/private/tls/ca.pem"
	--bind-dn "CN=Administrator,CN=Users,$CT_LAB_BASE_DN" --bind-password-file "$W/dc-admin.pw")
show cloudtrust-admin kerberos-server set --domain $CT_LAB_DNS_DOMAIN --dc $CT_LAB_DC_HOST ...
with_dc_name "$ADMIN" --server "$URL" --token-file "$W/server/admin.token" --cacert "$CA" \
	kerberos-server set --domain "$CT_LAB_DNS_DOMAIN" --samba-conf "$CT_LAB_SMB_CONF" "${AD_ARGS[@]}"

step "4. A user with an on-prem identity and TOTP; Hello on by policy, cloud trust not yet"
UPN=$CT_LAB_ALICE_UPN
printf 'Story-%s!\n' "$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$W/alice.pw"
show cloudtrust-admin user add $UPN
adm user add "$UPN" --display-name Alice --password-stdin <"$W/alice.pw" >/dev/null
SECRET=$(adm --json user mfa enroll "$UPN" | /usr/bin/python3 -c \
	'import json,sys,urllib.parse as u; q=u.urlparse(json.load(sys.stdin)["otpauth_uri"]).query; print(u.parse_qs(q)["secret"][0])')
show cloudtrust-admin user mfa enroll $UPN   "# TOTP secret into the user's authenticator"
show cloudtrust-admin user set-onprem $UPN --sam alice --sid $CT_LAB_ALICE_SID
adm user set-onprem "$UPN" --sam "$CT_LAB_ALICE_NAME" --domain "$CT_LAB_DNS_DOMAIN" \
	--sid "$CT_LAB_ALICE_SID" --onprem-upn "$UPN" >/dev/null
show cloudtrust-admin policy set UsePassportForWork true
adm policy set UsePassportForWork true >/dev/null
adm policy set UseCloudTrustForOnPremAuth false >/dev/null
# A code for this 30-second step, and one for the next (each is accepted once).
code() { oathtool --totp -b -N "@$(($(date +%s) + $1))" "$SECRET"; }

step "5. The device joins the tenant (alice signs in with password + TOTP)"
useradd --system --no-create-home --shell /usr/sbin/nologin --user-group "$LOCAL"
ACCOUNT=1
USER_UID=$(id -u "$LOCAL")
mkdir -m 700 "$W/client"
{
	echo "state_dir = $W/client"
	echo "policy_file = $W/policy.json"
	echo "kdc = $CT_LAB_DC_IP"
	if ((TPM)); then
		echo "keystore = tpm"
	else
		echo "keystore = soft"
	fi
} >"$W/client.conf"
if ((TPM)); then
	mkdir -m 700 "$W/swtpm"
	TPM_PORT=$((20000 + RANDOM % 20000))
	swtpm socket --tpm2 --server "type=tcp,port=$TPM_PORT,bindaddr=127.0.0.1" \
		--ctrl "type=tcp,port=$((TPM_PORT + 1)),bindaddr=127.0.0.1" \
		--tpmstate "dir=$W/swtpm" --flags not-need-init,startup-clear &
	SWTPM_PID=$!
	sleep 0.5
	echo "tcti = swtpm:host=127.0.0.1,port=$TPM_PORT" >>"$W/client.conf"
	export TSS2_LOG=all+NONE
fi
ct() { "$CLIENT" --config "$W/client.conf" "$@"; }
show cloudtrust join --server $URL --tenant $TENANT --user $UPN
ct join --server "$URL" --tenant "$TENANT" --ca "$CA" --user "$UPN" \
	--password-file "$W/alice.pw" --otp "$(code 0)"

step "6. Alice sets up a PIN, after MFA (password + a fresh TOTP code)"
printf '%s\n' "$PIN" >"$W/pin"
show cloudtrust enroll --user $LOCAL --upn $UPN
ct enroll --user "$LOCAL" --upn "$UPN" --password-file "$W/alice.pw" --otp "$(code 30)" \
	--pin-file "$W/pin"

as_alice() { setpriv --reuid="$USER_UID" --regid="$(id -g "$LOCAL")" --clear-groups -- \
	env HOME="$W" USER="$LOCAL" KRB5_CONFIG="$KRB5_CONFIG" "$@"; }
share() { as_alice smbclient "//$CT_LAB_DC_HOST/netlogon" -I "$CT_LAB_DC_IP" "$@" -c ls; }

step "7. (1) Without cloud trust: PIN sign-in, but the share asks for credentials"
show cloudtrust logon --user $LOCAL
ct logon --user "$LOCAL" --pin-file "$W/pin" || fail "logon without cloud trust"
[[ ! -e /tmp/krb5cc_$USER_UID ]] || fail "a ticket cache was written with cloud trust off"
show smbclient //$CT_LAB_DC_HOST/netlogon "# as alice"
if share -U "$CT_LAB_ALICE_NAME" -W "$CT_LAB_DOMAIN" --use-kerberos=desired </dev/null >"$W/smb1" 2>&1; then
	fail "the share opened without credentials"
fi
grep -q 'Password for' "$W/smb1" || fail "smbclient did not ask for a password: $(cat "$W/smb1")"
sed 's/^/    /' "$W/smb1" | head -3
echo "-> the share asks alice for her password"

step "8. (2) The administrator turns on cloud trust; the PIN sign-in opens the share at once"
show cloudtrust-admin policy set UseCloudTrustForOnPremAuth true
adm policy set UseCloudTrustForOnPremAuth true >/dev/null
show cloudtrust logon --user $LOCAL
ct logon --user "$LOCAL" --pin-file "$W/pin" || fail "logon with cloud trust"
as_alice klist | sed 's/^/    /'
show smbclient -k //$CT_LAB_DC_HOST/netlogon -c ls "# as alice, no password"
share --use-kerberos=required -N >"$W/smb2" 2>&1 || fail "smbclient -k: $(cat "$W/smb2")"
sed 's/^/    /' "$W/smb2" | tail -4
echo "-> instant access with the PIN: no password, no PKI, no key sync"

step "9. What the device holds, and its events"
show cloudtrust status --user $LOCAL
ct status --user "$LOCAL"
show cloudtrust events
ct events --limit 12

step "10. The administrator views the Kerberos server object, both sides"
with_dc_name "$ADMIN" --server "$URL" --token-file "$W/server/admin.token" --cacert "$CA" \
	kerberos-server get "$CT_LAB_DNS_DOMAIN" "${AD_ARGS[@]}"

printf '\n\033[1mThe reference story ran end to end (%s keystore).\033[0m\n' "$( ((TPM)) && echo TPM || echo software)"
