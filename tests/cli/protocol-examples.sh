#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The two example adapters of jabber-dispatch-adapter(7), taken from the page as a reader
# copies them, run under the real dispatcher on a sandbox root: every outcome of a pair.
. "$(dirname "$0")/lib.sh" "$@"
SRC=$(cd "$TESTS/.." && pwd)
page=$SRC/docs/jabber-dispatch-adapter.7
vendor=$ROOT/usr/lib/jabber-dispatch
conf=$ROOT/etc/jabber-foo/foo.conf
comp=$ROOT/etc/tinyxmppd/components.d
file=$comp/foo.example.org.conf

mkdir -p "$vendor/transports" "$vendor/servers" "$ROOT/etc/jabber-foo" "$comp"
python3 "$TESTS/lib/protocol-page.py" example jabber-foo "$page" >"$vendor/transports/jabber-foo"
python3 "$TESTS/lib/protocol-page.py" example tinyxmppd "$page" >"$vendor/servers/tinyxmppd"
chmod 0755 "$vendor/transports/jabber-foo" "$vendor/servers/tinyxmppd"
check "the examples are POSIX sh" sh -n "$vendor/transports/jabber-foo"
check "... both" sh -n "$vendor/servers/tinyxmppd"
row="jabber-foo       tinyxmppd    foo.example.org                  "

run_jd adapters
check "adapters: both usable, capabilities read" contains "$out" "[protocol=1 password-stdin remove dry-run]"

run_jd sync
check "transport not installed: no line, no error" equals "$rc:$out" "0:"

printf 'host=foo.example.org\nport=5347\nsecret=\n' >"$conf"
run_jd sync
check "unconfigured transport: exit 0" equals "$rc" 0
check "... reported unconfigured" contains "$out" "jabber-foo       tinyxmppd    -                                unconfigured"

secret='a "secret" with $pace, \ and #'
printf 'host=foo.example.org\nport=5347\nsecret=%s\n' "$secret" >"$conf"
run_jd sync
check "first sync: added" equals "$rc:$out" "0:${row}added"
check "the component file holds host, port and secret verbatim" \
	grep -qxF "component foo.example.org 5347 $secret" "$file"
check "... mode 0600" equals "$(stat -c %a "$file")" 600
check "the audit log has it, without the secret" grep -q 'server=tinyxmppd host=foo.example.org port=5347 result=added' \
	"$ROOT/var/log/jabber-dispatch/jabber-dispatch.log"
check "... never the secret" bash -c "! grep -rqF 'with \$pace' '$ROOT/var'"

before=$(stat -c '%i %Y.%y' "$file")
run_jd sync
check "second sync: unchanged" equals "$rc:$out" "0:${row}unchanged"
check "... nothing rewritten" equals "$(stat -c '%i %Y.%y' "$file")" "$before"

sed -i 's/^secret=.*/secret=another one/' "$conf"
run_jd sync --dry-run
check "dry run of a new secret: updated" equals "$rc:$out" "0:${row}updated"
check "... nothing written" equals "$(stat -c '%i %Y.%y' "$file")" "$before"
run_jd list
check "list: stale" equals "$rc:$out" "0:${row}stale"
run_jd sync
check "sync: updated" equals "$rc:$out" "0:${row}updated"
check "... the new secret" grep -qxF "component foo.example.org 5347 another one" "$file"

sed -i 's/^component /# component /' "$file"
cp "$file" "$T/excluded"
run_jd sync
check "the admin commented it out: excluded" equals "$rc:$out" "0:${row}excluded"
check "... and it stays out, byte for byte" cmp "$file" "$T/excluded"

printf 'component foo.example.org 5347 mine\n' >"$file"
run_jd sync
check "declared by the admin: manual" equals "$rc:$out" "0:${row}manual"
check "... left alone" grep -qx 'component foo.example.org 5347 mine' "$file"

rm "$file"
run_jd sync
check "added again once the admin's file is gone" equals "$rc:$out" "0:${row}added"
rm "$conf"
run_jd list
check "list: the transport's package gone, its component orphan" equals "$rc:$out" "0:${row}orphan"
run_jd sync
check "sync: its component removed" equals "$rc:$out" "0:${row}removed"
check "... the file is gone" test ! -e "$file"
run_jd sync
check "then nothing is left to say" equals "$rc:$out" "0:"

printf 'host=foo.example.org\nport=5347\nsecret=s\n' >"$conf"
rmdir "$comp"
run_jd sync
check "server not installed: no line, no error" equals "$rc:$out" "0:"
finish
