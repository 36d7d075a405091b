#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Malformed and hostile jabber.xml files (tests/fixtures/jabberd14/hostile): each is refused by
# sync and by the adapter with one clear FILE:LINE reason, and nothing changes.  A symlink in
# place of jabber.xml is refused before anything is shown.
. "$(dirname "$0")/lib.sh" "$@"
make_root biboumi
configure_biboumi irc.example.org 'own-secret'
JX=$ROOT/etc/jabber/jabber.xml
AD=$ROOT/usr/lib/jabber-dispatch/servers/jabberd14
FIX=$TESTS/fixtures/jabberd14/hostile
mkdir -p "$ROOT/etc/jabber"


n=0
while IFS=$'\t' read -r name status list reason; do
	case $name in '#'* | '') continue ;; esac
	n=$((n + 1))
	cp "$FIX/$name" "$JX"
	chmod 640 "$JX"
	snapshot a
	run_jd sync
	check "$name: sync exits $status" equals "$rc" "$status"
	check "$name: sync says it was jabberd14" contains "$err" "server jabberd14: exit status $status: \"jabberd14: /etc/jabber/"
	check "$name: sync says why" contains "$err" "${reason//\"/\\\"}"
	run_ad --host=irc.example.org --port=5347 --password-stdin --dry-run <<<'own-secret'
	check "$name: dry run refused" equals "$rc" "$status"
	check "$name: one line" equals "$(wc -l <"$T/err")" 1
	check "$name: reason" contains "$err" "$reason"
	check "$name: no diff" equals "$out" ""
	run_ad --remove --host=irc.example.org --dry-run
	[ "$list" != 0 ] || rc=$list # a file that parses: --remove may well answer
	check "$name: --remove refused when unparsable" equals "$rc" "$list"
	run_ad --list
	check "$name: --list status" equals "$rc" "$list"
	snapshot b
	check "$name: nothing changed" same_snapshot a b
done <"$FIX/EXPECT"
check "at least 15 hostile configs" test "$n" -ge 15
check "every fixture is listed" equals "$(ls "$FIX"/*.xml | wc -l)" "$n"

# A symlink where jabber.xml should be: refused up front, even for a dry run.
cp "$TESTS/fixtures/jabberd14/jabber.xml" "$ROOT/etc/jabber/jabber.xml.real"
rm -f "$JX"
ln -s jabber.xml.real "$JX"
snapshot a
run_jd sync --dry-run
check "symlink: dry run refused" equals "$rc" 73
check "symlink: says why" contains "$err" "/etc/jabber/jabber.xml: is a symlink; refusing to edit through it"
run_jd sync
snapshot b
check "symlink: sync refused" equals "$rc" 73
check "symlink: nothing changed" same_snapshot a b
finish
