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

here=$(cd "$(dirname "$0")" && pwd)
tests=$(dirname "$here")
py=${PYTHON:-python3}
component=irc.localhost
asker=probe.localhost
second=gw.localhost
ctl=/usr/sbin/ejabberdctl

sb=
root=
started=
biboumi_pid=
probe_rc=0

say() { printf '%s\n' "$*"; }
pass() { say "PASS: $*"; }
skip() { say "SKIP: $*"; exit 77; }
fail() {
	say "FAIL: $*"
	show_logs
	exit 1
}

# ---------------------------------------------------------------- cleanup

ej() { "$ctl" --config-dir "$root/etc/ejabberd" --ctl-config "$sb/ejabberdctl.cfg" "$@"; }

stop_ejabberd() {
	local pid
	[ -n "$started" ] || return 0
	started=
	timeout 30 "$ctl" --config-dir "$root/etc/ejabberd" --ctl-config "$sb/ejabberdctl.cfg" stop >/dev/null 2>&1 || true
	timeout 30 "$ctl" --config-dir "$root/etc/ejabberd" --ctl-config "$sb/ejabberdctl.cfg" stopped >/dev/null 2>&1 || true
	pid=$(cat "$root/var/lib/ejabberd/ejabberd.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		say "note: ejabberd (pid $pid) still there after ejabberdctl stop, sending KILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
}

stop_pid() {
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
	stop_pid "$biboumi_pid"
	stop_ejabberd
	if [ -n "$sb" ] && [ -d "$sb" ]; then
		if [ "${KEEP:-0}" = 1 ]; then say "sandbox kept: $sb"; else rm -rf -- "$sb"; fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'say "FAIL: interrupted"; exit 1' INT TERM HUP

# ---------------------------------------------------------------- diagnostics

# A file's tail with every test secret replaced.
excerpt() {
	local f=$1 n=${2:-25}
	[ -s "$f" ] || return 0
	say "---- ${f#"$sb"/} (last $n lines)"
	tail -n "$n" -- "$f" | "$py" -c '
import sys
data = sys.stdin.buffer.read()
for path in sys.argv[1:]:
    try:
        s = open(path, "rb").read().rstrip(b"\n")
    except OSError:
        continue
    if s:
        data = data.replace(s, b"<secret>")
sys.stdout.buffer.write(data)
' "$sb"/*.secret | sed -E -e 's/(password: ).*/\1<secret>/' -e 's/^(password=).*/\1<secret>/' -e 's/^/    /'
}

show_logs() {
	[ -n "$sb" ] || return 0
	local f
	for f in "$sb"/sync*.out "$sb"/sync*.err "$sb"/reload*.out "$sb"/reload*.err "$sb/start.out"; do
		[ -e "$f" ] && excerpt "$f"
	done
	excerpt "$root/etc/ejabberd/modules.d/jabber-dispatch.yml"
	excerpt "$root/var/log/ejabberd/ejabberd.log" 30
	excerpt "$root/var/log/ejabberd/error.log"
	excerpt "$sb/biboumi.stdout"
	excerpt "$root/var/log/biboumi/biboumi.log"
	excerpt "$sb/probe.out"
}

# ---------------------------------------------------------------- helpers

as_user() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --init-groups env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}

# N free TCP ports on 127.0.0.1, outside the ephemeral range.
pick_ports() {
	"$py" - "$1" <<'EOF'
import random, socket, sys
n = int(sys.argv[1])
lo, hi = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
rng, chosen = random.SystemRandom(), []
while len(chosen) < n:
    p = rng.randrange(20000, 30000)
    if p in chosen or lo <= p <= hi:
        continue
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", p))
        except OSError:
            continue
    chosen.append(p)
print(*chosen)
EOF
}

listening() { [ -n "$(ss -Hltn "sport = :$1")" ]; }

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
	local cfg=$root/etc/ejabberd/ejabberd.yml d=$root/etc/default/ejabberd cookie
	# every stock listener onto loopback and a private port; the admin's own component for the probe
	"$py" - "$cfg" "$sb/asker.secret" "$asker" "$asker_port" $stock_ports <<'EOF' || fail "cannot adapt the stock ejabberd.yml"
import re, sys
cfg, secret_file, asker, asker_port, *ports = sys.argv[1:]
s = open(cfg, encoding="utf-8").read()
stock = re.findall(r'^    port: (\d+)\n    ip: "::"$', s, flags=re.M)
if len(stock) != len(ports):
    sys.exit("ejabberd.yml: expected %d stock listeners, found %d" % (len(ports), len(stock)))
for old, new in zip(stock, ports):
    s = s.replace('    port: %s\n    ip: "::"' % old, '    port: %s\n    ip: "127.0.0.1"' % new, 1)
secret = open(secret_file).read()
anchor = "\n\n## Disabling digest-md5"
if s.count(anchor) != 1:
    sys.exit("ejabberd.yml: the anchor after the listeners is not there once")
s = s.replace(anchor, '''
  -
    port: %s
    ip: "127.0.0.1"
    module: ejabberd_service
    hosts:
      %s:
        password: "%s"''' % (asker_port, asker, secret) + anchor)
open(cfg, "w", encoding="utf-8").write(s)
EOF
	# What ejabberdctl sources from /etc/ejabberd/ejabberdctl.cfg (= /etc/default/ejabberd):
	# a node of our own with its own cookie, so nothing is read or written in ejabberd's home,
	# and sandbox paths.  CONTRIB_MODULES_CONF_DIR stays as the adapter reads it (inside the root).
	cookie=$("$py" -c 'import secrets; print(secrets.token_hex(16))')
	cat >>"$d" <<EOF
# live test: a private node on loopback
ERLANG_NODE=jdlive$$@localhost
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0 -setcookie $cookie"
INET_DIST_INTERFACE=127.0.0.1
ERL_EPMD_ADDRESS=127.0.0.1
EJABBERD_CONFIG_PATH=$root/etc/ejabberd/ejabberd.yml
EJABBERD_PID_PATH=$root/var/lib/ejabberd/ejabberd.pid
SPOOL_DIR=$root/var/lib/ejabberd
LOGS_DIR=$root/var/log/ejabberd
EJABBERD_BYPASS_WARNINGS=true
EOF
	# the server itself reads the drop-ins at their place on this machine
	{ cat "$d"; printf 'CONTRIB_MODULES_CONF_DIR=%s\n' "$root/etc/ejabberd/modules.d"; } >"$sb/ejabberdctl.cfg"
}

