#!/usr/bin/env bash
# test-exchange.sh - the Kerberos core against a real Samba AD DC (suite "lab").
#
#   test-exchange.sh TOOL
#
# TOOL is the built cloudtrust-krb.  Brings the lab up (tests/lab/lab.sh) if
# it is not running and takes it down again afterwards if it started it.
# Prints TAP.  Needs root (network namespace, samba).
set -uo pipefail

TOOL=$(realpath "${1:?usage: test-exchange.sh PATH-TO-cloudtrust-krb}")
[[ -x $TOOL ]] || { echo "Bail out! $TOOL is not executable"; exit 1; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$HERE/lab.sh
PY=/usr/bin/python3
T0=$(date +%s)

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	[[ -n ${2:-} ]] && while IFS= read -r line; do echo "#   $line"; done <<<"$2"
}
# check DESC CONDITION-COMMAND... : ok when the command succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d" "${OUT:-}"; fi; }

if ! "$LAB" acquire >/tmp/ct-lab-up.$$ 2>&1; then
	echo "Bail out! lab.sh acquire failed: $(tail -5 /tmp/ct-lab-up.$$)"
	rm -f /tmp/ct-lab-up.$$
	exit 1
fi
rm -f /tmp/ct-lab-up.$$
W=
cleanup() {
	[[ -n $W ]] && rm -rf "$W"
	"$LAB" release >/dev/null 2>&1 || true
}
trap cleanup EXIT
LAB_DIR=${CT_LAB_DIR:-/var/tmp/cloudtrust-lab}
# shellcheck disable=SC1091
source "$LAB_DIR/lab.env"
export KRB5_CONFIG=$CT_LAB_KRB5_CONFIG

# Never let a request leave the machine: the DC's address must route into the lab.
if ! ip route get "$CT_LAB_DC_IP" 2>/dev/null | grep -q "dev $CT_LAB_NS-h"; then
	echo "Bail out! $CT_LAB_DC_IP does not route into the lab namespace"
	exit 1
fi

W=$(mktemp -d /tmp/ct-lab-test.XXXXXX)
chmod 0711 "$W" # other users (nobody, below) may traverse, not list
umask 077
printf '18:%s\n' "$CT_LAB_RODC_KEY_AES256" >"$W/rodc.key"
# A key the DC has never seen, for the wrong-key case.
printf '18:%s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >"$W/wrong.key"

# mint_args USER: sets MINT_ARGS to the identity options of a lab user (ALICE, BOB ...).
mint_args() {
	local u=$1 name sid upn
	name=CT_LAB_${u}_NAME sid=CT_LAB_${u}_SID upn=CT_LAB_${u}_UPN
	MINT_ARGS=(--realm "$CT_LAB_REALM" --user "${!name}" --sid "${!sid}"
		--upn "${!upn:-${!name}@$CT_LAB_DNS_DOMAIN}" --netbios "$CT_LAB_DOMAIN"
		--rodc "$CT_LAB_RODC_N")
}

# login USER CACHE [extra mint options...]: mint + store + exchange; sets OUT and RC.
login() {
	local u=$1 cache=$2
	shift 2
	mint_args "$u"
	OUT=$("$TOOL" login "${MINT_ARGS[@]}" --key-file "$W/rodc.key" \
		--key-version "$CT_LAB_RODC_KEY_VERSION" --ccache "$cache" \
		--kdc "$CT_LAB_DC_IP" "$@" 2>&1)
	RC=$?
}

pac_json() { # CACHE -> JSON of the full TGT via the independent oracle
	"$PY" "$HERE/pac_check.py" --ccache "$1" --keytab "$CT_LAB_KRBTGT_KEYTAB" 2>&1
}

