#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input of every kind gets a clear one-line error and a defined exit status, and
# no file changes; the other transports are still wired.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody biboumi
configure_biboumi irc.example.org 's3cret'
admin=$ROOT/etc/jabber-dispatch/transports
mkdir -p "$admin"

# A lying transport adapter next to a good one: the liar is reported, biboumi is still added.
expect_liar() { # NAME EXPECTED-STATUS MESSAGE-PART
	local name=$1 status=$2 msg=$3
	rm -f "$admin"/* "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
	install -m 755 "$TESTS/fixtures/liars/$name" "$admin/$name"
	run_jd --timeout=2 sync
	check "$name: exit $status" equals "$rc" "$status"
	check "$name: message" contains "$err" "jabber-dispatch: transport $name: $msg"
	check "$name: one line per failure" equals "$(grep -c "transport $name" <<<"$err")" 1
	check "$name: biboumi still added" contains "$out" "irc.example.org                  added"
	check "$name: no other drop-in" equals "$(ls "$ROOT/etc/prosody/conf.d" | wc -l)" 2
}
expect_liar quote-host 65 '--host printed "irc\"evil.org": not a domain name'
expect_liar newline-host 65 'printed 4 lines for --host --port --password, expected 3'
expect_liar big-port 65 '--port printed "99999": not a port number (1-65535)'
expect_liar zero-port 65 '--port printed "0": not a port number (1-65535)'
expect_liar control-secret 65 '--password printed an unusable secret: contains a control character'
expect_liar blank-secret 65 '--password printed an unusable secret: starts or ends with a blank'
expect_liar short 65 'printed 2 lines for --host --port --password, expected 3'
expect_liar nul-byte 65 'printed a NUL byte'
expect_liar empty-host 65 '--host printed "": empty'
expect_liar flood 69 'printed more than'
expect_liar hang 69 'timed out after 2 s'
expect_liar killed 69 'killed by signal 9'
check "a bad secret is never echoed" lacks "$err" "sec"
rm -f "$admin"/*

# Malformed biboumi.cfg: refused with FILE:LINE, nothing written.
rm -f "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
cp "$ROOT/etc/biboumi/biboumi.cfg" "$T/good.cfg"
echo 'hostname = spaced.example.org' >>"$ROOT/etc/biboumi/biboumi.cfg"
line=$(wc -l <"$ROOT/etc/biboumi/biboumi.cfg")
snapshot a
run_jd sync
snapshot b
check "malformed biboumi.cfg: exit 65" equals "$rc" 65
check "malformed biboumi.cfg: FILE:LINE" contains "$err" "jabber-dispatch: transport biboumi: exit status 65: \"biboumi: /etc/biboumi/biboumi.cfg:$line: no blank is allowed before '='\""
check "malformed biboumi.cfg: tree byte-identical" same_snapshot a b
cp "$T/good.cfg" "$ROOT/etc/biboumi/biboumi.cfg"
printf 'port=53x47\n' >>"$ROOT/etc/biboumi/biboumi.cfg"
run_jd sync
check "bad port in biboumi.cfg: reason" contains "$err" "biboumi.cfg:$((line)): port: not a port number"
cp "$T/good.cfg" "$ROOT/etc/biboumi/biboumi.cfg"

# Malformed prosody drop-in (prosody itself would refuse to start): refused, nothing written.
printf 'Component "broken.example.org"\n\tcomponent_secret = "unterminated\n' >"$ROOT/etc/prosody/conf.d/broken.cfg.lua"
snapshot a
run_jd sync
snapshot b
check "broken prosody drop-in: exit 65" equals "$rc" 65
check "broken prosody drop-in: FILE:LINE: reason" contains "$err" "prosody: /etc/prosody/conf.d/broken.cfg.lua:2: unfinished string"
check "broken prosody drop-in: tree byte-identical" same_snapshot a b
check "broken prosody drop-in: pair reported as error" contains "$out" "irc.example.org                  error"
rm "$ROOT/etc/prosody/conf.d/broken.cfg.lua"

# A symlink where a directory should be, leading out of the root: it leads nowhere inside,
# and is refused with its target named, never followed for writing.
mv "$ROOT/etc/prosody/conf.d" "$T/elsewhere"
ln -s "$T/elsewhere" "$ROOT/etc/prosody/conf.d"
run_jd sync
check "symlinked conf.d: exit 66" equals "$rc" 66
check "symlinked conf.d: names the link" contains "$err" "/etc/prosody/conf.d: is a symlink to"
check "symlinked conf.d: says why" contains "$err" "$T/elsewhere\\\", which does not exist inside the root"
check "symlinked conf.d: nothing written there" test ! -e "$T/elsewhere/irc.example.org.cfg.lua"
rm "$ROOT/etc/prosody/conf.d"
mv "$T/elsewhere" "$ROOT/etc/prosody/conf.d"

# Our drop-in replaced by a symlink: refused.
run_jd sync
dropin=$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua
mv "$dropin" "$ROOT/etc/prosody/real.cfg.lua"
ln -s ../real.cfg.lua "$dropin"
configure_biboumi irc.example.org 'changed'
cp "$ROOT/etc/prosody/real.cfg.lua" "$T/real.before"
run_jd sync
check "symlinked drop-in: exit 73" equals "$rc" 73
check "symlinked drop-in: refused" contains "$err" "is a symlink; refusing to replace it"
check "symlinked drop-in: its target untouched" cmp -s "$ROOT/etc/prosody/real.cfg.lua" "$T/real.before"
check "symlinked drop-in: still a symlink" test -L "$dropin"
rm "$dropin" "$ROOT/etc/prosody/real.cfg.lua"

# conf.d as a symlink inside the root: read through, never written through.
mv "$ROOT/etc/prosody/conf.d" "$ROOT/etc/prosody/conf.real"
ln -s conf.real "$ROOT/etc/prosody/conf.d"
run_jd sync
check "in-root symlinked conf.d: exit 73" equals "$rc" 73
check "in-root symlinked conf.d: nothing written" test ! -e "$ROOT/etc/prosody/conf.real/irc.example.org.cfg.lua"
rm "$ROOT/etc/prosody/conf.d"
mv "$ROOT/etc/prosody/conf.real" "$ROOT/etc/prosody/conf.d"

# An adapter that is group-writable or not root's is skipped, and says why.
install -m 775 "$TESTS/fixtures/liars/quote-host" "$admin/groupw"
run_jd -v adapters
check "group-writable adapter skipped" contains "$out" "writable by group or others"
rm -f "$admin"/*
finish
