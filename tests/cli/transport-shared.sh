#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A declarative adapter adopting what a real shared-port server imposes: jabber-muc, its
# config made by transport-init, meets Debian's stock jabberd2 (one port, one secret).
. "$(dirname "$0")/lib.sh" "$@"
make_root jabberd2 jabber-muc
getent group jabber >/dev/null || skip "no group jabber on this machine"
muc=$ROOT/etc/jabberd2/muc.xml
rx=$ROOT/etc/jabberd2/router.xml
value() { python3 -c 'import sys, xml.etree.ElementTree as E; sys.stdout.write(E.parse(sys.argv[1]).getroot().findtext(sys.argv[2]) or "")' "$1" "$2"; }

rm "$muc"
run_jd transport-init jabber-muc --template=/usr/share/jabber-dispatch/templates/jabber-muc.xml \
	--output=/etc/jabberd2/muc.xml --group=jabber --domain=example.org
check "transport-init: exit 0" equals "$rc" 0
check "generated: the registry's port" equals "$(value "$muc" port)" 5242
cp "$muc" "$T/muc.before"

run_jd sync
check "sync: exit 0" equals "$rc" 0
check "sync: jabber-muc registered in jabberd2" contains "$out" "jabber-muc       jabberd2     conference.example.org           added"
check "jabber-muc adopted the router's port" equals "$(value "$muc" port)" "$(value "$rx" local/port)"
check "jabber-muc adopted the router's secret" equals "$(value "$muc" secret)" "$(value "$rx" local/secret)"
check "the router's stock secret was replaced" bash -c '[ "$1" != secret ] && [ ${#1} -ge 12 ]' _ "$(value "$rx" local/secret)"
check "the generated secret suits jabber-muc's secret-max=15" equals "$(value "$rx" local/secret | tr -d '\n' | wc -c)" 15
check "muc.xml keeps mode 0640 and group jabber" equals "$(stat -c '%a %G' "$muc")" "640 jabber"
check "restart of jabber-muc asked for" contains "$err" "transport jabber-muc: adopted the port and secret of server jabberd2; restart it"
check "no secret printed" lacks "$out$err" "$(value "$rx" local/secret)"
check "only the port and secret lines of muc.xml changed" equals \
	"$(diff "$T/muc.before" "$muc" | grep '^[<>]' | sed -E 's/^([<>]) +<([a-z]+)>.*/\1\2/' | tr '\n' ' ')" \
	"<port <secret >port >secret "
snapshot a
run_jd sync
snapshot b
check "second sync: unchanged" contains "$out" "conference.example.org           unchanged"
check "second sync: nothing written" same_snapshot a b

# The admin sets a secret of his own, longer than mu-conference can take: never replaced,
# and the pair is a conflict that says what to do.
long=Admins-own-secret-of-31-chars-x
sed -i "s|<secret>[^<]*</secret>|<secret>$long</secret>|" "$rx"
snapshot c
run_jd sync
snapshot d
check "too long a shared secret: conflict, exit 65" equals "$rc $(awk '$1 == "jabber-muc" { print $4 }' "$T/out")" "65 conflict"
check "too long a shared secret: says why" contains "$err" \
	"transport jabber-muc: takes secrets of at most 15 bytes, and server jabberd2 imposes one of 31: give it a shorter one by hand"
check "too long a shared secret: nothing written, the admin's secret kept" same_snapshot c d
finish
