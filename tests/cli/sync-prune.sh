#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# "Make everything right" also takes out what a removed or renamed transport left behind,
# and only that: an exclusion stays, a transport that is merely unconfigured keeps its component.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody biboumi
configure_biboumi irc.example.org 's3cret'
confd=$ROOT/etc/prosody/conf.d
state=$ROOT/var/lib/jabber-dispatch/state

run_jd sync
check "state records the pair" grep -qx 'prosody irc.example.org biboumi' "$state"
check "state holds no secret" bash -c "! grep -q s3cret '$state'"
check "state mode 0644" equals "$(stat -c %a "$state")" 644

# An unconfigured transport is not a removed one.
sed -i 's/^hostname=.*/hostname=/' "$ROOT/etc/biboumi/biboumi.cfg"
run_jd sync
check "unconfigured: component kept" test -f "$confd/irc.example.org.cfg.lua"

# Renamed: the old host goes, the new one comes.
configure_biboumi irc2.example.org 's3cret'
run_jd sync
check "renamed: new host added" contains "$out" "irc2.example.org                 added"
check "renamed: old host removed" contains "$out" "biboumi          prosody      irc.example.org                  removed"
check "renamed: old drop-in gone" test ! -e "$confd/irc.example.org.cfg.lua"
check "renamed: state follows" equals "$(grep -v '^#' "$state")" "prosody irc2.example.org biboumi"

# The package is removed: its adapter goes, and so does its component, at the next sync.
mv "$ROOT/usr/lib/jabber-dispatch/transports/biboumi" "$T/biboumi.adapter"
snapshot a
run_jd list
snapshot b
check "list shows the orphan" contains "$out" "irc2.example.org                 orphan"
check "list changes nothing" same_snapshot a b
run_jd sync
check "transport gone: exit 0" equals "$rc" 0
check "transport gone: removed" contains "$out" "biboumi          prosody      irc2.example.org                 removed"
check "transport gone: drop-in gone" test ! -e "$confd/irc2.example.org.cfg.lua"
check "transport gone: state empty" equals "$(grep -vc '^#' "$state")" 0
check "audit log says why" grep -q 'host=irc2.example.org result=removed (transport gone)' "$ROOT/var/log/jabber-dispatch/jabber-dispatch.log"

# An excluded component stays excluded even when its transport goes.
mv "$T/biboumi.adapter" "$ROOT/usr/lib/jabber-dispatch/transports/biboumi"
run_jd sync
sed -i 's/^Component/--Component/' "$confd/irc2.example.org.cfg.lua"
run_jd sync
check "excluded" contains "$out" "excluded"
cp "$confd/irc2.example.org.cfg.lua" "$T/excluded"
mv "$ROOT/usr/lib/jabber-dispatch/transports/biboumi" "$T/biboumi.adapter"
run_jd sync
check "excluded, transport gone: the admin's exclusion is kept" cmp -s "$T/excluded" "$confd/irc2.example.org.cfg.lua"

# A masked transport counts as gone.
mv "$T/biboumi.adapter" "$ROOT/usr/lib/jabber-dispatch/transports/biboumi"
sed -i 's/^--Component/Component/' "$confd/irc2.example.org.cfg.lua"
run_jd sync
mkdir -p "$ROOT/etc/jabber-dispatch/transports"
ln -s /dev/null "$ROOT/etc/jabber-dispatch/transports/biboumi"
run_jd sync
check "masked transport: its component removed" test ! -e "$confd/irc2.example.org.cfg.lua"

# A transport adapter that is refused (group-writable) is not a gone one: its component stays,
# and the run says so and fails.
rm "$ROOT/etc/jabber-dispatch/transports/biboumi"
run_jd sync
check "back: component added again" test -e "$confd/irc2.example.org.cfg.lua"
chmod g+w "$ROOT/usr/lib/jabber-dispatch/transports/biboumi"
snapshot a
run_jd sync
snapshot b
check "refused adapter: exit non-zero" test "$rc" -ne 0
check "refused adapter: component kept" same_snapshot a b
check "refused adapter: the run says so" contains "$err" "transport biboumi: adapter skipped"
check "refused adapter: its pair is an error" contains "$out" "irc2.example.org                 error"
check "refused adapter: state kept" grep -qx 'prosody irc2.example.org biboumi' "$state"
chmod g-w "$ROOT/usr/lib/jabber-dispatch/transports/biboumi"

# A transport adapter that fails keeps its component too.
cp "$ROOT/etc/biboumi/biboumi.cfg" "$T/biboumi.cfg"
printf 'port=notaport\n' >>"$ROOT/etc/biboumi/biboumi.cfg"
snapshot a
run_jd sync
snapshot b
check "failing transport: exit non-zero" test "$rc" -ne 0
check "failing transport: component kept" same_snapshot a b
cp "$T/biboumi.cfg" "$ROOT/etc/biboumi/biboumi.cfg"

# Its package removed (no config file any more): gone, so its component goes, and no line
# is printed for a transport that is not installed.
mv "$ROOT/etc/biboumi/biboumi.cfg" "$T/biboumi.cfg"
run_jd sync
check "not installed: exit 0" equals "$rc" 0
check "not installed: component removed" test ! -e "$confd/irc2.example.org.cfg.lua"
check "not installed: removed" contains "$out" "irc2.example.org                 removed"
run_jd sync
check "not installed: no line at all" equals "$out" ""
mv "$T/biboumi.cfg" "$ROOT/etc/biboumi/biboumi.cfg"
run_jd sync

# A broken state file is refused with FILE:LINE, and nothing is written.
echo 'garbage' >>"$state"
snapshot a
run_jd sync
snapshot b
check "broken state: exit 65" equals "$rc" 65
check "broken state: FILE:LINE" contains "$err" "/var/lib/jabber-dispatch/state:"
check "broken state: nothing written" same_snapshot a b
finish
