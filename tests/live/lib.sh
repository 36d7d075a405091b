# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the live tests of tests/live: messages, the sandbox root and its cleanup,
# stopping by PID, free loopback ports, waiting loops, running as a daemon's user, and
# log excerpts with the run's secrets hidden.
#
# usage in a test: . "$(dirname "$0")/lib.sh"
# A test may define these hooks:
#   live_logs   what to show when it fails (typically `show FILE` for each log)
#   live_stop   what to stop when it ends, by PID (daemons it started)
# and set LIVE_TAG to mark its messages (PASS [TAG]: ...).
# Every test ends with status 0 (pass), 1 (fail) or 77 (skip).

here=$(cd "$(dirname "$0")" && pwd)
tests=$(dirname "$here")
py=${PYTHON:-python3}
sb=
root=
bin=

say() { printf '%s\n' "$*"; }
pass() { say "PASS${LIVE_TAG:+ [$LIVE_TAG]}: $*"; }
skip() { say "SKIP: $*"; exit 77; }
fail() {
	say "FAIL${LIVE_TAG:+ [$LIVE_TAG]}: $*"
	if declare -F live_logs >/dev/null; then live_logs; fi
	exit 1
}

# ---------------------------------------------------------------- processes

# stop_pid PID [NAME]: TERM, KILL if still there after 10 s (said when NAME is given), reap.
stop_pid() {
	local pid=$1 name=${2:-} i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		[ -z "$name" ] || say "note: $name (pid $pid) ignored TERM for 10 s, sending KILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

# as_user USER CMD...: CMD with the user's ids and a clean environment, in the foreground.
as_user() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --init-groups env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}

# daemon_as USER OUT CMD...: CMD as USER in the background, from $sb, stdout and stderr
# appended to OUT.  Its pid in $! is the daemon's own (exec all the way), for stop_pid and ss.
daemon_as() {
	local u=$1 out=$2
	shift 2
	(cd "$sb" && exec setpriv --reuid="$u" --regid="$u" --init-groups env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 "$@") </dev/null >>"$out" 2>&1 &
}

# ---------------------------------------------------------------- ports and waiting

