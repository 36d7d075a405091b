#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Live test of the transport side with ejabberd: mu-conference (Debian's jabber-muc) gets its
# config from `jabber-dispatch transport-init`, `jabber-dispatch sync` gives it a listener of
# its own in a private loopback ejabberd made from the stock package (the static port of the
# registry, one listener per component), and mu-conference must authenticate and answer
# disco#info (conference/text) routed through ejabberd.
#
# usage: sudo tests/live/muc-ejabberd.sh BUILD_DIR
#   KEEP=1   keep the sandbox (its path is printed)
#   PYTHON   python3 for the probe (default python3)
#
# Exit status: 0 pass, 1 fail, 77 skip.  Touches neither /etc nor the system's services:
# ejabberd runs as its own node with its own cookie from the sandbox and is stopped with
# ejabberdctl (or by PID); mu-conference runs as jabber and is stopped by PID.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
ctl=/usr/sbin/ejabberdctl
# ejabberd's stock mod_muc already routes conference.localhost: the admin's registry
# override below gives jabber-muc another prefix (and a free port).
muc=rooms.localhost
asker=probe.localhost
muc_pid= probe_rc=0
JD_TIMEOUT=60

live_stop() {
	stop_pid "$muc_pid"
	stop_ejabberd
}

live_logs() {
	[ -n "$sb" ] || return 0
	for f in "$sb"/*.out "$sb"/*.err; do show "$f" 15; done
	show "$root/etc/ejabberd/modules.d/jabber-dispatch.yml"
	show "$root/var/log/ejabberd/ejabberd.log" 30
	show "$root/var/log/jabber-muc/mu-conference.log" 15
}
live_traps

# The stock ejabberd.yml with its listeners on loopback and private ports, plus the admin's
# own component for the probe; ejabberdctl's settings for a private node with its own cookie.
configure_ejabberd() {
	new_secret "$sb/probe.secret"
	# shellcheck disable=SC2086 # the stock listeners' new ports, one word each
	ejabberd_loopback "$asker" "$asker_port" "$sb/probe.secret" $stock_ports
	ejabberd_node "jdmuc$$"
}

main() {
	[ $# = 1 ] || { say "usage: $0 BUILD_DIR" >&2; exit 1; }
	[ "$(id -u)" = 0 ] || skip "needs root (the daemons run as their own users)"
	local b
	for b in "$ctl" /usr/bin/erl /usr/sbin/mu-conference; do [ -x "$b" ] || skip "$b is not installed"; done
	for b in ejabberd jabber; do getent passwd "$b" >/dev/null || skip "no user $b"; done
	need_tools setpriv ss cmake "$py"
	find_bin "$1"
	new_sandbox muc-ej "$1" ejabberd jabber-muc
	pass "sandbox from the stock ejabberd and jabber-muc packages, project installed: $root"

	read -r -a ports <<<"$(free_ports 9)"
	stock_ports="${ports[*]:0:7}" asker_port=${ports[7]} muc_port=${ports[8]}
	configure_ejabberd

	# The admin's registry override: a free port instead of 5242, and a prefix mod_muc leaves free.
	mkdir -p "$root/etc/jabber-dispatch/registry.d"
	printf 'jabber-muc %s rooms\n' "$muc_port" >"$root/etc/jabber-dispatch/registry.d/live-test"
	sed -e "s|/var/spool/jabber-muc/|$root/var/spool/jabber-muc/|g" -e "s|/var/log/jabber-muc/|$root/var/log/jabber-muc/|" \
		-e "s|/var/run/jabberd2/muc.pid|$root/var/lib/jabber-muc/muc.pid|" \
		"$root/usr/share/jabber-dispatch/templates/jabber-muc.xml" >"$root/usr/share/jabber-dispatch/templates/live.xml"
	rm -f "$root/etc/jabberd2/muc.xml"
	# ejabberd's stream ids are short enough for mu-conference (stream id + secret <= 55 bytes,
	# see the template): a 32-character secret works here, longer than the secret-max=15 the
	# jabber-muc adapter announces for every server (jabberd2's ids are 40 bytes), so ask for it.
	jd init transport-init jabber-muc --template=/usr/share/jabber-dispatch/templates/live.xml \
		--output=/etc/jabberd2/muc.xml --domain=localhost --group=jabber --dirs=jabber:jabber --secret-length=32 ||
		fail "transport-init failed"
	grep -qx "/etc/jabberd2/muc.xml: generated for $muc, port $muc_port" "$sb/init.out" || fail "transport-init said: $(cat "$sb/init.out")"
	sed -n 's|.*<secret>\(.*\)</secret>.*|\1|p' "$root/etc/jabberd2/muc.xml" >"$sb/muc.secret"
	grep -qx '[A-Za-z0-9]\{32\}' "$sb/muc.secret" || fail "no generated 32-character secret in muc.xml"
	pass "transport-init: muc.xml for $muc, port $muc_port (the registry's, overridden), a 190-bit secret"

	jd sync1 sync --server=ejabberd || fail "sync exited with status $?"
	grep -q "^jabber-muc  *ejabberd  *$muc  *added" "$sb/sync1.out" || fail "sync did not add $muc to ejabberd"
	! grep -qFf "$sb/muc.secret" "$sb/sync1.out" "$sb/sync1.err" || fail "sync printed the secret"
	jd sync2 sync --server=ejabberd || fail "second sync exited with status $?"
	grep -q "^jabber-muc  *ejabberd  *$muc  *unchanged" "$sb/sync2.out" || fail "second sync changed something"
	pass "sync: jabber-muc added to ejabberd (its own listener on $muc_port), then unchanged"

	ejabberd_up=1
	ej start >"$sb/ejstart.out" 2>&1 || fail "ejabberdctl start failed"
	ej started >>"$sb/ejstart.out" 2>&1 || fail "ejabberd did not start (a config it refuses?)"
	wait_for 10 listening "$muc_port" || fail "ejabberd does not listen on $muc_port, the listener sync gave jabber-muc"
	pass "ejabberd up (pid $(cat "$root/var/lib/ejabberd/ejabberd.pid")), jabber-muc's listener on 127.0.0.1:$muc_port"

	local t0=$SECONDS
	daemon_as jabber "$sb/muc.stdout" /usr/sbin/mu-conference -c "$root/etc/jabberd2/muc.xml"
	muc_pid=$!
	wait_alive 20 "$muc_pid" grep -qs "Accepted external component handshake authentication for $muc" \
		"$root/var/log/ejabberd/ejabberd.log" || case $? in
		2) fail "mu-conference exited" ;;
		*) fail "mu-conference did not authenticate to ejabberd within 20 s" ;;
		esac
	pass "mu-conference authenticated to ejabberd as $muc (pid $muc_pid, $((SECONDS - t0)) s)"

	"$py" "$here/xmpp-probe.py" --port "$asker_port" --host "$asker" --secret-file "$sb/probe.secret" --timeout 10 \
		--disco "$muc" >"$sb/probe.out" 2>&1 || probe_rc=$?
	[ "$probe_rc" = 0 ] || fail "disco#info from $asker to $muc: status $probe_rc"
	grep -q '^conference/text' "$sb/probe.out" || fail "$muc did not answer with identity conference/text"
	pass "disco#info routed by ejabberd: $(grep -m1 '^conference/text' "$sb/probe.out")"
	say "PASS: muc-ejabberd"
}

main "$@"
