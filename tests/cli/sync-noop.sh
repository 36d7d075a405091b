#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A sync with nothing to do runs no adapter: after a run that changed nothing, the next one
# compares what that run depended on (the program, every adapter, every file the adapters said
# they read) and, all the same, reports that run's outcome.  Any doubt is a full run: a changed
# file, a touched adapter, an adapter that does not say what it read, a clock gone back, --force.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody ejabberd
only_servers prosody ejabberd
vendor_rel=/usr/lib/jabber-dispatch
vendor=$ROOT$vendor_rel
N=5
descriptor_transports "$N"
record=$ROOT/var/lib/jabber-dispatch/noop

# full WHAT ARGS...: a run of every adapter that changes nothing; replayed WHAT: one of none.
# A run that starts within the clock tick of an edit cannot trust that file's time, and records
# no outcome (by design: the next run is full again); a full run here waits for the next tick.
full() {
	local what=$1
	shift
	sleep 0.05
	procs "$@"
	check "$what: exit 0" equals "$rc" 0
	check "$what: every adapter run ($procs processes)" test "$procs" -gt 1
	check "$what: the same outcome" equals "$out" "$steady"
}
replayed() {
	procs sync
	check "$1: exit 0" equals "$rc" 0
	check "$1: no adapter run ($procs process)" equals "$procs" 1
	check "$1: the outcome of the last run" equals "$out" "$steady"
}

run_jd sync
check "first sync: added" equals "$(grep -c ' added$' <<<"$out")" $((2 * N))
check "a run that changed something records no outcome" bash -c "! grep -qx outcome '$record'"
run_jd sync
steady=$out
check "second sync: unchanged" equals "$(grep -c ' unchanged$' <<<"$out")" $((2 * N))
check "the record is the program's alone" test "$(stat -c %a "$record")" = 600
replayed "nothing changed"
replayed "nothing changed, again"

run_jd sync --json
check "--json from the record: every pair" equals "$(grep -o '"result":"unchanged"' <<<"$out" | wc -l)" $((2 * N))
check "--json from the record: exit 0" contains "$out" '"exit":0'
run_jd -q sync
check "-q from the record: nothing to say" equals "$out" ""
run_jd -v sync
check "-v says why no adapter ran" contains "$err" "nothing changed since the last run"

full "--force" sync --force
replayed "after --force"
procs list
check "list runs the adapters" test "$procs" -gt 1
procs --dry-run sync
check "a dry run runs the adapters" test "$procs" -gt 1
procs sync --transport=t1
check "a run of one transport runs its adapter" test "$procs" -gt 1

# A transport's config edited: its new secret goes in; then the steady state again.
printf 'hostname=t2.example.org\nport=5347\npassword=another\n' >"$ROOT/etc/pt/t2.cfg"
run_jd sync
check "a changed transport config: updated" equals "$(grep -c ' updated$' <<<"$out")" 2
full "after the change" sync
replayed "after the change, steady"

# The same bytes, the file touched: a doubt all the same, and -v names it.
touch "$ROOT/etc/pt/t3.cfg"
full "a touched transport config" -v sync
check "-v names the file that changed" contains "$err" "every adapter is run: /etc/pt/t3.cfg changed"
replayed "then steady"
touch "$ROOT/etc/prosody/prosody.cfg.lua"
full "a touched server config" sync
touch "$ROOT/etc/ejabberd/modules.d/jabber-dispatch.yml"
full "a touched ejabberd drop-in" sync
# An admin commenting a component out is a change of a file read: seen.
sed -i 's/^Component/-- Component/' "$ROOT/etc/prosody/conf.d/t4.example.org.cfg.lua"
run_jd sync
check "a component commented out: excluded" contains "$out" "t4.example.org                   excluded"
steady=$out
full "excluded, once more (the state forgot it)" sync
replayed "excluded, steady"
# A new drop-in in conf.d (the directory changes): seen.
printf 'Component "other.example.org"\n\tcomponent_secret = "x"\n' >"$ROOT/etc/prosody/conf.d/other.cfg.lua"
full "a new file in conf.d" sync
replayed "then steady"

# The adapters: one touched, one added, one masked.
touch "$vendor/servers/prosody"
full "a touched server adapter" sync
touch "$vendor/describe"
full "a touched descriptor interpreter" sync
touch "$vendor/transports/t5"
full "a touched transport adapter" sync
# A new adapter in a directory: the directory changed.
cp -p "$vendor/transports/t5" "$vendor/transports/t6"
sed -i 's/t5/t6/' "$vendor/transports/t6"
sed 's/t5/t6/' "$ROOT/etc/pt/t5.cfg" >"$ROOT/etc/pt/t6.cfg"
sleep 0.05
run_jd -v sync
check "a new transport adapter: seen" contains "$err" "$vendor_rel/transports changed"
check "a new transport adapter: added" equals "$(grep -c 't6.* added$' <<<"$out")" 2
rm "$vendor/transports/t6"
run_jd sync
check "and gone again: removed" equals "$(grep -c 't6.* removed$' <<<"$out")" 2
mkdir -p "$ROOT/etc/jabber-dispatch/transports"
ln -s /dev/null "$ROOT/etc/jabber-dispatch/transports/t5"
run_jd sync
check "a masked transport: its components go" equals "$(grep -c ' removed$' <<<"$out")" 2
run_jd sync
steady=$out
replayed "masked, steady"
rm "$ROOT/etc/jabber-dispatch/transports/t5"
run_jd sync
check "unmasked: back" equals "$(grep -c ' added$' <<<"$out")" 2
run_jd sync
steady=$out
replayed "unmasked, steady"

# A clock gone back: the record is from the future.
sed -i 's/^at .*/at 4102444800.000000000/' "$record"
full "the clock behind the last run" sync
replayed "the clock fine again"

# A record that is not one, or none: a full run, no error.
echo garbage >"$record"
full "a broken record" sync
rm -f "$record"
full "no record" sync
replayed "recorded again"

# An adapter skipped for its interpreter (not in the root yet): the interpreter's arrival must be
# seen, and it is no file the record names, so no run is taken as unchanged while it is skipped.
printf '#!/usr/lib/jabber-dispatch/describe-to-come\n' >"$ROOT/etc/jabber-dispatch/transports/later"
chmod 755 "$ROOT/etc/jabber-dispatch/transports/later"
run_jd sync
steady=$out
full "a skipped adapter, nothing changed" sync
full "a skipped adapter, nothing changed, again" sync
rm "$ROOT/etc/jabber-dispatch/transports/later"

# An adapter that does not say what it read (the seed protocol): never taken as unchanged.
cat >"$ROOT/etc/jabber-dispatch/transports/seedling" <<'SEED'
#!/bin/sh
echo seedling.example.org
echo 5347
echo seedling-secret
SEED
chmod 755 "$ROOT/etc/jabber-dispatch/transports/seedling"
run_jd sync
check "a seed transport: added" equals "$(grep -c 'seedling.* added$' <<<"$out")" 2
run_jd sync
steady=$out
full "a seed transport, nothing changed" sync
full "a seed transport, nothing changed, again" sync
finish
