#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# An ejabberd whose only config is a 2.x ejabberd.cfg: sync finds and edits it without --config.
. "$(dirname "$0")/lib.sh" "$@"
make_root ejabberd biboumi
E=$ROOT/etc/ejabberd
rm -f "$E/ejabberd.yml"
printf '%s\n' '%% ejabberd 2.x' '{hosts, ["example.org"]}.' \
	'{listen, [{5222, ejabberd_c2s, [{access, c2s}]}]}.' >"$E/ejabberd.cfg"
configure_biboumi irc.example.org s3cret

run_jd sync
check "sync exits 0" equals "$rc" 0
check "sync reports ejabberd" contains "$out" "ejabberd"
check "the component is added" contains "$out" "added"
check "a restart is asked for" contains "$out$err" "restart"
check "the listener is in ejabberd.cfg" grep -q '"irc.example.org"' "$E/ejabberd.cfg"
check "no ejabberd.yml made up" test ! -e "$E/ejabberd.yml"

run_jd sync
check "second sync: unchanged" contains "$out" "unchanged"

# with both present, ejabberd.yml is the one read and edited
printf 'hosts:\n  - example.org\n' >"$E/ejabberd.yml"
cp "$E/ejabberd.cfg" "$T/cfg"
adapter=$ROOT/usr/lib/jabber-dispatch/servers/ejabberd
"$adapter" --root="$ROOT" --list >"$T/o" 2>&1 || true
check "with ejabberd.yml present, ejabberd.cfg is not the one listed" lacks "$(cat "$T/o")" "irc.example.org"
finish
