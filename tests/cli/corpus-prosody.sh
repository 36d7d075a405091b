#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every prosody config of the shared corpus, as the main file and (for drop-ins) in conf.d:
# edited correctly (add, unchanged, update, exclude, remove) or refused with FILE:LINE, never corrupted.
. "$(dirname "$0")/lib.sh" "$@"
corpus=${JD_SHARED:-$TESTS/../../shared}/corpus/prosody
[ -d "$corpus" ] || skip "no shared corpus at $corpus (it lives beside the project checkout)"
command -v luac5.4 >/dev/null || skip "luac5.4 (lua5.4, a dependency of prosody) is not installed"
make_root prosody biboumi
cp -a "$ROOT" "$T/pristine"
adapter() { "$ROOT/usr/lib/jabber-dispatch/servers/prosody" --root="$ROOT" "$@"; }

# try FILE-IN-ROOT LABEL: the whole life of one component against the config as it stands
try() {
	local f=$1 label=$2 dropin=$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua
	cp "$f" "$T/orig"
	configure_biboumi irc.example.org 'first-Secret'
	snapshot before
	run_jd sync
	if [ "$rc" = 65 ]; then
		snapshot after
		check "$label: refused with FILE:LINE" bash -c "grep -qE 'prosody: /etc/prosody/[^:]+:[0-9]+: ' <<<'$err'"
		check "$label: refused, nothing changed" same_snapshot before after
		echo "  ($label refused: ${err##*prosody: })"
		return
	fi
	check "$label: sync exits 0" equals "$rc" 0
	check "$label: added" contains "$out" "irc.example.org                  added"
	for g in "$ROOT"/etc/prosody/prosody.cfg.lua "$ROOT"/etc/prosody/conf.d/*.cfg.lua; do
		[ -e "$g" ] || continue
		check "$label: ${g#"$ROOT"} is still valid Lua" luac5.4 -p "$g"
	done
	if [ -e "$dropin" ]; then
		check "$label: the config itself untouched" cmp -s "$T/orig" "$f"
	else
		check "$label: the main file only grew by our block" cmp -s -n "$(stat -c %s "$T/orig")" "$T/orig" "$f"
	fi
	snapshot a
	run_jd sync
	snapshot b
	check "$label: then unchanged" contains "$out" "unchanged"
	check "$label: unchanged run wrote nothing" same_snapshot a b
	configure_biboumi irc.example.org 'second-Secret'
	run_jd sync
	check "$label: secret change: updated" contains "$out" "updated"
	local where=$dropin
	[ -e "$where" ] || where=$f
	sed -i 's/^Component "irc.example.org"/--Component "irc.example.org"/' "$where"
	run_jd sync
	check "$label: commented out: excluded" contains "$out" "excluded"
	sed -i 's/^--Component "irc.example.org"/Component "irc.example.org"/' "$where"
	check "$label: --remove removed" equals "$(adapter --remove --host=irc.example.org)" removed
	check "$label: after --remove the config is byte-identical" cmp -s "$T/orig" "$f"
	check "$label: after --remove no drop-in" test ! -e "$dropin"
}

for src in "$corpus"/*.lua; do
	name=$(basename "$src")
	rm -rf "$ROOT" && cp -a "$T/pristine" "$ROOT"
	main=$ROOT/etc/prosody/prosody.cfg.lua
	cat "$src" >"$main"
	try "$main" "$name as prosody.cfg.lua"
	case $name in *conf.d*)
		rm -rf "$ROOT" && cp -a "$T/pristine" "$ROOT"
		install -m 640 "$src" "$ROOT/etc/prosody/conf.d/${name##*__}"
		try "$ROOT/etc/prosody/conf.d/${name##*__}" "$name in conf.d"
		;;
	esac
done

# A host the corpus declares by hand is the admin's: never duplicated.
rm -rf "$ROOT" && cp -a "$T/pristine" "$ROOT"
cat "$corpus/spectrum2-tests__prosody.cfg.lua" >"$ROOT/etc/prosody/prosody.cfg.lua"
configure_biboumi irc.localhost 'any'
snapshot a
run_jd sync
snapshot b
check "corpus-declared host: manual" contains "$out" "irc.localhost                    manual"
check "corpus-declared host: nothing written" same_snapshot a b
finish
