#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ENOSPC and EIO on every write, fsync and rename of the dispatcher and of each adapter, in a
# sync that renames a transport's host and adopts a new shared secret: the run either did the
# whole job and exits 0, or says why (the error's text) and exits non-zero; every config is an
# old or a new version, never partial; the writer removed its temp file; the next sync
# completes the job.
. "$(dirname "$0")/lib.sh" "$@"
. "$TESTS/lib/fault.sh"
fault_scenario

faults=0 failed_runs=0
for target in dispatcher $targets; do
	for op in write fsync rename; do
		n=$(fault_steps "$target" "$op")
		echo "$target: $n $op calls"
		for ((i = 1; i <= n; i++)); do
			for errno in ENOSPC EIO; do
				what="$target: $errno on $op $i"
				rm -f "$T/fired"
				fault_run "$target" "JD_FAULT_AT=$i" "JD_FAULT_OPS=$op" "JD_FAULT_DO=$errno" "JD_FAULT_MARK=$T/fired"
				[ -f "$T/fired" ] || { fail "$what: the fault did not fire"; continue; }
				faults=$((faults + 1))
				reason=$([ "$errno" = ENOSPC ] && echo "No space left on device" || echo "Input/output error")
				if [ "$rc" = 0 ]; then
					# Only a failure that harms nothing may pass in silence: the job must be done.
					fault_files >"$T/after"
					check "$what: exit 0, so the job is done" diff -u "$T/final" "$T/after"
				else
					failed_runs=$((failed_runs + 1))
					check "$what: exit $rc says why" contains "$err" "$reason"
				fi
				check "$what: the writer removed its temp file" equals "$(fault_temps)" ""
				check_versions "$what" var/lib/jabber-dispatch/state
				fault_next_sync "$what"
			done
		done
	done
done
echo "faults injected: $faults; runs that failed and said why: $failed_runs"
check "faults were injected" test "$faults" -gt 20
finish
