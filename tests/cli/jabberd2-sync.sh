#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# jabberd2 on its stock Debian router.xml: the first sync replaces the stock secret and binds
# loopback, biboumi adopts the router's port and secret, the component is recorded; then
# re-run, exclusion, aliases, removal, a new secret from the admin, and the refusals.
. "$(dirname "$0")/lib.sh" "$@"
make_root jabberd2 biboumi
configure_biboumi irc.example.org 'own-secret' 5348
RX=$ROOT/etc/jabberd2/router.xml
AD=$ROOT/usr/lib/jabber-dispatch/servers/jabberd2
cp "$RX" "$T/stock.xml"
owner=$(stat -c '%U:%G %a' "$RX")


# --- dry run: says what it would do, writes nothing, shows no secret
snapshot a
run_jd sync --dry-run
snapshot b
check "dry run: exit 0" equals "$rc" 0
check "dry run: would replace the stock secret" contains "$err" "server jabberd2: would replace its shared component secret"
check "dry run: biboumi would adopt port and secret" contains "$err" "transport biboumi: would adopt the port and secret of server jabberd2"
check "dry run: would add, restart needed" contains "$out" "biboumi          jabberd2     irc.example.org                  added (restart needed)"
check "dry run: diff binds loopback" contains "$out" "+    <ip>127.0.0.1</ip>"
check "dry run: diff hides the new secret" contains "$out" "+    <secret><secret></secret>"
check "dry run: diff records the component" contains "$out" '+  <jabber-dispatch-component host="irc.example.org"/>'
check "dry run: nothing written" same_snapshot a b

# --- first sync
run_jd sync
check "sync: exit 0" equals "$rc" 0
check "sync: added" contains "$out" "biboumi          jabberd2     irc.example.org                  added"
check "sync: says the secret was replaced" contains "$err" "server jabberd2: replaced its shared component secret (stock or missing)"
check "sync: biboumi adopted, restart it" contains "$err" "transport biboumi: adopted the port and secret of server jabberd2; restart it"
check "sync: restart jabberd2" contains "$err" "server jabberd2: restart it for the change to take effect"
secret=$(xml_value "$RX" local/secret)
check "generated secret: base64url, 192 bits" grep -qxE '[A-Za-z0-9_-]{32}' <<<"$secret"
check "biboumi holds the router's secret" grep -qxF "password=$secret" "$ROOT/etc/biboumi/biboumi.cfg"
check "biboumi holds the router's port" grep -qx 'port=5347' "$ROOT/etc/biboumi/biboumi.cfg"
check "router binds loopback" equals "$(xml_value "$RX" local/ip)" 127.0.0.1
# router.xml now holds a secret of ours: no longer readable by others, the router's group reads it
check "stock mode was 644 root:root" equals "$owner" "root:root 644"
check "owner kept, others cut off, the router's group reads it" equals "$(stat -c '%U:%G %a' "$RX")" "root:jabber 640"
check "sync: says router.xml was made unreadable by others" contains "$err" "/etc/jabberd2/router.xml: holds a secret: made unreadable by others (mode 0644 group root -> mode 0640 group jabber)"
check "only the ip, secret and record lines changed" equals "$(changed_lines "$T/stock.xml" "$RX" | sed '/^+/s/<secret>.*</<secret>S</')" \
	"$(printf '%s\n' '-    <ip>0.0.0.0</ip>' '+    <ip>127.0.0.1</ip>' '-    <secret>secret</secret>' '+    <secret>S</secret>' '+  <jabber-dispatch-component host="irc.example.org"/>')"
check "no secret in the audit log" lacks "$(cat "$ROOT/var/log/jabber-dispatch/jabber-dispatch.log")" "$secret"
run_ad --list
check "--list: managed" equals "$out" "managed irc.example.org"

# --- re-run: nothing to do, nothing rewritten
snapshot a
ino=$(stat -c %i "$RX")
run_jd sync
snapshot b
check "re-run: unchanged" contains "$out" "jabberd2     irc.example.org                  unchanged"
check "re-run: nothing adopted" lacks "$err" "adopt"
check "re-run: file not rewritten" same_snapshot a b
check "re-run: same inode" equals "$(stat -c %i "$RX")" "$ino"

