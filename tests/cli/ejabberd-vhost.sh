#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A transport claiming one of ejabberd's own virtual hosts (stock: localhost) is refused with the
# reason, in ejabberd.yml and in a 2.x ejabberd.cfg, and nothing is written.
. "$(dirname "$0")/lib.sh" "$@"
make_root ejabberd biboumi
E=$ROOT/etc/ejabberd

# refused NAME HOST MESSAGE
refused() {
	configure_biboumi "$2" s3cret
	snapshot a
	run_jd sync
	snapshot b
	check "$1: sync fails (65)" equals "$rc" 65
	check "$1: says why" contains "$err" "$3"
	check "$1: nothing written" same_snapshot a b
}

refused "ejabberd.yml, localhost" localhost \
	"/etc/ejabberd/ejabberd.yml:33: \\\"localhost\\\" is one of ejabberd's own virtual hosts (hosts:), not a name a component can take"
refused "ejabberd.yml, another case" LocalHost "is one of ejabberd's own virtual hosts (hosts:)"

configure_biboumi irc.localhost s3cret
run_jd sync
check "a subdomain of a virtual host is fine" contains "$out" "added"

rm -f "$E/ejabberd.yml"
printf '%s\n' '{hosts, ["localhost", "example.org"]}.' '{listen, [{5222, ejabberd_c2s, []}]}.' >"$E/ejabberd.cfg"
refused "ejabberd.cfg" example.org \
	"/etc/ejabberd/ejabberd.cfg:1: \\\"example.org\\\" is one of ejabberd's own virtual hosts (hosts), not a name a component can take"
finish
