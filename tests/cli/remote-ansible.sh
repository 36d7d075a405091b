#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Ansible role of share/ansible, with a local connection against two sandbox roots (a
# transport host and a server host): the first run wires the transport, a second changes
# nothing, --check --diff on a changed secret reports the change without making it, and no
# run shows the secret.
. "$(dirname "$0")/lib.sh" "$@"
command -v ansible-playbook >/dev/null || skip "ansible-playbook is not installed (ansible-core)"
make_root prosody
SROOT=$ROOT
TROOT=$T/transport-host
mkdir -p "$TROOT"
"$TESTS/lib/stock-root.sh" "$TROOT" biboumi || skip "cannot build a sandbox from the Debian package biboumi"
DESTDIR=$TROOT cmake --install "$BUILD" --prefix /usr >/dev/null
ROOT=$TROOT configure_biboumi irc.example.org 'first-Secret-1'

# an inventory directory: the hosts, and the transport host's exports beside them
mkdir -p "$T/inv/host_vars"
cat >"$T/inv/hosts" <<EOF
[jabber_dispatch_transports]
transport1 jabber_dispatch_root=$TROOT jabber_dispatch_sync=false

[jabber_dispatch_servers]
server1 jabber_dispatch_root=$SROOT

[all:vars]
ansible_connection=local
ansible_python_interpreter=/usr/bin/python3
jabber_dispatch_bin=$JD
EOF
printf '%s\n' 'jabber_dispatch_exports:' '  - transport: biboumi' '    server_address: 10.231.0.1' \
	'    servers: [server1]' >"$T/inv/host_vars/transport1.yml"

# play ARGS...: the example playbook; its output in $T/play.N, the recap in $recap
n=0
play() {
	n=$((n + 1))
	set +e
	HOME=$T ANSIBLE_LOCAL_TEMP=$T/ansible-tmp ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
		ANSIBLE_ROLES_PATH="$TESTS/../share/ansible/roles" \
		ansible-playbook -i "$T/inv/hosts" "$TESTS/../share/ansible/site.yml" "$@" >"$T/play.$n" 2>&1
	rc=$?
	set -e
	recap=$(sed -n '/PLAY RECAP/,$p' "$T/play.$n")
}

play
check "first run: exit 0" equals "$rc" 0 || cat "$T/play.$n"
check "first run: the server host changed" grep -Eq 'server1 +: ok=[0-9]+ +changed=[1-9]' <<<"$recap"
check "first run: the transport host unchanged" grep -Eq 'transport1 +: ok=[0-9]+ +changed=0 ' <<<"$recap"
check "first run: imported" test -x "$SROOT/etc/jabber-dispatch/transports/irc.example.org"
check "first run: wired" grep -q '"first-Secret-1"' "$SROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
check "first run: no secret in the output" bash -c "! grep -q 'first-Secret-1' '$T/play.$n'"

play
check "second run: exit 0" equals "$rc" 0
check "second run: changed=0 everywhere" bash -c "! grep -Eq 'changed=[1-9]' <<<'$recap'"

ROOT=$TROOT configure_biboumi irc.example.org 'second-Secret-2'
snapshot before
play --check --diff
snapshot after
check "check mode: exit 0" equals "$rc" 0
check "check mode: the change is reported" grep -Eq 'server1 +: ok=[0-9]+ +changed=[1-9]' <<<"$recap"
check "check mode: the diff is shown" grep -q 'irc.example.org: would be updated' "$T/play.$n"
check "check mode: secrets hidden in it" grep -q 'secret=<old secret>' "$T/play.$n"
check "check mode: no secret in the output" bash -c "! grep -Eq 'first-Secret-1|second-Secret-2' '$T/play.$n'"
check "check mode: nothing written on the server host" same_snapshot before after
check "check mode: the old secret still wired" grep -q '"first-Secret-1"' "$SROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"

play
check "after the change: applied" grep -q '"second-Secret-2"' "$SROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
play
check "and then changed=0 again" bash -c "! grep -Eq 'changed=[1-9]' <<<'$recap'"
# The transport is retired: nothing exported any more, and the server host forgets it.
retire='{"jabber_dispatch_exports": [], "jabber_dispatch_forget": ["irc.example.org"]}'
play -e "$retire"
check "forget: the server host changed" grep -Eq 'server1 +: ok=[0-9]+ +changed=[1-9]' <<<"$recap"
check "forget: the entry is gone" test ! -e "$SROOT/etc/jabber-dispatch/transports/irc.example.org"
check "forget: the component is gone" test ! -e "$SROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
play -e "$retire"
check "forget again: changed=0" bash -c "! grep -Eq 'changed=[1-9]' <<<'$recap'"
check "no run showed a secret" bash -c "! grep -Eq 'first-Secret-1|second-Secret-2' '$T'/play.*"
finish
