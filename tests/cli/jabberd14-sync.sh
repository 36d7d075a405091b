#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# jabberd 1.4 on a realistic jabber.xml (no Debian package ships it any more): sync adds one
# marked <service><accept> per transport on the transport's own port; re-run, secret and port
# updates, a port another listener holds, exclusion, the admin's services, removal, escaping.
. "$(dirname "$0")/lib.sh" "$@"
make_root biboumi
configure_biboumi irc.example.org 'own-secret' 5555
JX=$ROOT/etc/jabber/jabber.xml
AD=$ROOT/usr/lib/jabber-dispatch/servers/jabberd14
mkdir -p "$ROOT/etc/jabber"
cp "$TESTS/fixtures/jabberd14/jabber.xml" "$JX"
chown root:root "$JX"
chmod 640 "$JX"
cp "$JX" "$T/orig.xml"

# accept/port and accept/secret of <service id=HOST>, as jabberd 1.4's expat reads them (no namespaces)
accept_of() {
	python3 - "$JX" "$1" <<'EOF'
import sys, xml.parsers.expat
want, path, text, found = sys.argv[2], [], {}, {}
def start(name, attrs):
    path.append((name, attrs.get("id")))
    text[len(path)] = ""
def end(name):
    if len(path) >= 3 and path[-3] == ("service", want) and path[-2][0] == "accept":
        found[name] = text[len(path)]
    path.pop()
def data(s):
    text[len(path)] = text.get(len(path), "") + s
p = xml.parsers.expat.ParserCreate()
p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, data
p.ParseFile(open(sys.argv[1], "rb"))
sys.stdout.write("%s %s" % (found.get("port"), found.get("secret")))
EOF
}

# --- dry run, then the sync itself
snapshot a
run_jd sync --dry-run
snapshot b
check "dry run: would add (restart)" contains "$out" "biboumi          jabberd14    irc.example.org                  added (restart needed)"
check "dry run: diff hides the secret" contains "$out" "+      <secret><secret></secret>"
check "dry run: nothing written" same_snapshot a b
run_jd sync
check "sync: exit 0" equals "$rc" 0
check "sync: added" contains "$out" "biboumi          jabberd14    irc.example.org                  added"
check "sync: restart asked for" contains "$err" "server jabberd14: restart it for the change to take effect"
check "sync: the transport's own port and secret" equals "$(accept_of irc.example.org)" "5555 own-secret"
check "sync: owner and mode kept" equals "$(stat -c '%U:%G %a' "$JX")" "root:root 640"
check "sync: only our block added" equals "$(changed_lines "$T/orig.xml" "$JX" | grep -vc '^+')" 0
check "sync: our block, in jabber.xml's indentation" equals "$(changed_lines "$T/orig.xml" "$JX")" "$(cat <<'EOF'
+  <!-- jabber-dispatch: irc.example.org (added by jabber-dispatch sync; comment out the service below to keep it out) -->
+  <service id="irc.example.org">
+    <accept>
+      <ip>127.0.0.1</ip>
+      <port>5555</port>
+      <secret>own-secret</secret>
+    </accept>
+  </service>
EOF
)"
check "sync: the block follows the last service, after a blank line" equals "$(awk '/<service id="muclinker">/{m=1} m && /^  <\/service>$/{getline; getline; print; exit}' "$JX")" \
	"  <!-- jabber-dispatch: irc.example.org (added by jabber-dispatch sync; comment out the service below to keep it out) -->"
cp "$JX" "$T/added.xml"
run_ad --list
check "--list" equals "$out" "$(printf 'manual muclinker\nmanaged irc.example.org\nexcluded aim.example.org\nmanual conference.example.org')"

# --- re-run
snapshot a
run_jd sync
snapshot b
check "re-run: unchanged" contains "$out" "jabberd14    irc.example.org                  unchanged"
check "re-run: not rewritten" same_snapshot a b

# --- the transport's secret changes (with every character that needs care), then its port
hostile='n3w"<&]]>#%'"'"'$é€ ok'
configure_biboumi irc.example.org "$hostile" 5555
run_jd sync
check "new secret: updated" contains "$out" "jabberd14    irc.example.org                  updated"
check "new secret: reads back exactly" equals "$(accept_of irc.example.org)" "5555 $hostile"
check "new secret: only the secret line changed" equals "$(changed_lines "$T/added.xml" "$JX" | grep -c '')" 2
check "new secret: the line" grep -qF '      <secret>n3w"&lt;&amp;]]&gt;#%'"'"'$é€ ok</secret>' "$JX"
check "new secret: not in the output" lacks "$out$err" "n3w"
cp "$JX" "$T/hostile.xml"
configure_biboumi irc.example.org "$hostile" 5556
run_jd sync --dry-run
check "new port: dry-run diff shows the port" contains "$out" "+      <port>5556</port>"
check "new port: dry-run diff hides the unchanged secret" contains "$out" " <secret><secret></secret>"
run_jd sync
check "new port: only the port line changed" equals "$(changed_lines "$T/hostile.xml" "$JX")" "$(printf '%s\n' '-      <port>5555</port>' '+      <port>5556</port>')"

