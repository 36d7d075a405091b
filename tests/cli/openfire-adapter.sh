#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The openfire adapter on its own: secrets escaped as HSQLDB writes them, exclusion the way an
# Openfire admin does it (block, or delete our row), the admin's rows left alone, --list, --remove.
. "$(dirname "$0")/lib.sh" "$@"
[ "$(id -u)" = 0 ] || skip "needs root (file owners)"
mkdir -p "$ROOT"
. "$TESTS/lib/openfire-root.sh"
openfire_root
cp "$OF_SCRIPT" "$T/pristine"

# Secrets that break naive quoting, and what HSQLDB itself writes for them (checked with HSQLDB
# 2.7 in tests/live/openfire-hsqldb.sh): '' for a quote, \u005c for a backslash before 'u',
# \uXXXX (UTF-16, lower case) for everything outside ASCII.
try_secret() {
	of_apply irc.example.org 5275 "$1"
	check "secret $2: written" grep -qxF "INSERT INTO OFEXTCOMPONENTCONF VALUES('irc',0,$2,'allowed')" "$OF_SCRIPT"
	of_apply irc.example.org 5275 "$1"
	check "secret $2: read back exactly (unchanged)" equals "$out" unchanged
}
try_secret "it's" "'it''s'"
try_secret "<&]]>\"#%" "'<&]]>\"#%'"
try_secret 'C:\users\x' "'C:\\u005cusers\\x'"
try_secret 'é€ x' "'\\u00e9\\u20ac x'"
try_secret '😀' "'\\ud83d\\ude00'"
try_secret "--'; DROP TABLE OFUSER; --" "'--''; DROP TABLE OFUSER; --'"
of_apply irc.example.org 5275 "$(printf 'x%.0s' {1..256})"
check "a secret over 255 characters: refused" contains "$err" "longer than the 255 characters of Openfire's ofExtComponentConf.secret"
check "over 255: exit 65" equals "$rc" 65
of_apply irc.example.org 5275 "$(printf 'é%.0s' {1..255})"
check "255 non-ASCII characters fit (VARCHAR counts characters)" equals "$rc" 0

# --remove takes our row away, byte for byte.
of_adapter --remove --host=irc.example.org
check "--remove: removed" equals "$out" "removed restart"
check "--remove: the script is as before" cmp -s "$T/pristine" "$OF_SCRIPT"
check "--remove: the record forgets it" bash -c "! grep -q ' irc\$' '$OF_ROWS'"
of_adapter --remove --host=irc.example.org
check "--remove again: absent" equals "$out" absent

# Exclusion 1: the admin blocks the subdomain in the console (its row becomes blocked, secret NULL).
of_apply irc.example.org 5275 's1'
sed -i "s/VALUES('irc',0,'s1','allowed')/VALUES('irc',0,NULL,'blocked')/" "$OF_SCRIPT"
snapshot a
of_apply irc.example.org 5275 's2'
check "blocked: excluded" equals "$out" excluded
of_adapter --remove --host=irc.example.org
check "blocked: --remove keeps the block" equals "$out" excluded
of_adapter --list
check "blocked: listed as excluded" equals "$out" "excluded irc.example.org"
snapshot b
check "blocked: nothing written" same_snapshot a b

# Exclusion 2: the admin deletes the row we added: it is not added again.
sed -i "s/VALUES('irc',0,NULL,'blocked')/VALUES('irc',0,'s1','allowed')/" "$OF_SCRIPT"
of_adapter --list
check "ours again: managed" equals "$out" "managed irc.example.org"
sed -i "/VALUES('irc',0,'s1','allowed')/d" "$OF_SCRIPT"
snapshot a
of_apply irc.example.org 5275 's2'
check "deleted by the admin: excluded" equals "$out" excluded
of_adapter --list
check "deleted by the admin: listed as excluded" equals "$out" "excluded irc.example.org"
of_adapter --remove --host=irc.example.org
check "deleted by the admin: --remove keeps the record" equals "$out" excluded
snapshot b
check "deleted by the admin: nothing written" same_snapshot a b
# The admin lets it in again by deleting the record's line.
sed -i '/ irc$/d' "$OF_ROWS"
of_apply irc.example.org 5275 's2'
check "record line deleted: added again" equals "$out" "added restart"

# A row the admin made: manual, never touched, never removed.
sed -i "s/^INSERT INTO OFVERSION .*/&\nINSERT INTO OFEXTCOMPONENTCONF VALUES('muc',0,'theirs','allowed')/" "$OF_SCRIPT"
snapshot a
of_apply muc.example.org 5275 'mine'
check "admin's row: manual" equals "$out" manual
of_adapter --remove --host=muc.example.org
check "admin's row: --remove says manual" equals "$out" manual
snapshot b
check "admin's row: nothing written" same_snapshot a b
of_adapter --list
check "list: the admin's and ours, in the order of the rows" equals "$out" "manual muc.example.org
managed irc.example.org"

