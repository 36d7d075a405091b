#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Live end-to-end test of the shared-secret strategy: a private jabberd2 router from the
# stock Debian package (stock secret, 0.0.0.0) and two biboumi instances, each with its own
# secret and the wrong port.  `jabber-dispatch sync` must secure the router (generated
# secret, loopback), make both transports adopt its port and secret, and record them; then
# both must authenticate and be routed (disco#info through the router).  Then the admin
# rotates the secret: --reload must say "restart needed", sync must hand the new secret to
# both transports, and after the restarts it said were needed, both are routed again.
#
# usage: sudo tests/live/jabberd2-two-transports.sh BUILD_DIR
#   KEEP=1   keep the sandbox (its path is printed)
#   JD_BIN   the jabber-dispatch to test (default: found in BUILD_DIR)
#
# Exit status: 0 pass, 1 fail, 77 skip.  Never touches /etc or the system services: the
# router and both gateways run from the sandbox, as their packaged users, on a free port of
# 127.0.0.1, and are stopped by PID.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
t0=$(date +%s)
router_pid=
gw_pids=()

stop_gateways() {
	local p
	for p in "${gw_pids[@]}"; do stop_pid "$p" biboumi; done
	gw_pids=()
}

live_stop() {
	stop_gateways
	stop_pid "$router_pid" jabberd2-router
}

