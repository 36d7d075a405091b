#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Malformed and hostile inputs for the openfire adapter (tests/fixtures/openfire/bad-*, and states
# made here: a live HSQLDB lock, a running openfire, an unclean shutdown, symlinks, a huge file):
# each is refused with a clear message, by apply, --remove and --list alike, and nothing changes.
. "$(dirname "$0")/lib.sh" "$@"
[ "$(id -u)" = 0 ] || skip "needs root (file owners)"
mkdir -p "$ROOT"
. "$TESTS/lib/openfire-root.sh"
S=/var/lib/openfire/embedded-db/openfire.script

# refused LABEL EXIT MESSAGE: every operation refuses the root as it stands, and writes nothing
refused() {
	local label=$1 code=$2 msg=$3
	snapshot before
	of_apply irc.example.org 5275 'a-Secret'
	check "$label: apply exits $code" equals "$rc" "$code"
	check "$label: says why" contains "$err" "$msg"
	check "$label: one line on stderr" equals "$(wc -l <"$T/err")" 1
	check "$label: no result on stdout" equals "$out" ""
	of_apply irc.example.org 5275 'a-Secret' --dry-run
	check "$label: dry run refused too" equals "$rc" "$code"
	of_adapter --remove --host=irc.example.org
	check "$label: --remove refused too" equals "$rc" "$code"
	of_adapter --list
	check "$label: --list refused too" equals "$rc" "$code"
	snapshot after
	check "$label: nothing changed" same_snapshot before after
}

# The script fixtures: FILE EXIT WHERE REASON
while IFS='|' read -r file code where why; do
	rm -rf "$ROOT/etc" "$ROOT/var"
	openfire_root "$OF_FIX/$file"
	refused "$file" "$code" "openfire: $S$where$why"
done <<'EOF'
bad-unterminated-string.script|65|:65: |unterminated string
bad-backslash-quote.script|65|:65: |unterminated string
bad-nul-byte.script|65|:62: |a NUL byte
bad-column-count.script|65|:65: |a row of OFEXTCOMPONENTCONF with 3 values for its 4 columns
bad-crlf.script|65|:1: |a carriage return
bad-utf8-bytes.script|65|:65: |a byte above 0x7f
bad-unicode-escape.script|65|:65: |a \u escape with a character that is not a hex digit
bad-hsqldb18.script|65|:1: |not an HSQLDB 2.x script
bad-cached-table.script|65|:42: |table OFEXTCOMPONENTCONF is not a MEMORY table
bad-no-component-table.script|65|: |no table OFEXTCOMPONENTCONF: not an Openfire database
bad-column-order.script|65|:42: |OFEXTCOMPONENTCONF does not have the columns (SUBDOMAIN, WILDCARD, SECRET, PERMISSION)
bad-duplicate-row.script|65|:66: |a second row for subdomain "irc" (the first is on line 65)
bad-permission.script|65|:65: |permission is neither 'allowed' nor 'blocked'
bad-statement-among-rows.script|65|:60: |HSQLDB accepts nothing but INSERT and SET SCHEMA lines after the first row
bad-trailing-text.script|65|:65: |text after the closing parenthesis of the row
bad-gzip.script|65|:1: |a compressed script
bad-encrypted-domain.script|65|:62: |property xmpp.domain is encrypted
bad-no-domain.script|65|: |no property xmpp.domain
bad-empty-line.script|65|:64: |an empty line
bad-port-property.script|65|:63: |xmpp.component.socket.port is not a port number
bad-lone-surrogate.script|65|:65: |a lone UTF-16 surrogate in a row of OFEXTCOMPONENTCONF
bad-wildcard-value.script|65|:65: |wildcard is neither 0 nor 1
bad-unbalanced.script|65|:65: |the row is not closed by ')'
bad-duplicate-property.script|65|:63: |a second row for property xmpp.domain (the first is on line 62)
bad-subdomain-null.script|65|:65: |the subdomain is not a string
EOF

