#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Live end-to-end test: `jabber-dispatch sync` registers biboumi in a private,
# loopback-only prosody built from the stock Debian packages, then biboumi
# must authenticate and answer disco#info routed through prosody.
#
# usage: sudo tests/live/prosody-biboumi.sh BUILD_DIR
#
#   KEEP=1              keep the sandbox (its path is printed)
#   JD_LIVE_FAKE_SYNC=1 developer aid: skip the install and sync and write the
#                       component drop-in from here, to exercise the harness
#                       without jabber-dispatch; such a run ends in SKIP
#   JD_BIN              the jabber-dispatch to test (default: found in BUILD_DIR)
#   PYTHON              python3 to run the probe with (default python3)
#
# Exit status: 0 pass, 1 fail, 77 skip.  Never touches /etc/prosody or
# /etc/biboumi and never starts or stops the system services: both daemons
# run from the sandbox, as their packaged users, on free private ports.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
component=irc.localhost
asker=probe.localhost
fake=${JD_LIVE_FAKE_SYNC:-0}
prosody_pid=
biboumi_pid=
probe_rc=0

live_stop() {
	# biboumi first: it would only reconnect-loop while prosody goes away
	stop_pid "$biboumi_pid" biboumi
	stop_pid "$prosody_pid" prosody
}

live_logs() {
	[ -n "$sb" ] || return 0
	show "$sb/sync1.out"
	show "$sb/sync1.err"
	show "$sb/sync2.out"
	show "$sb/sync2.err"
	show "$sb/install.log" 10
	show "$root/etc/prosody/conf.d/$component.cfg.lua"
	show "$sb/prosody.stdout"
	show "$root/var/log/prosody/prosody.log" 40
	show "$root/var/log/prosody/prosody.err"
	show "$sb/biboumi.stdout"
	show "$root/var/log/biboumi/biboumi.log"
	show "$sb/probe.out"
}
live_traps

# ---------------------------------------------------------------- sandbox configuration

# Lua-quote stdin: Lua strings are bytes, so only the quote, the backslash
# and control bytes need escaping (as 3-digit \ddd, never ambiguous).
lua_quote() {
	"$py" -c '
import sys
out = bytearray(b"\"")
for c in sys.stdin.buffer.read():
    if c in b"\"\\":
        out += b"\\" + bytes([c])
    elif c < 0x20 or c == 0x7f:
        out += b"\\%03d" % c
    else:
        out.append(c)
sys.stdout.buffer.write(out + b"\"")
'
}

configure_prosody() {
	prosody_loopback "$c2s_port" "$s2s_port" "$comp_port"
	mkdir -p "$root/run/prosody"
	chown prosody:prosody "$root/run/prosody"
	chmod 750 "$root/run/prosody"
}

# The secret biboumi will log in with: random, plus the characters that
# break naive quoting in kv files, Lua strings, long brackets, printf
# formats and byte-vs-character handling.
make_irc_secret() {
	(umask 077 && "$py" -c '
import secrets, sys
a, b = secrets.token_urlsafe(9), secrets.token_urlsafe(9)
sys.stdout.write(a + "\"\\]]%s'"'"'=$é€" + b)
' >"$sb/irc.secret")
}

configure_biboumi() {
	biboumi_config /etc/biboumi/biboumi.cfg "$component" "$sb/irc.secret" "$comp_port"
}

# A hand-written component for the probe: it asks the disco question.
add_asker_dropin() {
	local d=$root/etc/prosody/conf.d f
	f=$d/$asker.cfg.lua
	new_secret "$sb/probe.secret"
	{
		printf 'Component "%s"\n' "$asker"
		printf '\tcomponent_secret = %s\n' "$(lua_quote <"$sb/probe.secret")"
	} >"$f"
	chown "root:$(stat -c %G "$d")" "$f"
	chmod 640 "$f"
}

# Developer aid only (JD_LIVE_FAKE_SYNC=1): what sync is expected to write.
fake_sync() {
	local d=$root/etc/prosody/conf.d f
	f=$d/$component.cfg.lua
	{
		printf 'Component "%s"\n' "$component"
		printf '\tcomponent_secret = %s\n' "$(lua_quote <"$sb/irc.secret")"
	} >"$f"
	chown "root:$(stat -c %G "$d")" "$f"
	chmod 640 "$f"
	say "NOTE: sync faked by JD_LIVE_FAKE_SYNC=1 (jabber-dispatch is not being tested)"
}

check_dropin() {
	local d=$root/etc/prosody/conf.d f mode group
	f=$d/$component.cfg.lua
	if [ ! -f "$f" ] || [ -L "$f" ]; then fail "sync did not create ${f#"$root"} (a regular file)"; fi
	grep -qF "Component \"$component\"" "$f" || fail "${f#"$root"} has no 'Component \"$component\"' line"
	mode=$(stat -c %a "$f")
	group=$(stat -c %G "$f")
	[ "$mode" = 640 ] || fail "${f#"$root"} has mode $mode, want 640"
	[ "$group" = "$(stat -c %G "$d")" ] || fail "${f#"$root"} has group $group, want that of conf.d ($(stat -c %G "$d"))"
	pass "${f#"$root"} created (mode $mode, group $group)"
}

# Each daemon must be able to read its private copy through the sandbox.
check_readable() {
	local f
	for f in "$root/etc/prosody/prosody.cfg.lua" "$root/etc/prosody/conf.d/"*.cfg.lua; do
		as_user prosody cat -- "$f" >/dev/null 2>&1 || fail "user prosody cannot read ${f#"$root"}"
	done
	as_user _biboumi cat -- "$root/etc/biboumi/biboumi.cfg" >/dev/null 2>&1 ||
		fail "user _biboumi cannot read /etc/biboumi/biboumi.cfg"
}

# ---------------------------------------------------------------- daemons

start_prosody() {
	daemon_as prosody "$sb/prosody.stdout" /usr/bin/prosody -F --config "$root/etc/prosody/prosody.cfg.lua"
	prosody_pid=$!
	local rc=0
	wait_alive 20 "$prosody_pid" listening "$comp_port" || rc=$?
	case $rc in
	0) ;;
	2) fail "prosody exited during startup (a config it cannot parse?)" ;;
	*) fail "prosody did not open the component port $comp_port within 20 s" ;;
	esac
	pass "prosody up (pid $prosody_pid), component port 127.0.0.1:$comp_port"

	# a private instance must not listen anywhere but on loopback
	if command -v ss >/dev/null; then
		local stray
		stray=$(ss -Hltnp | grep -F "pid=$prosody_pid," | awk '$4 !~ /^127\.0\.0\.1:/ { print $4 }' | tr '\n' ' ')
		[ -z "$stray" ] || fail "prosody listens outside loopback: $stray"
	fi
}

