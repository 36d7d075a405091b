#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile inputs made at test time (the big ones are never committed), for every parser and
# adapter: truncated files, NUL bytes, 1 MB lines, 100,000-deep nesting, invalid UTF-8, a YAML
# alias bomb, XML external entities and entity expansion, a 100 MB file, hosts with quotes or
# newlines.  Each is refused with one line naming the file (exit 65), and nothing changes.
# Lua long strings and comments that look like a Component line must not be read as one.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody ejabberd jabberd2 biboumi jabber-muc
configure_biboumi irc.example.org s3cret
ADS=$BUILD/adapters
mkdir -p "$ROOT/etc/jabber"
cp "$TESTS/fixtures/jabberd14/jabber.xml" "$ROOT/etc/jabber/jabber.xml"
printf '%s\n' '{hosts, ["example.org"]}.' '{listen, [{5222, ejabberd_c2s, []}]}.' >"$ROOT/etc/ejabberd/ejabberd.cfg"
printf '%s\n' 'listen:' '  -' '    port: 5280' '    module: ejabberd_http' >"$ROOT/etc/ejabberd/modules.d/mod_admin.yml"
printf '%s\n' '-- an admin drop-in' 'Component "muc.example.org" "muc"' >"$ROOT/etc/prosody/conf.d/admin.cfg.lua"
n=0

# One target per parser and file role: NAME FILE COMMAND... (run with the secret on stdin).
declare -A file cmd
target() { local name=$1 f=$2; shift 2; file[$name]=$f; cmd[$name]="$*"; }
srv() { echo "$ADS/servers/$1 --root=$ROOT ${2:+--config=$2} --host=irc.example.org --port=5347 --password-stdin"; }
target prosody-main /etc/prosody/prosody.cfg.lua "$(srv prosody)"
target prosody-dropin /etc/prosody/conf.d/admin.cfg.lua "$(srv prosody)"
target ejabberd-yml /etc/ejabberd/ejabberd.yml "$(srv ejabberd)"
target ejabberd-dropin /etc/ejabberd/modules.d/mod_admin.yml "$(srv ejabberd)"
target ejabberd-cfg /etc/ejabberd/ejabberd.cfg "$(srv ejabberd /etc/ejabberd/ejabberd.cfg)"
target jabberd2 /etc/jabberd2/router.xml "$(srv jabberd2)"
target jabberd14 /etc/jabber/jabber.xml "$(srv jabberd14)"
target biboumi /etc/biboumi/biboumi.cfg "$ADS/transports/biboumi --root=$ROOT --host --port --password"
target jabber-muc /etc/jabberd2/muc.xml "$ADS/describe $ROOT/usr/lib/jabber-dispatch/transports/jabber-muc --root=$ROOT --host --port --password"

# hostile NAME CASE EXPECT: write $T/h (made by the caller) over NAME's file, run its adapter:
# exit 65, one line on stderr containing EXPECT, every file under the root unchanged
hostile() {
	local name=$1 what=$2 expect=$3 f=$ROOT${file[$1]} lines
	cp -p "$f" "$T/orig"
	cat "$T/h" >"$f"
	snapshot a
	set +e
	# shellcheck disable=SC2086
	${cmd[$name]} <<<"s3cret" >"$T/o" 2>"$T/e"
	rc=$?
	set -e
	snapshot b
	lines=$(wc -l <"$T/e")
	n=$((n + 1))
	check "$name, $what: exit 65" equals "$rc" 65
	check "$name, $what: one line" equals "$lines" 1
	check "$name, $what: says why" contains "$(cat "$T/e")" "$expect"
	check "$name, $what: nothing changed" same_snapshot a b
	cat "$T/orig" >"$f"
}
stock() { cat "$ROOT${file[$1]}"; }
repeat() { head -c "$2" /dev/zero | tr '\0' "$1"; }

# --- every target: NUL byte, a 1 MB line, a 100 MB file, a truncated file, invalid UTF-8
for t in prosody-main prosody-dropin ejabberd-yml ejabberd-dropin ejabberd-cfg jabberd2 jabberd14 biboumi jabber-muc; do
	{ stock "$t" | head -n 3; printf 'x\0y\n'; stock "$t" | tail -n +4; } >"$T/h"
	hostile "$t" "NUL byte" "${file[$t]}"
	{ stock "$t"; printf '\n'; repeat a 1048576; printf '\n'; } >"$T/h"
	hostile "$t" "1 MB line" "${file[$t]}"
	stock "$t" >"$T/h"
	truncate -s 100M "$T/h"
	hostile "$t" "100 MB file" "${file[$t]}: larger than"
done

# --- per syntax: unfinished constructs, deep nesting, invalid UTF-8
for t in prosody-main prosody-dropin; do
	{ stock "$t"; printf 'modules_enabled = {\n\t"roster";\n'; } >"$T/h"
	hostile "$t" "truncated table" "${file[$t]}:"
	{ stock "$t"; printf 'x = '; repeat '{' 100000; repeat '}' 100000; printf '\n'; } >"$T/h"
	hostile "$t" "100k-deep nesting" "${file[$t]}: Lua does not compile it"
	{ stock "$t"; printf 'x = \xff\xfe\n'; } >"$T/h"
	hostile "$t" "invalid UTF-8 outside a string" "${file[$t]}:"
	{ stock "$t"; printf 'Component "irc\\"x.example.org"\n'; } >"$T/h"
	hostile "$t" "a host with a quote" "${file[$t]}:"
	{ stock "$t"; printf 'Component "irc\\nx.example.org"\n'; } >"$T/h"
	hostile "$t" "a host with a newline" "${file[$t]}:"
