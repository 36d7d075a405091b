#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A transport on another machine: the server is told to listen where it connects (bind-address),
# sync says loudly that a port is open to the network; local transports keep loopback;
# a server adapter that cannot bind is named, and an admin's own setting is never edited.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody biboumi ejabberd jabberd2
cd "$T"
main=$ROOT/etc/prosody/prosody.cfg.lua
cp "$main" "$T/prosody.orig"
first='# jabber-dispatch link descriptor: this file holds a secret; keep it mode 0600 and move it only over a private channel'

# desc FILE HOST [ADDRESS]: a descriptor with a checksum that matches, mode 0600
desc() {
	local body
	body=$(printf '%s\nformat=1\ntransport=biboumi\nhost=%s\nport=5347\n%ssecret=s3cret' "$first" "$2" \
		"${3:+server-address=$3$'\n'}")
	printf '%s\nchecksum=sha256:%s\n' "$body" "$(printf '%s\n' "$body" | sha256sum | cut -d' ' -f1)" >"$1"
	chmod 600 "$1"
}

# A local transport only: nothing about interfaces.
configure_biboumi irc.local.example 'local secret'
run_jd sync --server prosody
check "local only: no component_interfaces" bash -c "! grep -q component_interfaces '$main'"

desc remote.link irc.remote.example 10.231.0.1
run_jd import remote.link
run_jd adapters
check "the imported adapter announces server-address" contains "$out" "[protocol=1 server-address inputs]"
check "prosody announces bind-address" contains "$out" "bind-address"
run_jd sync --server prosody --dry-run
check "dry run: says it would open the port" contains "$err" "port 5347 would listen on 10.231.0.1 for irc.remote.example: a port open to the network"
check "dry run: the diff shows the line" contains "$out" '+component_interfaces = { "127.0.0.1", "::1", "10.231.0.1" }'
run_jd sync --server prosody
check "sync: exit 0" equals "$rc" 0
check "sync: the pair says it loudly" contains "$out" "irc.remote.example               added (restart needed), open to the network on 10.231.0.1"
check "sync: the local pair stays as it was" contains "$out" "irc.local.example                unchanged"$'\n'
check "sync: the remark on stderr" contains "$err" "port 5347 listens on 10.231.0.1 for irc.remote.example: a port open to the network"
check "sync: one setting for all components, said" contains "$err" "component_interfaces is one setting for every component port"
check "prosody.cfg.lua: loopback kept, the address added" grep -q '^component_interfaces = { "127.0.0.1", "::1", "10.231.0.1" } -- jabber-dispatch: component_interfaces (a change needs a restart) irc.remote.example=10.231.0.1$' "$main"
run_jd sync --server prosody
check "again: unchanged" contains "$out" "irc.remote.example               unchanged, open to the network on 10.231.0.1"
check "again: no remark about a change" lacks "$err" "listens on 10.231.0.1"

# A batch record has no room for an address: such a pair is called alone, and --batch refuses one.
AD=$ROOT/usr/lib/jabber-dispatch/servers/prosody
run_ad --batch --bind-address=10.231.0.1 </dev/null
check "--batch with --bind-address: refused as usage" equals "$rc" 64

# A second remote transport on another address; both listed once.
desc remote2.link irc.remote2.example 10.231.0.5
run_jd import remote2.link
run_jd sync --server prosody
check "two addresses" grep -q '^component_interfaces = { "127.0.0.1", "::1", "10.231.0.1", "10.231.0.5" }.* irc.remote.example=10.231.0.1 irc.remote2.example=10.231.0.5$' "$main"
run_jd forget irc.remote2.example
run_jd sync --server prosody
check "one forgotten: its address goes" grep -q '^component_interfaces = { "127.0.0.1", "::1", "10.231.0.1" }.* irc.remote.example=10.231.0.1$' "$main"

# The descriptor loses its address (a tunnel now): back to loopback.
desc remote.link irc.remote.example
run_jd import remote.link
run_jd sync --server prosody
check "no address: the line goes" bash -c "! grep -q component_interfaces '$main'"
check "no address: no longer open" lacks "$out" "open to the network"

# Forgotten: the main file is as shipped again.
desc remote.link irc.remote.example 10.231.0.1
run_jd import remote.link
run_jd sync --server prosody
run_jd forget irc.remote.example
run_jd sync --server prosody
check "forgotten: component removed" contains "$out" "irc.remote.example               removed"
check "forgotten: prosody.cfg.lua byte-identical to the stock one" cmp "$main" "$T/prosody.orig"

# The admin's own component_interfaces is never edited: it must take the address already.
run_jd import remote.link
sed -i '1i component_interfaces = { "127.0.0.1" }' "$main"
cp "$main" "$T/admin.cfg"
run_jd sync --server prosody
check "admin's setting: the pair fails" contains "$out" "irc.remote.example               error"
check "admin's setting: says what to do" contains "$err" "component_interfaces is set by hand: make it listen on 10.231.0.1 too"
check "admin's setting: left alone" cmp "$main" "$T/admin.cfg"
sed -i '1s/.*/component_interfaces = "*"/' "$main"
run_jd sync --server prosody
check "admin's wildcard takes it" contains "$out" "irc.remote.example               added"
sed -i '1d' "$main"