start_biboumi() {
	daemon_as _biboumi "$sb/biboumi.stdout" /usr/bin/biboumi "$root/etc/biboumi/biboumi.cfg"
	biboumi_pid=$!
	local log=$root/var/log/biboumi/biboumi.log rc=0 why
	wait_alive 20 "$biboumi_pid" grep -qs 'Authenticated with the XMPP server' "$log" "$sb/biboumi.stdout" || rc=$?
	case $rc in
	0) ;;
	2)
		# a rejected secret makes biboumi log the stream error and exit
		why=$(grep -hos 'Stream error received from the XMPP server: .*' "$log" "$sb/biboumi.stdout" | head -n 1)
		fail "biboumi exited without authenticating${why:+ ($why)}"
		;;
	*) fail "biboumi did not authenticate within 20 s" ;;
	esac
	pass "biboumi authenticated to prosody as $component (pid $biboumi_pid)"
}

probe() { # probe JID SECRET_FILE [ARGS...] -- output in $sb/probe.out, status in $probe_rc
	local jid=$1 secret=$2
	shift 2
	probe_rc=0
	"$py" "$here/xmpp-probe.py" --port "$comp_port" --host "$jid" --secret-file "$secret" \
		--timeout 10 "$@" >"$sb/probe.out" 2>&1 || probe_rc=$?
}

