#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Prosody's component_ports follows our components both ways: a port no component of ours uses
# any more goes (a transport moved from 5243 to 5999 leaves no 5243), the default 5347 and ports
# the admin wrote stay, and an admin's own component_ports line is never edited.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody
main=$ROOT/etc/prosody/prosody.cfg.lua
adapter=$ROOT/usr/lib/jabber-dispatch/servers/prosody
cp -p "$main" "$T/stock"
ad() { # ad ARGS...: run the adapter, $out and $rc
	set +e
	out=$("$adapter" --root="$ROOT" "$@" <<<"s3cret" 2>&1)
	rc=$?
	set -e
}
ports() { sed -n 's/^component_ports = { \(.*\) } -- jabber-dispatch: component_ports.*/\1/p' "$main"; }

ad --host=irc.example.org --port=5243 --password-stdin
check "irc on 5243: added, restart" equals "$out" "added restart"
check "irc on 5243: port opened" equals "$(ports)" "5347, 5243"
ad --host=muc.example.org --port=5243 --password-stdin
check "muc on 5243 too: added" equals "$out" "added"
ad --host=irc.example.org --port=5999 --password-stdin
check "irc moved to 5999: updated, restart" equals "$out" "updated restart"
check "irc moved to 5999: muc keeps 5243 open" equals "$(ports)" "5347, 5243, 5999"
ad --remove --host=muc.example.org
check "muc removed: removed, restart" equals "$out" "removed restart"
check "muc removed: 5243 closed" equals "$(ports)" "5347, 5999"
check "the result compiles (luac)" luac5.4 -p "$main" 2>/dev/null || check "the result compiles (lua)" lua5.4 -e "assert(loadfile('$main'))"

# a port the admin wrote on our line stays
sed -i 's/^component_ports = { 5347, 5999 }/component_ports = { 5347, 5999, 6000 }/' "$main"
ad --host=irc.example.org --port=5998 --password-stdin
check "irc moved again: 5999 closed, the admin's 6000 kept" equals "$(ports)" "5347, 6000, 5998"
ad --remove --host=irc.example.org
check "last one removed: the admin's 6000 still there" equals "$(ports)" "5347, 6000"

# without the admin's port, the last removal gives back the stock file
cp -p "$T/stock" "$main"
ad --host=irc.example.org --port=5243 --password-stdin
ad --remove --host=irc.example.org
check "added then removed: prosody.cfg.lua byte-identical" cmp "$T/stock" "$main"

# an admin's own line (no marker) is never edited, not even to drop a port
cp -p "$T/stock" "$main"
sed -i '0,/^VirtualHost/s//component_ports = { 5347, 5243 }\n&/' "$main"
cp "$main" "$T/admin"
ad --host=irc.example.org --port=5243 --password-stdin
check "the admin's line lists 5243: added" equals "$out" "added"
ad --remove --host=irc.example.org
check "the admin's line is left alone" cmp "$T/admin" "$main"
finish
