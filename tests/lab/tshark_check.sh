#!/usr/bin/env bash
# tshark_check.sh FILE... - have Wireshark's Kerberos dissector judge raw DER
# Kerberos messages (AS-REQ, AS-REP, TGS-REQ, TGS-REP, KRB-ERROR, AP-REQ,
# AP-REP, KRB-CRED, ...), as an oracle independent of our own codec. Bare
# Tickets and decrypted parts (EncTicketPart - tshark then also dissects the
# PAC -, EncASRepPart, Authenticator ...) are accepted too.
#
# Usage: tshark_check.sh [--lenient] FILE...
#
# Each FILE holds exactly one DER message. All files are wrapped as UDP
# datagrams (port 88) into one pcap with text2pcap, one frame per file, and
# dissected with tshark. A file fails when
#   - its frame is malformed (_ws.malformed) or carries an expert item of
#     severity error (_ws.expert.severity == error),
#   - tshark does not decode it as Kerberos at all,
#   - its outer DER length does not cover the file exactly (checked here).
# --lenient: only hard failures count (malformed-packet exceptions,
#   reassembly errors, error-severity expert items, bad outer length, not
#   Kerberos); tshark dissector bugs and warning-level "malformed" BER items
#   are printed as "warn" lines. For captured real traffic: tshark 4.0 has
#   a dissector bug on a bare EncASRepPart / EncTGSRepPart and reads the
#   METHOD-DATA e-data of Samba's KDC_ERR_CLIENT_REVOKED as one PA-DATA.
#   Default is strict.
# Prints one line per file: "ok   FILE  <kind>  <tshark summary>"; for a
# failing file, "FAIL FILE  <reason>" and the tshark -V detail of its frame.
# Exit status: 0 all ok, 1 some file failed, 2 usage / tool error.
set -euo pipefail

PROG=tshark_check.sh
MAX_UDP=65000

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 2; }

lenient=0
if [[ ${1:-} == --lenient ]]; then lenient=1; shift; fi
(($# > 0)) || { sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2; exit 2; }
for c in tshark text2pcap od; do
    command -v "$c" >/dev/null 2>&1 || die "missing command: $c"
done

tmp=$(mktemp -d /tmp/tshark_check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# Kind from the outer DER tag: [APPLICATION n], constructed => 0x60 | n,
# or 0x7f 0x.. for n >= 31 (not used by Kerberos messages).
kind_of_tag() {
    case $1 in
    6a) echo as-req ;;
    6b) echo as-rep ;;
    6c) echo tgs-req ;;
    6d) echo tgs-rep ;;
    6e) echo ap-req ;;
    6f) echo ap-rep ;;
    74) echo krb-safe ;;
    75) echo krb-priv ;;
    76) echo krb-cred ;;
    7e) echo krb-error ;;
    61) echo ticket ;;
    62) echo authenticator ;;
    63) echo enc-ticket-part ;;
    79) echo enc-as-rep-part ;;
    7a) echo enc-tgs-rep-part ;;
    7b) echo enc-ap-rep-part ;;
    7c) echo enc-krb-priv-part ;;
    7d) echo enc-krb-cred-part ;;
    *) echo "unknown(0x$1)" ;;
    esac
}

