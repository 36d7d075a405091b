#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Live test of a transport on another machine: two network namespaces made here,
# joined by a veth pair and nothing else (no route out), the XMPP server in one,
# biboumi in the other, each from its own sandbox root built from the stock Debian
# packages.  On the transport's side `export`, the file copied, on the server's side
# `import` and `sync`; then biboumi must authenticate across the link and answer
# disco#info routed by the server: prosody, then ejabberd.  Every process started in
# the namespaces is stopped by PID, and the namespaces go when the test ends, also
# on failure.
#
# usage: tests/live/remote-netns.sh BUILD_DIR     (root; KEEP=1 keeps the sandbox)
# Exit status: 0 pass, 1 fail, 77 skip.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tests=$(dirname "$here")
build=${1:?usage: remote-netns.sh BUILD_DIR}
build=$(cd "$build" && pwd)
jd=$build/dispatcher/jabber-dispatch
component=irc.remote.test
asker=probe.server.test
net=10.231.$((RANDOM % 200 + 20))
srv_ip=$net.1 tr_ip=$net.2
ns_srv=jd-srv-$$ ns_tr=jd-tr-$$
comp_port=5347
sb= srv=

say() { printf '%s\n' "$*"; }
pass() { say "ok: $*"; }
skip() { say "SKIP: $*"; exit 77; }
fail() {
	say "FAIL: $*"
	for f in "$sb"/sync.err "$sb"/server.out "$srv"/var/log/prosody/prosody.log "$srv"/var/log/ejabberd/ejabberd.log \
		"$sb"/biboumi.out "$sb"/tr/var/log/biboumi/biboumi.log "$sb"/probe.out; do
		[ -s "$f" ] && { say "---- ${f#"$sb"/}"; tail -n 20 "$f" | sed -e 's/^/    /' -e "s/$secret/<secret>/g"; }
	done
	exit 1
}

