#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Malformed and hostile ejabberd configs: each refused with a clear message, nothing changed.
# Each fixture in tests/fixtures/ejabberd starts with "# expect: " (or "% expect: ") and the
# words the refusal must hold; a few more are made here (bytes a file in git should not hold).
. "$(dirname "$0")/lib.sh" "$@"
[ "$(id -u)" = 0 ] || skip "needs root (owners)"
mkdir -p "$ROOT/var" # snapshot() lists etc and var
DESTDIR=$ROOT cmake --install "$BUILD" --prefix /usr >/dev/null
adapter=$ROOT/usr/lib/jabber-dispatch/servers/ejabberd
fixtures=$TESTS/fixtures/ejabberd
n=0

# refused NAME EXPECT CONFIG [commit]: apply and dry-run on the sandbox as it is now
# ("commit": refused only when writing, so a dry-run shows the diff)
refused() {
	local name=$1 expect=$2 cfg=$3 at=${4:-} code
	n=$((n + 1))
	snapshot a
	set +e
	echo 's3cret' | "$adapter" --root="$ROOT" --config="$cfg" --host=irc.example.org --port=5347 --password-stdin \
		>"$T/o" 2>"$T/e"
	code=$?
	echo 's3cret' | "$adapter" --root="$ROOT" --config="$cfg" --host=irc.example.org --port=5347 --password-stdin \
		--dry-run >"$T/o2" 2>"$T/e2"
	set -e
	snapshot b
	check "$name: refused (exit $code)" test "$code" = 65 -o "$code" = 66 -o "$code" = 73
	check "$name: says why" contains "$(cat "$T/e")" "$expect"
	check "$name: one line on stderr" equals "$(wc -l <"$T/e")" 1
	check "$name: nothing on stdout" test ! -s "$T/o"
	if [ "$at" = commit ]; then
		check "$name: dry-run shows the diff" grep -q '^+++ ' "$T/o2"
	else
		check "$name: dry-run refused alike" equals "$(cat "$T/e2")" "$(cat "$T/e")"
	fi
	check "$name: nothing changed" same_snapshot a b
}

fresh() { # fresh: an empty sandbox /etc/ejabberd
	rm -rf "$ROOT/etc"
	mkdir -p "$ROOT/etc/ejabberd"
}

for f in "$fixtures"/*; do
	name=${f##*/}
	fresh
	case $name in
	*.yml) cfg=/etc/ejabberd/ejabberd.yml ;;
	*) cfg=/etc/ejabberd/ejabberd.cfg ;;
	esac
	cp "$f" "$ROOT$cfg"
	expect=$(sed -n '1s/^[#%] expect: //p' "$f")
	refused "$name" "$expect" "$cfg"
done

Y=/etc/ejabberd/ejabberd.yml
fresh
printf 'hosts:\n  - example.org\nlisten: [\0]\n' >"$ROOT$Y"
refused "NUL byte" "ejabberd.yml:3: contains a NUL byte" "$Y"
fresh
printf '\xff\xfeh\0o\0s\0t\0s\0:\0' >"$ROOT$Y"
refused "UTF-16" "UTF-16" "$Y"
fresh
printf 'hosts:\r  - example.org\rlisten: []\r' >"$ROOT$Y"
refused "old Mac line ends" "ejabberd.yml:1: a carriage return" "$Y"
fresh
head -c $((17 << 20)) /dev/zero | tr '\0' '#' >"$ROOT$Y"
refused "a file larger than 16 MiB" "larger than" "$Y"
fresh
printf 'hosts:\n  - example.org\n' >"$ROOT/etc/ejabberd/real.yml"
ln -s real.yml "$ROOT$Y"
refused "ejabberd.yml is a symlink" "symlink" "$Y" commit

# The drop-in directory: a file of ours that is not ours, and an admin's drop-in that does not parse.
fresh
mkdir -p "$ROOT/etc/ejabberd/modules.d"
printf 'CONTRIB_MODULES_CONF_DIR=/etc/ejabberd/modules.d\n' >"$ROOT/etc/ejabberd/ejabberdctl.cfg"
printf 'hosts:\n  - example.org\n' >"$ROOT$Y"
printf 'listen:\n  -\n    port: 5280\n    module: ejabberd_http\n' >"$ROOT/etc/ejabberd/modules.d/jabber-dispatch.yml"
refused "our drop-in's name, the admin's file" "exists but does not start with" "$Y"
rm "$ROOT/etc/ejabberd/modules.d/jabber-dispatch.yml"
printf 'modules:\n  mod_foo:\n   bad: [\n' >"$ROOT/etc/ejabberd/modules.d/mod_foo.yml"
refused "a broken drop-in of the admin's" "modules.d/mod_foo.yml:4: not valid YAML" "$Y"
rm "$ROOT/etc/ejabberd/modules.d/mod_foo.yml"
printf 'listen:\n  -\n    port: 5347\n    module: ejabberd_c2s\n' >"$ROOT/etc/ejabberd/modules.d/mod_c2s.yml"
refused "the port taken in another drop-in" "mod_c2s.yml:3: port 5347 is taken by the ejabberd_c2s listener" "$Y"
rm "$ROOT/etc/ejabberd/modules.d/mod_c2s.yml"
rmdir "$ROOT/etc/ejabberd/modules.d"
mkdir -p "$ROOT/srv/mods"
ln -s ../../srv/mods "$ROOT/etc/ejabberd/modules.d"
refused "modules.d is a symlink" "symlink" "$Y" commit
check "nothing written through the symlink" test -z "$(ls -A "$ROOT/srv/mods")"

check "at least 15 hostile configs" test "$n" -ge 15
finish
