#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kill -9 of the dispatcher at 30 moments spread over a sync (its adapters die with it,
# whatever they were writing): every config is afterwards a version a clean run passes
# through, a temp file left is 0600 or its file's own mode, the lock is free for the next
# run at once, and that run removes the temp files and completes the job.
. "$(dirname "$0")/lib.sh" "$@"
. "$TESTS/lib/fault.sh"
fault_scenario

# How long the job takes here, in milliseconds: the quickest of three runs, so that the kills
# fall inside the job even when this machine is slow for a moment.
span=
for _ in 1 2 3; do
	restore_pristine
	t0=$(date +%s%N)
	"$JD" --root="$ROOT" sync >/dev/null 2>&1
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ -z "$span" ] || [ "$ms" -lt "$span" ]; then span=$ms; fi
done
echo "a clean run of the job takes ${span} ms"

kills=0 left=0 bad_temps=0 mid=0
for ((i = 1; i <= 30; i++)); do
	ms=$((span * i / 30))
	what="dispatcher killed after ${ms} ms"
	restore_pristine
	"$JD" --root="$ROOT" sync >"$T/out" 2>"$T/err" &
	pid=$!
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
	wait "$pid" 2>/dev/null || true
	# The adapters it was running die with it; give the kernel a moment to reap them.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		alive=$(pgrep -f "$ROOT/usr/lib/jabber-dispatch/" || true)
		[ -n "$alive" ] || break
		sleep 0.1
	done
	check "$what: no adapter outlives it" equals "$alive" ""
	cmp -s "$T/final" <(fault_files) || mid=$((mid + 1))
	while read -r tmp mode; do
		[ -n "$tmp" ] || continue
		left=$((left + 1))
		name=${tmp##*/.}
		file=${tmp%/*}/${name%.jdtmp.*}
		[ "$mode" = 600 ] || grep -q "^$file $mode " "$T/final" ||
			{ bad_temps=$((bad_temps + 1)); fail "$what: temp file $tmp is $mode, neither 600 nor its file's mode"; }
	done <<<"$(fault_temps)"
	check_versions "$what" var/lib/jabber-dispatch/state
	fault_next_sync "$what"
done
echo "kill -9 done: $kills ($mid of them before the job was complete); temp files left: $left; of a wrong mode: $bad_temps"
check "kills came before the job was complete" test "$mid" -gt 10
finish
