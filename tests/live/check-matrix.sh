#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Live matrix of `jabber-dispatch check`: {prosody, ejabberd, jabberd2} x {biboumi,
# jabber-muc}, every package from Debian, each server in a sandbox root of its own made
# from the stock configs, wired only by `jabber-dispatch sync`, on loopback and private
# ports.  Per server, in parallel:
#   - check says ok for both transports;
#   - while check runs in a loop, disco#info queries sent to both transports through the
#     server are all answered (no stanza lost, no transport kicked);
#   - transport stopped: ok-not-connected; wrong secret planted: wrong-secret (exit 1);
#   - sync --reload for a new transport, a changed secret and a removed transport: the new
#     state is live afterwards, per sync's own report and per check (ROUNDS times; 20 for
#     ejabberd);
#   - server stopped: server-down (exit 1).
#
# usage: sudo tests/live/check-matrix.sh BUILD_DIR
#   KEEP=1        keep the sandboxes (their path is printed)
#   CELLS="..."   the servers to run (default: prosody ejabberd jabberd2)
#   ROUNDS=N      reload rounds for prosody and jabberd2 (default 3); EJABBERD_ROUNDS (20, 5 in
#                 the Asan build, which runs the same code paths slower)
#   QUERIES=N     disco#info queries of the load test per server (default 300)
#
# Exit status: 0 pass, 1 fail, 77 skip.  Never touches /etc or the system services.
set -uo pipefail

. "$(dirname "$0")/lib.sh"
ctl=/usr/sbin/ejabberdctl

# ================================================================ one server's cell
# Everything below runs in a subshell per server: $S (also LIVE_TAG), $sb and $root are its own.

live_logs() {
	[ -n "$sb" ] || return 0
	local f
	for f in "$sb"/*.out "$sb"/*.err "$sb"/*.stdout "$root/var/log/prosody/prosody.log" \
		"$root/var/log/ejabberd/ejabberd.log" "$root/var/log/jabberd2/router.log" "$root/var/log/biboumi/biboumi.log"; do
		show "$f" 15
	done
}

# status TRANSPORT [FILE]: the word check gave a transport (in $sb/check.out by default)
status() { awk -v t="$1" '$1 == t { print $4 }' "${2:-$sb/check.out}"; }

# expect_check WHAT RC BIBOUMI MUC: run check, want exit status RC and these words
expect_check() {
	local what=$1 want_rc=$2 rc=0
	jd check check || rc=$?
	[ "$rc" = "$want_rc" ] && [ "$(status biboumi)" = "$3" ] && [ "$(status jabber-muc)" = "$4" ] ||
		fail "$what: check exited $rc (want $want_rc): $(tr '\n' '|' <"$sb/check.out")$(cat "$sb/check.err")"
	pass "$what: biboumi $3, jabber-muc $4 (exit $rc): $(awk '$1 == "biboumi" { $1 = $2 = $3 = $4 = ""; print }' "$sb/check.out" | sed 's/^ *//')"
}

# ---------------------------------------------------------------- transports

configure_biboumi() { # NAME HOST SECRET_FILE: etc/biboumi/NAME.cfg from the stock one
	biboumi_config "/etc/biboumi/$1.cfg" "$2" "$3" "$comp" "$1"
}

configure_muc() { # the stock muc.xml pointed into the sandbox, with its name, port and secret
	mkdir -p "$root/var/spool/jabber-muc/rooms" "$root/var/spool/jabber-muc/rooms-logs" "$root/var/log/jabber-muc" "$root/run/jabber-muc"
	chown -R jabber:jabber "$root/var/spool/jabber-muc" "$root/var/log/jabber-muc" "$root/run/jabber-muc"
	"$py" - "$root/etc/jabberd2/muc.xml" "$root" "$comp" "$(cat "$sb/muc.secret")" <<'EOF' || fail "cannot adapt the stock muc.xml"
import re, sys
cfg, root, port, secret = sys.argv[1:]
s = open(cfg, encoding="utf-8").read()
for tag, value in [("ip", "127.0.0.1"), ("port", port), ("secret", secret),
                   ("spool", root + "/var/spool/jabber-muc/rooms/"), ("pidfile", root + "/run/jabber-muc/muc.pid")]:
    s, n = re.subn(r"<%s>[^<]*</%s>" % (tag, tag), "<%s>%s</%s>" % (tag, value, tag), s, count=1)
    if n != 1:
        sys.exit("muc.xml: no <%s>" % tag)
s = s.replace("<logdir>/var/log/jabberd2/</logdir>", "<logdir>%s/var/log/jabber-muc/</logdir>" % root)
s = s.replace("<logdir>/var/spool/jabber-muc/rooms-logs/</logdir>", "<logdir>%s/var/spool/jabber-muc/rooms-logs/</logdir>" % root)
open(cfg, "w", encoding="utf-8").write(s)
EOF
	chown root:jabber "$root/etc/jabberd2/muc.xml"
	chmod 640 "$root/etc/jabberd2/muc.xml"
}

