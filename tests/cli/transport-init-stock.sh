#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# transport-init without a template on Debian's stock biboumi.cfg ("hostname=" and
# "password=" empty): only those are filled in, every other line kept, then one sync
# wires biboumi into prosody; a second run keeps everything.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody biboumi
cfg=$ROOT/etc/biboumi/biboumi.cfg
dropin=$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua
cp -p "$cfg" "$T/stock.cfg"
grep -qx 'hostname=' "$cfg" && grep -qx 'password=' "$cfg" || skip "biboumi.cfg is not the stock one with empty hostname= and password="

run_jd adapters
check "biboumi announces fill" contains "$out" "fill"

run_jd transport-init biboumi --domain=example.org
check "fill: exit 0" equals "$rc" 0
check "fill: says it filled in, with the domain and port" contains "$out" "biboumi: config filled in (irc.example.org, port 5347); restart it to use it"
check "fill: then syncs into prosody" contains "$out" "biboumi          prosody      irc.example.org                  added"
check "hostname = registry prefix + domain" grep -qx 'hostname=irc.example.org' "$cfg"
secret=$(sed -n 's/^password=//p' "$cfg")
check "a random secret of 32 characters" bash -c "[[ '$secret' =~ ^[A-Za-z0-9]{32}$ ]]"
check "the stock port is kept (it is set)" grep -qx 'port=5347' "$cfg"
check "every other line and comment kept" diff <(grep -v '^hostname=\|^password=' "$T/stock.cfg") <(grep -v '^hostname=\|^password=' "$cfg")
check "the lines stay where they were" equals "$(grep -n '^hostname=\|^password=' "$cfg" | cut -d: -f1)" "$(grep -n '^hostname=\|^password=' "$T/stock.cfg" | cut -d: -f1)"
if getent group _biboumi >/dev/null; then
	check "now holding a secret: unreadable by others, biboumi's group reads it" equals "$(stat -c '%U:%G %a' "$cfg")" "root:_biboumi 640"
else
	check "owner and mode kept" equals "$(stat -c '%U:%G %a' "$cfg")" "$(stat -c '%U:%G %a' "$T/stock.cfg")"
fi
check "the secret is not printed" lacks "$out$err" "$secret"
check "the secret is not logged" bash -c "! grep -rqF '$secret' '$ROOT/var/log'"
check "prosody's drop-in holds biboumi's secret" grep -qxF $'\tcomponent_secret = "'"$secret"'"' "$dropin"
if command -v luac5.4 >/dev/null; then
	check "the drop-in parses (luac -p)" luac5.4 -p "$dropin"
fi

# --- a second run: configured already, nothing changes
snapshot a
run_jd transport-init biboumi --domain=other.example
check "again: exit 0" equals "$rc" 0
check "again: kept" contains "$out" "biboumi: already configured, kept (irc.example.org, port 5347)"
snapshot b
check "again: tree unchanged" same_snapshot a b

# --- an admin's own hostname is kept, only the empty password is filled in
cp -p "$T/stock.cfg" "$cfg"
sed -i 's/^hostname=$/hostname=irc.admin.example/' "$cfg"
run_jd transport-init biboumi --domain=example.org
check "partial: exit 0" equals "$rc" 0
check "partial: the admin's hostname kept" grep -qx 'hostname=irc.admin.example' "$cfg"
check "partial: the password filled in" grep -qE '^password=[A-Za-z0-9]{32}$' "$cfg"

# --- refusals
run_jd transport-init jabber-muc
check "a transport whose adapter cannot fill: refused" bash -c "[ $rc -ne 0 ]"
check "says so, and what to give" contains "$err" "give --template and --output"
run_jd transport-init no-such-gateway
check "not in the registry: exit 65" equals "$rc" 65

finish
