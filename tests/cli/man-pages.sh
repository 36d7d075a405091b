#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Both man pages render without a single warning, through man(1) as a reader sees them and
# through groff -ww; and the install puts them, and the protocol's header, where they are looked for.
. "$(dirname "$0")/lib.sh" "$@"
SRC=$(cd "$TESTS/.." && pwd)
command -v groff >/dev/null && command -v man >/dev/null || skip "no groff or man (tests/setup-deps.sh installs them)"

for page in "$SRC/docs/jabber-dispatch.1" "$SRC/docs/jabber-dispatch-adapter.7"; do
	name=${page##*/}
	LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -l "$page" >"$T/out" 2>"$T/err" || true
	check "$name: man --warnings -l says nothing" equals "$(cat "$T/err")" ""
	check "$name: rendered" grep -q "^NAME" "$T/out"
	groff -ww -man -z "$page" >"$T/err" 2>&1 || true
	check "$name: groff -ww -man -z says nothing" equals "$(cat "$T/err")" ""
	# the protocol page's examples are copied from the terminal: they must fit in it
	# and a flag or a word split by hyphenation could neither be copied nor searched for
	if [ "$name" = jabber-dispatch-adapter.7 ]; then
		check "$name: no line over 80 columns" bash -c "! grep -q '.\{81\}' '$T/out'"
		check "$name: no word hyphenated at a line end" bash -c "! grep -q \$'\u2010\$' '$T/out'"
	fi
done

DESTDIR=$T/inst cmake --install "$BUILD" --prefix /usr >/dev/null
check "jabber-dispatch.1 installed" test -f "$T/inst/usr/share/man/man1/jabber-dispatch.1"
check "jabber-dispatch-adapter.7 installed" test -f "$T/inst/usr/share/man/man7/jabber-dispatch-adapter.7"
check "adapter.h installed" test -f "$T/inst/usr/include/jabber-dispatch/adapter.h"
finish