# logins HOST: how many component logins as HOST the server has logged (check's own included)
logins() {
	case $S in
	prosody) grep -c "$1:component.*successfully authenticated" "$root/var/log/prosody/prosody.log" ;;
	ejabberd) grep -c "Accepted external component handshake authentication for $1 " "$root/var/log/ejabberd/ejabberd.log" ;;
	jabberd2) grep -cF "[$1] online" "$root/var/log/jabberd2/router.log" ;;
	esac 2>/dev/null
}

# start_transport NAME HOST CMD...: start it and wait, without running check meanwhile, until the
# server logged its login: a check logging in under HOST at that moment would refuse the transport
# (Prosody's conflict), which biboumi does not survive (docs/live-check.md)
start_transport() {
	local host=$2 before
	before=$(logins "$host")
	daemon_as "$3" "$sb/$3.stdout" "${@:4}"
	eval "${1}_pid=\$!"
	wait_for 30 eval '[ "$(logins "$host")" -gt "${before:-0}" ]' || fail "$1 did not log in as $host within 30 s"
}
start_biboumi() { start_transport biboumi irc.localhost _biboumi /usr/bin/biboumi "$root/etc/biboumi/biboumi.cfg"; }
start_muc() { start_transport muc conference.localhost jabber /usr/sbin/mu-conference -c "$root/etc/jabberd2/muc.xml"; }

# ---------------------------------------------------------------- servers

setup_prosody() {
	read -r c2s s2s comp <<<"$(free_ports 3 20000 3000)"
	prosody_loopback "$c2s" "$s2s" "$comp"
	install -d -o prosody -g prosody -m 750 "$root/run/prosody" "$root/var/lib/prosody" "$root/var/log/prosody"
	# the admin's own component, which asks the transports in the load test
	new_secret "$sb/asker.secret" 24
	printf 'Component "%s"\n\tcomponent_secret = "%s"\n' "$asker" "$(cat "$sb/asker.secret")" >"$root/etc/prosody/conf.d/$asker.cfg.lua"
	chgrp prosody "$root/etc/prosody/conf.d/$asker.cfg.lua"
	chmod 640 "$root/etc/prosody/conf.d/$asker.cfg.lua"
}
start_prosody() {
	daemon_as prosody "$sb/prosody.stdout" /usr/bin/prosody -F --config "$root/etc/prosody/prosody.cfg.lua"
	server_pid=$!
	wait_for 20 listening "$comp" || fail "prosody did not open the component port $comp"
}
stop_prosody() { stop_pid "$server_pid"; server_pid=; }

setup_ejabberd() {
	local ports
	read -r -a ports <<<"$(free_ports 9 23000 3000)"
	comp=${ports[7]} asker_port=${ports[8]}
	new_secret "$sb/asker.secret" 24
	ejabberd_loopback "$asker" "$asker_port" "$sb/asker.secret" "${ports[@]:0:7}"
	ejabberd_node "jdcheck$$"
}
start_ejabberd() {
	ejabberd_up=1
	ej start >"$sb/ejabberd-start.out" 2>&1 && ej started >>"$sb/ejabberd-start.out" 2>&1 || fail "ejabberd did not start"
	wait_for 20 listening "$comp" || fail "ejabberd does not listen on the component port $comp"
}

setup_jabberd2() {
	comp=$(free_ports 1 26000 3000)
	jabberd2_router "$comp"
}
start_jabberd2() {
	daemon_as jabber "$sb/jabber.stdout" /usr/sbin/jabberd2-router -c "$root/etc/jabberd2/router.xml"
	server_pid=$!
	wait_for 20 listening "$comp" || fail "the jabberd2 router did not open 127.0.0.1:$comp"
	# the load test asks under a name of its own, with the router's one secret
	(umask 077 && "$py" -c 'import sys, xml.etree.ElementTree as E; sys.stdout.write(E.parse(sys.argv[1]).getroot().findtext("local/secret"))' \
		"$root/etc/jabberd2/router.xml" >"$sb/asker.secret")
}
stop_jabberd2() { stop_pid "$server_pid"; server_pid=; }

