#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sync on stock prosody + biboumi: adds once, then leaves files (and mtimes) alone.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody biboumi

# Stock biboumi ships hostname= and password= empty: not configured yet.
run_jd sync
check "unconfigured transport is not an error" equals "$rc" 0
check "unconfigured transport is reported" contains "$out" "unconfigured"

configure_biboumi irc.example.org 'Zx9-secret'
run_jd sync
dropin=$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua
check "first sync exits 0" equals "$rc" 0
check "first sync says added" contains "$out" "biboumi          prosody      irc.example.org                  added"
check "drop-in created" test -f "$dropin"
check "drop-in declares the component" grep -qx 'Component "irc.example.org"' "$dropin"
check "drop-in holds the secret" grep -qxF $'\tcomponent_secret = "Zx9-secret"' "$dropin"
check "drop-in mode 0640" equals "$(stat -c %a "$dropin")" 640
check "drop-in group is conf.d's" equals "$(stat -c %G "$dropin")" "$(stat -c %G "$ROOT/etc/prosody/conf.d")"
check "no temp file left" equals "$(find "$ROOT/etc/prosody" -name '.*' | wc -l)" 0
check "audit log has the change" grep -q 'transport=biboumi server=prosody host=irc.example.org port=5347 result=added' \
	"$ROOT/var/log/jabber-dispatch/jabber-dispatch.log"
check "audit log never holds the secret" bash -c "! grep -rq Zx9-secret '$ROOT/var/log'"
check "audit log not world-readable" equals "$(stat -c %a "$ROOT/var/log/jabber-dispatch/jabber-dispatch.log")" 640

before=$(stat -c '%i %Y.%y' "$dropin" "$ROOT/etc/prosody/prosody.cfg.lua")
snapshot a
sleep 1.1
run_jd sync
check "second sync exits 0" equals "$rc" 0
check "second sync says unchanged" contains "$out" "irc.example.org                  unchanged"
check "nothing rewritten (inode, mtime)" equals "$(stat -c '%i %Y.%y' "$dropin" "$ROOT/etc/prosody/prosody.cfg.lua")" "$before"
snapshot b
check "tree byte-identical after an unchanged sync" same_snapshot a b

run_jd list
check "list shows the pair ok" contains "$out" "irc.example.org                  ok"
run_jd --json list
check "list --json" contains "$out" '"transport":"biboumi","server":"prosody","host":"irc.example.org","port":5347,"result":"ok"'
run_jd adapters
check "adapters lists prosody with its capabilities" contains "$out" "protocol=1 password-stdin remove list reload dry-run"

# The secret changes in the transport's config: only the secret line changes.
printf -- '-- the admin added this\n\tcomponent_conflict_resolve = "kick_old"\n' >>"$dropin"
cp "$dropin" "$T/before"
configure_biboumi irc.example.org 'new-secret'
run_jd sync
check "changed secret: updated" contains "$out" "irc.example.org                  updated"
diff "$T/before" "$dropin" >"$T/d" || true
check "only the secret line changed" equals "$(grep -c '^[<>]' "$T/d")" 2
check "the admin's own line is kept" grep -q kick_old "$dropin"

# The adapter removes only what it added.
"$ROOT/usr/lib/jabber-dispatch/servers/prosody" --root="$ROOT" --remove --host=irc.example.org >"$T/o"
check "--remove says removed" equals "$(cat "$T/o")" removed
check "--remove deleted our drop-in" test ! -e "$dropin"
"$ROOT/usr/lib/jabber-dispatch/servers/prosody" --root="$ROOT" --remove --host=localhost >"$T/o"
check "--remove of the admin's VirtualHost: manual, left alone" equals "$(cat "$T/o")" manual
check "stock localhost untouched" test -L "$ROOT/etc/prosody/conf.d/localhost.cfg.lua"
finish