configure_biboumi() {
	local cfg=$root/etc/biboumi/biboumi.cfg
	mkdir -p "$root/var/log/biboumi"
	chown _biboumi:_biboumi "$root/var/log/biboumi"
	"$py" - "$cfg" "$sb/irc.secret" "$component" "$comp_port" "$root" <<'EOF' || fail "cannot adapt the stock biboumi.cfg"
import sys
cfg, secret_file, host, port, root = sys.argv[1:]
want = {"hostname": host.encode(), "password": open(secret_file, "rb").read(), "xmpp_server_ip": b"127.0.0.1",
        "port": port.encode(), "db_name": (root + "/var/lib/biboumi/biboumi.sqlite").encode(),
        "log_file": (root + "/var/log/biboumi/biboumi.log").encode(), "identd_port": b"0"}
out, seen = [], set()
for line in open(cfg, "rb").read().splitlines():
    key = line.split(b"=", 1)[0].decode("utf-8", "replace")
    if b"=" in line and not line.startswith(b"#") and key in want:
        line = key.encode() + b"=" + want[key]
        seen.add(key)
    out.append(line)
out += [k.encode() + b"=" + v for k, v in want.items() if k not in seen]
open(cfg, "wb").write(b"\n".join(out) + b"\n")
EOF
	chown root:_biboumi "$cfg"
	chmod 640 "$cfg"
}

run_sync() { # run_sync N EXPECTED
	local n=$1 want=$2 rc=0 got
	timeout 60 "$bin" --root="$root" sync >"$sb/sync$n.out" 2>"$sb/sync$n.err" || rc=$?
	[ "$rc" = 0 ] || fail "sync #$n exited with status $rc"
	got=$(awk -v h="$component" '$1 == "biboumi" && $2 == "ejabberd" && $3 == h { print $4 }' "$sb/sync$n.out")
	[ "$got" = "$want" ] || fail "sync #$n: expected 'biboumi ejabberd $component $want', got '${got:-no line}'"
	pass "sync #$n: biboumi ejabberd $component $got"
}

adapter() { "$root/usr/lib/jabber-dispatch/servers/ejabberd" --root="$root" "$@"; }

