#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzz every parser of lib/syntax and the descriptor reader with libFuzzer, each for a bounded time.
#
# usage: run.sh [-t SECONDS] [--keep] [TARGET...]
#                                            fuzz each target (default: all) SECONDS (default 300);
#                                            --keep copies every crasher into tests/fuzz/regressions/TARGET
#        run.sh --short BUILD_DIR            the suite's run: 20 s per target, skipped (77) without
#                                            clang or in the ASan build (it runs once per suite)
# Seeds: the fixtures of tests/ and the shared corpus (../shared, or $JD_SHARED).  The fuzz build
# (clang, -DJD_FUZZ=ON) goes to $JD_FUZZ_BUILD (default: build-fuzz in the checkout; with --short,
# fuzz-build in BUILD_DIR), and is reused.
# Prints per target the executions and crashers, then the totals; exit 1 when anything crashed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
shared=${JD_SHARED:-$src/../shared}
seconds=300 keep=0
targets=(lua yaml xml erl ini kv hsqldb descriptor)
picked=()

fbuild=${JD_FUZZ_BUILD:-$src/build-fuzz}
if [ "${1:-}" = --short ]; then
	seconds=20
	build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "${2:?--short BUILD_DIR}/CMakeCache.txt" 2>/dev/null || true)
	if [ "$build_type" = Asan ]; then echo "SKIP: the fuzz run is made once per suite, in the normal build"; exit 77; fi
	fbuild=${JD_FUZZ_BUILD:-$2/fuzz-build}
	shift 2
fi
while [ $# -gt 0 ]; do
	case $1 in
	-t) seconds=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	-*) echo "usage: run.sh [-t SECONDS] [--keep] [TARGET...] | run.sh --short BUILD_DIR" >&2; exit 64 ;;
	*) picked+=("$1"); shift ;;
	esac
done
[ ${#picked[@]} -eq 0 ] || targets=("${picked[@]}")
command -v clang >/dev/null || { echo "SKIP: clang is not installed (tests/setup-deps.sh installs it)"; exit 77; }

cmake -S "$src" -B "$fbuild" -DCMAKE_C_COMPILER=clang -DJD_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$fbuild" -j2 --target "${targets[@]/#/fuzz-}" >/dev/null

# seeds TARGET: the files that start its corpus
seeds() {
	local f=$src/tests/fixtures s=$shared/corpus
	case $1 in
	lua) ls "$f"/prosody/*.lua "$s"/prosody/* ;;
	yaml) ls "$f"/ejabberd/*.yml "$s"/ejabberd-yml/* ;;
	xml) ls "$f"/jabberd2/hostile/*.xml "$f"/jabberd14/hostile/*.xml "$s"/jabberd2/* "$s"/jabberd14/* "$s"/jit/* "$s"/pyicqt-pyaimt/* "$s"/mu-conference/* ;;
	erl) ls "$f"/ejabberd/*.cfg "$s"/ejabberd-cfg/* ;;
	ini) ls "$s"/other-transports/*.ini "$s"/spectrum2/* "$s"/slidge/* ;;
	kv) ls "$src"/share/templates/* ;;
	hsqldb) ls "$f"/openfire/*.script "$s"/openfire/*.script ;;
	descriptor) ls "$src"/adapters/transports/descriptors/* ;;
	esac 2>/dev/null || true
}

work=$(mktemp -d /tmp/jd-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
total_execs=0 total_crashes=0
for t in "${targets[@]}"; do
	mkdir -p "$work/$t/corpus" "$work/$t/crash"
	seeds "$t" | while read -r f; do [ -f "$f" ] && cp "$f" "$work/$t/corpus/"; done
	cp "$here/regressions/$t/"* "$work/$t/corpus/" 2>/dev/null || true
	set +e
	"$fbuild/fuzz/fuzz-$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$work/$t/crash/" "$work/$t/corpus" >"$work/$t/log" 2>&1
	set -e
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t/log" | tail -1)
	crashes=$(find "$work/$t/crash" -type f | wc -l)
	printf '%-11s %9s execs in %ss, %s crasher(s)\n' "$t" "${execs:-0}" "$seconds" "$crashes"
	total_execs=$((total_execs + ${execs:-0}))
	total_crashes=$((total_crashes + crashes))
	for c in "$work/$t/crash"/*; do
		[ -f "$c" ] || continue
		grep -E 'ERROR|broken promise|SUMMARY' "$work/$t/log" | head -5 | sed 's/^/    /'
		echo "    input (base64): $(head -c 2048 "$c" | base64 -w0)"
		if [ "$keep" = 1 ]; then
			cp "$c" "$here/regressions/$t/$(sha1sum <"$c" | cut -c1-16)"
			echo "    kept as tests/fuzz/regressions/$t/$(sha1sum <"$c" | cut -c1-16)"
		fi
	done
done
echo "total: $total_execs execs, $total_crashes crasher(s)"
[ "$total_crashes" -eq 0 ]