# Wildcard rows (subdomain 'gw%', wildcard 1) cover every subdomain they match.
sed -i "s/^INSERT INTO OFVERSION .*/&\nINSERT INTO OFEXTCOMPONENTCONF VALUES('gw%',1,'family','allowed')\nINSERT INTO OFEXTCOMPONENTCONF VALUES('bad_',1,NULL,'blocked')/" "$OF_SCRIPT"
of_apply gw1.example.org 5275 'mine'
check "allowed wildcard: manual" equals "$out" manual
of_apply bad1.example.org 5275 'mine'
check "blocked wildcard: excluded" equals "$out" excluded
of_apply bad12.example.org 5275 'mine'
check "'_' matches one character only" equals "$out" "added restart"
of_adapter --list
check "list: wildcard rows name no host" lacks "$out" "gw"

# Names Openfire would register differently.
of_apply irc.example.net 5275 'x'
check "not under xmpp.domain: refused" contains "$err" "irc.example.net is not a subdomain of Openfire's domain \"example.org\""
of_apply example.org 5275 'x'
check "the domain itself: refused" contains "$err" "example.org is not a subdomain"
of_apply a.example.org.example.org 5275 'x'
check "the domain twice: refused" contains "$err" "holds Openfire's domain \"example.org\" twice"
of_apply irc.chat.example.org 5275 'x'
check "a dotted subdomain is fine" equals "$out" "added restart"
check "stored by its subdomain" test -n "$(of_row irc.chat)"

# Openfire's component port and listener switch, from ofProperty.
sed -i "s/^INSERT INTO OFPROPERTY VALUES('xmpp.domain'.*/&\nINSERT INTO OFPROPERTY VALUES('xmpp.component.socket.port','5347',0,NULL)/" "$OF_SCRIPT"
of_apply new.example.org 5347 'x'
check "xmpp.component.socket.port 5347: a 5347 transport fits" equals "$out" "added restart"
of_apply new2.example.org 5275 'x'
check "xmpp.component.socket.port 5347: 5275 refused" contains "$err" "port 5347 (xmpp.component.socket.port)"
sed -i "s/^INSERT INTO OFPROPERTY VALUES('xmpp.domain'.*/&\nINSERT INTO OFPROPERTY VALUES('xmpp.component.socket.active','false',0,NULL)/" "$OF_SCRIPT"
of_apply new3.example.org 5347 'x'
check "components switched off: refused" contains "$err" "external components are switched off in Openfire (xmpp.component.socket.active is \"false\")"
of_apply bad1.example.org 5347 's2'
check "switched off: exclusions still answered" equals "$out" excluded
of_apply muc.example.org 5275 's2'
check "switched off: manual rows still answered, whatever the port" equals "$out" manual

# A script without rows after ours, and without a final newline: added at the end, removed exactly.
head -c -1 "$T/pristine" | grep -v -e OFREMOTESERVERCONF -e OFMUCSERVICE >"$T/short"
printf '%s' "$(cat "$T/short")" >"$OF_SCRIPT"
cp "$OF_SCRIPT" "$T/short"
rm -f "$OF_ROWS"
of_apply tail.example.org 5275 'x'
check "no final newline: added" equals "$out" "added restart"
check "no final newline: still none" bash -c "[ \"\$(tail -c 1 '$OF_SCRIPT' | od -An -c | tr -d ' ')\" = ')' ]"
check "no final newline: the row is the last line" bash -c "tail -n 1 '$OF_SCRIPT' | grep -q \"VALUES('tail'\""
of_adapter --remove --host=tail.example.org
check "no final newline: removed byte-exactly" cmp -s "$T/short" "$OF_SCRIPT"

# A dry run writes nothing, and its diff hides the neighbours' secrets.
cp "$T/pristine" "$OF_SCRIPT"
of_apply irc.example.org 5275 's1'
sed -i "s/^INSERT INTO OFVERSION .*/&\nINSERT INTO OFEXTCOMPONENTCONF VALUES('aaa',0,'neighbour-secret','allowed')/" "$OF_SCRIPT"
snapshot a
of_apply irc.example.org 5275 's2' --dry-run
snapshot b
check "dry run: nothing written" same_snapshot a b
check "dry run: the neighbour row shown without its secret" contains "$out" " INSERT INTO OFEXTCOMPONENTCONF VALUES('aaa',0,<hidden>,'allowed')"
check "dry run: no secret at all" bash -c "! grep -q -e neighbour-secret -e \"'s1'\" -e \"'s2'\" '$T/out'"
of_adapter --remove --host=irc.example.org --dry-run
check "--remove --dry-run: the removed line hides its secret" contains "$out" "-INSERT INTO OFEXTCOMPONENTCONF VALUES('irc',0,<old secret>,'allowed')"
snapshot b
check "--remove --dry-run: nothing written" same_snapshot a b
finish
