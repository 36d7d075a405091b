#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kill -9 of the dispatcher, and of each server and transport adapter, at every write step
# of a sync that renames a transport's host on prosody, ejabberd and jabberd2
# and adopts a new shared secret: every config is afterwards a version a clean run passes
# through (never partial), a temp file left behind is 0600, and the next sync removes it and
# completes the job.
. "$(dirname "$0")/lib.sh" "$@"
. "$TESTS/lib/fault.sh"
fault_scenario

kills=0 left=0 bad_temps=0
for target in dispatcher $targets; do
	n=$(fault_steps "$target")
	echo "$target: $n write steps"
	[ "$n" -gt 0 ] || { fail "$target: no write step in a clean run"; echo "$err"; }
	for ((i = 1; i <= n; i++)); do
		what="$target killed at step $i"
		rm -f "$T/fired"
		fault_run "$target" "JD_FAULT_AT=$i" "JD_FAULT_MARK=$T/fired"
		[ -f "$T/fired" ] || { fail "$what: the fault did not fire"; continue; }
		kills=$((kills + 1))
		[ "$rc" != 0 ] || fail "$what: the run exited 0"
		# A temp file left is 0600; or, killed between its chmod and its rename, has its file's mode.
		while read -r tmp mode; do
			[ -n "$tmp" ] || continue
			left=$((left + 1))
			name=${tmp##*/.}
			file=${tmp%/*}/${name%.jdtmp.*}
			[ "$mode" = 600 ] || grep -q "^$file $mode " "$T/final" ||
				{ bad_temps=$((bad_temps + 1)); fail "$what: temp file $tmp is $mode, neither 600 nor its file's mode"; }
		done <<<"$(fault_temps)"
		# The state file is bookkeeping, any complete version will do: `list` reads it below.
		check_versions "$what" var/lib/jabber-dispatch/state
		fault_next_sync "$what"
	done
done
echo "kill -9 done: $kills; temp files left by them: $left (all removed by the next sync); of a wrong mode: $bad_temps"
check "kills were done" test "$kills" -gt 20
finish
