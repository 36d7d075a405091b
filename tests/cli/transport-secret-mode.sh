#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A descriptor's config that receives a secret (jabber-muc's muc.xml, 0644 as shipped) ends up
# unreadable by others, the daemon's group (reader-group=) reading it instead, and that is said.
. "$(dirname "$0")/lib.sh" "$@"
make_root jabber-muc
getent group jabber >/dev/null || skip "no group jabber on this machine (jabberd2 or jabber-muc makes it)"
lib=$ROOT/usr/lib/jabber-dispatch
muc=$ROOT/etc/jabberd2/muc.xml
chown root:root "$muc"
chmod 644 "$muc"
set +e
"$lib/describe" "$lib/transports/jabber-muc" --root="$ROOT" --set-password <<<"n3w-s3cret" >"$T/o" 2>"$T/e"
rc=$?
set -e
check "set-password: exit 0" equals "$rc" 0
check "set-password: updated" contains "$(cat "$T/o")" "updated"
check "muc.xml holds the secret" grep -q '<secret>n3w-s3cret</secret>' "$muc"
check "muc.xml: no longer readable by others" equals "$(( $(stat -c '%a' "$muc") % 10 ))" 0
check "muc.xml: the daemon's group reads it" equals "$(stat -c '%G' "$muc")" jabber
check "muc.xml: owner kept" equals "$(stat -c '%U' "$muc")" root
check "says so" contains "$(cat "$T/e")" "/etc/jabberd2/muc.xml"
finish
