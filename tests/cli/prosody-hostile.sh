#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Malformed and hostile Prosody configs (tests/fixtures/prosody): each refused with
# FILE:LINE and the reason Lua would give, as a drop-in and as the main file, nothing changed.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody biboumi
configure_biboumi irc.example.org 's3cret'
fixtures=$TESTS/fixtures/prosody
main=$ROOT/etc/prosody/prosody.cfg.lua
cp -p "$main" "$T/main.orig"
n=0
for f in "$fixtures"/*.cfg.lua; do
	name=${f##*/}
	# the dispatcher quotes an adapter's message: a backslash comes doubled
	want=$(sed 's/\\/\\\\/g' "${f%.cfg.lua}.expect")
	n=$((n + 1))

	install -m 640 "$f" "$ROOT/etc/prosody/conf.d/$name"
	snapshot a
	run_jd sync
	snapshot b
	check "$name as a drop-in: exit 65" equals "$rc" 65
	check "$name as a drop-in: FILE:LINE: reason" contains "$err" "prosody: /etc/prosody/conf.d/$want"
	check "$name as a drop-in: nothing changed" same_snapshot a b
	rm "$ROOT/etc/prosody/conf.d/$name"

	cat "$f" >"$main"
	snapshot a
	run_jd sync
	snapshot b
	check "$name as the main file: exit 65" equals "$rc" 65
	check "$name as the main file: FILE:LINE: reason" contains "$err" "prosody: /etc/prosody/prosody.cfg.lua:${want#*.cfg.lua:}"
	check "$name as the main file: nothing changed" same_snapshot a b
	cp -p "$T/main.orig" "$main"
done
check "at least 15 hostile Prosody configs" test "$n" -ge 15
finish
