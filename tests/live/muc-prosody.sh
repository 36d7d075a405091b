#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Live test of the transport side: mu-conference (Debian's jabber-muc) gets its config from
# `jabber-dispatch transport-init` and a template, `jabber-dispatch sync` registers it in a
# private loopback prosody made from the stock package, and mu-conference must authenticate
# and answer disco#info (conference/text) routed through prosody.
#
# usage: sudo tests/live/muc-prosody.sh BUILD_DIR
#   KEEP=1   keep the sandbox (its path is printed)
#   PYTHON   python3 for the probe (default python3)
#
# Exit status: 0 pass, 1 fail, 77 skip.  Touches neither /etc nor the system's services:
# both daemons run from the sandbox as their packaged users, on free loopback ports, and
# are stopped by PID.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
domain=localhost
muc=conference.$domain
asker=probe.$domain
prosody_pid= muc_pid= probe_rc=0
JD_TIMEOUT=60

live_stop() {
	# mu-conference first: without prosody it would only retry every few seconds
	stop_pid "$muc_pid"
	stop_pid "$prosody_pid"
}

live_logs() {
	[ -n "$sb" ] || return 0
	for f in "$sb"/*.out "$sb"/*.err; do show "$f" 15; done
	show "$root/var/log/prosody/prosody.log" 40
	show "$root/var/log/jabber-muc/mu-conference.log" 20
	show "$sb/muc.stdout"
}
live_traps

# The stock prosody.cfg.lua pointed into the sandbox, and the probe's own component.
configure_prosody() {
	prosody_loopback "$c2s" "$s2s" "$comp"
	install -d -o prosody -g prosody -m 750 "$root/run/prosody"
	# the probe's own component, written by hand as an admin would
	new_secret "$sb/probe.secret"
	printf 'Component "%s"\n\tcomponent_secret = "%s"\n' "$asker" "$(cat "$sb/probe.secret")" \
		>"$root/etc/prosody/conf.d/$asker.cfg.lua"
	chgrp prosody "$root/etc/prosody/conf.d/$asker.cfg.lua"
	chmod 640 "$root/etc/prosody/conf.d/$asker.cfg.lua"
}

main() {
	[ $# = 1 ] || { say "usage: $0 BUILD_DIR" >&2; exit 1; }
	[ "$(id -u)" = 0 ] || skip "needs root (the daemons run as their own users)"
	local b
	for b in /usr/bin/prosody /usr/sbin/mu-conference; do [ -x "$b" ] || skip "$b is not installed"; done
	for b in prosody jabber; do getent passwd "$b" >/dev/null || skip "no user $b"; done
	need_tools setpriv ss cmake "$py"
	find_bin "$1"
	new_sandbox muc "$1" prosody jabber-muc
	pass "sandbox from the stock prosody and jabber-muc packages, project installed: $root"

	read -r c2s s2s comp <<<"$(free_ports 3)"
	configure_prosody

	# The registry's static port for jabber-muc (5242) may be taken on this machine: the admin's
	# override in the sandbox moves it to a free one, as an admin would.
	mkdir -p "$root/etc/jabber-dispatch/registry.d"
	printf 'jabber-muc %s conference\n' "$comp" >"$root/etc/jabber-dispatch/registry.d/live-test"
	# The shipped template, with the daemon's own files (spool, log, pid) moved into the sandbox.
	sed -e "s|/var/spool/jabber-muc/|$root/var/spool/jabber-muc/|g" -e "s|/var/log/jabber-muc/|$root/var/log/jabber-muc/|" \
		-e "s|/var/run/jabberd2/muc.pid|$root/var/lib/jabber-muc/muc.pid|" \
		"$root/usr/share/jabber-dispatch/templates/jabber-muc.xml" >"$root/usr/share/jabber-dispatch/templates/live.xml"
	rm -f "$root/etc/jabberd2/muc.xml" # the stock one: transport-init never replaces a config
	# mu-conference 0.8 computes the handshake wrongly once stream id + secret pass 55 bytes (one
	# SHA-1 block); Prosody's stream ids have 36: 19 characters is the longest secret that works.
	jd init transport-init jabber-muc --template=/usr/share/jabber-dispatch/templates/live.xml \
		--output=/etc/jabberd2/muc.xml --domain=$domain --group=jabber --dirs=jabber:jabber --secret-length=19 ||
		fail "transport-init failed"
	grep -qx "/etc/jabberd2/muc.xml: generated for $muc, port $comp" "$sb/init.out" || fail "transport-init said: $(cat "$sb/init.out")"
	sed -n 's|.*<secret>\(.*\)</secret>.*|\1|p' "$root/etc/jabberd2/muc.xml" >"$sb/muc.secret"
	grep -qx '[A-Za-z0-9]\{19\}' "$sb/muc.secret" || fail "no generated secret of 19 characters in muc.xml"
	! grep -qFf "$sb/muc.secret" "$sb/init.out" "$sb/init.err" || fail "transport-init printed the secret"
	pass "transport-init: muc.xml for $muc, port $comp, a 19-character (113-bit) secret, $(stat -c '%a %U:%G' "$root/etc/jabberd2/muc.xml")"

	jd sync1 sync || fail "sync exited with status $?"
	grep -q "^jabber-muc  *prosody  *$muc  *added" "$sb/sync1.out" || fail "sync did not add $muc to prosody"
	grep -qF "component_secret = \"$(cat "$sb/muc.secret")\"" "$root/etc/prosody/conf.d/$muc.cfg.lua" ||
		fail "prosody's drop-in does not hold the transport's secret"
	! grep -qFf "$sb/muc.secret" "$sb/sync1.out" "$sb/sync1.err" || fail "sync printed the secret"
	jd sync2 sync || fail "second sync exited with status $?"
	grep -q "^jabber-muc  *prosody  *$muc  *unchanged" "$sb/sync2.out" || fail "second sync changed something"
	pass "sync: jabber-muc added to prosody, then unchanged"

	for f in "$root/etc/prosody/prosody.cfg.lua" "$root/etc/prosody/conf.d/"*.cfg.lua; do
		as_user prosody cat "$f" >/dev/null || fail "prosody cannot read ${f#"$root"}"
	done
	as_user jabber cat "$root/etc/jabberd2/muc.xml" >/dev/null || fail "user jabber cannot read muc.xml (mode/group)"

	daemon_as prosody "$sb/prosody.stdout" /usr/bin/prosody -F --config "$root/etc/prosody/prosody.cfg.lua"
	prosody_pid=$!
	wait_alive 20 "$prosody_pid" listening "$comp" || fail "prosody did not open the component port $comp"
	pass "prosody up (pid $prosody_pid), components on 127.0.0.1:$comp"

	# As LAB_FACTS §6 started it: in the foreground, as user jabber, with -c.
	local t0=$SECONDS
	daemon_as jabber "$sb/muc.stdout" /usr/sbin/mu-conference -c "$root/etc/jabberd2/muc.xml"
	muc_pid=$!
	# mu-conference logs "connected" even for a rejected secret: the server's word is what counts.
	wait_alive 20 "$muc_pid" grep -qs "$muc:component.*External component successfully authenticated" \
		"$root/var/log/prosody/prosody.log" || fail "mu-conference did not authenticate to prosody within 20 s"
	pass "mu-conference authenticated to prosody as $muc (pid $muc_pid, $((SECONDS - t0)) s)"

	"$py" "$here/xmpp-probe.py" --port "$comp" --host "$asker" --secret-file "$sb/probe.secret" --timeout 10 \
		--disco "$muc" >"$sb/probe.out" 2>&1 || probe_rc=$?
	[ "$probe_rc" = 0 ] || fail "disco#info from $asker to $muc: status $probe_rc"
	grep -q '^conference/text' "$sb/probe.out" || fail "$muc did not answer with identity conference/text"
	pass "disco#info routed by prosody: $(grep -m1 '^conference/text' "$sb/probe.out")"

	# Prosody checks the token before it looks for a live connection: "conflict" proves it
	# holds the very secret mu-conference logged in with.
	probe_rc=0
	"$py" "$here/xmpp-probe.py" --port "$comp" --host "$muc" --secret-file "$sb/muc.secret" --timeout 10 \
		>"$sb/probe2.out" 2>&1 || probe_rc=$?
	[ "$probe_rc" = 4 ] && grep -q conflict "$sb/probe2.out" ||
		fail "second login as $muc with its secret: expected conflict (status 4), got $probe_rc"
	pass "second login as $muc with the generated secret: conflict (the component holds it)"
	say "PASS: muc-prosody"
}

main "$@"
