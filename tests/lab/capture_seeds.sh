#!/usr/bin/env bash
# capture_seeds.sh OUTDIR - capture real Kerberos messages from the lab DC as
# fuzz seed corpora.
#
# Needs the lab up (tests/lab/lab.sh up) and root (capture on the veth).
# Captures port 88 on the host end of the lab veth with tshark while running
# kinit / kvno against the DC: good logins (UDP, then TCP after
# RESPONSE_TOO_BIG), a renewable TGT and its renewal, service tickets, an AS
# exchange for a service, and failures (wrong password, unknown client,
# disabled account, unknown service). Then writes to OUTDIR:
#   <kind>-<n>.der   one raw DER message each: as-req, as-rep, tgs-req,
#                    tgs-rep, krb-error; plus ap-req, authenticator,
#                    enc-as-rep-part, enc-tgs-rep-part (labseeds.py),
#                    ticket and enc-ticket-part (from the ccaches)
#   pac-<n>.bin      raw PAC bytes of decrypted tickets (pac_check.py)
# n continues after files already in OUTDIR; byte-identical files are skipped.
# All message files are checked with tshark_check.sh at the end.
set -euo pipefail

PROG=capture_seeds.sh
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_DIR=${CT_LAB_DIR:-/var/tmp/cloudtrust-lab}
ENVFILE=$LAB_DIR/lab.env
CAPTURE_TIMEOUT=${CT_CAPTURE_TIMEOUT:-20}

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
say() { printf '%s: %s\n' "$PROG" "$*" >&2; }

