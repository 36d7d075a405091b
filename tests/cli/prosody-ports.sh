#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Prosody adapter has no limit on component ports: 100 transports on 100 ports are all
# added, component_ports lists every one, and the file it wrote is accepted on the next call.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody
adapter=$ROOT/usr/lib/jabber-dispatch/servers/prosody
main=$ROOT/etc/prosody/prosody.cfg.lua

results=""
for i in $(seq 100); do
	r=$(printf 'secret-%d\n' "$i" | "$adapter" --root="$ROOT" --host="t$i.example.org" --port=$((6000 + i)) --password-stdin 2>&1 || true)
	results+="${r%% *}"$'\n'
done
check "100 components on 100 ports: all added" equals "$(grep -c '^added$' <<<"$results")" 100
ports=$(grep '^component_ports' "$main" | sed 's/}.*//' | grep -o '[0-9]\+' | sort -n | tr '\n' ' ')
check "component_ports lists the default and the 100 ports" equals "$ports" "5347 $(seq -s ' ' 6001 6100) "
r=$(printf 'secret-100\n' | "$adapter" --root="$ROOT" --host=t100.example.org --port=6100 --password-stdin 2>&1 || true)
check "the file we wrote is read back" equals "$r" "unchanged"
r=$(printf 'secret-101\n' | "$adapter" --root="$ROOT" --host=t101.example.org --port=6101 --password-stdin 2>&1 || true)
check "and grows further" equals "${r%% *}" "added"
finish
