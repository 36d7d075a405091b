#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The transport registry: the shipped list has no collision; drop-ins add, collide (refused
# with FILE:LINE) or are hidden; the admin overrides.
. "$(dirname "$0")/lib.sh" "$@"
make_root jabber-muc
vendor_d=$ROOT/usr/share/jabber-dispatch/registry.d
admin_d=$ROOT/etc/jabber-dispatch/registry.d
tmpl=/usr/share/jabber-dispatch/templates/jabber-muc.xml
squeeze() { printf '%s\n' "$1" | tr -s ' '; }

run_jd transport-init --registry
check "shipped registry: no collision (exit 0)" equals "$rc" 0
check "shipped registry: jabber-mrim -> 5241 mrim" contains "$(squeeze "$out")" "jabber-mrim 5241 mrim"
check "shipped registry: jabber-muc -> 5242 conference" contains "$(squeeze "$out")" "jabber-muc 5242 conference"
check "shipped registry: every port distinct" equals "$(printf '%s\n' "$out" | awk '{print $2}' | sort | uniq -d)" ""
check "shipped registry: every prefix distinct" equals "$(printf '%s\n' "$out" | awk '{print $3}' | sort | uniq -d)" ""
check "shipped registry: 5347 is nobody's" bash -c "! printf '%s\n' \"\$1\" | awk '{print \$2}' | grep -qx 5347" _ "$out"

# A package the project does not know brings its own line.
mkdir -p "$vendor_d" "$admin_d"
printf '# jabber-foo: the foo transport\njabber-foo 5300 foo\n' >"$vendor_d/jabber-foo"
run_jd transport-init --registry
check "drop-in: listed with its file and line" contains "$(squeeze "$out")" "jabber-foo 5300 foo /usr/share/jabber-dispatch/registry.d/jabber-foo:2"
run_jd transport-init jabber-foo --template=$tmpl --output=/etc/foo/foo.xml --domain=example.org
check "drop-in: transport-init uses it" equals "$out" "/etc/foo/foo.xml: generated for foo.example.org, port 5300"

# A drop-in on a port the registry already gave away is refused at its own line.
printf 'jabber-bar 5242 bar\n' >"$vendor_d/jabber-bar"
snapshot a
run_jd transport-init --registry
check "colliding drop-in: exit 65" equals "$rc" 65
check "colliding drop-in: FILE:LINE and both packages" equals "$err" \
	"jabber-dispatch: /usr/share/jabber-dispatch/registry.d/jabber-bar:1: port 5242 of jabber-bar is already assigned to jabber-muc (/usr/share/jabber-dispatch/registry/transports:42)"
run_jd transport-init jabber-muc --template=$tmpl --output=/etc/c/muc.xml --domain=example.org
snapshot b
check "colliding drop-in: transport-init refuses too (exit 65)" equals "$rc" 65
check "colliding drop-in: nothing written" same_snapshot a b
rm "$vendor_d/jabber-bar"

# Same prefix, and a package defined twice outside the admin's layer.
printf 'jabber-baz 5301 irc\n' >"$vendor_d/jabber-baz"
run_jd transport-init --registry
check "colliding prefix: refused" contains "$err" "jabber-baz:1: prefix \"irc\" of jabber-baz is already assigned to biboumi"
rm "$vendor_d/jabber-baz"
printf 'jabber-muc 5302 muc\n' >"$vendor_d/jabber-muc"
run_jd transport-init --registry
check "vendor package redefined by a drop-in: refused" contains "$err" \
	"registry.d/jabber-muc:1: jabber-muc is already registered at /usr/share/jabber-dispatch/registry/transports:42"

# The admin hides that drop-in with a file of the same name, and moves jabber-muc.
printf '# local policy\njabber-muc 5390 chat\n' >"$admin_d/jabber-muc"
run_jd transport-init --registry
check "admin file hides the drop-in of the same name: exit 0" equals "$rc" 0
check "admin override: listed as such" contains "$(squeeze "$out")" "jabber-muc 5390 chat /etc/jabber-dispatch/registry.d/jabber-muc:2 (override)"
run_jd transport-init jabber-muc --template=$tmpl --output=/etc/o/muc.xml --domain=example.org
check "admin override: transport-init uses it" equals "$out" "/etc/o/muc.xml: generated for chat.example.org, port 5390"

# An admin override that collides is refused at the admin's line.
printf 'jabber-mrim 5390 mrim\n' >"$admin_d/local"
run_jd transport-init --registry
check "colliding override: refused at the admin's line" contains "$err" \
	"/etc/jabber-dispatch/registry.d/local:1: port 5390 of jabber-mrim is already assigned to jabber-muc (/etc/jabber-dispatch/registry.d/jabber-muc:2)"
rm "$admin_d/local"

# Malformed lines and forbidden ports.
printf 'jabber-x 5347 x\n' >"$admin_d/shared"
run_jd transport-init --registry
check "port 5347 refused" contains "$err" "shared:1: jabber-x: port 5347 is the shared component port"
printf 'jabber-x 5303\n' >"$admin_d/shared"
run_jd transport-init --registry
check "short line refused" contains "$err" "shared:1: expected \"PACKAGE PORT PREFIX\", found 2 fields"
printf 'jabber-x 5303 x\n' >"$admin_d/shared~"
printf 'jabber-x 5303 x\n' >"$admin_d/.hidden"
rm "$admin_d/shared"
run_jd transport-init --registry
check "editor and dot files are not read" lacks "$out" "jabber-x"
finish
