#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Live end-to-end test: `jabber-dispatch sync` registers biboumi in a private,
# loopback-only ejabberd built from the stock Debian packages (through the
# managed modules.d drop-in); biboumi must authenticate and answer disco#info
# routed through ejabberd.  Then the ejabberd adapter's --reload adds a
# listener and changes a secret on a running ejabberd, checking the port each
# time (reload_config can leave a restarted listener closed, LAB_FACTS §3).
#
# usage: sudo tests/live/ejabberd-biboumi.sh BUILD_DIR
#
#   KEEP=1        keep the sandbox (its path is printed)
#   RELOADS=N     how many secret changes to reload (default 5)
#   JD_BIN        the jabber-dispatch to test (default: found in BUILD_DIR)
#
# Exit status: 0 pass, 1 fail, 77 skip.  Never touches /etc/ejabberd or
# /etc/biboumi, never starts or stops the system services: ejabberd runs as
# its own node with its own cookie from the sandbox, on free loopback ports,
# and is stopped with ejabberdctl (or by PID).
set -euo pipefail

. "$(dirname "$0")/lib.sh"
component=irc.localhost
asker=probe.localhost
second=gw.localhost
ctl=/usr/sbin/ejabberdctl
biboumi_pid=
probe_rc=0

live_stop() {
	stop_pid "$biboumi_pid"
	stop_ejabberd
}

live_logs() {
	[ -n "$sb" ] || return 0
	local f
	for f in "$sb"/sync*.out "$sb"/sync*.err "$sb"/reload*.out "$sb"/reload*.err "$sb/start.out"; do
		[ -e "$f" ] && show "$f"
	done
	show "$root/etc/ejabberd/modules.d/jabber-dispatch.yml"
	show "$root/var/log/ejabberd/ejabberd.log" 30
	show "$root/var/log/ejabberd/error.log"
	show "$sb/biboumi.stdout"
	show "$root/var/log/biboumi/biboumi.log"
	show "$sb/probe.out"
}
live_traps

# ---------------------------------------------------------------- helpers

secret_file() { # secret_file NAME: a random secret with characters that break naive quoting
	(umask 077 && "$py" -c '
import secrets, sys
sys.stdout.write(secrets.token_urlsafe(9) + sys.argv[1] + secrets.token_urlsafe(9))
' "$2" >"$sb/$1.secret")
}

probe() { # probe PORT JID SECRET_FILE [ARGS...]
	local port=$1 jid=$2 secret=$3
	shift 3
	probe_rc=0
	"$py" "$here/xmpp-probe.py" --port "$port" --host "$jid" --secret-file "$secret" --timeout 10 "$@" \
		>"$sb/probe.out" 2>&1 || probe_rc=$?
}

# ---------------------------------------------------------------- sandbox configuration

configure_ejabberd() {
	# every stock listener onto loopback and a private port; the admin's own component for the probe
	# shellcheck disable=SC2086 # the stock listeners' new ports, one word each
	ejabberd_loopback "$asker" "$asker_port" "$sb/asker.secret" $stock_ports
	ejabberd_node "jdlive$$"
}

configure_biboumi() {
	biboumi_config /etc/biboumi/biboumi.cfg "$component" "$sb/irc.secret" "$comp_port"
}

adapter() { "$root/usr/lib/jabber-dispatch/servers/ejabberd" --root="$root" "$@"; }

# ---------------------------------------------------------------- daemons

start_ejabberd() {
	local t0 t1 pid stray
	t0=$(date +%s.%N)
	ejabberd_up=1
	ej start >"$sb/start.out" 2>&1 || fail "ejabberdctl start failed"
	ej started >>"$sb/start.out" 2>&1 || fail "ejabberd did not start (a config it refuses?)"
	wait_for 10 listening "$comp_port" || fail "ejabberd does not listen on the component port $comp_port of the drop-in"
	t1=$(date +%s.%N)
	pid=$(cat "$root/var/lib/ejabberd/ejabberd.pid")
	pass "ejabberd up in $("$py" -c "print(round($t1 - $t0, 1))") s (pid $pid), drop-in listener 127.0.0.1:$comp_port"
	stray=$(ss -Hltnp | grep -F "pid=$pid," | awk '$4 !~ /^127\.0\.0\.1:/ { print $4 }' | tr '\n' ' ')
	[ -z "$stray" ] || fail "ejabberd listens outside loopback: $stray"
}

start_biboumi() {
	daemon_as _biboumi "$sb/biboumi.stdout" /usr/bin/biboumi "$root/etc/biboumi/biboumi.cfg"
	biboumi_pid=$!
	local log=$root/var/log/biboumi/biboumi.log
	wait_alive 20 "$biboumi_pid" grep -qs 'Authenticated with the XMPP server' "$log" "$sb/biboumi.stdout" || case $? in
		2) fail "biboumi exited without authenticating: $(grep -hos 'Stream error.*' "$log" "$sb/biboumi.stdout" | head -n 1)" ;;
		*) fail "biboumi did not authenticate within 20 s" ;;
		esac
	pass "biboumi authenticated to ejabberd as $component (pid $biboumi_pid)"
}

# --reload after an edit: the port of SECOND must listen and take SECRET
reload_and_check() { # reload_and_check N SECRET_FILE
	local n=$1 secret=$2
	adapter --reload >"$sb/reload$n.out" 2>"$sb/reload$n.err" || fail "--reload #$n failed: $(cat "$sb/reload$n.err")"
	grep -q "^listening 127.0.0.1:$gw_port\$" "$sb/reload$n.out" || fail "--reload #$n did not check port $gw_port"
	if grep -q 'reloading again' "$sb/reload$n.out"; then again=$((again + 1)); fi
	probe "$gw_port" "$second" "$secret"
	[ "$probe_rc" = 0 ] || fail "after --reload #$n, $second cannot log in on $gw_port (status $probe_rc)"
}

