#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every Openfire file of the shared corpus, read in place and put into a sandbox where Openfire
# would have it: the HSQLDB script is edited correctly (add, unchanged, update, exclude, remove,
# byte-identical after), SQL dumps and external-database openfire.xml files are refused with a
# clear reason, and nothing is ever corrupted.
. "$(dirname "$0")/lib.sh" "$@"
corpus=${JD_SHARED:-$TESTS/../../shared}/corpus/openfire
[ -d "$corpus" ] || skip "no shared corpus at $corpus (it lives beside the project checkout)"
[ "$(id -u)" = 0 ] || skip "needs root (file owners)"
mkdir -p "$ROOT"
. "$TESTS/lib/openfire-root.sh"
seen=0

fresh() { rm -rf "$ROOT/etc" "$ROOT/var"; openfire_root "${1:-}"; }

# refused FILE LABEL EXIT MESSAGE: apply and --list refuse, the sandbox stays byte-identical
refused() {
	snapshot before
	of_apply irc.example.org 5275 'corpus-Secret'
	check "$2: refused with exit $3" equals "$rc" "$3"
	check "$2: says why" contains "$err" "$4"
	of_adapter --list
	check "$2: --list refused too" equals "$rc" "$3"
	snapshot after
	check "$2: nothing changed" same_snapshot before after
	echo "  ($2: ${err#openfire: })"
}

for src in "$corpus"/*; do
	name=$(basename "$src")
	case $name in
	*.script)
		# Openfire's own HSQLDB 2.x test dataset: a real embedded database.
		fresh "$src"
		cp "$OF_SCRIPT" "$T/orig"
		of_apply irc.example.org 5275 "it's <&]]> #% \\u é"
		check "$name: added" equals "$out" "added restart"
		check "$name: the row" grep -qxF "INSERT INTO OFEXTCOMPONENTCONF VALUES('irc',0,'it''s <&]]> #% \\u005cu \\u00e9','allowed')" "$OF_SCRIPT"
		check "$name: the rest of the file untouched" bash -c "grep -vF \"VALUES('irc',\" '$OF_SCRIPT' | cmp -s - '$T/orig'"
		check "$name: the row among the table's neighbours (after OFVERSION, before OFSECURITYAUDITLOG)" \
			bash -c "grep -A1 '^INSERT INTO OFVERSION' '$OF_SCRIPT' | tail -n 1 | grep -q \"VALUES('irc'\""
		snapshot a
		of_apply irc.example.org 5275 "it's <&]]> #% \\u é"
		snapshot b
		check "$name: then unchanged" equals "$out" unchanged
		check "$name: unchanged wrote nothing" same_snapshot a b
		of_apply irc.example.org 5275 'second'
		check "$name: updated" equals "$out" "updated restart"
		of_adapter --list
		check "$name: listed as managed" equals "$out" "managed irc.example.org"
		sed -i "s/VALUES('irc',0,'second','allowed')/VALUES('irc',0,NULL,'blocked')/" "$OF_SCRIPT"
		of_apply irc.example.org 5275 'third'
		check "$name: blocked in the console: excluded" equals "$out" excluded
		sed -i "s/VALUES('irc',0,NULL,'blocked')/VALUES('irc',0,'second','allowed')/" "$OF_SCRIPT"
		of_adapter --remove --host=irc.example.org
		check "$name: --remove" equals "$out" "removed restart"
		check "$name: byte-identical after --remove" cmp -s "$T/orig" "$OF_SCRIPT"
		# The dataset's CREATE INDEX line ends with ';', as someone wrote it by hand: only DDL, passed through.
		check "$name: its hand-written DDL line kept" grep -q 'ROOMTIME_IDX ON OFMUCCONVERSATIONLOG (ROOMID, LOGTIME);$' "$OF_SCRIPT"
		seen=$((seen + 1))
		;;
	*.sql)
		# SQL dumps (pg_dump, provisioning scripts) are not what HSQLDB reads.
		fresh "$src"
		refused "$src" "$name as openfire.script" 65 "openfire.script:1: not an HSQLDB 2.x script"
		seen=$((seen + 1))
		;;
	*.xml)
		fresh
		cat "$src" >"$OF_XML"
		provider=$(grep -o 'database\.[A-Za-z]*ConnectionProvider' "$src" || true)
		case $provider in
		database.DefaultConnectionProvider)
			refused "$src" "$name (external database)" 65 "an external database (driver"
			check "$name: says what to do by hand" contains "$err" "INSERT INTO ofExtComponentConf (subdomain, wildcard, secret, permission) VALUES ('SUBDOMAIN', 0, 'SECRET', 'allowed')"
			check "$name: and how to stop asking" contains "$err" "ln -s /dev/null /etc/jabber-dispatch/servers/openfire"
			check "$name: no database password in the message" bash -c "! grep -qi -e games123 -e password '$T/err'"
			;;
		database.EmbeddedConnectionProvider)
			if grep -q '<setup>true</setup>' "$src"; then
				of_apply irc.example.org 5275 'corpus-Secret'
				check "$name (embedded, set up): added" equals "$out" "added restart"
			else
				refused "$src" "$name (not set up yet)" 66 "Openfire is not set up yet (no <setup>true</setup>; <autosetup> runs at its first start)"
			fi
			;;
		*)
			fail "$name: no connection provider found by the test"
			;;
		esac
		check "$name: openfire.xml itself never written" cmp -s "$src" "$OF_XML"
		seen=$((seen + 1))
		;;
	*)
		fail "$name: a corpus file this test does not know how to use"
		;;
	esac
done
check "every corpus file was used" test "$seen" -eq "$(find "$corpus" -maxdepth 1 -type f | wc -l)"
finish
