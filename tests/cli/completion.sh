#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion: commands and options from the program's help, adapter names from
# `adapters` (under the --root given on the line), registry packages for transport-init.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody biboumi
mkdir -p "$T/bin"
ln -s "$JD" "$T/bin/jabber-dispatch"
PATH=$T/bin:$PATH
# shellcheck source=/dev/null
. "$TESTS/../share/bash-completion/jabber-dispatch"
compopt() { :; } # only inside a real completion

# complete WORDS...: the candidates for the last word of the line
complete_line() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_jabber_dispatch
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}

check "commands" equals "$(complete_line jabber-dispatch '')" "adapters check export forget help import layout list sync transport-init version "
check "a command's beginning" equals "$(complete_line jabber-dispatch --root "$ROOT" s)" "sync "
for o in --transport --server --reload --no-reload --dry-run --quiet; do
	check "sync's options: $o" grep -qw -- "$o" <<<"$(complete_line jabber-dispatch sync --)"
done
check "sync's options: each once" equals "$(complete_line jabber-dispatch sync --root | wc -w)" 1
check "global options after the command" contains "$(complete_line jabber-dispatch sync --)" "--root"
check "global options before the command" contains "$(complete_line jabber-dispatch --)" "--dry-run"
check "transport-init's options" contains "$(complete_line jabber-dispatch transport-init --t)" "--template"
check "transport names" contains "$(complete_line jabber-dispatch --root "$ROOT" sync --transport '')" "biboumi"
check "transport names: no server" lacks "$(complete_line jabber-dispatch --root "$ROOT" sync --transport '')" "prosody"
check "server names" equals "$(complete_line jabber-dispatch --root="$ROOT" list -s pro)" "prosody "
check "server names after '='" equals "$(complete_line jabber-dispatch --root="$ROOT" list --server = pro)" "prosody "
check "registry packages" contains "$(complete_line jabber-dispatch --root "$ROOT" transport-init jabber-m)" "jabber-muc"
check "export: transport names" contains "$(complete_line jabber-dispatch --root "$ROOT" export bib)" "biboumi"
check "export's options" contains "$(complete_line jabber-dispatch export --se)" "--server-address"
mkdir -p "$ROOT/etc/jabber-dispatch/transports"
printf '#!/usr/lib/jabber-dispatch/imported\n' >"$ROOT/etc/jabber-dispatch/transports/irc.example.net"
chmod 700 "$ROOT/etc/jabber-dispatch/transports/irc.example.net"
check "forget: imported names only" equals "$(complete_line jabber-dispatch --root "$ROOT" forget '')" "irc.example.net "
check "the file is installed" test -f "$ROOT/usr/share/bash-completion/completions/jabber-dispatch"
finish
