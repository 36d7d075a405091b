#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Stock Debian ejabberd where no drop-in directory is read: positional edits of ejabberd.yml, marked lines only.
. "$(dirname "$0")/lib.sh" "$@"
command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null || skip "python3 with yaml is needed to read the result"
make_root ejabberd
E=$ROOT/etc/ejabberd
Y=$E/ejabberd.yml
adapter=$ROOT/usr/lib/jabber-dispatch/servers/ejabberd
# ejabberdctl reads modules.d only through CONTRIB_MODULES_CONF_DIR
sed -i 's/^CONTRIB_MODULES_CONF_DIR=/#CONTRIB_MODULES_CONF_DIR=/' "$ROOT/etc/default/ejabberd"
cp -p "$Y" "$T/stock"
perm=$(stat -c '%U:%G %a' "$Y")
printf '%s' 'p"w\#%<&]]>é' >"$T/s1"
printf '%s' 'second' >"$T/s2"
apply() { # apply HOST PORT SECRET_FILE [ARGS...]
	local h=$1 p=$2 f=$3
	shift 3
	capture "$adapter" --root="$ROOT" --host="$h" --port="$p" --password-stdin "$@" <"$f"
}
check_yml() { python3 "$TESTS/lib/ejabberd-check.py" "$Y" "$@"; }
# every added or removed line of a diff ends with our marker
only_marked() {
	local d
	d=$(grep -E '^[-+]( |$)' <<<"$1" | grep -v '# jabber-dispatch$' || true)
	[ -z "$d" ] || { echo "  not ours: $d"; return 1; }
}

apply irc.example.org 5347 "$T/s1" --dry-run
check "dry-run: added" equals "$(head -n 1 <<<"$out")" added
check "dry-run: every line we add is marked" only_marked "$out"
check "dry-run: secret hidden" lacks "$out" "]]>"
check "dry-run: nothing written" cmp "$Y" "$T/stock"
apply irc.example.org 5347 "$T/s1"
check "added" equals "$out" added
check "no drop-in without a drop-in directory" test ! -e "$E/modules.d/jabber-dispatch.yml"
check "ejabberd reads it as wanted" check_yml --host=irc.example.org --port=5347 --secret-file="$T/s1"
check "owner and mode kept" equals "$(stat -c '%U:%G %a' "$Y")" "$perm"
check "only marked lines added" only_marked "$(diff -u "$T/stock" "$Y" || true)"
ino=$(stat -c '%i %Y' "$Y")
apply irc.example.org 5347 "$T/s1"
check "again: unchanged" equals "$out" unchanged
check "not rewritten" equals "$(stat -c '%i %Y' "$Y")" "$ino"
apply gw.example.org 5347 "$T/s2"
check "second host: added to our listener" equals "$out" added
check "both in one listener" check_yml --host=gw.example.org --port=5347 --secret-file="$T/s2"
apply irc.example.org 5347 "$T/s2" --dry-run
check "update: one line each way" equals "$(grep -cE '^[-+] ' <<<"$out")" 2
check "update shows <old secret>" contains "$out" "password: <old secret>  # jabber-dispatch"
check "the other host's secret is hidden" lacks "$out" '"second"'
apply irc.example.org 5347 "$T/s2"
check "updated" equals "$out" updated
check "new secret in place" check_yml --host=irc.example.org --port=5347 --secret-file="$T/s2"
"$adapter" --root="$ROOT" --list >"$T/o"
check "list" equals "$(sort "$T/o" | tr '\n' ' ')" "managed gw.example.org managed irc.example.org "
"$adapter" --root="$ROOT" --remove --host=irc.example.org >"$T/o"
"$adapter" --root="$ROOT" --remove --host=gw.example.org >>"$T/o"
check "both removed" equals "$(cat "$T/o" | tr '\n' ' ')" "removed removed "
check "ejabberd.yml byte-identical to the stock one" cmp "$Y" "$T/stock"
check "owner and mode still kept" equals "$(stat -c '%U:%G %a' "$Y")" "$perm"

# Exclusion in ejabberd.yml: our lines commented out with '#'.
apply irc.example.org 5347 "$T/s1"
sed -i -e 's/^      irc.example.org:  # jabber-dispatch/#      irc.example.org:  # jabber-dispatch/' \
	-e 's/^        password: \(.*\)  # jabber-dispatch/#        password: \1  # jabber-dispatch/' "$Y"
apply irc.example.org 5347 "$T/s1"
check "commented out: excluded" equals "$out" excluded
check "a listener of ours without hosts is taken out" check_yml --absent=irc.example.org
cp "$Y" "$T/excl"
apply irc.example.org 5347 "$T/s2"
check "excluded stays excluded" equals "$out" excluded
check "excluded: byte-identical" cmp "$Y" "$T/excl"
"$adapter" --root="$ROOT" --remove --host=irc.example.org >"$T/o"
check "--remove keeps the exclusion" equals "$(cat "$T/o")" excluded
cp -p "$T/stock" "$Y"

# The admin's listener on the port: joined, with global_routes: false, and left as it was on removal.
add_listener() { # add_listener TEXT: after the last stock listener
	python3 - "$Y" "$1" <<'EOF'
import sys
p, add = sys.argv[1:]
s = open(p).read()
s = s.replace("    backlog: 1000\n", "    backlog: 1000\n" + add, 1)
open(p, "w").write(s)
EOF
}
add_listener $'  -\n    port: 5347\n    ip: "127.0.0.1"\n    module: ejabberd_service\n    hosts:\n      muc.example.org:\n        password: "admin"\n'
cp -p "$Y" "$T/admin"
apply irc.example.org 5347 "$T/s1"
check "joins the admin's listener" equals "$out" added
check "joined, global_routes false" check_yml --host=irc.example.org --port=5347 --secret-file="$T/s1"
check "only marked lines added to the admin's listener" only_marked "$(diff -u "$T/admin" "$Y" || true)"
apply muc.example.org 5347 "$T/s1"
check "the admin's host: manual" equals "$out" manual
"$adapter" --root="$ROOT" --remove --host=irc.example.org >"$T/o"
check "removed from the admin's listener" equals "$(cat "$T/o")" removed
check "the admin's listener byte-identical again" cmp "$Y" "$T/admin"

# Where joining would hand our traffic to someone else's component, refuse and change nothing.
refused() { # refused WHAT MESSAGE
	apply irc.example.org 5347 "$T/s1"
	check "$1: refused" test "$rc" -ne 0
	check "$1: says why" contains "$err" "$2"
	check "$1: names FILE:LINE" contains "$err" "/etc/ejabberd/ejabberd.yml:"
	check "$1: nothing written" cmp "$Y" "$T/before"
}
cp -p "$T/stock" "$Y"
add_listener $'  -\n    port: 5347\n    module: ejabberd_service\n    hosts:\n      icq.example.org:\n        password: "jit"\n      sms.example.org:\n        password: "jit"\n'
cp -p "$Y" "$T/before"
refused "two hosts, global_routes at its default" "global_routes at its default"
cp -p "$T/stock" "$Y"
add_listener $'  -\n    port: 5347\n    module: ejabberd_service\n    global_routes: true\n    hosts:\n      icq.example.org:\n        password: "jit"\n'
cp -p "$Y" "$T/before"
refused "global_routes: true" "global_routes is not false"
cp -p "$T/stock" "$Y"
sed -i 's/port: 5222$/port: 5347/' "$Y"
cp -p "$Y" "$T/before"
refused "port taken by c2s" "port 5347 is taken by the ejabberd_c2s listener"
finish