# stop_ns NS: every process in our namespace NS (all started by this test: daemons, epmd), by PID
stop_ns() {
	local pid i list
	list=$(ip netns pids "$1" 2>/dev/null || true)
	for pid in $list; do kill -TERM "$pid" 2>/dev/null || true; done
	for ((i = 0; i < 100; i++)); do
		[ -z "$(ip netns pids "$1" 2>/dev/null)" ] && break
		sleep 0.1
	done
	for pid in $(ip netns pids "$1" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
	# reap those that were our children (the daemons started by run_in)
	for pid in $list; do wait "$pid" 2>/dev/null || true; done
}

cleanup() {
	local rc=$?
	stop_ns "$ns_tr"
	stop_ns "$ns_srv"
	ip netns del "$ns_srv" 2>/dev/null || true
	ip netns del "$ns_tr" 2>/dev/null || true
	if [ -n "$sb" ] && [ "${KEEP:-0}" != 1 ]; then rm -rf -- "$sb"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'fail interrupted' INT TERM HUP

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, daemons under their own users)"
for b in /usr/bin/prosody /usr/bin/biboumi /usr/bin/setpriv; do [ -x "$b" ] || skip "$b is not installed"; done
ip netns add "$ns_srv" 2>/dev/null || skip "cannot create a network namespace here"
ip netns add "$ns_tr" || fail "cannot create a second network namespace"
ip link add "v$$s" netns "$ns_srv" type veth peer name "v$$t" netns "$ns_tr" || fail "cannot create a veth pair"
ip -n "$ns_srv" addr add "$srv_ip/30" dev "v$$s"
ip -n "$ns_tr" addr add "$tr_ip/30" dev "v$$t"
for ns in "$ns_srv" "$ns_tr"; do ip -n "$ns" link set lo up; done
ip -n "$ns_srv" link set "v$$s" up
ip -n "$ns_tr" link set "v$$t" up
ip -n "$ns_tr" -br addr show "v$$t" | grep -q "$tr_ip/30" || fail "the veth end has no address"
[ -z "$(ip -n "$ns_tr" route show default)" ] || fail "the transport's namespace has a default route"
pass "namespaces $ns_srv ($srv_ip) and $ns_tr ($tr_ip), one veth pair, no route out"

umask 022
sb=$(mktemp -d /tmp/jd-netns.XXXXXX)
chmod 711 "$sb"
secret=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf 'probe-%s' "$secret" >"$sb/probe.secret"
tr=$sb/tr
"$tests/lib/stock-root.sh" "$tr" biboumi || skip "cannot build a sandbox from the package biboumi"
DESTDIR=$tr cmake --install "$build" --prefix /usr >/dev/null

# biboumi: connects to the server's address across the link
mkdir -p "$tr/var/log/biboumi" "$tr/var/lib/biboumi" && chown _biboumi "$tr/var/log/biboumi" "$tr/var/lib/biboumi"
bcfg=$tr/etc/biboumi/biboumi.cfg
for kv in "hostname=$component" "password=$secret" "port=$comp_port" "xmpp_server_ip=$srv_ip" identd_port=0 \
	"db_name=$tr/var/lib/biboumi/biboumi.sqlite" "log_file=$tr/var/log/biboumi/biboumi.log"; do
	grep -v "^${kv%%=*}=" "$bcfg" >"$sb/b.cfg" || true
	printf '%s\n' "$kv" >>"$sb/b.cfg"
	cat "$sb/b.cfg" >"$bcfg"
done
chmod 644 "$bcfg"

# the admin's part on the transport's machine: export, and carry the file
"$jd" --root="$tr" export biboumi --server-address="$srv_ip" -o "$sb/biboumi.link" >"$sb/export.out" || fail "export failed"
[ "$(stat -c %a "$sb/biboumi.link")" = 600 ] || fail "the descriptor is not 0600"
install -m 600 "$sb/biboumi.link" "$sb/carried.link"

# prosody: its files in the sandbox, c2s and s2s on loopback; the component port is left to jabber-dispatch
setup_prosody() {
	python3 - "$srv" <<'EOF' || fail "cannot adapt the stock prosody.cfg.lua"
import re, sys
root = sys.argv[1]
cfg = root + "/etc/prosody/prosody.cfg.lua"
s = open(cfg).read()
for pat, repl, flags in ((r'^pidfile = .*$', 'pidfile = "%s/run/prosody.pid"' % root, re.M),
                         (r'^log = \{.*?^\}', 'log = { info = "%s/var/log/prosody/prosody.log" }' % root, re.M | re.S),
                         (r'^(?=VirtualHost )', 'data_path = "%s/var/lib/prosody"\ninterfaces = { "127.0.0.1" }\n\n' % root, re.M)):
    s, n = re.subn(pat, repl, s, count=1, flags=flags)
    if n != 1:
        sys.exit("no match for " + pat)
open(cfg, "w").write(s)
EOF
	mkdir -p "$srv/run" && chown prosody "$srv/run" "$srv/var/lib/prosody" 2>/dev/null || true
	printf 'Component "%s"\n\tcomponent_secret = "%s"\n' "$asker" "$(cat "$sb/probe.secret")" \
		>"$srv/etc/prosody/conf.d/$asker.cfg.lua"
	asker_port=$comp_port
}
start_prosody() {
	run_in "$ns_srv" prosody "$sb/server.out" /usr/bin/prosody -F --config "$srv/etc/prosody/prosody.cfg.lua"
}

# ejabberd: a node of its own in the namespace, its stock listeners on loopback, the probe's component by hand
setup_ejabberd() {
	local d=$srv/etc/default/ejabberd
	asker_port=$((comp_port + 1))
	python3 - "$srv/etc/ejabberd/ejabberd.yml" "$sb/probe.secret" "$asker" "$asker_port" <<'EOF' || fail "cannot adapt the stock ejabberd.yml"
import re, sys
cfg, secret_file, asker, port = sys.argv[1:]
s = open(cfg).read()
s, n = re.subn(r'^(    port: \d+\n    ip: )"::"$', r'\1"127.0.0.1"', s, flags=re.M)
anchor = "\n\n## Disabling digest-md5"
if not n or s.count(anchor) != 1:
    sys.exit("ejabberd.yml: not the stock listeners")
s = s.replace(anchor, '\n  -\n    port: %s\n    ip: "127.0.0.1"\n    module: ejabberd_service\n    hosts:\n      %s:\n'
              '        password: "%s"' % (port, asker, open(secret_file).read()) + anchor)
open(cfg, "w").write(s)
EOF
	cat >>"$d" <<EOF
ERLANG_NODE=jdnetns$$@localhost
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0 -setcookie $secret"
INET_DIST_INTERFACE=127.0.0.1
ERL_EPMD_ADDRESS=127.0.0.1
EJABBERD_CONFIG_PATH=$srv/etc/ejabberd/ejabberd.yml
EJABBERD_PID_PATH=$srv/var/lib/ejabberd/ejabberd.pid
SPOOL_DIR=$srv/var/lib/ejabberd
LOGS_DIR=$srv/var/log/ejabberd
EJABBERD_BYPASS_WARNINGS=true
EOF
	{ cat "$d"; printf 'CONTRIB_MODULES_CONF_DIR=%s\n' "$srv/etc/ejabberd/modules.d"; } >"$sb/ejabberdctl.cfg"
	mkdir -p "$srv/var/lib/ejabberd"
}
start_ejabberd() {
	ip netns exec "$ns_srv" timeout 60 /usr/sbin/ejabberdctl --config-dir "$srv/etc/ejabberd" \
		--ctl-config "$sb/ejabberdctl.cfg" start >"$sb/server.out" 2>&1 || fail "ejabberdctl start failed"
	ip netns exec "$ns_srv" timeout 90 /usr/sbin/ejabberdctl --config-dir "$srv/etc/ejabberd" \
		--ctl-config "$sb/ejabberdctl.cfg" started >>"$sb/server.out" 2>&1 || fail "ejabberd did not start"
}

run_in() { # run_in NS USER OUT CMD...: a daemon in a namespace, under its own user, in the background
	local ns=$1 user=$2 out=$3
	shift 3
	ip netns exec "$ns" setpriv --reuid="$user" --regid="$user" --init-groups env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
		"$@" </dev/null >"$out" 2>&1 &
}
until_ok() { # until_ok SECONDS CMD...
	local i
	for ((i = 0; i < $1 * 10; i++)); do "${@:2}" && return 0; sleep 0.1; done
	return 1
}

# phase SERVER: a fresh server root; import, sync, start it, biboumi authenticates across, disco#info
phase() {
	local server=$1 stray
	srv=$sb/srv-$server
	"$tests/lib/stock-root.sh" "$srv" "$server" || skip "cannot build a sandbox from the package $server"
	DESTDIR=$srv cmake --install "$build" --prefix /usr >/dev/null
	"setup_$server"
	"$jd" --root="$srv" import "$sb/carried.link" >"$sb/import.out" || fail "import failed: $(cat "$sb/import.out")"
	"$jd" --root="$srv" sync >"$sb/sync.out" 2>"$sb/sync.err" || fail "sync failed"
	grep -q "^$component  *$server  *$component  *added.*, open to the network on $srv_ip" "$sb/sync.out" ||
		fail "sync did not say it opened the port: $(cat "$sb/sync.out")"
	grep -q "a port open to the network" "$sb/sync.err" || fail "sync gave no remark about the open port"
	pass "$server: export, copy, import, sync: $(grep "^$component" "$sb/sync.out")"

	"start_$server"
	until_ok 30 bash -c "ip netns exec $ns_srv ss -Hltn 'sport = :$comp_port' | grep -q '$srv_ip:$comp_port'" ||
		fail "$server does not listen on $srv_ip:$comp_port"
	stray=$(ip netns exec "$ns_srv" ss -Hltn | awk '{ print $4 }' |
		grep -v -e '^127\.0\.0\.1:' -e '^\[::1\]:' -e "^$srv_ip:$comp_port\$" || true)
	[ -z "$stray" ] || fail "$server listens elsewhere than loopback and the component port: $stray"
	pass "$server listens on $srv_ip:$comp_port, otherwise on loopback only"

	rm -f "$tr/var/log/biboumi/biboumi.log"
	run_in "$ns_tr" _biboumi "$sb/biboumi.out" /usr/bin/biboumi "$bcfg"
	until_ok 30 grep -qs 'Authenticated with the XMPP server' "$tr/var/log/biboumi/biboumi.log" "$sb/biboumi.out" ||
		fail "biboumi did not authenticate to $server across the namespaces"
	pass "biboumi ($tr_ip) authenticated to $server ($srv_ip) as $component"

	ip netns exec "$ns_srv" python3 "$here/xmpp-probe.py" --port "$asker_port" --host "$asker" \
		--secret-file "$sb/probe.secret" --disco "$component" --timeout 10 >"$sb/probe.out" 2>&1 ||
		fail "disco#info to $component through $server failed"
	grep -q '^conference/irc' "$sb/probe.out" || fail "$component did not answer disco#info"
	pass "disco#info routed by $server to $component: $(grep -m1 '^conference/irc' "$sb/probe.out")"
	stop_ns "$ns_tr"
	stop_ns "$ns_srv"
}

phase prosody
if [ -x /usr/sbin/ejabberdctl ]; then phase ejabberd; else say "note: ejabberd is not installed: its phase is left out"; fi
say "PASS: remote-netns"
