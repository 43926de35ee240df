#!/usr/bin/env bash
# Builds cloudtrust with warnings as errors and runs every test suite
# (unit, fuzz-regress, lab).  Needs root for the lab (network namespace,
# Samba DC).  With --asan, also builds and runs everything under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
trap 'tests/lab/lab.sh down >/dev/null 2>&1 || true' EXIT

[[ -f build/build.ninja ]] || meson setup build -Dwerror=true -Dwarning_level=3
meson compile -C build
meson test -C build --print-errorlogs

if [[ ${1:-} == --asan ]]; then
	[[ -f build-asan/build.ninja ]] ||
		meson setup build-asan -Dwerror=true -Dwarning_level=3 \
			-Db_sanitize=address,undefined -Db_lundef=false
	meson compile -C build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		meson test -C build-asan --print-errorlogs
fi