# free_ports N [LOW [SPAN]]: N distinct free TCP ports of 127.0.0.1 in [LOW, LOW+SPAN)
# (default 20000, 10000), outside the ephemeral range so that no outgoing connection can
# take one between this choice and the bind, and not listened on at any address.
free_ports() {
	"$py" - "$1" "${2:-20000}" "${3:-10000}" <<'EOF'
import random, socket, subprocess, sys
n, low, span = map(int, sys.argv[1:])
lo, hi = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
busy = set()
try:
    out = subprocess.run(["ss", "-Hltn"], capture_output=True, text=True).stdout
    busy = {int(l.split()[3].rsplit(":", 1)[1]) for l in out.splitlines() if l.strip()}
except (OSError, ValueError, IndexError):
    pass
rng, got = random.SystemRandom(), []
while len(got) < n:
    p = rng.randrange(low, low + span)
    if p in busy or p in got or lo <= p <= hi:
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

# listening PORT: something listens on TCP PORT.
listening() {
	if command -v ss >/dev/null; then
		[ -n "$(ss -Hltn "sport = :$1")" ]
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
	fi
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s; 0 when it succeeds in time, else 1.
wait_for() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		"${@:2}" && return 0
		sleep 0.1
	done
	return 1
}

# wait_alive SECONDS PID CMD...: like wait_for, but 2 as soon as PID is gone.
wait_alive() {
	local secs=$1 pid=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		if "$@"; then return 0; fi
		kill -0 "$pid" 2>/dev/null || return 2
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------------- the sandbox

# live_cleanup: the EXIT trap: live_stop, then the sandbox removed (kept with KEEP=1).
live_cleanup() {
	local rc=$?
	if declare -F live_stop >/dev/null; then live_stop; fi
	if [ -n "$sb" ] && [ -d "$sb" ]; then
		if [ "${KEEP:-0}" = 1 ]; then say "sandbox kept: $sb"; else rm -rf -- "$sb"; fi
	fi
	exit "$rc"
}

# live_traps: install live_cleanup, and fail on an interruption.
live_traps() {
	trap live_cleanup EXIT
	trap 'say "FAIL: interrupted"; exit 1' INT TERM HUP
}

# find_bin BUILD_DIR: $bin, the jabber-dispatch to test ($JD_BIN, else the one built there).
find_bin() {
	local b
	bin=${JD_BIN:-}
	for b in "$1/jabber-dispatch" "$1/dispatcher/jabber-dispatch"; do
		if [ -z "$bin" ] && [ -x "$b" ]; then bin=$b; fi
	done
	[ -n "$bin" ] || fail "no jabber-dispatch in $1 (build the project first)"
}

# need_tools TOOL...: skip unless each is on PATH.
need_tools() {
	local b
	for b; do command -v "$b" >/dev/null || skip "$b is not installed"; done
}

# sandbox_root DIR BUILD_DIR PKG...: DIR (a new directory) made from the stock configs of the
# Debian packages PKG, the project installed into it under /usr (log in $sb/install.log)
# unless BUILD_DIR is empty.
sandbox_root() {
	local dir=$1 build=$2
	shift 2
	"$tests/lib/stock-root.sh" "$dir" "$@" || fail "stock-root.sh could not build the sandbox from the packages $*"
	[ -z "$build" ] || DESTDIR=$dir cmake --install "$build" --prefix /usr >"$sb/install.log" 2>&1 ||
		fail "cmake --install into the sandbox failed"
}

# new_sandbox NAME BUILD_DIR PKG...: $sb (a fresh temporary directory, 0711 so that the daemons'
# users reach their files) and $root, its sandbox root from sandbox_root.
new_sandbox() {
	local name=$1
	shift
	umask 022
	sb=$(mktemp -d "${TMPDIR:-/tmp}/jd-live-$name.XXXXXX")
	chmod 711 "$sb"
	root=$sb/root
	sandbox_root "$root" "$@"
}

# sync_expect N SERVER HOST WANT: `sync` must exit 0 and say WANT for biboumi's HOST in SERVER
# (output in $sb/syncN.{out,err}).
sync_expect() {
	local rc=0 got
	jd "sync$1" sync || rc=$?
	[ "$rc" = 0 ] || fail "sync #$1 exited with status $rc"
	got=$(awk -v s="$2" -v h="$3" '$1 == "biboumi" && $2 == s && $3 == h { print $4 }' "$sb/sync$1.out")
	[ "$got" = "$4" ] || fail "sync #$1: expected 'biboumi $2 $3 $4', got '${got:-no line for the pair}'"
	pass "sync #$1: biboumi $2 $3 $got"
}

# jd NAME ARGS...: jabber-dispatch on the sandbox; its status returned, output in $sb/NAME.{out,err}.
jd() {
	local name=$1 rc=0
	timeout "${JD_TIMEOUT:-120}" "$bin" --root="$root" "${@:2}" >"$sb/$name.out" 2>"$sb/$name.err" || rc=$?
	return $rc
}

# ---------------------------------------------------------------- secrets of the run

# new_secret FILE [LEN]: a random secret of letters and digits (what transport-init
# generates; 32 by default), in FILE made 0600.
new_secret() {
	(umask 077 && "$py" -c 'import secrets, string, sys; a = string.ascii_letters + string.digits
sys.stdout.write("".join(secrets.choice(a) for _ in range(int(sys.argv[1]))))' "${2:-32}" >"$1")
}

# show FILE [N]: the last N lines (25) of FILE, indented, with the content of every
# $sb/*.secret and every secret written in a config's syntax replaced, so that failure
# output can be pasted anywhere.
show() {
	local f=$1 n=${2:-25}
	[ -s "$f" ] || return 0
	say "---- ${f#"$sb"/} (last $n lines)"
	tail -n "$n" -- "$f" | "$py" -c '
import sys
data = sys.stdin.buffer.read()
for path in sys.argv[1:]:
    try:
        s = open(path, "rb").read().strip()
    except OSError:
        continue
    if s:
        data = data.replace(s, b"<secret>")
sys.stdout.buffer.write(data)
' "$sb"/*.secret | sed -E -e 's/(<secret>)[^<]+(<\/secret>)/\1<secret>\2/' -e 's/(password: ).*/\1<secret>/' \
		-e 's/^(password=).*/\1<secret>/' -e 's/(component_secret[[:space:]]*=[[:space:]]*).*/\1<secret>/' -e 's/^/    /'
}

# ---------------------------------------------------------------- servers as private instances

# prosody_loopback C2S S2S COMPONENT: the stock prosody.cfg.lua with its outward-looking lines
# pointed into the sandbox, listening on 127.0.0.1 only, on these ports.  Each anchor must
# match once: a changed stock file fails loudly here.
prosody_loopback() {
	"$py" - "$root/etc/prosody/prosody.cfg.lua" "$root" "$@" <<'EOF' || fail "cannot point the stock prosody.cfg.lua into the sandbox"
import re, sys
cfg, root, c2s, s2s, comp = sys.argv[1:]
s = open(cfg, encoding="utf-8").read()
def sub(pat, new, flags=re.M):
    global s
    s, n = re.subn(pat, lambda m: new, s, flags=flags)
    if n != 1:
        sys.exit("prosody.cfg.lua: %r matched %d times" % (pat, n))
sub(r'^pidfile = .*$', 'pidfile = "%s/run/prosody/prosody.pid";' % root)
# the stock log table also logs errors to syslog: keep the test out of it
sub(r'^log = \{.*?^\}', 'log = {\n\tinfo = "%s/var/log/prosody/prosody.log";\n\terror = "%s/var/log/prosody/prosody.err";\n}' % (root, root), re.M | re.S)
sub(r'^(?=VirtualHost )', 'data_path = "%s/var/lib/prosody"\ninterfaces = { "127.0.0.1" }\nlocal_interfaces = { "127.0.0.1" }\n'
    'c2s_ports = { %s }\ns2s_ports = { %s }\ncomponent_ports = { %s }\n\n' % (root, c2s, s2s, comp))
open(cfg, "w", encoding="utf-8").write(s)
EOF
}

# jabberd2_router PORT: the stock router.xml with only what must point into the sandbox changed
# and the component port PORT; <ip> and the stock secret stay for sync to deal with.  Recorded
# in dpkg's status as the package's own conffile, as if the package had shipped it so: its
# checksum is what lets sync harden it.
jabberd2_router() {
	local cfg=$root/etc/jabberd2/router.xml
	"$py" - "$cfg" "$root" "$1" <<'EOF' || fail "cannot adapt the stock router.xml"
import sys
cfg, root, port = sys.argv[1:]
s = open(cfg, encoding="utf-8").read()
for old, new in [
    ("<pidfile>/var/run/jabberd2/router.pid</pidfile>", "<pidfile>%s/run/jabberd2/router.pid</pidfile>" % root),
    ("<file>/var/log/jabberd2/router.log</file>", "<file>%s/var/log/jabberd2/router.log</file>" % root),
    ("<users>/etc/jabberd2/router-users.xml</users>", "<users>%s/etc/jabberd2/router-users.xml</users>" % root),
    ("<filter>/etc/jabberd2/router-filter.xml</filter>", "<filter>%s/etc/jabberd2/router-filter.xml</filter>" % root),
    ("<port>5347</port>", "<port>%s</port>" % port),
]:
    if s.count(old) != 1:
        sys.exit("router.xml: expected one %r" % old)
    s = s.replace(old, new)
for stock in ("<ip>0.0.0.0</ip>", "<secret>secret</secret>"):
    if s.count(stock) != 1:
        sys.exit("router.xml: the stock %r is gone" % stock)
open(cfg, "w", encoding="utf-8").write(s)
EOF
	mkdir -p "$root/run/jabberd2" "$root/var/log/jabberd2" "$root/var/lib/dpkg"
	chown jabber:jabber "$root/run/jabberd2" "$root/var/log/jabberd2"
	printf 'Package: jabberd2\nStatus: install ok installed\nConffiles:\n /etc/jabberd2/router.xml %s\n\n' \
		"$(md5sum <"$cfg" | cut -d' ' -f1)" >>"$root/var/lib/dpkg/status"
}

# ej ARGS...: ejabberdctl for the sandbox's own node (see ejabberd_node).
ej() { timeout 90 /usr/sbin/ejabberdctl --config-dir "$root/etc/ejabberd" --ctl-config "$sb/ejabberdctl.cfg" "$@"; }

# ejabberd_loopback ASKER ASKER_PORT SECRET_FILE PORT...: the stock ejabberd.yml with every stock
# listener on 127.0.0.1 and one of PORT... (as many as it has), plus the admin's own component
# ASKER on ASKER_PORT, its secret the content of SECRET_FILE.
ejabberd_loopback() {
	"$py" - "$root/etc/ejabberd/ejabberd.yml" "$@" <<'EOF' || fail "cannot point the stock ejabberd.yml to loopback"
import re, sys
cfg, asker, asker_port, secret_file, *ports = sys.argv[1:]
s = open(cfg, encoding="utf-8").read()
stock = re.findall(r'^    port: (\d+)\n    ip: "::"$', s, flags=re.M)
if len(stock) != len(ports):
    sys.exit("ejabberd.yml: expected %d stock listeners, found %d" % (len(ports), len(stock)))
for old, new in zip(stock, ports):
    s = s.replace('    port: %s\n    ip: "::"' % old, '    port: %s\n    ip: "127.0.0.1"' % new, 1)
anchor = "\n\n## Disabling digest-md5"
if s.count(anchor) != 1:
    sys.exit("ejabberd.yml: the anchor after the listeners is not there once")
s = s.replace(anchor, '\n  -\n    port: %s\n    ip: "127.0.0.1"\n    module: ejabberd_service\n    hosts:\n      %s:\n'
              '        password: "%s"' % (asker_port, asker, open(secret_file, encoding="utf-8").read()) + anchor)
open(cfg, "w", encoding="utf-8").write(s)
EOF
}

# ejabberd_node NAME: what ejabberdctl sources from /etc/ejabberd/ejabberdctl.cfg (= /etc/default/ejabberd):
# a node NAME@localhost of our own with its own cookie, so nothing is read or written in
# ejabberd's home, and sandbox paths.  CONTRIB_MODULES_CONF_DIR stays as the adapter reads it
# (inside the root); the running server reads the drop-ins at their place on this machine.
ejabberd_node() {
	local d=$root/etc/default/ejabberd cookie
	cookie=$("$py" -c 'import secrets; print(secrets.token_hex(16))')
	cat >>"$d" <<EOF
# live test: a private node on loopback
ERLANG_NODE=$1@localhost
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0 -setcookie $cookie"
INET_DIST_INTERFACE=127.0.0.1
ERL_EPMD_ADDRESS=127.0.0.1
EJABBERD_CONFIG_PATH=$root/etc/ejabberd/ejabberd.yml
EJABBERD_PID_PATH=$root/var/lib/ejabberd/ejabberd.pid
SPOOL_DIR=$root/var/lib/ejabberd
LOGS_DIR=$root/var/log/ejabberd
EJABBERD_BYPASS_WARNINGS=true
EOF
	{ cat "$d"; printf 'CONTRIB_MODULES_CONF_DIR=%s\n' "$root/etc/ejabberd/modules.d"; } >"$sb/ejabberdctl.cfg"
	mkdir -p "$root/var/lib/ejabberd" "$root/var/log/ejabberd"
	chown ejabberd:ejabberd "$root/var/lib/ejabberd"
}

# stop_ejabberd: the node, when ejabberd_up is set: ejabberdctl stop, then KILL by its pid file.
stop_ejabberd() {
	local pid
	[ -n "${ejabberd_up:-}" ] || return 0
	ejabberd_up=
	ej stop >/dev/null 2>&1 || true
	ej stopped >/dev/null 2>&1 || true
	pid=$(cat "$root/var/lib/ejabberd/ejabberd.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		say "note: ejabberd (pid $pid) still there after ejabberdctl stop, sending KILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
}

# ---------------------------------------------------------------- transports

# biboumi_config CFG HOST SECRET_FILE PORT [NAME]: CFG (under $root) from the stock biboumi.cfg,
# for HOST on 127.0.0.1:PORT with the bytes of SECRET_FILE as its secret, its database and
# log in the sandbox (var/lib/biboumi[/NAME], var/log/biboumi/NAME.log; NAME biboumi by
# default), no identd (113 is privileged, and not ours); root:_biboumi 0640 as the package
# makes it.  biboumi takes everything after the first "=" literally: no quoting.
biboumi_config() {
	local cfg=$root$1 name=${5:-biboumi} lib=$root/var/lib/biboumi${5:+/$5}
	mkdir -p "$root/var/log/biboumi" "$lib"
	chown _biboumi:_biboumi "$root/var/log/biboumi" "$lib"
	chmod 750 "$root/var/log/biboumi"
	"$py" - "$root/etc/biboumi/biboumi.cfg" "$cfg" "$2" "$3" "$4" "$lib/biboumi.sqlite" "$root/var/log/biboumi/$name.log" <<'PY' ||
import sys
stock, cfg, host, secret_file, port, db, log = sys.argv[1:]
want = {"hostname": host.encode(), "password": open(secret_file, "rb").read(), "xmpp_server_ip": b"127.0.0.1",
        "port": port.encode(), "db_name": db.encode(), "log_file": log.encode(), "identd_port": b"0"}
out, seen = [], set()
for line in open(stock, "rb").read().splitlines():
    key = line.split(b"=", 1)[0].decode("utf-8", "replace")
    if b"=" in line and not line.startswith(b"#") and key in want:
        line = key.encode() + b"=" + want[key]
        seen.add(key)
    out.append(line)
out += [k.encode() + b"=" + v for k, v in want.items() if k not in seen]
open(cfg, "wb").write(b"\n".join(out) + b"\n")
PY
		fail "cannot write ${cfg#"$root"} from the stock biboumi.cfg"
	chown root:_biboumi "$cfg"
	chmod 640 "$cfg"
}
