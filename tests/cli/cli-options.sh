#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The command line: every spelling getopt_long users expect, per-command help, -V, and one-line
# usage errors with exit 64.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody biboumi
configure_biboumi irc.example.org 'Opt-s3cret'

# jd ARGS...: like run_jd, without the --root prepended
jd() { capture "$JD" "$@"; }
lines() { printf '%s\n' "$1" | grep -c .; }

# The value after a space or after '=', global options before or after the command.
for spelling in "--root=$ROOT list" "--root $ROOT list" "list --root $ROOT" "list --root=$ROOT" \
	"list --root $ROOT --transport biboumi" "list --transport=biboumi --root=$ROOT" \
	"--root $ROOT list -t biboumi -s prosody" "list --server prosody --root $ROOT --json"; do
	# shellcheck disable=SC2086 # the spelling is split on purpose
	jd $spelling
	check "'$spelling': exit 0" equals "$rc" 0
	check "'$spelling': the pair" contains "$out" "irc.example.org"
done
jd --root "$ROOT" sync --dry-run
check "sync --dry-run (after the command): diff shown" contains "$out" "+++ "
check "sync --dry-run: nothing written" test ! -e "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
jd -n --root "$ROOT" sync
check "-n before the command: a dry run" contains "$out" "+++ "
check "-n: nothing written" test ! -e "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
jd sync --timeout 5 --lock-timeout=5 --root "$ROOT" --no-reload
check "sync with options after the command: added" contains "$out" "added"
check "sync: drop-in written" test -e "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
jd --root="$ROOT" -- list
check "'--' before the command" equals "$rc" 0

# Help: per command, generated from the table, on stdout, exit 0.
for c in adapters list sync transport-init; do
	jd "$c" -h
	check "$c -h: exit 0" equals "$rc" 0
	check "$c -h: its own usage" contains "$out" "usage: jabber-dispatch $c"
	jd --help "$c"
	check "--help $c: its own usage" contains "$out" "usage: jabber-dispatch $c"
	jd help "$c"
	check "help $c: its own usage" contains "$out" "usage: jabber-dispatch $c"
done
jd sync --help
check "sync --help lists --transport" contains "$out" "--transport=NAME"
check "sync --help lists the global --root" contains "$out" "--root=DIR"
jd --help
check "--help lists every command" contains "$out" "transport-init"
jd -V
check "-V: exit 0" equals "$rc" 0
check "-V: the version" contains "$out" "jabber-dispatch "
jd --version
check "--version" contains "$out" "adapter protocol"

# Usage errors: one line on stderr, exit 64, nothing on stdout.
usage_error() { # WHAT NEEDLE ARGS...
	local what=$1 needle=$2
	shift 2
	jd "$@"
	check "$what: exit 64" equals "$rc" 64
	check "$what: one line" equals "$(lines "$err")" 1
	check "$what: says so" contains "$err" "$needle"
	check "$what: nothing on stdout" equals "$out" ""
}
usage_error "misspelt command" 'did you mean "sync"' --root "$ROOT" snyc
usage_error "misspelt command (transposed)" 'did you mean "list"' lsit
usage_error "unknown command" 'unknown command "frobnicate"' frobnicate
usage_error "no command" "no command" --root "$ROOT"
usage_error "unknown option" "unknown option --frob" --root "$ROOT" sync --frob
usage_error "misspelt option" "did you mean --transport" --root "$ROOT" sync --transprot=biboumi
usage_error "ambiguous beginning" "option --r is ambiguous (--root, --reload)" sync --r
jd --root "$ROOT" list --tr biboumi
check "an unambiguous beginning of an option (getopt_long)" contains "$out" "irc.example.org"
usage_error "missing value" "--transport needs a value" --root "$ROOT" list --transport
usage_error "value to a flag" "--json takes no value" --root "$ROOT" --json=yes list
usage_error "option of another command" "unknown option --reload" --root "$ROOT" list --reload
usage_error "stray argument" 'unexpected argument "extra"' --root "$ROOT" list extra
usage_error "bad timeout" "--timeout=0" --root "$ROOT" --timeout 0 list
usage_error "unknown short option" "unknown option -Z" --root "$ROOT" list -Z
usage_error "unknown transport" 'transport "nope"' --root "$ROOT" list --transport nope
finish