# Total length (tag + length octets + contents) claimed by the outer DER
# header of file $1, or empty if the header is not DER.
der_total_len() {
    local -a b
    read -r -a b <<<"$(od -An -tx1 -N6 -v "$1")"
    ((${#b[@]} >= 2)) || return 0
    local l0=$((16#${b[1]})) n i len=0
    if ((l0 < 0x80)); then
        echo $((2 + l0))
        return 0
    fi
    n=$((l0 & 0x7f))
    ((n >= 1 && n <= 4 && ${#b[@]} >= 2 + n)) || return 0
    for ((i = 0; i < n; i++)); do
        len=$(((len << 8) | 16#${b[2 + i]}))
    done
    echo $((2 + n + len))
}

files=("$@")
hex=$tmp/all.hex
: >"$hex"
declare -a kinds prechk
for i in "${!files[@]}"; do
    f=${files[$i]}
    [[ -f $f && -r $f ]] || die "cannot read $f"
    size=$(stat -c %s "$f")
    ((size > 0)) || die "$f is empty"
    ((size <= MAX_UDP)) || die "$f is $size bytes; larger than one UDP datagram"
    tag=$(od -An -tx1 -N1 "$f" | tr -d ' \n')
    kinds[i]=$(kind_of_tag "$tag")
    total=$(der_total_len "$f")
    if [[ -z $total ]]; then
        prechk[i]="outer DER header is not valid"
    elif ((total != size)); then
        prechk[i]="outer DER length says $total bytes, file has $size"
    else
        prechk[i]=
    fi
    # od -Ax -tx1 -v: offsets restart at 0 for each file, which text2pcap
    # takes as the start of a new packet.
    od -Ax -tx1 -v "$f" >>"$hex"
done

pcap=$tmp/all.pcap
text2pcap -q -u 50000,88 "$hex" "$pcap" >"$tmp/text2pcap.log" 2>&1 ||
    { cat "$tmp/text2pcap.log" >&2; die "text2pcap failed"; }

tshark_q() { tshark -n -r "$pcap" "$@" 2>"$tmp/tshark.err"; }

# frame number -> first kerberos.msg_type and the summary column
declare -A msgtype info
# (not tab-separated: bash would merge the empty fields of tabs)
while IFS='|' read -r fn mt inf; do
    msgtype[$fn]=${mt%%,*}
    info[$fn]=$inf
done < <(tshark_q -T fields -E 'separator=|' -e frame.number -e kerberos.msg_type -e _ws.col.Info ||
    { cat "$tmp/tshark.err" >&2; die "tshark failed to read the pcap"; })

nframes=${#msgtype[@]}
((nframes == ${#files[@]})) ||
    die "text2pcap made $nframes frames from ${#files[@]} files"

# frames tshark decoded as Kerberos at all (also bare Tickets, EncTicketParts...)
declare -A iskrb
while IFS= read -r fn; do
    [[ -n $fn ]] && iskrb[$fn]=1
done < <(tshark_q -Y kerberos -T fields -e frame.number ||
    { cat "$tmp/tshark.err" >&2; die "tshark failed on the kerberos filter"; })

# frame -> hard (exception / error), bug (tshark dissector bug), soft (other
# items of the Malformed group, e.g. BER warnings)
declare -A bad
classify() { # filter label
    local fn
    while IFS= read -r fn; do
        if [[ -n $fn && -z ${bad[$fn]:-} ]]; then bad[$fn]=$2; fi
    done < <(tshark_q -Y "$1" -T fields -e frame.number ||
        { cat "$tmp/tshark.err" >&2; die "tshark failed on filter: $1"; })
}
classify '_ws.malformed.expert || _ws.malformed.reassembly || (_ws.expert.severity == error && !_ws.malformed.dissector_bug)' hard
classify '_ws.malformed.dissector_bug' bug
classify '_ws.malformed || _ws.expert.severity == error' soft

msg_name() {
    case $1 in
    10) echo as-req ;; 11) echo as-rep ;; 12) echo tgs-req ;; 13) echo tgs-rep ;;
    14) echo ap-req ;; 15) echo ap-rep ;; 20) echo krb-safe ;; 21) echo krb-priv ;;
    22) echo krb-cred ;; 30) echo krb-error ;; '') echo "" ;; *) echo "msg-type-$1" ;;
    esac
}

detail() { # frame number
    tshark -n -r "$pcap" -V -Y "frame.number == $1" 2>/dev/null |
        sed -n '/^Kerberos\|^Malformed\|^ *\[Expert\|^ *\[Malformed/,$p' | sed 's/^/    /'
}

fails=0
warns=0
for i in "${!files[@]}"; do
    fn=$((i + 1))
    f=${files[$i]}
    name=$(msg_name "${msgtype[$fn]:-}")
    if [[ -z $name && -n ${iskrb[$fn]:-} && ${kinds[$i]} != unknown* ]]; then
        name=${kinds[$i]}   # not a message, but a Kerberos structure tshark decodes
    fi
    reason=
    warn=
    case ${bad[$fn]:-} in
    hard) reason="malformed packet / expert error in tshark" ;;
    bug) warn="tshark dissector bug (tshark cannot judge this one)" ;;
    soft) warn="tshark flags it as malformed (warning-level expert item)" ;;
    esac
    if [[ -z $reason && -z $name ]]; then
        reason="tshark did not decode it as Kerberos (DER tag says ${kinds[$i]})"
    elif [[ -z $reason && -n ${prechk[$i]} ]]; then
        reason=${prechk[$i]}
    fi
    if [[ -z $reason && -n $warn ]] && ((!lenient)); then
        reason=$warn
        warn=
    fi
    if [[ -n $reason ]]; then
        fails=$((fails + 1))
        printf 'FAIL %s  %s  %s\n' "$f" "${name:-?}" "$reason"
        detail "$fn"
    elif [[ -n $warn ]]; then
        warns=$((warns + 1))
        printf 'warn %s  %s  %s\n' "$f" "$name" "$warn"
        tshark -n -r "$pcap" -V -Y "frame.number == $fn" 2>/dev/null |
            grep -E 'Expert Info \((Error|Warning)' | sort -u | sed 's/^ */    /'
    else
        printf 'ok   %s  %s  %s\n' "$f" "$name" "${info[$fn]:-}"
    fi
done
((warns == 0)) || printf '%s: %d file(s) with warnings (--lenient)\n' "$PROG" "$warns" >&2
((fails == 0)) || { printf '%s: %d of %d file(s) failed\n' "$PROG" "$fails" "${#files[@]}" >&2; exit 1; }
exit 0