# --- the adapter alone: the transport must use the router's port and secret
run_ad --host=irc.example.org --port=5349 --password-stdin <<<"$secret"
check "other port: exit 65" equals "$rc" 65
check "other port: says why" contains "$err" "the router takes every component on its one port 5347 (/etc/jabberd2/router.xml), not 5349"
run_ad --host=irc.example.org --port=5347 --password-stdin <<<'another-secret'
check "other secret: exit 65" equals "$rc" 65
check "other secret: says why" contains "$err" "the router takes one secret for every component (/etc/jabberd2/router.xml:"
check "other secret: not echoed" lacks "$err" "another-secret"

# --- the admin comments the record out: excluded, kept, never re-added
cp "$RX" "$T/managed.xml"
sed -i 's|^  <jabber-dispatch-component host="irc.example.org"/>$|  <!-- <jabber-dispatch-component host="irc.example.org"/> -->|' "$RX"
cp "$RX" "$T/excluded.xml"
run_jd sync
check "excluded: reported" contains "$out" "jabberd2     irc.example.org                  excluded"
check "excluded: file untouched" cmp -s "$RX" "$T/excluded.xml"
run_ad --list
check "excluded: --list" equals "$out" "excluded irc.example.org"
run_ad --host=irc.example.org --port=5347 --password-stdin <<<"$secret"
check "excluded: suggests an alias" contains "$err" '<alias name="irc.example.org" target="..."/> in <aliases> blocks it'
run_ad --remove --host=irc.example.org
check "excluded: --remove keeps it" equals "$out" "excluded"
check "excluded: --remove wrote nothing" cmp -s "$RX" "$T/excluded.xml"

# --- an alias of the admin's owns the name: manual
cp "$T/managed.xml" "$RX"
sed -i "s|^  <aliases>\$|  <aliases>\n    <alias name='irc.example.org' target='ircd-linker'/>|" "$RX"
run_jd sync
check "alias: manual" contains "$out" "jabberd2     irc.example.org                  manual"
run_ad --remove --host=irc.example.org
check "alias: --remove leaves it" equals "$out" "manual"
run_ad --list
check "alias: --list" equals "$out" "manual irc.example.org"

# --- removal takes only our record line away, and only ours
cp "$T/managed.xml" "$RX"
run_ad --remove --host=irc.example.org --dry-run
check "remove --dry-run: would remove" equals "$(head -n1 <<<"$out")" "removed"
check "remove --dry-run: diff of one line" equals "$(grep -c '^[-+] ' <<<"$out")" 1
run_ad --remove --host=irc.example.org
check "remove: removed" equals "$out" "removed"
check "remove: only the record line went" equals "$(changed_lines "$T/managed.xml" "$RX")" '-  <jabber-dispatch-component host="irc.example.org"/>'
check "remove: the secret stays" equals "$(xml_value "$RX" local/secret)" "$secret"
run_ad --remove --host=irc.example.org
check "remove again: absent" equals "$out" "absent"
run_ad --remove --host=handwritten.example.org
check "remove of what is not ours: absent" equals "$out" "absent"

# --- diffs never show the router's secret, even where it is a line of context
cp "$T/managed.xml" "$RX"
# the secret as the last line of <local>, three lines above the record: inside every diff's context
python3 -c 'import sys; p = sys.argv[1]; t = open(p).read(); a = t.index("</secret>") + 9; b = t.index("\n  </local>"); open(p, "w").write(t[:a] + t[b:])' "$RX"
run_ad --remove --host=irc.example.org --dry-run
check "remove --dry-run next to <secret>: the secret line is context" contains "$out" " <secret><hidden></secret>"
check "remove --dry-run next to <secret>: the secret is not shown" lacks "$out" "$secret"
run_ad --host=irc2.example.org --port=5347 --password-stdin --dry-run <<<"$secret"
check "apply --dry-run next to <secret>: added" equals "$(head -n1 <<<"$out")" "added"
check "apply --dry-run next to <secret>: the secret is not shown" lacks "$out" "$secret"

