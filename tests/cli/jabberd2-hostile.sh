#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Malformed and hostile router.xml files (tests/fixtures/jabberd2/hostile): each is refused by
# sync, --shared, apply and --list with one clear FILE:LINE reason, and nothing changes.  A
# symlink in place of router.xml is refused before anything is shown.
. "$(dirname "$0")/lib.sh" "$@"
make_root jabberd2 biboumi
configure_biboumi irc.example.org 'own-secret'
RX=$ROOT/etc/jabberd2/router.xml
AD=$ROOT/usr/lib/jabber-dispatch/servers/jabberd2
FIX=$TESTS/fixtures/jabberd2/hostile
cp "$RX" "$T/stock.xml"


n=0
while IFS=$'\t' read -r name status reason; do
	case $name in '#'* | '') continue ;; esac
	n=$((n + 1))
	cat "$FIX/$name" >"$RX" # keeps the stock owner and mode
	snapshot a
	run_jd sync
	check "$name: sync exits $status" equals "$rc" "$status"
	check "$name: sync says it was jabberd2" contains "$err" "server jabberd2: exit status $status: \"jabberd2: /etc/jabberd2/router.xml"
	check "$name: sync says why" contains "$err" "${reason//\"/\\\"}"
	check "$name: no pair succeeded" lacks "$out" "added"
	run_ad --shared --dry-run
	check "$name: --shared refused" equals "$rc" "$status"
	check "$name: --shared one line" equals "$(wc -l <"$T/err")" 1
	run_ad --host=irc.example.org --port=5347 --password-stdin <<<'own-secret'
	check "$name: apply refused" equals "$rc" "$status"
	check "$name: apply reason" contains "$err" "$reason"
	[ "$name" = secret-commented-out.xml ] || run_ad --list
	check "$name: --list refused" equals "$rc" "$status"
	snapshot b
	check "$name: nothing changed" same_snapshot a b
	check "$name: biboumi.cfg kept its own secret" grep -qx 'password=own-secret' "$ROOT/etc/biboumi/biboumi.cfg"
done <"$FIX/EXPECT"
check "at least 15 hostile configs" test "$n" -ge 15
check "every fixture is listed" equals "$(ls "$FIX"/*.xml | wc -l)" "$n"

# A symlink where router.xml should be: refused up front, even for a dry run.
cat "$T/stock.xml" >"$RX"
mv "$RX" "$ROOT/etc/jabberd2/router.xml.real"
ln -s router.xml.real "$RX"
snapshot a
run_jd sync --dry-run
check "symlink: dry run refused" equals "$rc" 73
check "symlink: says why" contains "$err" "/etc/jabberd2/router.xml: is a symlink; refusing to edit through it"
run_jd sync
snapshot b
check "symlink: sync refused" equals "$rc" 73
check "symlink: nothing changed" same_snapshot a b
run_ad --list
check "symlink: --list reads through it" equals "$rc" 0
finish
