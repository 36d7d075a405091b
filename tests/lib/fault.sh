# SPDX-License-Identifier: GPL-2.0-or-later
# Fault injection for the crash tests of tests/cli, sourced after lib.sh: the LD_PRELOAD shim
# (fault-shim.c) built here, wrappers that run an adapter under it, and the checks that every
# file is a version it passes through in a clean run (never a partial one).

# build_shim: compile the shim into $T (no sanitizers: it is preloaded into every build type)
build_shim() {
	command -v cc >/dev/null || skip "no C compiler to build the fault-injection shim"
	cc -shared -fPIC -O1 -o "$T/fault-shim.so" "$TESTS/lib/fault-shim.c" -ldl || skip "cannot build the fault-injection shim"
	# An ASan build must have its runtime first in the list of preloaded libraries.
	PRELOAD=$T/fault-shim.so
	local asan
	asan=$(ldd "$JD" | awk '/libasan/ { print $3 }')
	if [ -n "$asan" ]; then PRELOAD="$asan $PRELOAD"; fi
}

# FAULT_DIRS: where the configs are, relative to the root; every regular file there is tracked.
FAULT_DIRS=(etc/prosody etc/ejabberd etc/jabberd2 etc/biboumi var/lib/jabber-dispatch)

# fault_files: "PATH MODE OWNER SHA256" for every tracked file (temp files, the lock and the record
# of the last run excluded: bookkeeping whose bytes differ from run to run)
fault_files() {
	(cd "$ROOT" && { find "${FAULT_DIRS[@]}" -type f ! -name '*.jdtmp.*' ! -path var/lib/jabber-dispatch/lock ! -path var/lib/jabber-dispatch/noop \
		-printf '%p %m %u:%g\n' 2>/dev/null || true; } | sort >"$T/meta" &&
		cut -d' ' -f1 "$T/meta" | tr '\n' '\0' | xargs -0 -r sha256sum | cut -c1-32 >"$T/sums" &&
		paste -d' ' "$T/meta" "$T/sums")
}

# fault_temps: the temp files of a commit under the tracked directories, with their modes
fault_temps() {
	(cd "$ROOT" && find "${FAULT_DIRS[@]}" -name '*.jdtmp.*' -printf '%p %m\n' 2>/dev/null || true)
}

# record_version: keep the state of every tracked file now, as one more version
record_version() {
	fault_files >"$T/snap.$(date +%s%N)"
}

# versions_done: every recorded state of every file ("PATH -" where it was absent) into $T/versions
versions_done() {
	cat "$T"/snap.* | cut -d' ' -f1 | sort -u >"$T/paths"
	for s in "$T"/snap.*; do
		cat "$s"
		cut -d' ' -f1 "$s" | sort | comm -13 - "$T/paths" | sed 's/$/ -/'
	done | sort -u >"$T/versions"
}

# check_versions WHAT [PATH...]: every tracked file (but PATHs) is a version seen in the clean run
check_versions() {
	local what=$1 bad x
	shift
	fault_files >"$T/now"
	{ cat "$T/now"; cut -d' ' -f1 "$T/now" | sort | comm -13 - "$T/paths" | sed 's/$/ -/'; } >"$T/now-all"
	for x; do grep -v "^$x " "$T/now-all" >"$T/now-x" || true; mv "$T/now-x" "$T/now-all"; done
	bad=$(grep -vxF -f "$T/versions" "$T/now-all" || true)
	if [ -z "$bad" ]; then pass "$what: every config an old or a new version"; else fail "$what: not a version of a clean run: $bad"; fi
}

# save_pristine / restore_pristine: the root's etc and var as they are now, and back
save_pristine() {
	rm -rf "$T/pristine" && mkdir "$T/pristine" && cp -a "$ROOT/etc" "$ROOT/var" "$T/pristine/"
}
restore_pristine() {
	rm -rf "$ROOT/etc" "$ROOT/var" && cp -a "$T/pristine/etc" "$T/pristine/var" "$ROOT/"
}

# wrap_adapter KIND NAME [VAR=VALUE...]: run the packaged adapter through an admin override
# that sets the variables (the dispatcher passes adapters a clean environment)
wrap_adapter() {
	local kind=$1 name=$2 w
	shift 2
	w=$ROOT/etc/jabber-dispatch/$kind/$name
	mkdir -p "${w%/*}"
	{
		echo '#!/bin/sh'
		for v; do printf 'export %q\n' "$v"; done
		printf 'exec %q "$@"\n' "$ROOT/usr/lib/jabber-dispatch/$kind/$name"
	} >"$w"
	chmod 755 "$w"
}