# ---------------------------------------------------------------- steps

# The load test: QUERIES disco#info to both transports through the server while check runs in a loop.
load_under_check() {
	local loader rc=0 runs=0 bad=0
	"$py" "$here/xmpp-probe.py" --port "${asker_port:-$comp}" --host "$asker" --secret-file "$sb/asker.secret" \
		--timeout 10 --disco irc.localhost --disco conference.localhost --repeat "$queries" --interval 0.02 \
		>"$sb/load.out" 2>&1 &
	loader=$!
	while kill -0 "$loader" 2>/dev/null; do
		jd check-loop check || bad=$((bad + 1))
		[ "$(status biboumi "$sb/check-loop.out")" = ok ] && [ "$(status jabber-muc "$sb/check-loop.out")" = ok ] ||
			bad=$((bad + 1))
		runs=$((runs + 1))
	done
	wait "$loader" || rc=$?
	[ "$rc" = 0 ] || fail "load test under check: $(tr '\n' ' ' <"$sb/load.out") (status $rc)"
	[ "$bad" = 0 ] || fail "check said something else than ok twice in $runs runs during the load test"
	kill -0 "$biboumi_pid" && kill -0 "$muc_pid" || fail "a transport died during the load test"
	pass "load test: $(tail -n 1 "$sb/load.out") disco#info answered by the transports while check ran $runs times (all ok)"
}

# Reload rounds: a second biboumi adapter (the admin's) comes, changes its secret, goes.
reload_rounds() {
	local n=$1 i w=$root/etc/jabber-dispatch/transports/irc2 again=0 t0=$SECONDS
	mkdir -p "$root/etc/jabber-dispatch/transports"
	for ((i = 1; i <= n; i++)); do
		new_secret "$sb/irc2.secret" 24
		configure_biboumi irc2 irc2.localhost "$sb/irc2.secret"
		printf '#!/bin/sh\nexec %s/usr/lib/jabber-dispatch/transports/biboumi "$@" --config=/etc/biboumi/irc2.cfg\n' "$root" >"$w"
		chmod 755 "$w"
		jd reload-add sync --reload || fail "round $i: sync --reload (new transport) exited $?"
		live irc2 "round $i, new transport" reload-add
		new_secret "$sb/irc2.secret" 24
		configure_biboumi irc2 irc2.localhost "$sb/irc2.secret"
		jd reload-change sync --reload || fail "round $i: sync --reload (changed secret) exited $?"
		live irc2 "round $i, changed secret" reload-change
		rm -f "$w"
		jd reload-remove sync --reload || fail "round $i: sync --reload (removed transport) exited $?"
		gone irc2.localhost "round $i"
		again=$((again + $(cat "$sb"/reload-*.err | grep -c 'reloading again')))
	done
	pass "$n reload rounds (new transport, changed secret, removed transport), each live per check; $again reloads needed a second reload_config; $((SECONDS - t0)) s"
}

# live TRANSPORT WHAT SYNC: after that sync, its own report and check say the server takes it
# (the transport itself is not running); sync checks each pair it changed once the reload is done
live() {
	local rc=0 line
	line=$(awk -v t="$1" '$1 == t' "$sb/$3.out")
	case $line in
	*" added"* | *" updated"*)
		case $line in *", live: ok-not-connected") ;; *) fail "$2: sync's report: $line" ;; esac ;;
	esac
	jd check-live check --transport="$1" || rc=$?
	[ "$rc" = 0 ] && [ "$(status "$1" "$sb/check-live.out")" = ok-not-connected ] ||
		fail "$2: check says $(tr '\n' '|' <"$sb/check-live.out") (exit $rc); sync said: $(tr '\n' '|' <"$sb/$3.out" "$sb/$3.err")"
}

# gone HOST WHAT: after the removal, the running server refuses the component (jabberd2 takes any name: not asked)
gone() {
	local rc=0
	[ "$S" = jabberd2 ] && return 0
	"$py" "$here/xmpp-probe.py" --port "$comp" --host "$1" --secret-file "$sb/irc2.secret" --timeout 10 >"$sb/gone.out" 2>&1 || rc=$?
	[ "$rc" = 4 ] || fail "$2: $1 still logs in after its removal and sync --reload (status $rc: $(cat "$sb/gone.out"))"
}

