#!/usr/bin/env bash
# demo.sh - the Kerberos half of the reference story, on one machine, with
# real parts: a Samba AD DC in a network namespace, a partial TGT minted by
# cloudtrust, exchanged by the DC for a full TGT, and an SMB share opened with
# it.  Cleans up after itself.  Run as root.
#
# Later issues grow this into the whole sign-in story (cloudtrustd, join,
# PIN enrolment after MFA, PIN sign-in); today the cloud's part is played by
# `cloudtrust-krb mint`, which is the code cloudtrustd will call.
set -euo pipefail
cd "$(dirname "$0")/.."

[[ $(id -u) -eq 0 ]] || { echo "demo.sh: run as root (network namespace, Samba DC)" >&2; exit 1; }
scripts/deps.sh
[[ -f build/build.ninja ]] || meson setup build -Dwerror=true -Dwarning_level=3 >/dev/null
meson compile -C build >/dev/null

LAB=tests/lab/lab.sh
TOOL=build/src/tools/cloudtrust-krb
W=$(mktemp -d /tmp/cloudtrust-demo.XXXXXX)
cleanup() {
	rm -rf "$W"
	"$LAB" down >/dev/null 2>&1 || true
}
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. Provision and start a Samba AD DC (dc1.corp.example.test) in a network namespace"
"$LAB" up
# shellcheck disable=SC1091
source "${CT_LAB_DIR:-/var/tmp/cloudtrust-lab}/lab.env"
export KRB5_CONFIG=$CT_LAB_KRB5_CONFIG
# Never let a request leave the machine: the DC's address must route into the lab.
ip route get "$CT_LAB_DC_IP" | grep -q "dev $CT_LAB_NS-h" ||
	{ echo "demo.sh: $CT_LAB_DC_IP does not route into the lab namespace" >&2; exit 1; }
echo "The domain has a Kerberos server object: CN=AzureADKerberos with krbtgt_$CT_LAB_RODC_N"
echo "(RODC number N=$CT_LAB_RODC_N, key version $CT_LAB_RODC_KEY_VERSION; alice is in the Allowed RODC Password Replication Group)"

CC=$W/krb5cc_alice
step "2. Without cloud trust, alice has no Kerberos ticket: the share asks for credentials"
if KRB5CCNAME=$CC smbclient "//$CT_LAB_DC_HOST/netlogon" -I "$CT_LAB_DC_IP" \
	--use-kerberos=required -N -c ls >"$W/smb0" 2>&1; then
	echo "unexpected: the share opened without a ticket" >&2
	exit 1
fi
sed 's/^/    /' "$W/smb0" | tail -2
echo "-> access denied without credentials, as expected"

step "3. The cloud mints a partial TGT for alice (what tgt_ad carries)"
umask 077
printf '18:%s\n' "$CT_LAB_RODC_KEY_AES256" >"$W/rodc.key"
"$TOOL" mint --realm "$CT_LAB_REALM" --user "$CT_LAB_ALICE_NAME" --sid "$CT_LAB_ALICE_SID" \
	--upn "$CT_LAB_ALICE_UPN" --netbios "$CT_LAB_DOMAIN" \
	--key-file "$W/rodc.key" --key-version "$CT_LAB_RODC_KEY_VERSION" --rodc "$CT_LAB_RODC_N" \
	--out-asrep "$W/as-rep.der" --out-reply-key "$W/client.key"

step "4. The device opens it with its clientKey and stores it (mode 0600)"
"$TOOL" store --asrep "$W/as-rep.der" --reply-key-file "$W/client.key" --ccache "$CC"
klist -c "$CC" | sed 's/^/    /'

step "5. The device exchanges the partial TGT at the DC (TGS-REQ for krbtgt/$CT_LAB_REALM)"
"$TOOL" exchange --ccache "$CC" --kdc "$CT_LAB_DC_IP"
klist -c "$CC" | sed 's/^/    /'

step "6. With the full TGT, the share opens without a password"
KRB5CCNAME=$CC smbclient "//$CT_LAB_DC_HOST/netlogon" -I "$CT_LAB_DC_IP" \
	--use-kerberos=required -N -c ls | sed 's/^/    /'
echo "-> instant access to \\\\$CT_LAB_DC_HOST\\netlogon"

step "7. A user outside the replication policy is refused, and told why"
"$TOOL" login --realm "$CT_LAB_REALM" --user "$CT_LAB_BOB_NAME" --sid "$CT_LAB_BOB_SID" \
	--key-file "$W/rodc.key" --key-version "$CT_LAB_RODC_KEY_VERSION" --rodc "$CT_LAB_RODC_N" \
	--ccache "$W/krb5cc_bob" --kdc "$CT_LAB_DC_IP" && { echo "unexpected success" >&2; exit 1; }
echo "-> bob keeps only his partial TGT; nothing Kerberized opens for him"

step "Done: the lab is stopped and the demo's files removed"