# While prosody runs: a changed secret is applied by a reload, and a new
# component by a reload plus `host activate` (LAB_FACTS §3), both done by the
# prosody adapter when sync is told to reload the sandbox's running server.
live_reload() {
	local rc=0 f=$root/etc/biboumi/biboumi.cfg cfg2=$root/etc/biboumi/irc2.cfg
	local admin=$root/etc/jabber-dispatch/transports

	# a new secret for irc.localhost: biboumi keeps its session, new logins need the new secret
	printf 'Live-%s"\\]]\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >"$sb/irc.secret.new"
	head -c -1 "$sb/irc.secret.new" >"$sb/irc.secret2"
	grep -v '^password=' "$f" >"$sb/b.cfg"
	printf 'password=%s\n' "$(cat "$sb/irc.secret2")" >>"$sb/b.cfg"
	cat "$sb/b.cfg" >"$f"

	# and a second transport: another biboumi config behind an admin adapter
	sed -e 's/^hostname=.*/hostname=irc2.localhost/' -e 's/^password=.*/password=second-Secret-2/' "$f" >"$cfg2"
	chmod 644 "$cfg2"
	printf 'second-Secret-2' >"$sb/irc2.secret"
	mkdir -p "$admin"
	printf '#!/bin/sh\nexec /usr/lib/jabber-dispatch/transports/biboumi --config=/etc/biboumi/irc2.cfg "$@"\n' >"$admin/irc2"
	sed -i "s|exec /usr|exec $root/usr|" "$admin/irc2"
	chmod 755 "$admin/irc2"

	timeout 60 "$bin" --root="$root" -v sync --reload >"$sb/sync3.out" 2>"$sb/sync3.err" || rc=$?
	[ "$rc" = 0 ] || { cat "$sb/sync3.err"; fail "sync --reload exited with status $rc"; }
	grep -q "^biboumi  *prosody  *$component  *updated" "$sb/sync3.out" || fail "sync --reload: $component not updated"
	grep -q '^irc2  *prosody  *irc2.localhost  *added' "$sb/sync3.out" || fail "sync --reload: irc2.localhost not added"
	grep -q 'activated irc2.localhost' "$sb/sync3.err" || { cat "$sb/sync3.err"; fail "the prosody adapter did not activate irc2.localhost"; }
	pass "sync --reload on the running prosody: $component updated, irc2.localhost added and activated"

	probe "$component" "$sb/irc.secret2"
	if [ "$probe_rc" = 4 ] && grep -q 'conflict' "$sb/probe.out"; then
		pass "the new secret is live for $component (second login: conflict), biboumi still connected"
	else
		fail "new secret for $component after reload: expected 'conflict', got status $probe_rc: $(cat "$sb/probe.out")"
	fi
	probe "$component" "$sb/irc.secret"
	[ "$probe_rc" = 4 ] && grep -q 'not-authorized' "$sb/probe.out" ||
		fail "the old secret of $component still works after the reload (status $probe_rc)"
	pass "the old secret of $component is refused after the reload"
	probe irc2.localhost "$sb/irc2.secret"
	[ "$probe_rc" = 0 ] || fail "irc2.localhost cannot log in after sync --reload (status $probe_rc): $(cat "$sb/probe.out")"
	pass "irc2.localhost, added while prosody ran, accepts its component login"
}

# ---------------------------------------------------------------- main

main() {
	[ $# = 1 ] || { say "usage: $0 BUILD_DIR" >&2; exit 1; }
	local build=$1

	[ "$(id -u)" = 0 ] || skip "needs root (daemons run as their own users via setpriv)"
	local b
	for b in /usr/bin/prosody /usr/bin/biboumi; do
		[ -x "$b" ] || skip "$b is not installed"
	done
	for b in prosody _biboumi; do
		getent passwd "$b" >/dev/null || skip "user $b does not exist"
	done
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	command -v "$py" >/dev/null || skip "$py is not installed"

	if [ "$fake" != 1 ]; then
		find_bin "$build"
		command -v cmake >/dev/null || fail "cmake is needed to install the project into the sandbox"
	fi

	# JD_LIVE_FAKE_SYNC=1: the stock configs only, nothing of the project installed
	new_sandbox prosody "$([ "$fake" = 1 ] || echo "$build")" prosody biboumi
	pass "sandbox root from the stock prosody and biboumi packages: $root"

	if [ "$fake" != 1 ]; then
		for b in usr/bin/jabber-dispatch usr/lib/jabber-dispatch/servers/prosody usr/lib/jabber-dispatch/transports/biboumi; do
			[ -x "$root/$b" ] || fail "the install did not provide /$b"
		done
		pass "project installed into the sandbox"
	fi

	read -r c2s_port s2s_port comp_port <<<"$(free_ports 3)"
	[ -n "$comp_port" ] || fail "could not find free ports"
	configure_prosody
	make_irc_secret
	configure_biboumi
	add_asker_dropin
	pass "private config: c2s $c2s_port, s2s $s2s_port, component_ports { $comp_port }"

	if [ "$fake" = 1 ]; then
		fake_sync
	else
		sync_expect 1 prosody "$component" added
		check_dropin
		sync_expect 2 prosody "$component" unchanged
	fi

	check_readable
	start_prosody
	start_biboumi

	probe "$asker" "$sb/probe.secret" --disco "$component"
	[ "$probe_rc" = 0 ] || fail "disco#info from $asker to $component failed (status $probe_rc)"
	grep -q '^conference/irc\b' "$sb/probe.out" || fail "$component did not answer with identity conference/irc"
	pass "disco#info routed by prosody: $(grep -m1 '^conference/irc' "$sb/probe.out")"

	# prosody checks the token before it checks for a live connection, so
	# "conflict" proves it holds the very bytes biboumi sent
	probe "$component" "$sb/irc.secret"
	if [ "$probe_rc" = 4 ] && grep -q 'conflict' "$sb/probe.out"; then
		pass "second login as $component with the secret: $(sed 's/^xmpp-probe: //' "$sb/probe.out")"
	else
		fail "second login as $component: expected 'conflict' (status 4), got status $probe_rc"
	fi

	if [ "$fake" = 1 ]; then
		skip "harness works, but sync was faked (JD_LIVE_FAKE_SYNC=1)"
	fi
	live_reload
	say "PASS: prosody-biboumi"
}

main "$@"