# --- the admin sets a new secret by hand (every character that needs care): biboumi follows
cp "$T/managed.xml" "$RX"
hostile='n3w"<&]]>#%'"'"'$é€ ok'
python3 - "$RX" "$hostile" <<'EOF'
import sys
from xml.sax.saxutils import escape
path, new = sys.argv[1], sys.argv[2]
s = open(path, encoding="utf-8").read()
start = s.index("<secret>") + 8
end = s.index("</secret>", start)
open(path, "w", encoding="utf-8").write(s[:start] + escape(new) + s[end:])
EOF
cp "$RX" "$T/newsecret.xml"
run_jd sync
check "new secret: exit 0" equals "$rc" 0
check "new secret: biboumi adopted it" contains "$err" "transport biboumi: adopted the secret of server jabberd2"
check "new secret: biboumi holds it byte for byte" grep -qxF "password=$hostile" "$ROOT/etc/biboumi/biboumi.cfg"
check "new secret: the pair is unchanged" contains "$out" "jabberd2     irc.example.org                  unchanged"
check "new secret: router.xml untouched" cmp -s "$RX" "$T/newsecret.xml"
check "new secret: not in the output" lacks "$out$err" "n3w"

# --- seed protocol on a stock router.xml: the first transport's secret becomes the router's, escaped
cp "$T/stock.xml" "$RX"
run_ad --host=irc.example.org --port=5347 --password-stdin <<<"$hostile"
check "seed: added restart" equals "$out" "added restart"
check "seed: the secret reads back exactly" equals "$(xml_value "$RX" local/secret)" "$hostile"
check "seed: escaped in the file" grep -qF '<secret>n3w"&lt;&amp;]]&gt;#%'"'"'$é€ ok</secret>' "$RX"
run_ad --host=gw.example.org --port=5347 --password-stdin <<<'second-transport'
check "seed: a second secret is refused" equals "$rc" 65
run_ad --host=gw.example.org --port=5347 --password-stdin <<<'a${id}b'
check "seed: \${ refused (jabberd2 would expand it)" contains "$err" 'the secret holds "${", which jabberd2 would expand'
cp "$T/stock.xml" "$RX"
run_ad --host=irc.example.org --port=5347 --password-stdin <<<'secret'
check "seed: the stock secret itself is refused" contains "$err" "the transport's secret is jabberd2's stock one"

# --- the stock secret in a router.xml the admin edited: remote transports may use it, so it stays
# dpkg_records MD5: the conffile checksum dpkg keeps for router.xml inside the root
dpkg_records() {
	mkdir -p "$ROOT/var/lib/dpkg"
	printf '%s\n' 'Package: jabberd2' 'Status: install ok installed' 'Version: 2.7.0-4' 'Conffiles:' \
		" /etc/jabberd2/c2s.xml 68ce83cb0bdf7c3a3642b3687eb8da62" " /etc/jabberd2/router.xml $1" \
		" /etc/jabberd2/s2s.xml e41f5fc06d7a008bdbaeba6ae82358b8" 'Description: Jabber instant messenger server' '' \
		>"$ROOT/var/lib/dpkg/status"
}
cp "$T/stock.xml" "$RX"
sed -i 's|^    <port>5347</port>$|    <port>5347</port>\n    <!-- remote transports: see the wiki -->|' "$RX"
cp "$RX" "$T/edited.xml"
snapshot a
run_jd sync
snapshot b
check "edited, stock secret: sync fails" equals "$rc" 65
check "edited, stock secret: says why" contains "$err" "router.xml:49: the stock component secret, in a router.xml edited since it was installed: left alone"
check "edited, stock secret: says how to opt in" contains "$err" "put <!-- jabber-dispatch: harden --> in <local> to have it replaced and 127.0.0.1 bound\""
check "edited, stock secret: nothing written" same_snapshot a b
dpkg_records 28ece954bbd37c4bdaf128114d9f66bc
run_ad --shared
check "edited, dpkg has the stock checksum: refused" equals "$rc" 65
check "edited, dpkg has the stock checksum: file untouched" cmp "$RX" "$T/edited.xml"
dpkg_records "$(md5sum <"$RX" | cut -d' ' -f1)"
run_ad --shared
check "edited, but as dpkg recorded it: hardened" equals "$(head -n1 <<<"$out")" "updated restart"
check "edited, but as dpkg recorded it: loopback" equals "$(xml_value "$RX" local/ip)" 127.0.0.1
rm "$ROOT/var/lib/dpkg/status"
cp "$T/edited.xml" "$RX"
sed -i 's|^    <ip>0.0.0.0</ip>$|    <!-- jabber-dispatch: harden -->\n    <ip>0.0.0.0</ip>|' "$RX"
run_ad --shared
check "edited, the admin opted in: hardened" equals "$(head -n1 <<<"$out")" "updated restart"
check "edited, the admin opted in: loopback" equals "$(xml_value "$RX" local/ip)" 127.0.0.1
check "edited, the admin opted in: a new secret" lacks "$(xml_value "$RX" local/secret)" "secret"