cell() {
	S=$1 LIVE_TAG=$1
	sb=$top/$S root=$top/$S/root server_pid= biboumi_pid= muc_pid= asker=probe.localhost asker_port=
	mkdir -p "$sb"
	trap 'stop_pid "$biboumi_pid"; stop_pid "$muc_pid"; stop_$S' EXIT
	sandbox_root "$root" "$build" "$S" biboumi jabber-muc
	"setup_$S"
	new_secret "$sb/irc.secret" 32
	new_secret "$sb/muc.secret" 15 # mu-conference: stream id + secret must fit 55 bytes
	configure_biboumi biboumi irc.localhost "$sb/irc.secret"
	configure_muc
	jd sync sync || fail "sync exited $?: $(cat "$sb/sync.err")"
	[ "$(awk '$2 == "'"$S"'" && $4 == "added" { n++ } END { print n + 0 }' "$sb/sync.out")" = 2 ] ||
		fail "sync did not add both transports: $(tr '\n' '|' <"$sb/sync.out")"
	pass "sandbox from the stock $S, biboumi, jabber-muc; sync added both (ports from $comp)"

	"start_$S"
	start_biboumi
	start_muc
	expect_check "both connected" 0 ok ok
	jd check-json check --json
	pass "check latency: $("$py" -c 'import json, sys; print(" ".join("%s %d ms" % (p["transport"], p["ms"]) for p in json.load(open(sys.argv[1]))["pairs"]))' "$sb/check-json.out")"

	load_under_check

	stop_pid "$biboumi_pid"
	biboumi_pid=
	expect_check "biboumi stopped" 0 ok-not-connected ok

	cp -p "$root/etc/biboumi/biboumi.cfg" "$sb/biboumi.cfg.good"
	sed -i 's/^password=.*/password=planted-wrong-secret/' "$root/etc/biboumi/biboumi.cfg"
	expect_check "wrong secret planted in biboumi.cfg" 1 wrong-secret ok
	cp -p "$sb/biboumi.cfg.good" "$root/etc/biboumi/biboumi.cfg"

	reload_rounds "$([ "$S" = ejabberd ] && echo "$ejabberd_rounds" || echo "$rounds")"
	start_biboumi
	expect_check "after the reload rounds" 0 ok ok

	"stop_$S"
	expect_check "$S stopped" 1 server-down server-down
	pass "$S done"
}

# ================================================================ main

main() {
	[ $# = 1 ] || { say "usage: $0 BUILD_DIR" >&2; exit 1; }
	build=$1
	local b s rc=0 pids=() t0=$SECONDS
	[ "$(id -u)" = 0 ] || skip "needs root (the daemons run as their own users)"
	cells=${CELLS:-prosody ejabberd jabberd2}
	rounds=${ROUNDS:-3} ejabberd_rounds=${EJABBERD_ROUNDS:-20} queries=${QUERIES:-300}
	# The sanitizer build runs the same code paths; the 20 rounds in a row are the other build's
	if grep -qs '^CMAKE_BUILD_TYPE:STRING=Asan$' "$build/CMakeCache.txt"; then
		ejabberd_rounds=${EJABBERD_ROUNDS:-5} queries=${QUERIES:-100}
	fi
	for b in /usr/bin/prosody "$ctl" /usr/sbin/jabberd2-router /usr/bin/biboumi /usr/sbin/mu-conference; do
		[ -x "$b" ] || skip "$b is not installed"
	done
	for b in prosody ejabberd jabber _biboumi; do getent passwd "$b" >/dev/null || skip "no user $b"; done
	need_tools setpriv ss cmake "$py"
	find_bin "$build"
	umask 022
	top=$(mktemp -d "${TMPDIR:-/tmp}/jd-live-check.XXXXXX")
	chmod 711 "$top"
	trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait; [ "${KEEP:-0}" = 1 ] && say "sandboxes kept: $top" || rm -rf -- "$top"' EXIT
	for s in $cells; do
		(cell "$s") >"$top/$s.log" 2>&1 &
		pids+=($!)
	done
	set -- $cells
	for b in "${pids[@]}"; do
		if ! wait "$b"; then rc=1; fi
		cat "$top/$1.log"
		shift
	done
	[ "$rc" = 0 ] && say "PASS: check-matrix ($cells) in $((SECONDS - t0)) s" || say "FAIL: check-matrix"
	return $rc
}

main "$@"