# wrap_recorder KIND NAME: run the adapter, then record the state of every file
wrap_recorder() {
	local kind=$1 name=$2 w
	w=$ROOT/etc/jabber-dispatch/$kind/$name
	mkdir -p "${w%/*}"
	printf '#!/bin/bash\n%q "$@"\nrc=$?\n. %q %q\nrecord_version\nexit $rc\n' \
		"$ROOT/usr/lib/jabber-dispatch/$kind/$name" "$T/recorder.sh" "$T" >"$w"
	chmod 755 "$w"
	# What the recorder needs, without lib.sh (which would make a new sandbox).
	{
		printf 'T=$1 ROOT=%q\n' "$ROOT"
		declare -p FAULT_DIRS
		declare -f fault_files record_version
	} >"$T/recorder.sh"
}

# fault_scenario: the sandbox and the job the fault tests break.  Stock prosody, ejabberd,
# jabberd2 and biboumi, synced once; then the transport's host changes (each server adds one
# and removes one) and the admin gives jabberd2 a new shared secret (biboumi adopts it, every
# server gets it).  Leaves: $T/pristine (before the job), $T/versions (every version a file
# takes in clean runs), $T/final (after the job), $targets (the adapters).
fault_scenario() {
	make_root prosody ejabberd jabberd2 biboumi
	build_shim
	# Only the adapters of these packages: every run spawns each adapter, and the tests run many.
	find "$ROOT/usr/lib/jabber-dispatch/servers" "$ROOT/usr/lib/jabber-dispatch/transports" -mindepth 1 \
		! -name prosody ! -name ejabberd ! -name jabberd2 ! -name biboumi -delete
	configure_biboumi irc.example.org 's3cret'
	run_jd sync
	[ "$rc" = 0 ] || { echo "$err"; fail "the first sync (exit $rc)"; finish; }
	# The job under test: the transport's host changes, so each server adds one and removes one;
	# and the admin gave jabberd2 a new shared secret, which biboumi adopts and every server gets.
	sed -i 's/^hostname=.*/hostname=irc2.example.org/' "$ROOT/etc/biboumi/biboumi.cfg"
	sed -i 's|<secret>[^<]*</secret>|<secret>n3w-shared</secret>|' "$ROOT/etc/jabberd2/router.xml"
	grep -q '<secret>n3w-shared</secret>' "$ROOT/etc/jabberd2/router.xml" || { fail "cannot set jabberd2's secret"; finish; }
	save_pristine

	# Clean runs, recording every file after each adapter call: the versions a file may have.
	# A run killed half-way may have removed the old host and not yet added the new one: the
	# versions of a run that only removes (the transport masked) are complete versions too.
	targets="servers/prosody servers/ejabberd servers/jabberd2 transports/biboumi"
	record_version
	for t in $targets; do wrap_recorder "${t%/*}" "${t#*/}"; done
	ln -sfn /dev/null "$ROOT/etc/jabber-dispatch/transports/biboumi"
	run_jd sync
	[ "$rc" = 0 ] || { echo "$err"; fail "the clean run that removes (exit $rc)"; finish; }
	restore_pristine
	for t in $targets; do wrap_recorder "${t%/*}" "${t#*/}"; done
	run_jd sync
	[ "$rc" = 0 ] || { echo "$err"; fail "the clean run (exit $rc)"; finish; }
	rm -rf "$ROOT/etc/jabber-dispatch"
	record_version
	versions_done
	fault_files >"$T/final"
	run_jd list
	check "after the job: every pair ok" equals "$(grep -cv ' ok$' <<<"$out")" 0
}

# fault_steps TARGET [OPS]: how many write steps (of OPS, default all) the busiest process of
# TARGET ("dispatcher" or KIND/NAME of an adapter) takes in a clean run of the job
fault_steps() {
	fault_run "$1" "JD_FAULT_TRACE=$T/trace" "JD_FAULT_OPS=${2:-}"
	if [ -f "$T/trace" ]; then
		cut -d' ' -f1 "$T/trace" | sort | uniq -c | sort -n | tail -n 1 | awk '{ print $1 }'
		rm -f "$T/trace"
	else
		echo 0
	fi
}

# fault_run TARGET VAR=VALUE...: the job from the pristine state, TARGET running under the shim
# with the variables; sets $rc, $out, $err
fault_run() {
	local target=$1
	shift
	restore_pristine
	set +e
	if [ "$target" = dispatcher ]; then
		env "LD_PRELOAD=$PRELOAD" "$@" "$JD" --root="$ROOT" sync >"$T/out" 2>"$T/err"
	else
		wrap_adapter "${target%/*}" "${target#*/}" "LD_PRELOAD=$PRELOAD" "$@"
		"$JD" --root="$ROOT" sync >"$T/out" 2>"$T/err"
	fi
	rc=$?
	set -e
	rm -rf "$ROOT/etc/jabber-dispatch"
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}

# fault_next_sync WHAT: a clean sync after a broken one leaves no temp file and completes the job
fault_next_sync() {
	run_jd sync
	check "$1: the next sync exits 0" equals "$rc" 0
	check "$1: the next sync leaves no temp file" equals "$(fault_temps)" ""
	fault_files >"$T/after"
	check "$1: the next sync completes the job" diff -u "$T/final" "$T/after"
}
