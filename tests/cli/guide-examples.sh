#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The fuller server adapter of docs/guide-writing-adapters.md, with the transport adapter
# of jabber-dispatch-adapter(7), under the real dispatcher: its dry-run diff hides the
# secret, and it keeps what the admin commented out.
. "$(dirname "$0")/lib.sh" "$@"
SRC=$(cd "$TESTS/.." && pwd)
vendor=$ROOT/usr/lib/jabber-dispatch
conf=$ROOT/etc/jabber-foo/foo.conf
file=$ROOT/etc/tinyxmppd/components.d/foo.example.org.conf
command -v diff >/dev/null || skip "no diff"

mkdir -p "$vendor/transports" "$vendor/servers" "$ROOT/etc/jabber-foo" "$ROOT/etc/tinyxmppd"
: >"$ROOT/etc/tinyxmppd/tinyxmppd.conf"
python3 "$TESTS/lib/protocol-page.py" example jabber-foo "$SRC/docs/jabber-dispatch-adapter.7" >"$vendor/transports/jabber-foo"
# the one sh block of the guide that is a server adapter
awk '/^```sh$/ { inside = 1; text = ""; next } /^```$/ { if (inside && text ~ /^#!\/bin\/sh\n[^\n]*servers\/tinyxmppd/) printf "%s", text; inside = 0; next }
	inside { text = text $0 "\n" }' "$SRC/docs/guide-writing-adapters.md" >"$vendor/servers/tinyxmppd"
chmod 0755 "$vendor/transports/jabber-foo" "$vendor/servers/tinyxmppd"
check "the guide's server adapter was found" grep -q 'password-stdin dry-run reload' "$vendor/servers/tinyxmppd"
row="jabber-foo       tinyxmppd    foo.example.org                  "

printf 'host=foo.example.org\nport=5347\nsecret=first secret\n' >"$conf"
run_jd sync --dry-run
check "dry run: added" contains "$out" "${row}added"
check "... with a diff" contains "$out" "+++ b/etc/tinyxmppd/components.d/foo.example.org.conf"
check "... the secret hidden" contains "$out" "+secret = <secret>"
check "... never shown" lacks "$out" "first secret"
check "... nothing written" test ! -e "$file"
run_jd sync
check "sync: added" equals "$rc:$out" "0:${row}added"
check "... the secret in the file" grep -qx 'secret = first secret' "$file"
run_jd sync
check "again: unchanged" equals "$rc:$out" "0:${row}unchanged"
sed -i 's/^secret=.*/secret=second/' "$conf"
run_jd sync --dry-run
check "a new secret: the diff shows placeholders only" contains "$out" $'-secret = <old secret>\n+secret = <secret>'
check "... not the old secret" lacks "$out" "first secret"
check "... nor the new one" lacks "$out" "= second"
run_jd sync
check "sync: updated" equals "$rc:$out" "0:${row}updated"
sed -i 's/^component = /# component = /' "$file"
cp "$file" "$T/excluded"
run_jd sync
check "commented out by the admin: excluded" equals "$rc:$out" "0:${row}excluded"
check "... kept byte for byte" cmp "$file" "$T/excluded"
finish