# --- keep-ip: the admin wants the router reachable from other hosts
cp "$T/stock.xml" "$RX"
sed -i 's|^    <ip>0.0.0.0</ip>$|    <!-- jabber-dispatch: keep-ip -->\n    <ip>0.0.0.0</ip>|' "$RX"
run_ad --shared
check "keep-ip: secret replaced" equals "$(head -n1 <<<"$out")" "updated restart"
check "keep-ip: still 0.0.0.0" equals "$(xml_value "$RX" local/ip)" 0.0.0.0
check "keep-ip: says so" contains "$err" 'the router keeps listening on 0.0.0.0'

# --- no <secret> at all: one is added after <port>; a commented-out one means XEP-0114 is off
cp "$T/stock.xml" "$RX"
sed -i '/^    <secret>secret<\/secret>$/d' "$RX"
run_ad --shared
check "missing secret: added" equals "$(head -n1 <<<"$out")" "updated restart"
secret_after_port() { grep -A1 -F '<port>5347</port>' "$RX" | grep -qE '^    <secret>[A-Za-z0-9_-]{32}</secret>$'; }
check "missing secret: placed after <port>" secret_after_port
check "missing secret: says so" contains "$err" "replaced the missing component secret by a generated one"
cp "$T/stock.xml" "$RX"
sed -i 's|^    <secret>secret</secret>$|    <!-- <secret>secret</secret> -->|' "$RX"
snapshot a
run_jd sync
snapshot b
check "commented-out secret: exit 65" equals "$rc" 65
check "commented-out secret: says XEP-0114 is off" contains "$err" "<secret> is commented out, which switches XEP-0114 components off in jabberd2"
check "commented-out secret: nothing written" same_snapshot a b

# --- a UTF-8 byte order mark and CRLF line ends are kept (the package shipped it so: dpkg says)
cp "$T/stock.xml" "$RX"
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' "$T/stock.xml"; } >"$RX"
cp "$RX" "$T/bom.xml"
dpkg_records "$(md5sum <"$RX" | cut -d' ' -f1)"
run_ad --shared
rm "$ROOT/var/lib/dpkg/status"
check "BOM+CRLF: edited" equals "$(head -n1 <<<"$out")" "updated restart"
check "BOM+CRLF: BOM kept" equals "$(head -c3 "$RX" | od -An -tx1 | tr -d ' ')" efbbbf
check "BOM+CRLF: only two lines changed" equals "$(changed_lines "$T/bom.xml" "$RX" | wc -l)" 4

# --- reload: nothing listens on a private port here
cp "$T/managed.xml" "$RX"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -i "s|<port>5347</port>|<port>$port</port>|" "$RX"
run_ad --reload
check "reload: not running" contains "$out" "not running (nothing answers on 127.0.0.1 port $port"
finish