# --- a port another listener holds: refused, nothing written
for taken in 5222 5223 5269 31518; do
	configure_biboumi irc.example.org "$hostile" "$taken"
	snapshot a
	run_jd sync
	snapshot b
	check "port $taken taken: exit 65" equals "$rc" 65
	check "port $taken taken: says by whom" contains "$err" "port $taken is already taken by"
	check "port $taken taken: nothing written" same_snapshot a b
done
configure_biboumi irc.example.org "$hostile" 5556

# --- the admin comments our service out: excluded, never re-added, kept by --remove
cp "$JX" "$T/managed.xml"
python3 - "$JX" <<'EOF'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
a = s.index('  <service id="irc.example.org">')
b = s.index("</service>", a) + len("</service>")
open(p, "w", encoding="utf-8").write(s[:a] + "<!--\n" + s[a:b] + "\n  -->" + s[b:])
EOF
cp "$JX" "$T/excluded.xml"
run_jd sync
check "excluded: reported" contains "$out" "jabberd14    irc.example.org                  excluded"
check "excluded: untouched" cmp -s "$JX" "$T/excluded.xml"
run_ad --remove --host=irc.example.org
check "excluded: --remove keeps it" equals "$out" "excluded"

# --- services of the admin's: manual, never touched, never removed
run_ad --host=conference.example.org --port=5600 --password-stdin <<<'x'
check "admin's <host>: manual" equals "$out" "manual"
run_ad --host=muclinker --port=5600 --password-stdin <<<'x'
check "admin's service id: manual" equals "$out" "manual"
run_ad --remove --host=muclinker
check "admin's service: --remove leaves it" equals "$out" "manual"
run_ad --host=aim.example.org --port=5233 --password-stdin <<<'x'
check "admin's commented-out service: excluded" equals "$out" "excluded"

# --- removal takes exactly our block away
cp "$T/managed.xml" "$JX"
run_ad --remove --host=irc.example.org --dry-run
check "remove --dry-run: removed restart" equals "$(head -n1 <<<"$out")" "removed restart"
check "remove --dry-run: hides the secret" lacks "$out" "n3w"
run_ad --remove --host=irc.example.org
check "remove: removed" equals "$out" "removed restart"
check "remove: byte-identical to before the first sync" cmp -s "$JX" "$T/orig.xml"
run_ad --remove --host=irc.example.org
check "remove again: absent" equals "$out" "absent"

# --- several transports: each on its own port
run_ad --host=irc.example.org --port=5555 --password-stdin <<<'one'
run_ad --host=gw.example.org --port=5555 --password-stdin <<<'two'
check "second component on the same port: refused" equals "$rc" 65
check "second component on the same port: says so" contains "$err" 'port 5555 is already taken by "irc.example.org"'
run_ad --host=gw.example.org --port=5557 --password-stdin <<<'two'
check "second component on its port: added" equals "$out" "added restart"
run_ad --list
check "both managed" equals "$(grep -c '^managed ' <<<"$out")" 2
cp "$JX" "$T/two.xml"
sed -i 's|<port>5557</port>|<port>5555</port>|' "$JX"
run_ad --host=irc.example.org --port=5555 --password-stdin <<<'one'
check "a neighbour moved onto our port: refused" contains "$err" 'port 5555 is already taken by "gw.example.org"'
cp "$T/two.xml" "$JX"
run_ad --reload --added=gw.example.org
check "reload: a restart is needed" contains "$out" "restart needed"

# --- a top-level include: said once per call (not again for the text the edit produced), with its line
sed -i 's|</jabber>|  <jabberd:include xmlns:jabberd="jabber:config:jabberd">/etc/jabber/more.xml</jabberd:include>\n</jabber>|' "$JX"
line=$(grep -n 'jabberd:include xmlns' "$JX" | cut -d: -f1)
run_ad --host=inc.example.org --port=5559 --password-stdin <<<'three'
check "include: added" equals "$out" "added restart"
check "include: said once, with the line it had" equals "$err" \
	"jabberd14: /etc/jabber/jabber.xml:$line: services in included files are not checked for port clashes"
finish