# ejabberd: a listener of its own on the address, beside the loopback one of the local transport.
dropin=$ROOT/etc/ejabberd/modules.d/jabber-dispatch.yml
run_jd sync --server ejabberd
check "ejabberd: exit 0" equals "$rc" 0
check "ejabberd: the pair says it" contains "$out" "open to the network on 10.231.0.1"
check "ejabberd: a listener on the address" grep -Pzq '    port: 5347\n    ip: "10.231.0.1"\n    module: ejabberd_service\n    global_routes: false\n    hosts:\n      irc.remote.example:' "$dropin"
check "ejabberd: the local one stays on loopback" grep -Pzq '    ip: "127.0.0.1"\n    module: ejabberd_service\n    global_routes: false\n    hosts:\n      irc.local.example:' "$dropin"
run_jd sync --server ejabberd
check "ejabberd: again unchanged" contains "$out" "irc.remote.example               unchanged, open to the network on 10.231.0.1"
desc remote.link irc.remote.example
run_jd import remote.link
run_jd sync --server ejabberd
check "ejabberd: no address, it moves to loopback" contains "$out" "irc.remote.example               updated"
check "ejabberd: the address's listener goes" bash -c "! grep -q 10.231.0.1 '$dropin'"

# jabberd2 imposes one secret on every component: one on another machine cannot adopt it from here.
desc remote.link irc.remote.example 10.231.0.1
run_jd import remote.link
router=$ROOT/etc/jabberd2/router.xml
run_jd sync --server jabberd2
check "jabberd2: the remote pair is a conflict" contains "$out" "irc.remote.example               conflict"
check "jabberd2: says what to do" contains "$err" "transport irc.remote.example: on another machine, and server jabberd2 imposes its own secret for every component: give the transport the secret in the server's configuration, on its machine, then export and import it again"
check "jabberd2: the local pair is wired" contains "$out" "irc.local.example                added"
check "jabberd2: hardening bound loopback" grep -q '<ip>127.0.0.1</ip>' "$router"
# The transport got the router's secret on its machine (here: the router takes the transport's).
sed -i 's|<secret>[^<]*</secret>|<secret>s3cret</secret>|' "$router"
run_jd sync --server jabberd2
check "jabberd2: exit 0" equals "$rc" 0
check "jabberd2: the remote pair added, loudly" contains "$out" "irc.remote.example               added (restart needed), open to the network on 10.231.0.1"
check "jabberd2: one address for every component, said" contains "$err" "changed <ip> from 127.0.0.1 to 0.0.0.0 for a transport connecting to 10.231.0.1: the router has one address for every component, so port 5347 is open on every interface, not only 10.231.0.1"
check "jabberd2: the wildcard, marked keep-ip" grep -Pzq '<ip>0.0.0.0</ip>\n *<!-- jabber-dispatch: keep-ip \(a transport on another machine\) -->' "$router"
run_jd sync --server jabberd2
check "jabberd2: again unchanged" contains "$out" "irc.remote.example               unchanged, open to the network on 10.231.0.1"
check "jabberd2: the mark once" equals "$(grep -c 'keep-ip' "$router")" 1
run_jd forget irc.remote.example
run_jd sync --server jabberd2
check "jabberd2: forgotten, removed" contains "$out" "irc.remote.example               removed"
# An address the admin chose, which the transport cannot reach: refused, the file as it was.
sed -i 's|<ip>0.0.0.0</ip>|<ip>192.0.2.7</ip>|' "$router"
cp "$router" "$T/router.admin"
run_jd import remote.link
run_jd sync --server jabberd2
check "jabberd2: an admin's address, the pair fails" contains "$out" "irc.remote.example               error"
check "jabberd2: says which line and what to do" contains "$err" "/etc/jabberd2/router.xml:33: the router takes every component on 192.0.2.7, which a transport connecting to 10.231.0.1 cannot reach: set <ip> to 10.231.0.1 or 0.0.0.0 and restart jabberd2"
check "jabberd2: router.xml byte-identical" cmp "$router" "$T/router.admin"

# A server adapter without bind-address: the pair is wired, and the run says the port is to be opened by hand.
mkdir -p "$ROOT/etc/jabber-dispatch/servers"
printf '#!/bin/sh\ncase " $* " in *" --capabilities "*) echo protocol=1 password-stdin; exit 0 ;; esac\ncat >/dev/null\necho unchanged\n' >"$ROOT/etc/jabber-dispatch/servers/tiny"
chmod 755 "$ROOT/etc/jabber-dispatch/servers/tiny"
run_jd sync --server tiny
check "no bind-address: the pair is wired" contains "$out" "irc.remote.example tiny         irc.remote.example               unchanged"
check "no bind-address: said" contains "$err" "server tiny: irc.remote.example is a transport on another machine, connecting to 10.231.0.1 port 5347, but this adapter cannot make the server listen there (no bind-address): open that port by hand"
finish