# States of the database's files.
fresh() { rm -rf "$ROOT/etc" "$ROOT/var"; openfire_root; }
fresh
of_heartbeat "$OF_DB/openfire.lck" "$(date +%s%3N)"
refused "live HSQLDB heartbeat" 75 "Openfire is running (/var/lib/openfire/embedded-db/openfire.lck has a live heartbeat)"
of_heartbeat "$OF_DB/openfire.lck" "$(($(date +%s%3N) - 60000))"
of_apply irc.example.org 5275 'a-Secret'
check "a stale heartbeat (a crash) is no lock: HSQLDB takes it over" equals "$out" "added restart"
fresh
cp "$OF_FIX/bad-lock.lck" "$OF_DB/openfire.lck"
refused "a lock file that is not HSQLDB's" 65 "openfire.lck: not an HSQLDB lock file (20 bytes)"
fresh
: >"$OF_DB/openfire.lck"
of_apply irc.example.org 5275 'a-Secret'
check "an empty lock file is no lock (HSQLDB deletes it)" equals "$rc" 0
fresh
# HSQLDB can be told to hold an fcntl lock on its lock file as well.
: >"$OF_DB/openfire.lck"
python3 -c 'import fcntl, sys, time; f = open(sys.argv[1], "r+"); fcntl.lockf(f, fcntl.LOCK_EX); print("locked", flush=True); time.sleep(60)' \
	"$OF_DB/openfire.lck" >"$T/locker" 2>&1 &
locker=$!
for _ in $(seq 50); do grep -q locked "$T/locker" && break; sleep 0.1; done
refused "an fcntl lock on openfire.lck" 75 "locks /var/lib/openfire/embedded-db/openfire.lck"
kill "$locker"
wait "$locker" 2>/dev/null || true
fresh
bash -c 'exec -a openfire-test-daemon sleep 60' &
daemon=$!
mkdir -p "$ROOT/run" && echo "$daemon" >"$ROOT/run/openfire.pid"
refused "a pid file naming a live openfire process" 75 "Openfire is running (pid $daemon, /run/openfire.pid)"
kill "$daemon"
wait "$daemon" 2>/dev/null || true
sleep 60 &
other=$!
echo "$other" >"$ROOT/run/openfire.pid"
of_apply irc.example.org 5275 'a-Secret'
check "a stale pid file (another program has the pid) is ignored" equals "$out" "added restart"
kill "$other"
wait "$other" 2>/dev/null || true
fresh
cp "$OF_FIX/modified-yes.properties" "$OF_DB/openfire.properties"
refused "an unclean shutdown (modified=yes)" 65 "openfire.properties: modified=yes: HSQLDB was not shut down cleanly"
fresh
cp "$OF_SCRIPT" "$OF_DB/openfire.script.new"
refused "a pending openfire.script.new" 65 "openfire.script.new exists: HSQLDB will install it over"
fresh
rm "$OF_DB/openfire.properties"
echo "INSERT INTO OFID VALUES(20,1)" >"$OF_DB/openfire.log"
refused "a log to replay and no properties" 65 "openfire.log: unreplayed changes"

# Paths.
fresh
mv "$OF_SCRIPT" "$OF_DB/real.script"
ln -s real.script "$OF_SCRIPT"
refused "a symlinked script" 65 "openfire.script: is a symlink; refusing to replace what it points to"
fresh
mv "$OF_DB" "$ROOT/var/lib/openfire/db"
ln -s db "$OF_DB"
refused "a symlinked embedded-db" 73 "embedded-db: is a symlink where a directory is expected"
fresh
rm "$OF_SCRIPT"
refused "no database yet" 66 "openfire.script: no such file: Openfire's embedded database is not created yet"
fresh
{ cat "$OF_FIX/valid-minimal.script"; head -c 17000000 /dev/zero | tr '\0' 'x'; } >"$OF_SCRIPT"
refused "a huge script" 65 "openfire.script: larger than 16777216 bytes"

# openfire.xml and our own record.
fresh
cp "$OF_FIX/bad-openfire.xml" "$OF_XML"
refused "malformed openfire.xml" 65 "openfire: /etc/openfire/openfire.xml:6: "
fresh
cp "$OF_FIX/bad-openfire-root.xml" "$OF_XML"
refused "openfire.xml without <jive>" 65 "/etc/openfire/openfire.xml:2: the document element is not <jive>"
fresh
sed -i 's/EmbeddedConnectionProvider/SomeOtherProvider/' "$OF_XML"
refused "an unknown connection provider" 65 "openfire.xml:10: connection provider \"org.jivesoftware.database.SomeOtherProvider\": only the embedded database is supported"
fresh
cp "$OF_FIX/bad-openfire-rows" "$OF_ROWS"
refused "a broken record" 65 "/var/lib/jabber-dispatch/openfire-rows:3: not a \"DATABASE SUBDOMAIN\" line"
of_adapter --config=/etc/openfire/openfire.conf --list
check "a --config that is neither: refused" contains "$err" "/etc/openfire/openfire.conf: no such file"
finish