# ---------------------------------------------------------------- daemons

start_ejabberd() {
	local t0 t1 pid stray
	mkdir -p "$root/var/lib/ejabberd"
	t0=$(date +%s.%N)
	started=1
	timeout 60 "$ctl" --config-dir "$root/etc/ejabberd" --ctl-config "$sb/ejabberdctl.cfg" start >"$sb/start.out" 2>&1 ||
		fail "ejabberdctl start failed"
	timeout 90 "$ctl" --config-dir "$root/etc/ejabberd" --ctl-config "$sb/ejabberdctl.cfg" started >>"$sb/start.out" 2>&1 ||
		fail "ejabberd did not start (a config it refuses?)"
	for ((i = 0; i < 100; i++)); do listening "$comp_port" && break; sleep 0.1; done
	listening "$comp_port" || fail "ejabberd does not listen on the component port $comp_port of the drop-in"
	t1=$(date +%s.%N)
	pid=$(cat "$root/var/lib/ejabberd/ejabberd.pid")
	pass "ejabberd up in $("$py" -c "print(round($t1 - $t0, 1))") s (pid $pid), drop-in listener 127.0.0.1:$comp_port"
	stray=$(ss -Hltnp | grep -F "pid=$pid," | awk '$4 !~ /^127\.0\.0\.1:/ { print $4 }' | tr '\n' ' ')
	[ -z "$stray" ] || fail "ejabberd listens outside loopback: $stray"
}

start_biboumi() {
	(cd "$sb" && exec setpriv --reuid=_biboumi --regid=_biboumi --init-groups \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 /usr/bin/biboumi "$root/etc/biboumi/biboumi.cfg") \
		</dev/null >"$sb/biboumi.stdout" 2>&1 &
	biboumi_pid=$!
	local log=$root/var/log/biboumi/biboumi.log i
	for ((i = 0; i < 200; i++)); do
		grep -qs 'Authenticated with the XMPP server' "$log" "$sb/biboumi.stdout" && break
		kill -0 "$biboumi_pid" 2>/dev/null || fail "biboumi exited without authenticating: $(grep -hos 'Stream error.*' "$log" "$sb/biboumi.stdout" | head -n 1)"
		sleep 0.1
	done
	grep -qs 'Authenticated with the XMPP server' "$log" "$sb/biboumi.stdout" || fail "biboumi did not authenticate within 20 s"
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
	for b in setpriv ss "$py" cmake; do command -v "$b" >/dev/null || skip "$b is not installed"; done
	bin=${JD_BIN:-}
	for b in "$build/jabber-dispatch" "$build/dispatcher/jabber-dispatch"; do
		if [ -z "$bin" ] && [ -x "$b" ]; then bin=$b; fi
	done
	[ -x "${bin:-/nonexistent}" ] || fail "no jabber-dispatch in $build (build the project first)"

	umask 022
	sb=$(mktemp -d "${TMPDIR:-/tmp}/jd-live-ej.XXXXXX")
	chmod 711 "$sb"
	root=$sb/root
	"$tests/lib/stock-root.sh" "$root" ejabberd biboumi || fail "stock-root.sh could not build the sandbox"
	DESTDIR=$root cmake --install "$build" --prefix /usr >"$sb/install.log" 2>&1 || fail "cmake --install failed"
	pass "sandbox root from the stock ejabberd and biboumi packages, project installed: $root"

	read -r -a ports <<<"$(pick_ports 10)"
	stock_ports="${ports[*]:0:7}"
	asker_port=${ports[7]} comp_port=${ports[8]} gw_port=${ports[9]}
	secret_file irc '"\]]>%s#'"'"'=$é€'
	secret_file asker ''
	secret_file gw1 "#x'"
	configure_ejabberd
	configure_biboumi
	pass "private config: stock listeners on $stock_ports, the admin's $asker on $asker_port, biboumi on $comp_port"

	run_sync 1 added
	[ -f "$root/etc/ejabberd/modules.d/jabber-dispatch.yml" ] || fail "sync did not create modules.d/jabber-dispatch.yml"
	as_user ejabberd cat "$root/etc/ejabberd/modules.d/jabber-dispatch.yml" >/dev/null || fail "user ejabberd cannot read the drop-in"
	run_sync 2 unchanged

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
