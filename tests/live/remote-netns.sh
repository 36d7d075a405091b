#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Live test of a transport on another machine: two network namespaces made here,
# joined by a veth pair and nothing else (no route out), prosody in one, biboumi
# in the other, each from its own sandbox root built from the stock Debian packages.
# On the transport's side `export`, the file copied, on the server's side `import`
# and `sync`; then biboumi must authenticate across the link and answer disco#info
# routed by prosody.  The namespaces go when the test ends, also on failure.
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
sb= pids=()

say() { printf '%s\n' "$*"; }
pass() { say "ok: $*"; }
skip() { say "SKIP: $*"; exit 77; }
fail() {
	say "FAIL: $*"
	for f in "$sb"/sync.err "$sb"/prosody.out "$sb"/srv/var/log/prosody/prosody.log "$sb"/biboumi.out \
		"$sb"/tr/var/log/biboumi/biboumi.log "$sb"/probe.out; do
		[ -s "$f" ] && { say "---- ${f#"$sb"/}"; tail -n 20 "$f" | sed -e 's/^/    /' -e "s/$secret/<secret>/g"; }
	done
	exit 1
}

cleanup() {
	local rc=$? pid
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null && { timeout 10 tail --pid="$pid" -f /dev/null || kill -KILL "$pid" 2>/dev/null; }
		wait "$pid" 2>/dev/null || true
	done
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
for side in srv:prosody tr:biboumi; do
	"$tests/lib/stock-root.sh" "$sb/${side%%:*}" "${side#*:}" || skip "cannot build a sandbox from the package ${side#*:}"
	DESTDIR=$sb/${side%%:*} cmake --install "$build" --prefix /usr >/dev/null
done
srv=$sb/srv tr=$sb/tr

# prosody: its files in the sandbox, c2s and s2s on loopback; the component port is left to jabber-dispatch
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
printf 'Component "%s"\n\tcomponent_secret = "probe-%s"\n' "$asker" "$secret" >"$srv/etc/prosody/conf.d/$asker.cfg.lua"
printf 'probe-%s' "$secret" >"$sb/probe.secret"

# biboumi: connects to the server's address across the link
mkdir -p "$tr/var/log/biboumi" "$tr/var/lib/biboumi" && chown _biboumi "$tr/var/log/biboumi" "$tr/var/lib/biboumi"
bcfg=$tr/etc/biboumi/biboumi.cfg
for kv in "hostname=$component" "password=$secret" "port=$comp_port" "xmpp_server_ip=$srv_ip" identd_port=0 \
	"db_name=$tr/var/lib/biboumi/biboumi.sqlite" "log_file=$tr/var/log/biboumi/biboumi.log"; do
	grep -v "^${kv%%=*}=" "$bcfg" >"$sb/b.cfg" || true
	printf '%s\n' "$kv" >>"$sb/b.cfg"
	cat "$sb/b.cfg" >"$bcfg"
done
chmod 644 "$tr/etc/biboumi/biboumi.cfg"

# the admin's part: export there, carry the file, import and sync here
"$jd" --root="$tr" export biboumi --server-address="$srv_ip" -o "$sb/biboumi.link" >"$sb/export.out" || fail "export failed"
[ "$(stat -c %a "$sb/biboumi.link")" = 600 ] || fail "the descriptor is not 0600"
install -m 600 "$sb/biboumi.link" "$sb/carried.link"
"$jd" --root="$srv" import "$sb/carried.link" >"$sb/import.out" || fail "import failed: $(cat "$sb/import.out")"
"$jd" --root="$srv" sync >"$sb/sync.out" 2>"$sb/sync.err" || fail "sync failed"
grep -q "^$component  *prosody  *$component  *added (restart needed), open to the network on $srv_ip" "$sb/sync.out" ||
	fail "sync did not say it opened the port: $(cat "$sb/sync.out")"
grep -q "a port open to the network" "$sb/sync.err" || fail "sync gave no remark about the open port"
pass "export, copy, import, sync: $(grep "^$component" "$sb/sync.out")"

run_in() { # run_in NS USER OUT CMD...: a daemon in a namespace, under its own user, in the background
	local ns=$1 user=$2 out=$3
	shift 3
	ip netns exec "$ns" setpriv --reuid="$user" --regid="$user" --init-groups env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
		"$@" </dev/null >"$out" 2>&1 &
	pids+=($!)
}
until_ok() { # until_ok SECONDS CMD...
	local i
	for ((i = 0; i < $1 * 10; i++)); do "${@:2}" && return 0; sleep 0.1; done
	return 1
}

run_in "$ns_srv" prosody "$sb/prosody.out" /usr/bin/prosody -F --config "$srv/etc/prosody/prosody.cfg.lua"
until_ok 20 bash -c "ip netns exec $ns_srv ss -Hltn 'sport = :$comp_port' | grep -q '$srv_ip:$comp_port'" ||
	fail "prosody does not listen on $srv_ip:$comp_port"
stray=$(ip netns exec "$ns_srv" ss -Hltn | awk '{ print $4 }' | grep -v -e '^127\.0\.0\.1:' -e '^\[::1\]:' -e "^$srv_ip:$comp_port\$" || true)
[ -z "$stray" ] || fail "prosody listens elsewhere than loopback and the component port: $stray"
pass "prosody listens on $srv_ip:$comp_port and on loopback only otherwise"

run_in "$ns_tr" _biboumi "$sb/biboumi.out" /usr/bin/biboumi "$tr/etc/biboumi/biboumi.cfg"
until_ok 20 grep -qs 'Authenticated with the XMPP server' "$tr/var/log/biboumi/biboumi.log" "$sb/biboumi.out" ||
	fail "biboumi did not authenticate across the namespaces"
pass "biboumi ($tr_ip) authenticated to prosody ($srv_ip) as $component"

ip netns exec "$ns_srv" python3 "$here/xmpp-probe.py" --port "$comp_port" --host "$asker" --secret-file "$sb/probe.secret" \
	--disco "$component" --timeout 10 >"$sb/probe.out" 2>&1 || fail "disco#info to $component failed"
grep -q '^conference/irc' "$sb/probe.out" || fail "$component did not answer disco#info"
pass "disco#info routed by prosody to $component: $(grep -m1 '^conference/irc' "$sb/probe.out")"
say "PASS: remote-netns"