done
for t in ejabberd-yml ejabberd-dropin; do
	{ stock "$t"; printf 'listen:\n  - port: "5222\n'; } >"$T/h"
	hostile "$t" "truncated string" "${file[$t]}:"
	{ stock "$t"; printf 'deep: '; repeat '[' 100000; repeat ']' 100000; printf '\n'; } >"$T/h"
	hostile "$t" "100k-deep nesting" "${file[$t]}:"
	{ stock "$t"; printf 'bad: "\xff\xfe"\n'; } >"$T/h"
	hostile "$t" "invalid UTF-8" "${file[$t]}:"
	{
		stock "$t"
		printf 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
		for i in 1 2 3 4 5 6 7 8 9; do printf 'l%d: &l%d [*l%d,*l%d,*l%d,*l%d,*l%d,*l%d,*l%d,*l%d,*l%d]\n' $i $i $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1)); done
	} >"$T/h"
	hostile "$t" "alias bomb" "${file[$t]}:"
	{ stock "$t"; printf 'listen:\n  -\n    port: 5347\n    module: ejabberd_service\n    hosts:\n      "irc\\nx.example.org":\n        password: p\n'; } >"$T/h"
	hostile "$t" "a host with a newline" "${file[$t]}:"
done
{ stock ejabberd-cfg; printf '{listen, [{5347, ejabberd_service, [{hosts, ["irc'; } >"$T/h"
hostile ejabberd-cfg "truncated string" "/etc/ejabberd/ejabberd.cfg:"
{ stock ejabberd-cfg; printf '{deep, '; repeat '[' 100000; repeat ']' 100000; printf '}.\n'; } >"$T/h"
hostile ejabberd-cfg "100k-deep nesting" "/etc/ejabberd/ejabberd.cfg:"
{ stock ejabberd-cfg; printf '{listen, [{5347, ejabberd_service, [{hosts, ["irc\\"x.example.org"], [{password, "p"}]}]}]}.\n'; } >"$T/h"
hostile ejabberd-cfg "a host with a quote" "/etc/ejabberd/ejabberd.cfg:"
for t in jabberd2 jabberd14 jabber-muc; do
	stock "$t" | head -c 700 >"$T/h"
	hostile "$t" "truncated" "${file[$t]}:"
	{ printf '<?xml version="1.0"?>\n'; repeat '<' 1 ; printf 'r>'; for _ in $(seq 1 2000); do printf '<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>'; done; } >"$T/h"
	hostile "$t" "100k-deep nesting" "${file[$t]}:"
	{ stock "$t" | sed '1s/^<?xml[^>]*>//'; printf '<!-- \xff\xfe -->\n'; } | { printf '<?xml version="1.0" encoding="UTF-8"?>'; cat; } >"$T/h"
	hostile "$t" "invalid UTF-8" "${file[$t]}:"
	root=$(stock "$t" | sed -n 's/^<\([a-z]*\)[ >].*/\1/p' | head -1)
	{ printf '<?xml version="1.0"?>\n<!DOCTYPE %s [<!ENTITY xxe SYSTEM "file:///etc/shadow">]>\n' "$root"; stock "$t" | sed '1{/^<?xml/d}' | sed "0,/<$root\([ >]\)/s//<$root\1\&xxe;/"; } >"$T/h"
	hostile "$t" "external entity" "${file[$t]}:"
	{ printf '<?xml version="1.0"?>\n<!DOCTYPE %s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n' "$root"; stock "$t" | sed '1{/^<?xml/d}' | sed "0,/<$root\([ >]\)/s//<$root\1\&d;/"; } >"$T/h"
	hostile "$t" "entity expansion" "${file[$t]}:"
done
printf 'hostname=irc"x.example.org\npassword=s3cret\nport=5347\n' >"$T/h"
hostile biboumi "a host with a quote" "hostname"
printf 'hostname=irc.example.org\npassword=\xff\xfe\nport=5347\n' >"$T/h"
hostile biboumi "invalid UTF-8 secret" "password"

# --- valid Lua that only looks like a Component line: never read as one
main=$ROOT/etc/prosody/prosody.cfg.lua
cp -p "$main" "$T/main"
printf 'motd_text = [==[\nComponent "irc.example.org"\n]==]\n' >>"$main"
set +e
out=$($ADS/servers/prosody --root="$ROOT" --host=irc.example.org --port=5347 --password-stdin <<<"s3cret" 2>&1)
set -e
n=$((n + 1))
check "prosody, a Component line inside a long string: still added" equals "$out" "added"
"$ADS/servers/prosody" --root="$ROOT" --remove --host=irc.example.org >/dev/null
cp -p "$T/main" "$main"
printf -- '--[==[ an old idea:\nComponent "irc.example.org"\n]==]\n' >>"$main"
set +e
out=$($ADS/servers/prosody --root="$ROOT" --host=irc.example.org --port=5347 --password-stdin <<<"s3cret" 2>&1)
set -e
n=$((n + 1))
check "prosody, a Component line inside a long comment: the admin's exclusion" equals "$out" "excluded"
cp -p "$T/main" "$main"
echo "$n hostile inputs generated"
finish
