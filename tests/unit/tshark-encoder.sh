#!/usr/bin/env bash
# tshark-encoder.sh TEST-KRB-MSG: every KDC message our encoder writes in the
# krb-msg unit test (AS-REQ/REP, TGS-REQ/REP, KRB-ERROR, AP-REQ) must decode in
# tshark without a malformed-packet mark.  (KRB-CRED is checked against MIT's
# krb5_rd_cred in test-krb-msg instead: tshark does not dissect it on port 88.)
set -euo pipefail
gen=${1:?usage: tshark-encoder.sh PATH-TO-test-krb-msg}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$gen" --write-corpus "$d" >/dev/null
shopt -s nullglob
files=("$d"/kdc_rep-*.der "$d"/kdc_req-*.der "$d"/error-*.der "$d"/ap_req-*.der)
((${#files[@]} >= 6)) || { echo "expected at least 6 encoder outputs, got ${#files[@]}" >&2; exit 1; }
"$here/../lab/tshark_check.sh" "${files[@]}"
