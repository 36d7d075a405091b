#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Keep, in a sandbox root where the project was installed, only the server
# adapters of the servers named: on a real system each server adapter comes
# with its server's package, so a sandbox made from some packages has only
# theirs (a server adapter whose server is absent has no config to edit).
#
# usage: keep-server-adapters.sh ROOT NAME...
set -euo pipefail
root=${1:?usage: keep-server-adapters.sh ROOT NAME...}
shift
for a in "$root"/usr/lib/jabber-dispatch/servers/*; do
	[ -e "$a" ] || continue
	case " $* " in
	*" ${a##*/} "*) ;;
	*) rm -f -- "$a" ;;
	esac
done
