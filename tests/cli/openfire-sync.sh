#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# jabber-dispatch sync between the stock biboumi and an Openfire with its embedded database:
# the port it imposes, added/unchanged/updated rows, restart asked for, owners kept, secrets hidden.
. "$(dirname "$0")/lib.sh" "$@"
make_root biboumi
. "$TESTS/lib/openfire-root.sh"
openfire_root

# biboumi's stock port is 5347; Openfire takes components on 5275 only.
configure_biboumi irc.example.org 'first-Secret'
snapshot a
run_jd sync --server=openfire
snapshot b
check "other port: exit 65" equals "$rc" 65
check "other port: the pair is an error" contains "$out" "biboumi          openfire     irc.example.org                  error"
check "other port: says which port to use" contains "$err" "Openfire takes every external component on port 5275 (xmpp.component.socket.port), the transport connects to port 5347: set the transport's port to 5275"
check "other port: nothing written" same_snapshot a b

configure_biboumi irc.example.org 'first-Secret' 5275
run_jd sync
check "added: exit 0" equals "$rc" 0
check "added, restart needed" contains "$out" "biboumi          openfire     irc.example.org                  added (restart needed)"
check "the admin is told to restart Openfire" contains "$err" "server openfire: restart it for the change to take effect"
check "the row is in the script" grep -qxF "INSERT INTO OFEXTCOMPONENTCONF VALUES('irc',0,'first-Secret','allowed')" "$OF_SCRIPT"
check "it went after the rows of the tables created before it" bash -c "grep -A1 -F \"INSERT INTO OFVERSION\" '$OF_SCRIPT' | grep -q \"VALUES('irc'\""
check "the record names the database and the subdomain" grep -qx 'HSQLDB5A1F0C2B9D irc' "$OF_ROWS"
check "owner and mode kept" equals "$(stat -c '%U:%G %a' "$OF_SCRIPT")" "root:nogroup 640"
check "audit log" grep -q 'server=openfire host=irc.example.org port=5275 result=added' "$ROOT/var/log/jabber-dispatch/jabber-dispatch.log"

snapshot a
run_jd sync
snapshot b
check "then unchanged" contains "$out" "openfire     irc.example.org                  unchanged"
check "unchanged wrote nothing" same_snapshot a b
run_jd list
check "list: ok" contains "$out" "openfire     irc.example.org                  ok"

configure_biboumi irc.example.org 'second-Secret' 5275
snapshot a
run_jd sync --dry-run
snapshot b
check "dry run: updated" contains "$out" "openfire     irc.example.org                  updated (restart needed)"
check "dry run: the diff shows the old and new secret as placeholders" contains "$out" "-INSERT INTO OFEXTCOMPONENTCONF VALUES('irc',0,<old secret>,'allowed')
+INSERT INTO OFEXTCOMPONENTCONF VALUES('irc',0,<secret>,'allowed')"
check "dry run: neither secret in the output" bash -c "! grep -q -e first-Secret -e second-Secret '$T/out' '$T/err'"
check "dry run: neighbouring rows hidden" contains "$out" " INSERT INTO OFPROPERTY VALUES(<hidden>)"
check "dry run: no passwordKey value" lacks "$out" "c2VjcmV0LWtleS1vZi10aGUtc2VydmVy"
check "dry run: nothing written" same_snapshot a b
run_jd sync
check "updated" contains "$out" "openfire     irc.example.org                  updated (restart needed)"
check "the new secret is in the row" grep -qxF "INSERT INTO OFEXTCOMPONENTCONF VALUES('irc',0,'second-Secret','allowed')" "$OF_SCRIPT"
check "one row only" equals "$(grep -c "VALUES('irc'" "$OF_SCRIPT")" 1
check "owner and mode still kept" equals "$(stat -c '%U:%G %a' "$OF_SCRIPT")" "root:nogroup 640"
check "no secret in the audit log" bash -c "! grep -q -e first-Secret -e second-Secret '$ROOT/var/log/jabber-dispatch/jabber-dispatch.log'"

# Openfire running (a live HSQLDB heartbeat): nothing is touched, exit 75.
of_heartbeat "$OF_DB/openfire.lck" "$(date +%s%3N)"
configure_biboumi irc.example.org 'third-Secret' 5275
snapshot a
run_jd sync --server=openfire
snapshot b
check "running: exit 75" equals "$rc" 75
check "running: says why and what to do" contains "$err" "Openfire is running (/var/lib/openfire/embedded-db/openfire.lck has a live heartbeat)"
check "running: nothing written" same_snapshot a b
rm "$OF_DB/openfire.lck"

# Openfire not installed here (no openfire.xml): left out of the run, no error.
mv "$OF_XML" "$T/openfire.xml"
run_jd sync
check "not installed: exit 0" equals "$rc" 0
check "not installed: no openfire pair" lacks "$out" "openfire"
mv "$T/openfire.xml" "$OF_XML"

# The transport is renamed, then its package removed: what it left in Openfire goes, only that.
configure_biboumi irc2.example.org 'second-Secret' 5275
run_jd sync
check "renamed: the new host added" contains "$out" "openfire     irc2.example.org                 added (restart needed)"
check "renamed: the old host removed" contains "$out" "openfire     irc.example.org                  removed"
check "renamed: the old row gone" bash -c "! grep -q \"VALUES('irc',\" '$OF_SCRIPT'"
check "renamed: the record follows" equals "$(grep -v '^#' "$OF_ROWS")" "HSQLDB5A1F0C2B9D irc2"
mv "$ROOT/usr/lib/jabber-dispatch/transports/biboumi" "$T/biboumi.adapter"
run_jd sync
check "transport gone: removed from Openfire" contains "$out" "openfire     irc2.example.org                 removed"
check "transport gone: the script is as it was" cmp -s "$OF_FIX/valid-minimal.script" "$OF_SCRIPT"
mv "$T/biboumi.adapter" "$ROOT/usr/lib/jabber-dispatch/transports/biboumi"

# The reload Openfire does not have.
"$OF_ADAPTER" --root="$ROOT" --reload >"$T/o"
check "--reload says a restart is needed" grep -q '^restart needed: ' "$T/o"
finish
