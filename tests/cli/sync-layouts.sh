#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Prosody without the conf.d Include, ports, masking, and adapters written to the bare seed protocol.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody biboumi
configure_biboumi irc.example.org 's3cret'
main=$ROOT/etc/prosody/prosody.cfg.lua
adapter=$ROOT/usr/lib/jabber-dispatch/servers/prosody

# No Include line: a marked block at the end of the main file, removable byte-exactly.
sed -i 's|^Include "conf.d/\*.cfg.lua"|-- (no include)|' "$main"
cp -p "$main" "$T/main.orig"
run_jd sync
check "no include: added" contains "$out" "added"
check "no include: block in the main file" grep -qx 'Component "irc.example.org"' "$main"
check "no include: no drop-in" test ! -e "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
check "no include: main keeps its mode" equals "$(stat -c '%a %U:%G' "$main")" "$(stat -c '%a %U:%G' "$T/main.orig")"
run_jd sync
check "no include: then unchanged" contains "$out" "unchanged"
check "no include: diff is only our block" equals "$(diff "$T/main.orig" "$main" | grep -c '^<')" 0
check "--remove: removed" equals "$("$adapter" --root="$ROOT" --remove --host=irc.example.org)" removed
check "--remove: main file byte-identical to before" cmp "$T/main.orig" "$main"
cp "$T/main.orig" "$main"
sed -i 's|^-- (no include)|Include "conf.d/*.cfg.lua"|' "$main"
cp -p "$main" "$T/main.orig"

# A port other than 5347 needs component_ports in the global section, and a restart.
configure_biboumi irc.example.org 's3cret' 5399
run_jd sync
check "other port: added, restart needed" contains "$out" "added (restart needed)"
check "other port: restart announced" contains "$err" "server prosody: restart it for the change to take effect"
ports_line=$(grep -n '^component_ports' "$main" | cut -d: -f1)
vhost_line=$(grep -n '^VirtualHost' "$main" | head -1 | cut -d: -f1)
check "component_ports written" grep -q '^component_ports = { 5347, 5399 } -- jabber-dispatch: component_ports' "$main"
check "component_ports is global (before the first VirtualHost)" test "$ports_line" -lt "$vhost_line"
run_jd sync
check "other port: then unchanged" contains "$out" "unchanged"
# The component is there but its port went missing: that is an update, with a restart.
sed -i '/^component_ports/d' "$main"
run_jd sync
check "port missing again: updated (restart needed)" contains "$out" "updated (restart needed)"
# A hand-written component_ports that lacks the port is the admin's to fix.
sed -i 's|^component_ports = .*|component_ports = { 5347 }|' "$main"
run_jd sync
check "admin's component_ports without the port: exit 65" equals "$rc" 65
check "admin's component_ports: says where and what" contains "$err" "prosody.cfg.lua:$ports_line: component_ports does not list port 5399"
cp "$T/main.orig" "$main"
# A main file whose very first byte starts a section: component_ports still goes before it.
printf 'Component "first.example.org"\n\tcomponent_secret = "x"\n' >"$main"
run_jd sync
check "section at offset 0: component_ports is line 1" equals "$(head -1 "$main" | cut -c1-17)" "component_ports ="
check "section at offset 0: valid Lua" luac5.4 -p "$main"
cp "$T/main.orig" "$main"
rm -f "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
configure_biboumi irc.example.org 's3cret'

# Masking: the admin's symlink to /dev/null turns an adapter off.
mkdir -p "$ROOT/etc/jabber-dispatch/servers"
ln -s /dev/null "$ROOT/etc/jabber-dispatch/servers/prosody"
rm -f "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
run_jd sync
check "masked server: nothing done" test ! -e "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
run_jd adapters
check "masked server: shown as masked" contains "$out" "masked"
rm "$ROOT/etc/jabber-dispatch/servers/prosody"

# A server adapter written to the seed's bare protocol still works (the secret then goes in argv).
cat >"$ROOT/etc/jabber-dispatch/servers/seedsrv" <<'SEED'
#!/bin/sh
# --host= --port= --password= and nothing else, as in the 2007 proposal
for a; do case $a in --host=*|--port=*|--password=*|--root=*) ;; *) echo "unknown $a" >&2; exit 64;; esac; done
echo added
SEED
chmod 755 "$ROOT/etc/jabber-dispatch/servers/seedsrv"
run_jd sync --server=seedsrv
check "seed-protocol adapter: added" contains "$out" "seedsrv      irc.example.org                  added"
run_jd adapters
check "seed-protocol adapter: flagged" contains "$out" "seed protocol (secret in argv)"
run_jd sync --server=nosuch
check "unknown --server: usage error" equals "$rc" 64
rm "$ROOT/etc/jabber-dispatch/servers/seedsrv"

# A server adapter whose server is not installed (no main config) leaves that server out, quietly.
mv "$main" "$T/main.away"
run_jd sync
check "server not installed: exit 0" equals "$rc" 0
check "server not installed: no line for it" lacks "$out" "prosody"
check "server not installed: no message without -v" equals "$err" ""
run_jd -v sync --force
check "server not installed: -v says so" contains "$err" "server prosody: not installed here"
mv "$T/main.away" "$main"
finish