(($# == 1)) || { sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2; exit 2; }
OUT=$1
[[ $(id -u) -eq 0 ]] || die "must run as root (packet capture)"
for c in tshark kinit kvno klist xxd sha256sum; do
    command -v "$c" >/dev/null 2>&1 || die "missing command: $c"
done
[[ -r $ENVFILE ]] || die "no $ENVFILE; run tests/lab/lab.sh up first"
set -a
# shellcheck disable=SC1090
. "$ENVFILE"
set +a
PY=${CT_LAB_PYTHON:-/usr/bin/python3}
timeout 2 bash -c ": </dev/tcp/$CT_LAB_DC_IP/88" 2>/dev/null ||
    die "the lab DC does not answer on $CT_LAB_DC_IP:88; run tests/lab/lab.sh up"

mkdir -p "$OUT"
tmp=$(mktemp -d /tmp/capture_seeds.XXXXXX)
stage=$tmp/stage
mkdir -p "$stage"
TPID=
cleanup() {
    if [[ -n $TPID ]] && kill -0 "$TPID" 2>/dev/null; then
        kill -TERM "$TPID" 2>/dev/null || true
        wait "$TPID" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# ---------------------------------------------------------------- capture
pcap=$tmp/kerberos.pcapng
tshark -n -i "$CT_LAB_NS-h" -f "port 88" -w "$pcap" -q >"$tmp/tshark.log" 2>&1 &
TPID=$!
deadline=$((SECONDS + CAPTURE_TIMEOUT))
until grep -q "Capture started\|Capturing on" "$tmp/tshark.log" 2>/dev/null; do
    kill -0 "$TPID" 2>/dev/null || { cat "$tmp/tshark.log" >&2; die "tshark exited"; }
    ((SECONDS < deadline)) || { cat "$tmp/tshark.log" >&2; die "tshark did not start capturing within ${CAPTURE_TIMEOUT}s"; }
    sleep 0.1
done
sleep 0.5

export KRB5_CONFIG=$CT_LAB_KRB5_CONFIG
R=$CT_LAB_REALM
SVC=cifs/$CT_LAB_DC_HOST
ok() { "$@" >/dev/null 2>&1 || say "unexpected failure: $*"; }
expect_fail() { if "$@" >/dev/null 2>&1; then say "unexpectedly succeeded: $*"; fi; }
cc() { printf 'FILE:%s/%s.cc' "$stage" "$1"; }
# login CCNAME PASSWORD KINIT-ARGS... (password on stdin, never in argv)
login() {
    local ccname=$1 pw=$2
    shift 2
    printf '%s\n' "$pw" | KRB5CCNAME=$(cc "$ccname") kinit "$@"
}
with_cc() { local ccname=$1; shift; KRB5CCNAME=$(cc "$ccname") "$@"; }

say "running exchanges against $CT_LAB_DC_HOST ($CT_LAB_DC_IP)"
ok login alice "$CT_LAB_ALICE_PASSWORD" "alice@$R"
ok with_cc alice kvno "$SVC"
ok with_cc alice kvno "host/$CT_LAB_DC_HOST"
ok login bob "$CT_LAB_BOB_PASSWORD" -r 1d "bob@$R"
ok with_cc bob kinit -R
ok with_cc bob kvno "$SVC"
ok login mallory "$CT_LAB_MALLORY_PASSWORD" "mallory@$R"
ok login admin "$CT_LAB_ADMIN_PASSWORD" "Administrator@$R"
ok with_cc admin kvno "$SVC"
ok login alice-svc "$CT_LAB_ALICE_PASSWORD" -S "$SVC" "alice@$R"
expect_fail login bad wrong-password "bob@$R"
expect_fail login bad "" "nosuchuser@$R"
expect_fail login bad "$CT_LAB_CAROL_PASSWORD" "carol@$R"
expect_fail with_cc alice kvno "nosuchservice/$CT_LAB_DC_HOST"
# MIT armors TGS-REQs with FAST against this DC (its replies are under a
# strengthened key); labseeds.py tgs makes plain RFC 4120 exchanges too.
ok timeout 30 "$PY" "$HERE/labseeds.py" tgs "$stage/alice.cc" "$SVC" "$CT_LAB_DC_IP"
ok timeout 30 "$PY" "$HERE/labseeds.py" tgs "$stage/admin.cc" "host/$CT_LAB_DC_HOST" "$CT_LAB_DC_IP"
sleep 0.5
kill -INT "$TPID" 2>/dev/null || true
deadline=$((SECONDS + CAPTURE_TIMEOUT))
while kill -0 "$TPID" 2>/dev/null; do
    ((SECONDS < deadline)) || { kill -KILL "$TPID" 2>/dev/null || true; break; }
    sleep 0.1
done
wait "$TPID" 2>/dev/null || true
TPID=

# ---------------------------------------------------------------- extract
kind_of() {
    case $1 in
    6a) echo as-req ;; 6b) echo as-rep ;; 6c) echo tgs-req ;; 6d) echo tgs-rep ;;
    6e) echo ap-req ;; 6f) echo ap-rep ;; 76) echo krb-cred ;; 7e) echo krb-error ;;
    *) echo "" ;;
    esac
}
declare -A count
nmsg=0
while IFS='|' read -r fn udp reas tcp; do
    if [[ -n $udp ]]; then
        hex=$udp
    else
        hex=${reas:-$tcp}
        # Kerberos over TCP: 4-byte big-endian length, then the message.
        [[ ${#hex} -ge 8 ]] || continue
        len=$((16#${hex:0:8}))
        hex=${hex:8}
        ((${#hex} == 2 * len)) || { say "frame $fn: TCP record length mismatch, skipped"; continue; }
    fi
    kind=$(kind_of "${hex:0:2}")
    [[ -n $kind ]] || { say "frame $fn: not a Kerberos message, skipped"; continue; }
    count[$kind]=$((${count[$kind]:-0} + 1))
    xxd -r -p <<<"$hex" >"$stage/$kind-${count[$kind]}.der"
    nmsg=$((nmsg + 1))
done < <(tshark -n -r "$pcap" -Y 'kerberos && !tcp.analysis.retransmission' -T fields -E 'separator=|' \
    -e frame.number -e udp.payload -e tcp.reassembled.data -e tcp.payload 2>/dev/null)
((nmsg > 0)) || die "no Kerberos messages captured (tshark log: $(tr '\n' ' ' <"$tmp/tshark.log"))"
say "captured $nmsg messages"

# ---------------------------------------------------------------- derived
"$PY" "$HERE/labseeds.py" "$stage" >"$tmp/labseeds.log" 2>&1 ||
    { cat "$tmp/labseeds.log" >&2; die "labseeds.py failed"; }
grep -v '^labseeds.py: wrote' "$tmp/labseeds.log" >&2 || true

# Tickets, decrypted EncTicketParts and PACs from the ccaches.
np=0
pac() { # ccache server keytab
    np=$((np + 1))
    "$PY" "$HERE/pac_check.py" --ccache "$1" --server "$2" --keytab "$3" --strict \
        --dump-pac "$stage/pac-$np.bin" --dump-ticket "$stage/ticket-$np.der" \
        --dump-enc-part "$stage/enc-ticket-part-$np.der" >/dev/null ||
        die "pac_check.py failed on $2 from $1"
}
TGT=krbtgt/$R@$R
pac "$stage/alice.cc" "$TGT" "$CT_LAB_KRBTGT_KEYTAB"
pac "$stage/alice.cc" "$SVC@$R" "$CT_LAB_CIFS_KEYTAB"
pac "$stage/bob.cc" "$TGT" "$CT_LAB_KRBTGT_KEYTAB"
pac "$stage/mallory.cc" "$TGT" "$CT_LAB_KRBTGT_KEYTAB"
pac "$stage/admin.cc" "$TGT" "$CT_LAB_KRBTGT_KEYTAB"
pac "$stage/admin.cc" "$SVC@$R" "$CT_LAB_CIFS_KEYTAB"
pac "$stage/alice-svc.cc" "$SVC@$R" "$CT_LAB_CIFS_KEYTAB"

# ---------------------------------------------------------------- publish
declare -A have
while IFS= read -r h; do have[$h]=1; done < <(find "$OUT" -maxdepth 1 -type f \( -name '*.der' -o -name '*.bin' \) -exec sha256sum {} + | cut -d' ' -f1)
next_n() { # kind ext
    local max=0 f n
    for f in "$OUT/$1"-*."$2"; do
        [[ -e $f ]] || continue
        n=${f##*/"$1"-}
        n=${n%."$2"}
        [[ $n =~ ^[0-9]+$ ]] && ((n > max)) && max=$n
    done
    echo $((max + 1))
}
added=()
dups=0
for f in "$stage"/*.der "$stage"/*.bin; do
    [[ -e $f ]] || continue
    h=$(sha256sum "$f" | cut -d' ' -f1)
    if [[ -n ${have[$h]:-} ]]; then dups=$((dups + 1)); continue; fi
    have[$h]=1
    base=${f##*/}
    ext=${base##*.}
    kind=${base%-*}
    dest=$OUT/$kind-$(next_n "$kind" "$ext").$ext
    cp "$f" "$dest"
    added+=("$dest")
done
say "added ${#added[@]} files to $OUT ($dups duplicates skipped)"
for k in as-req as-rep tgs-req tgs-rep krb-error ap-req authenticator enc-as-rep-part enc-tgs-rep-part ticket enc-ticket-part pac; do
    c=0
    for f in "${added[@]}"; do [[ ${f##*/} == "$k"-[0-9]* ]] && c=$((c + 1)); done
    printf '  %-17s %d\n' "$k" "$c"
done

# Every DER file we add must pass the independent dissector.
ders=()
for f in "${added[@]}"; do [[ $f == *.der ]] && ders+=("$f"); done
if ((${#ders[@]} > 0)); then
    # --lenient: real DC traffic; see tshark_check.sh for the two known
    # tshark 4.0 false alarms. Hard failures still stop us.
    "$HERE/tshark_check.sh" --lenient "${ders[@]}" >"$tmp/tshark_check.log" 2>&1 ||
        { cat "$tmp/tshark_check.log" >&2; die "tshark_check.sh rejected captured seeds"; }
    grep -A3 '^warn' "$tmp/tshark_check.log" >&2 || true
    say "tshark_check.sh --lenient: all ${#ders[@]} DER seeds pass ($(grep -c '^warn' "$tmp/tshark_check.log" || true) with warnings)"
fi
