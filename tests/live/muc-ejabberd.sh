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

here=$(cd "$(dirname "$0")" && pwd)
tests=$(dirname "$here")
py=${PYTHON:-python3}
ctl=/usr/sbin/ejabberdctl
# ejabberd's stock mod_muc already routes conference.localhost: the admin's registry
# override below gives jabber-muc another prefix (and a free port).
muc=rooms.localhost
asker=probe.localhost
sb= root= started= muc_pid= probe_rc=0

say() { printf '%s\n' "$*"; }
pass() { say "PASS: $*"; }
skip() { say "SKIP: $*"; exit 77; }
fail() {
	say "FAIL: $*"
	logs
	exit 1
}

ej() { timeout 90 "$ctl" --config-dir "$root/etc/ejabberd" --ctl-config "$sb/ejabberdctl.cfg" "$@"; }

stop_ejabberd() {
	local pid
	[ -n "$started" ] || return 0
	started=
	ej stop >/dev/null 2>&1 || true
	ej stopped >/dev/null 2>&1 || true
	pid=$(cat "$root/var/lib/ejabberd/ejabberd.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
}

stop() { # stop PID: TERM, KILL after 10 s (mu-conference may ignore TERM), reap
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	stop "$muc_pid"
	stop_ejabberd
	if [ -n "$sb" ] && [ -d "$sb" ]; then
		if [ "${KEEP:-0}" = 1 ]; then say "sandbox kept: $sb"; else rm -rf -- "$sb"; fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'say "FAIL: interrupted"; exit 1' INT TERM HUP

show() { # show FILE [N]: its tail, secrets of the run hidden
	local f=$1
	[ -s "$f" ] || return 0
	say "---- ${f#"$sb"/}"
	tail -n "${2:-25}" -- "$f" | "$py" -c '
import sys, re
data = sys.stdin.read()
for path in sys.argv[1:]:
    try:
        s = open(path).read().strip()
    except OSError:
        continue
    if s:
        data = data.replace(s, "<secret>")
sys.stdout.write(re.sub(r"<secret>[A-Za-z0-9]+</secret>", "<secret><secret></secret>", data))
' "$sb/muc.secret" "$sb/probe.secret" | sed 's/^/    /'
}

logs() {
	[ -n "$sb" ] || return 0
	for f in "$sb"/*.out "$sb"/*.err; do show "$f" 15; done
	show "$root/etc/ejabberd/modules.d/jabber-dispatch.yml"
	show "$root/var/log/ejabberd/ejabberd.log" 30
	show "$root/var/log/jabber-muc/mu-conference.log" 15
}

free_ports() { # free_ports N: N free loopback TCP ports outside the ephemeral range
	"$py" - "$1" <<'EOF'
import random, socket, sys
lo, hi = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
rng, got = random.SystemRandom(), []
while len(got) < int(sys.argv[1]):
    p = rng.randrange(20000, 30000)
    if p in got or lo <= p <= hi:
        continue
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", p))
        except OSError:
            continue
    got.append(p)
print(*got)
EOF
}

listening() { [ -n "$(ss -Hltn "sport = :$1")" ]; }

jd() { # jd NAME ARGS...: jabber-dispatch on the sandbox, output in $sb/NAME.{out,err}
	local name=$1 rc=0
	shift
	timeout 60 "$bin" --root="$root" "$@" >"$sb/$name.out" 2>"$sb/$name.err" || rc=$?
	return $rc
}

# The stock ejabberd.yml with its listeners on loopback and private ports, plus the admin's
# own component for the probe; ejabberdctl's settings for a private node with its own cookie.
configure_ejabberd() {
	(umask 077 && "$py" -c 'import secrets; print(secrets.token_hex(16), end="")' >"$sb/probe.secret")
	"$py" - "$root/etc/ejabberd/ejabberd.yml" "$sb/probe.secret" "$asker" "$asker_port" $stock_ports <<'EOF' ||
import re, sys
cfg, secret_file, asker, asker_port, *ports = sys.argv[1:]
s = open(cfg).read()
stock = re.findall(r'^    port: (\d+)\n    ip: "::"$', s, flags=re.M)
if len(stock) != len(ports):
    sys.exit("ejabberd.yml: %d stock listeners, expected %d" % (len(stock), len(ports)))
for old, new in zip(stock, ports):
    s = s.replace('    port: %s\n    ip: "::"' % old, '    port: %s\n    ip: "127.0.0.1"' % new, 1)
anchor = "\n\n## Disabling digest-md5"
if s.count(anchor) != 1:
    sys.exit("ejabberd.yml: no single anchor after the listeners")
s = s.replace(anchor, '\n  -\n    port: %s\n    ip: "127.0.0.1"\n    module: ejabberd_service\n    hosts:\n      %s:\n'
              '        password: "%s"' % (asker_port, asker, open(secret_file).read()) + anchor)
open(cfg, "w").write(s)
EOF
		fail "cannot point the stock ejabberd.yml to loopback"
	cat >>"$root/etc/default/ejabberd" <<EOF
# live test: a private node on loopback
ERLANG_NODE=jdmuc$$@localhost
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0 -setcookie $("$py" -c 'import secrets; print(secrets.token_hex(16))')"
INET_DIST_INTERFACE=127.0.0.1
ERL_EPMD_ADDRESS=127.0.0.1
EJABBERD_CONFIG_PATH=$root/etc/ejabberd/ejabberd.yml
EJABBERD_PID_PATH=$root/var/lib/ejabberd/ejabberd.pid
SPOOL_DIR=$root/var/lib/ejabberd
LOGS_DIR=$root/var/log/ejabberd
EJABBERD_BYPASS_WARNINGS=true
EOF
	# the running server reads the drop-ins where they are on this machine
	{ cat "$root/etc/default/ejabberd"; printf 'CONTRIB_MODULES_CONF_DIR=%s\n' "$root/etc/ejabberd/modules.d"; } \
		>"$sb/ejabberdctl.cfg"
	mkdir -p "$root/var/lib/ejabberd" "$root/var/log/ejabberd"
	chown ejabberd:ejabberd "$root/var/lib/ejabberd"
}

main() {
	[ $# = 1 ] || { say "usage: $0 BUILD_DIR" >&2; exit 1; }
	[ "$(id -u)" = 0 ] || skip "needs root (the daemons run as their own users)"
	local b
	for b in "$ctl" /usr/bin/erl /usr/sbin/mu-conference; do [ -x "$b" ] || skip "$b is not installed"; done
	for b in ejabberd jabber; do getent passwd "$b" >/dev/null || skip "no user $b"; done
	for b in setpriv ss cmake "$py"; do command -v "$b" >/dev/null || skip "$b is not installed"; done
	bin=
	for b in "$1/jabber-dispatch" "$1/dispatcher/jabber-dispatch"; do [ -x "$b" ] && bin=$b; done
	[ -n "$bin" ] || fail "no jabber-dispatch in $1 (build the project first)"

	umask 022
	sb=$(mktemp -d "${TMPDIR:-/tmp}/jd-live-muc-ej.XXXXXX")
	chmod 711 "$sb"
	root=$sb/root
	"$tests/lib/stock-root.sh" "$root" ejabberd jabber-muc || fail "stock-root.sh could not build the sandbox"
	DESTDIR=$root cmake --install "$1" --prefix /usr >"$sb/install.out" 2>&1 || fail "cmake --install into the sandbox failed"
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

	started=1
	ej start >"$sb/ejstart.out" 2>&1 || fail "ejabberdctl start failed"
	ej started >>"$sb/ejstart.out" 2>&1 || fail "ejabberd did not start (a config it refuses?)"
	for ((b = 0; b < 100; b++)); do listening "$muc_port" && break; sleep 0.1; done
	listening "$muc_port" || fail "ejabberd does not listen on $muc_port, the listener sync gave jabber-muc"
	pass "ejabberd up (pid $(cat "$root/var/lib/ejabberd/ejabberd.pid")), jabber-muc's listener on 127.0.0.1:$muc_port"

	local t0=$SECONDS
	(cd "$sb" && exec setpriv --reuid=jabber --regid=jabber --init-groups env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
		/usr/sbin/mu-conference -c "$root/etc/jabberd2/muc.xml") </dev/null >"$sb/muc.stdout" 2>&1 &
	muc_pid=$!
	for ((b = 0; b < 200; b++)); do
		grep -qs "Accepted external component handshake authentication for $muc" "$root/var/log/ejabberd/ejabberd.log" && break
		kill -0 "$muc_pid" 2>/dev/null || fail "mu-conference exited"
		sleep 0.1
	done
	grep -qs "Accepted external component handshake authentication for $muc" "$root/var/log/ejabberd/ejabberd.log" ||
		fail "mu-conference did not authenticate to ejabberd within 20 s"
	pass "mu-conference authenticated to ejabberd as $muc (pid $muc_pid, $((SECONDS - t0)) s)"

	"$py" "$here/xmpp-probe.py" --port "$asker_port" --host "$asker" --secret-file "$sb/probe.secret" --timeout 10 \
		--disco "$muc" >"$sb/probe.out" 2>&1 || probe_rc=$?
	[ "$probe_rc" = 0 ] || fail "disco#info from $asker to $muc: status $probe_rc"
	grep -q '^conference/text' "$sb/probe.out" || fail "$muc did not answer with identity conference/text"
	pass "disco#info routed by ejabberd: $(grep -m1 '^conference/text' "$sb/probe.out")"
	say "PASS: muc-ejabberd"
}

main "$@"