live_logs() {
	[ -n "$sb" ] || return 0
	local f
	for f in "$sb"/sync*.out "$sb"/sync*.err "$sb"/reload*.out "$root/var/log/jabberd2/router.log" \
		"$sb"/router.stdout "$root"/var/log/biboumi/*.log "$sb"/gw*.stdout "$sb"/probe.out; do
		show "$f" 20
	done
}
live_traps

# ---------------------------------------------------------------- sandbox

# configure_gateway NAME HOST SECRET: a biboumi config of its own, on the stock port 5347
configure_gateway() {
	(umask 077 && printf '%s' "$3" >"$sb/gw-$1.secret")
	biboumi_config "/etc/biboumi/$1.cfg" "$2" "$sb/gw-$1.secret" 5347 "$1"
}

# The admin's adapter for the second instance: the packaged biboumi adapter on another file.
add_wrapper() {
	local d=$root/etc/jabber-dispatch/transports
	mkdir -p "$d"
	printf '#!/bin/sh\n# a second biboumi instance, with its own config\nexec %s/usr/lib/jabber-dispatch/transports/biboumi "$@" --config=/etc/biboumi/irc2.cfg\n' \
		"$root" >"$d/biboumi2"
	chmod 755 "$d/biboumi2"
}

router_secret() { # into $sb/router.secret (0600), as the router reads it
	(umask 077 && "$py" -c 'import sys, xml.etree.ElementTree as E; sys.stdout.write(E.parse(sys.argv[1]).getroot().findtext("local/secret"))' \
		"$root/etc/jabberd2/router.xml" >"$sb/router.secret")
}

cfg_value() { sed -n "s/^$2=//p" "$root/etc/biboumi/$1.cfg"; }

# run_sync N: sync, exit 0 expected; output in $sb/syncN.{out,err}
run_sync() {
	local rc=0
	timeout 60 "$bin" --root="$root" sync "${@:2}" >"$sb/sync$1.out" 2>"$sb/sync$1.err" || rc=$?
	[ "$rc" = 0 ] || fail "sync #$1 exited with status $rc"
}

pair() { awk -v t="$2" -v h="$3" '$1 == t && $2 == "jabberd2" && $3 == h { print $4 }' "$sb/sync$1.out"; }

# ---------------------------------------------------------------- daemons

start_router() {
	daemon_as jabber "$sb/router.stdout" /usr/sbin/jabberd2-router -c "$root/etc/jabberd2/router.xml"
	router_pid=$!
	local rc=0
	wait_alive 20 "$router_pid" listening "$port" || rc=$?
	[ "$rc" = 0 ] || fail "the router did not open 127.0.0.1:$port ($([ $rc = 2 ] && echo exited || echo timed out))"
	local stray
	stray=$(ss -Hltnp | grep -F "pid=$router_pid," | awk '$4 !~ /^127\.0\.0\.1:/ { print $4 }' | tr '\n' ' ')
	[ -z "$stray" ] || fail "the router listens outside loopback: $stray"
	pass "jabberd2 router up (pid $router_pid), only on 127.0.0.1:$port"
}

start_gateway() { # NAME HOST
	local name=$1 host=$2 log=$root/var/log/biboumi/$1.log rc=0
	: >"$log"
	chown _biboumi:_biboumi "$log"
	daemon_as _biboumi "$sb/gw-$name.stdout" /usr/bin/biboumi "$root/etc/biboumi/$name.cfg"
	gw_pids+=("$!")
	wait_alive 20 "$!" grep -qs 'Authenticated with the XMPP server' "$log" "$sb/gw-$name.stdout" || rc=$?
	[ "$rc" = 0 ] || fail "biboumi $name ($host) did not authenticate ($([ $rc = 2 ] && echo exited || echo timed out))"
	pass "biboumi $name authenticated to the router as $host"
}

disco() { # HOST: disco#info through the router, asked by a throwaway component name
	local rc=0
	"$py" "$here/xmpp-probe.py" --port "$port" --host probe.localhost --secret-file "$sb/router.secret" \
		--timeout 10 --disco "$1" >"$sb/probe.out" 2>&1 || rc=$?
	[ "$rc" = 0 ] || fail "disco#info to $1 through the router failed (status $rc)"
	grep -q '^conference/irc\b' "$sb/probe.out" || fail "$1 did not answer with identity conference/irc"
	pass "disco#info routed by jabberd2 to $1: $(grep -m1 '^conference/irc' "$sb/probe.out")"
}

# ---------------------------------------------------------------- main

main() {
	[ $# = 1 ] || { say "usage: $0 BUILD_DIR" >&2; exit 1; }
	local build=$1 b secret1 secret2
	[ "$(id -u)" = 0 ] || skip "needs root (daemons run as their own users via setpriv)"
	for b in /usr/sbin/jabberd2-router /usr/bin/biboumi; do [ -x "$b" ] || skip "$b is not installed"; done
	for b in jabber _biboumi; do getent passwd "$b" >/dev/null || skip "user $b does not exist"; done
	need_tools setpriv ss cmake "$py"
	find_bin "$build"
	new_sandbox j2 "$build" jabberd2 biboumi
	pass "sandbox from the stock jabberd2 and biboumi packages, project installed: $root"

	port=$(free_ports 1)
	jabberd2_router "$port"
	secret1=$("$py" -c 'import secrets; print("g1-" + secrets.token_hex(8) + "\"<&]]>é")')
	secret2=$("$py" -c 'import secrets; print("g2-" + secrets.token_hex(8))')
	configure_gateway biboumi irc.localhost "$secret1"
	configure_gateway irc2 irc2.localhost "$secret2"
	add_wrapper
	pass "router on 127.0.0.1:$port with the stock secret and 0.0.0.0; two gateways with secrets of their own on port 5347"

	run_sync 1
	[ "$(pair 1 biboumi irc.localhost)" = added ] || fail "sync #1: biboumi/irc.localhost not added"
	[ "$(pair 1 biboumi2 irc2.localhost)" = added ] || fail "sync #1: biboumi2/irc2.localhost not added"
	grep -qF "server jabberd2: replaced its shared component secret" "$sb/sync1.err" || fail "sync #1 did not say it replaced the stock secret"
	for b in biboumi biboumi2; do
		grep -qF "transport $b: adopted the port and secret of server jabberd2; restart it" "$sb/sync1.err" ||
			fail "sync #1 did not say $b adopted the router's port and secret"
	done
	grep -qF "server jabberd2: restart it" "$sb/sync1.err" || fail "sync #1 did not ask for a router restart"
	router_secret
	grep -qE '^[A-Za-z0-9_-]{32}$' "$sb/router.secret" || fail "the router's new secret is not 32 base64url characters"
	grep -qF '<ip>127.0.0.1</ip>' "$root/etc/jabberd2/router.xml" || fail "the router was not moved to 127.0.0.1"
	for b in biboumi irc2; do
		[ "$(cfg_value $b password)" = "$(cat "$sb/router.secret")" ] || fail "$b.cfg does not hold the router's secret"
		[ "$(cfg_value $b port)" = "$port" ] || fail "$b.cfg does not hold the router's port"
	done
	pass "sync #1: stock secret replaced, loopback bound, both gateways adopted port $port and the secret, both recorded"

	run_sync 2
	[ "$(pair 2 biboumi irc.localhost):$(pair 2 biboumi2 irc2.localhost)" = unchanged:unchanged ] || fail "sync #2 is not unchanged for both"
	! grep -q adopt "$sb/sync2.err" || fail "sync #2 adopted something again"
	pass "sync #2: unchanged"

	start_router
	"$root/usr/lib/jabber-dispatch/servers/jabberd2" --root="$root" --reload >"$sb/reload1.out" 2>&1 || fail "--reload failed"
	grep -q "^nothing to reload: the router on 127.0.0.1 port $port already takes the component secret" "$sb/reload1.out" ||
		fail "--reload did not see the router take the secret: $(cat "$sb/reload1.out")"
	pass "--reload: $(cat "$sb/reload1.out")"
	start_gateway biboumi irc.localhost
	start_gateway irc2 irc2.localhost
	disco irc.localhost
	disco irc2.localhost

	# The admin rotates the secret by hand (as after a leak): the router still runs with the old one.
	cp "$sb/router.secret" "$sb/old.secret"
	"$py" - "$root/etc/jabberd2/router.xml" <<'EOF'
import secrets, sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
a = s.index("<secret>") + 8
open(p, "w", encoding="utf-8").write(s[:a] + "rotated-" + secrets.token_urlsafe(24) + s[s.index("</secret>", a):])
EOF
	"$root/usr/lib/jabber-dispatch/servers/jabberd2" --root="$root" --reload >"$sb/reload2.out" 2>&1 || fail "--reload failed"
	grep -q "^restart needed: the router on 127.0.0.1 port $port still runs with another component secret" "$sb/reload2.out" ||
		fail "--reload did not ask for a restart: $(cat "$sb/reload2.out")"
	pass "--reload after a new secret: restart needed"
	run_sync 3
	for b in biboumi biboumi2; do
		grep -qF "transport $b: adopted the secret of server jabberd2; restart it" "$sb/sync3.err" || fail "sync #3: $b did not adopt the new secret"
	done
	router_secret
	pass "sync #3: both gateways adopted the rotated secret"
	stop_gateways
	stop_pid "$router_pid" jabberd2-router
	router_pid=
	start_router
	local rc=0
	"$py" "$here/xmpp-probe.py" --port "$port" --host old.localhost --secret-file "$sb/old.secret" --timeout 10 \
		>"$sb/probe.out" 2>&1 || rc=$?
	[ "$rc" = 4 ] && grep -q 'not-authorized' "$sb/probe.out" || fail "the restarted router still takes the old secret (status $rc)"
	pass "the restarted router refuses the old secret: $(sed 's/^xmpp-probe: //' "$sb/probe.out")"
	start_gateway biboumi irc.localhost
	start_gateway irc2 irc2.localhost
	disco irc.localhost
	disco irc2.localhost
	say "PASS: jabberd2-two-transports ($(($(date +%s) - t0)) s)"
}

main "$@"