# ---------------------------------------------------------------- main

main() {
	[ $# = 1 ] || { say "usage: $0 BUILD_DIR" >&2; exit 1; }
	local build=$1 b i
	[ "$(id -u)" = 0 ] || skip "needs root (daemons run as their own users)"
	for b in "$ctl" /usr/bin/biboumi /usr/bin/erl; do [ -x "$b" ] || skip "$b is not installed"; done
	for b in ejabberd _biboumi; do getent passwd "$b" >/dev/null || skip "user $b does not exist"; done
	need_tools setpriv ss "$py" cmake
	find_bin "$build"
	new_sandbox ej "$build" ejabberd biboumi
	pass "sandbox root from the stock ejabberd and biboumi packages, project installed: $root"

	read -r -a ports <<<"$(free_ports 10)"
	stock_ports="${ports[*]:0:7}"
	asker_port=${ports[7]} comp_port=${ports[8]} gw_port=${ports[9]}
	secret_file irc '"\]]>%s#'"'"'=$é€'
	secret_file asker ''
	secret_file gw1 "#x'"
	configure_ejabberd
	configure_biboumi
	pass "private config: stock listeners on $stock_ports, the admin's $asker on $asker_port, biboumi on $comp_port"

	sync_expect 1 ejabberd "$component" added
	[ -f "$root/etc/ejabberd/modules.d/jabber-dispatch.yml" ] || fail "sync did not create modules.d/jabber-dispatch.yml"
	as_user ejabberd cat "$root/etc/ejabberd/modules.d/jabber-dispatch.yml" >/dev/null || fail "user ejabberd cannot read the drop-in"
	sync_expect 2 ejabberd "$component" unchanged

	start_ejabberd
	start_biboumi
	probe "$asker_port" "$asker" "$sb/asker.secret" --disco "$component"
	[ "$probe_rc" = 0 ] || fail "disco#info from $asker to $component failed (status $probe_rc)"
	grep -q '^conference/irc\b' "$sb/probe.out" || fail "$component did not answer with identity conference/irc"
	pass "disco#info routed by ejabberd: $(grep -m1 '^conference/irc' "$sb/probe.out")"

	# A new component on its own port, applied to the running ejabberd by --reload.
	adapter --host="$second" --port="$gw_port" --password-stdin <"$sb/gw1.secret" >"$sb/apply.out" || fail "adding $second failed"
	[ "$(cat "$sb/apply.out")" = added ] || fail "adding $second: $(cat "$sb/apply.out")"
	again=0
	reload_and_check 0 "$sb/gw1.secret"
	pass "--reload opened $second's listener on $gw_port: $(tr '\n' ' ' <"$sb/reload0.out")"
	# Each secret change restarts that listener: the race of LAB_FACTS §3, checked and recovered.
	for ((i = 1; i <= ${RELOADS:-5}; i++)); do
		secret_file "gw$((i + 1))" "'$i\""
		adapter --host="$second" --port="$gw_port" --password-stdin <"$sb/gw$((i + 1)).secret" >"$sb/apply.out" ||
			fail "updating $second failed"
		[ "$(cat "$sb/apply.out")" = updated ] || fail "updating $second: $(cat "$sb/apply.out")"
		reload_and_check "$i" "$sb/gw$((i + 1)).secret"
	done
	pass "${RELOADS:-5} secret changes reloaded, each port listening and taking the new secret afterwards ($again needed a second reload_config)"

	probe "$asker_port" "$asker" "$sb/asker.secret" --disco "$component"
	[ "$probe_rc" = 0 ] && grep -q '^conference/irc\b' "$sb/probe.out" || fail "$component no longer routed after the reloads"
	pass "biboumi still routed after the reloads"

	# biboumi's postinst gives it a new secret: sync --reload applies it (restarting the listener
	# biboumi is connected to, race included), and biboumi, restarted, logs in with it.
	secret_file irc2 '"\]]>%s#'"'"'=$é€'
	cp "$sb/irc2.secret" "$sb/irc.secret"
	configure_biboumi
	local rc=0
	timeout 120 "$bin" --root="$root" -v sync --reload >"$sb/sync3.out" 2>"$sb/sync3.err" || rc=$?
	[ "$rc" = 0 ] || fail "sync --reload exited with status $rc"
	grep -qE "^biboumi +ejabberd +$component +updated" "$sb/sync3.out" || fail "sync --reload did not update $component"
	grep -q "^jabber-dispatch: server ejabberd: listening 127.0.0.1:$comp_port\$" "$sb/sync3.err" || fail "sync --reload did not check port $comp_port"
	if grep -q 'reloading again' "$sb/sync3.err"; then again=$((again + 1)); fi
	stop_pid "$biboumi_pid"
	biboumi_pid=
	: >"$root/var/log/biboumi/biboumi.log"
	: >"$sb/biboumi.stdout"
	start_biboumi
	probe "$asker_port" "$asker" "$sb/asker.secret" --disco "$component"
	[ "$probe_rc" = 0 ] && grep -q '^conference/irc\b' "$sb/probe.out" || fail "$component not routed after its new secret"
	pass "sync --reload applied biboumi's new secret; biboumi logged in with it and is routed ($again of $((${RELOADS:-5} + 2)) reloads needed a second reload_config)"
	say "PASS: ejabberd-biboumi"
}

main "$@"
