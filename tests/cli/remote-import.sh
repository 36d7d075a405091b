#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A transport on another machine: export on the transport's root, import on the server's,
# sync wires it like a local one; a changed secret is re-imported; forget unwires it.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody
TROOT=$T/transport-host
mkdir -p "$TROOT"
"$TESTS/lib/stock-root.sh" "$TROOT" biboumi || skip "cannot build a sandbox from the Debian package biboumi"
DESTDIR=$TROOT cmake --install "$BUILD" --prefix /usr >/dev/null
ROOT_SERVER=$ROOT
ROOT=$TROOT configure_biboumi irc.example.org 'first secret'
entry=$ROOT/etc/jabber-dispatch/transports/irc.example.org
dropin=$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua
cd "$T"

# on the transport's machine
export_jd() { ROOT=$TROOT run_jd export biboumi "$@"; }
export_jd --server-address 10.231.0.1
check "export to stdout: exit 0" equals "$rc" 0
check "export: first line says it holds a secret" contains "$(head -n 1 <<<"$out")" "this file holds a secret"
check "export: format 1" equals "$(sed -n 2p <<<"$out")" "format=1"
check "export: the server address" contains "$out" "server-address=10.231.0.1"
check "export: ends with its checksum" contains "$(tail -n 1 <<<"$out")" "checksum=sha256:"
export_jd --server-address 10.231.0.1 -o biboumi.link --json
check "export -o: changed" contains "$out" '"changed":true'
check "export --json: its shape" python3 "$TESTS/lib/json-schema.py" export "$T/out"
check "export -o: mode 0600" equals "$(stat -c %a biboumi.link)" 600
check "export -o: no secret on the terminal" lacks "$out$err" "first secret"
export_jd --server-address 10.231.0.1 -o biboumi.link --json
check "export again: unchanged" contains "$out" '"changed":false'
export_jd --server-address 'not an address'
check "export: a bad address is a usage error" equals "$rc" 64
ROOT=$TROOT run_jd export no-such-transport
check "export: an unknown transport" equals "$rc:$err" "64:jabber-dispatch: export: transport \"no-such-transport\": no such adapter (see \`jabber-dispatch adapters\`)"
export_jd --json
check "export: --json needs -o" equals "$rc" 64
chmod 644 biboumi.link
export_jd --server-address 10.231.0.1 -o biboumi.link
check "export: a file open to others is not written into" equals "$rc" 73
chmod 600 biboumi.link

# on the server's machine
run_jd import biboumi.link
check "import: exit 0" equals "$rc" 0
check "import: added" contains "$out" "irc.example.org: added (/etc/jabber-dispatch/transports/irc.example.org)"
check "import: an admin transport entry, 0700 root" equals "$(stat -c '%a %U' "$entry")" "700 root"
check "import: its interpreter" equals "$(head -n 1 "$entry")" "#!/usr/lib/jabber-dispatch/imported"
run_jd adapters
check "adapters: the entry is usable" contains "$out" "irc.example.org       ok"
run_jd sync
check "sync wires it" contains "$out" "irc.example.org  prosody      irc.example.org                  added"
check "the drop-in holds its secret" grep -q '"first secret"' "$dropin"
run_jd import biboumi.link --json
check "import again: unchanged" contains "$out" '"result":"unchanged","changed":false'
check "import --json: its shape" python3 "$TESTS/lib/json-schema.py" import "$T/out"
run_jd import - <biboumi.link
check "import from standard input" equals "$rc:$out" "0:irc.example.org: unchanged (/etc/jabber-dispatch/transports/irc.example.org)"

# the secret changes on the transport's machine
ROOT=$TROOT configure_biboumi irc.example.org 'second secret'
export_jd --server-address 10.231.0.1 -o biboumi.link
snapshot a
run_jd import biboumi.link --dry-run --json
snapshot b
check "dry run: would update" contains "$out" '"result":"updated","changed":true,"dry_run":true'
check "dry run: the diff hides both secrets" contains "$out" '-secret=<old secret>\u000a-checksum=<old>\u000a+secret=<secret>\u000a+checksum=<new>'
check "dry run: no secret shown" lacks "$out" "secret\""
check "dry run: nothing written" same_snapshot a b
run_jd import biboumi.link
check "import: updated" contains "$out" "irc.example.org: updated"
run_jd sync
check "sync: the new secret" grep -q '"second secret"' "$dropin"
check "the audit log holds no secret" bash -c "! grep -q 'second secret' '$ROOT/var/log/jabber-dispatch/jabber-dispatch.log'"

# forget
run_jd forget irc.example.org --json
check "forget: removed" contains "$out" '"result":"removed","changed":true'
check "forget --json: its shape" python3 "$TESTS/lib/json-schema.py" forget "$T/out"
check "forget: the entry is gone" test ! -e "$entry"
run_jd sync
check "sync after forget: component removed" contains "$out" "irc.example.org                  removed"
check "sync after forget: drop-in gone" test ! -e "$dropin"
run_jd forget irc.example.org
check "forget again: nothing to forget, exit 0" equals "$rc:$out" "0:irc.example.org: no imported transport of that name: nothing to forget"
mkdir -p "$ROOT/etc/jabber-dispatch/transports"
printf '#!/bin/sh\necho irc.example.com; echo 5347; echo x\n' >"$ROOT/etc/jabber-dispatch/transports/irc.example.com"
chmod 755 "$ROOT/etc/jabber-dispatch/transports/irc.example.com"
run_jd forget irc.example.com
check "forget: the admin's own adapter is left alone" equals "$rc" 73
check "forget: it says why" contains "$err" "an admin adapter that \`jabber-dispatch import\` did not install: left alone"
finish