jget() { # JSON-TEXT PYTHON-EXPR -> value of expression over j
	"$PY" -c 'import json,sys; j=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}

echo "# lab: realm $CT_LAB_REALM, DC $CT_LAB_DC_HOST ($CT_LAB_DC_IP), RODC N=$CT_LAB_RODC_N key version $CT_LAB_RODC_KEY_VERSION"

# --- 1. The allowed user gets a full TGT and reaches the share. ---------------
C=$W/alice.cc
login ALICE "$C" --save-req "$W/tgs-req.der" --save-rep "$W/tgs-rep.der"
check "alice: partial TGT exchanged for a full TGT (exit $RC)" test "$RC" -eq 0
check "alice: tool reports a full TGT without RODC bits" grep -q 'full TGT stored: .* (N=0,' <<<"$OUT"
OUT=$(stat -c '%a %u' "$C" 2>&1)
check "alice: cache is mode 0600 and owned by the caller" test "$OUT" = "600 $(id -u)"
OUT=$(klist -c "$C" 2>&1)
check "MIT klist reads our cache and shows the full TGT" grep -q "krbtgt/$CT_LAB_REALM@$CT_LAB_REALM" <<<"$OUT"
J=$(pac_json "$C")
OUT=$J
check "oracle: full TGT decrypts with the domain krbtgt key, kvno has no high bits" \
	test "$(jget "$J" 'j["ticket_kvno_high"]')" = 0
check "oracle: DC rebuilt the PAC with alice's groups (FileReaders present)" \
	test "$(jget "$J" "${CT_LAB_FILEREADERS_SID##*-} in j['pac']['logon_info']['group_rids']")" = True
check "oracle: DC added Allowed RODC Password Replication Group (571)" \
	test "$(jget "$J" "571 in j['pac']['logon_info']['group_rids']")" = True
check "oracle: PAC user SID is alice's" \
	test "$(jget "$J" "j['pac']['logon_info']['user_sid']")" = "$CT_LAB_ALICE_SID"
OUT=$(KRB5CCNAME=$C kvno "cifs/$CT_LAB_DC_HOST" 2>&1)
check "MIT kvno gets a service ticket with our cache" grep -q "kvno = " <<<"$OUT"
OUT=$(KRB5CCNAME=$C smbclient "//$CT_LAB_DC_HOST/netlogon" -I "$CT_LAB_DC_IP" \
	--use-kerberos=required -N -c ls 2>&1)
check "smbclient lists //$CT_LAB_DC_HOST/netlogon with the exchanged cache" \
	grep -q "blocks of size" <<<"$OUT"

# --- 2. Our partial TGT, independently checked. -------------------------------
mint_args ALICE
"$TOOL" mint "${MINT_ARGS[@]}" --key-file "$W/rodc.key" --key-version "$CT_LAB_RODC_KEY_VERSION" \
	--out-asrep "$W/as-rep.der" --out-reply-key "$W/reply.key" >/dev/null 2>&1
"$TOOL" store --asrep "$W/as-rep.der" --reply-key-file "$W/reply.key" --ccache "$W/partial.cc" >/dev/null 2>&1
J=$("$PY" "$HERE/pac_check.py" --ccache "$W/partial.cc" --key-hex "$CT_LAB_RODC_KEY_AES256" --enctype 18 --strict 2>&1)
OUT=$J
check "oracle: partial TGT kvno is N<<16|version" \
	test "$(jget "$J" 'j["ticket_kvno"]')" = "$CT_LAB_RODC_KVNO"
check "oracle: partial TGT PAC signatures verify (strict)" \
	test "$(jget "$J" 'j["pac"]["requester_sid"]')" = "$CT_LAB_ALICE_SID"
check "oracle: CLIENT_INFO matches the ticket client" \
	test "$(jget "$J" 'j["pac"]["client_info"]["matches_ticket_client"]')" = True

# --- 2b. A ticket under the previous key version is still exchanged. ---------
# A freshly provisioned lab has no previous key yet: rotate once to make one.
if [[ -z ${CT_LAB_RODC_OLD_KEY_AES256:-} ]]; then
	"$LAB" rotate-key >/dev/null 2>&1 || echo "# lab.sh rotate-key failed"
	# shellcheck disable=SC1091
	source "$LAB_DIR/lab.env"
	printf '18:%s\n' "$CT_LAB_RODC_KEY_AES256" >"$W/rodc.key"
fi
check "the lab has a previous key to test with" test -n "${CT_LAB_RODC_OLD_KEY_AES256:-}"
{
	printf '18:%s\n' "$CT_LAB_RODC_OLD_KEY_AES256" >"$W/old.key"
	mint_args ALICE
	OUT=$("$TOOL" login "${MINT_ARGS[@]}" --key-file "$W/old.key" \
		--key-version "$CT_LAB_RODC_OLD_KEY_VERSION" --ccache "$W/old.cc" --kdc "$CT_LAB_DC_IP" 2>&1)
	check "previous key version $CT_LAB_RODC_OLD_KEY_VERSION still exchanges (exit $?)" \
		grep -q 'full TGT stored' <<<"$OUT"
}

# --- 3. Refusals come back as the DC's errors and our explanations. ----------
# refuse DESC CODE-REGEX MESSAGE-REGEX USER [mint options...]
refuse() {
	local desc=$1 code=$2 msg=$3 u=$4 c=$W/refused.cc sum_before sum_after
	shift 4
	rm -f "$c"
	mint_args "$u"
	"$TOOL" mint "${MINT_ARGS[@]}" --key-version "$CT_LAB_RODC_KEY_VERSION" \
		--key-file "$W/rodc.key" --out-asrep "$W/r.der" --out-reply-key "$W/r.key" "$@" >/dev/null 2>&1
	if ! "$TOOL" store --asrep "$W/r.der" --reply-key-file "$W/r.key" --ccache "$c" >/dev/null 2>&1; then
		not_ok "$desc: could not store the partial TGT"
		return
	fi
	sum_before=$(sha256sum <"$c")
	OUT=$("$TOOL" exchange --ccache "$c" --kdc "$CT_LAB_DC_IP" --save-rep "$W/err-$n.der" 2>&1)
	RC=$?
	sum_after=$(sha256sum <"$c")
	check "$desc: exit 3 (DC refused)" test "$RC" -eq 3
	check "$desc: KDC error $code" grep -Eq "error ($code)\b" <<<"$OUT"
	check "$desc: explained: /$msg/" grep -Eq "$msg" <<<"$OUT"
	check "$desc: the cache is left as it was" test "$sum_before" = "$sum_after"
}
refuse "bob (not in the allowed group)" 20 "password replication policy" BOB
refuse "mallory (in the denied group)" 20 "password replication policy" MALLORY
refuse "Administrator (built-in admin groups)" 20 "password replication policy" ADMINISTRATOR
refuse "PAC without PAC_REQUESTOR" 20 "requester SID" ALICE --omit-requestor
refuse "ticket without a PAC" 20 "PAC is missing" ALICE --omit-pac
refuse "carol (disabled)" "12|18" "disabled" CAROL
printf '18:%s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >"$W/rodc.key.wrong"
cp "$W/rodc.key" "$W/rodc.key.good"
cp "$W/rodc.key.wrong" "$W/rodc.key"
refuse "wrong key" "31|41" "does not match AD's" ALICE
cp "$W/rodc.key.good" "$W/rodc.key"
refuse "wrong key version" 44 "key version" ALICE --key-version $(((CT_LAB_RODC_KEY_VERSION + 5) & 0xffff))
refuse "ticket with under 2 minutes left" 32 "expired" ALICE --authtime-offset -35940
refuse "ticket not yet valid" 33 "not valid yet" ALICE --start-delay 3600

# --- 4. Transport and file-safety errors. -------------------------------------
"$TOOL" store --asrep "$W/as-rep.der" --reply-key-file "$W/reply.key" --ccache "$W/x.cc" >/dev/null 2>&1
OUT=$("$TOOL" exchange --ccache "$W/x.cc" --kdc 127.0.0.1:1 --timeout 2000 2>&1)
RC=$?
check "unreachable DC: exit 4" test "$RC" -eq 4
check "unreachable DC: says so" grep -q "cannot reach domain controller" <<<"$OUT"
mkdir -m 0777 "$W/open"
chmod 0777 "$W/open"
OUT=$("$TOOL" store --asrep "$W/as-rep.der" --reply-key-file "$W/reply.key" --ccache "$W/open/c.cc" 2>&1)
RC=$?
check "world-writable non-sticky directory refused (exit 1)" test "$RC" -eq 1
check "refusal names the problem" grep -q "writable by others" <<<"$OUT"
check "nothing written there" test ! -e "$W/open/c.cc"
mkdir -m 0700 "$W/nobody"
chown nobody: "$W/nobody"
login ALICE "$W/nobody/c.cc" --owner nobody
check "root writes a cache for another user (exit $RC)" test "$RC" -eq 0
OUT=$(stat -c '%a %U' "$W/nobody/c.cc" 2>&1)
check "that cache is 0600 and owned by the user" test "$OUT" = "600 nobody"
ln -s /etc/passwd "$W/link.cc"
OUT=$("$TOOL" store --asrep "$W/as-rep.der" --reply-key-file "$W/reply.key" --ccache "$W/link.cc" 2>&1)
RC=$?
check "a symlink in the cache's place is refused (exit 1)" test "$RC" -eq 1
check "/etc/passwd untouched" grep -q '^root:' /etc/passwd

# --- 5. tshark decodes everything we produce. ---------------------------------
OUT=$("$HERE/tshark_check.sh" "$W/as-rep.der" "$W/tgs-req.der" "$W/tgs-rep.der" "$W"/err-*.der 2>&1)
check "tshark decodes our AS-REP, TGS-REQ and the DC's replies without malformed marks" test $? -eq 0

echo "# lab tests took $(($(date +%s) - T0)) s"
echo "1..$n"
((failed == 0))
