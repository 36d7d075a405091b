#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The admin's word wins: a commented-out block stays out, a hand-written one is left alone.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody biboumi
configure_biboumi irc.example.org 's3cret'
run_jd sync
dropin=$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua

# Exclusion: comment out our Component line.
sed -i 's/^Component/--Component/' "$dropin"
snapshot a
run_jd sync
check "commented-out drop-in: excluded" contains "$out" "irc.example.org                  excluded"
check "exit 0" equals "$rc" 0
configure_biboumi irc.example.org 'other-secret'
snapshot a
run_jd sync
snapshot b
check "excluded stays excluded when the secret changes" contains "$out" "excluded"
check "excluded drop-in byte-identical" same_snapshot a b
"$ROOT/usr/lib/jabber-dispatch/servers/prosody" --root="$ROOT" --remove --host=irc.example.org >"$T/o"
check "--remove keeps the exclusion" equals "$(cat "$T/o")" excluded
check "excluded drop-in still there" test -f "$dropin"
run_jd list
check "list shows excluded" contains "$out" "excluded"

# An exclusion written in the main file, as the stock example does it.
rm "$dropin"
printf -- '--Component "irc.example.org"\n--\tcomponent_secret = "x"\n' >>"$ROOT/etc/prosody/prosody.cfg.lua"
run_jd sync
check "commented Component in the main file: excluded" contains "$out" "excluded"
check "no drop-in created" test ! -e "$dropin"

# A hand-written Component elsewhere: the admin's, never duplicated (last loaded would win silently).
head -n -2 "$ROOT/etc/prosody/prosody.cfg.lua" >"$T/m" && cat "$T/m" >"$ROOT/etc/prosody/prosody.cfg.lua"
printf 'Component "irc.example.org"\n\tcomponent_secret = "handmade"\n' >"$ROOT/etc/prosody/conf.d/zz-admin.cfg.lua"
snapshot a
run_jd sync
snapshot b
check "hand-written Component: manual" contains "$out" "irc.example.org                  manual"
check "hand-written: nothing written" same_snapshot a b
"$ROOT/usr/lib/jabber-dispatch/servers/prosody" --root="$ROOT" --remove --host=irc.example.org >"$T/o"
check "--remove never removes the admin's" equals "$(cat "$T/o")" manual
check "admin's drop-in kept" grep -q handmade "$ROOT/etc/prosody/conf.d/zz-admin.cfg.lua"
run_jd list
check "list shows manual" contains "$out" "manual"
finish
