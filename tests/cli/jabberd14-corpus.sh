#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every real jabber.xml of the shared corpus (read in place): a component is added on a free
# port, a re-run rewrites nothing, a new secret and a new port each change one line, the
# admin's exclusion is kept, and removal restores the file byte for byte.  A port another
# listener holds is refused.  A file the adapter cannot take must be refused with FILE:LINE
# and left byte-identical.
. "$(dirname "$0")/lib.sh" "$@"
SHARED=${JD_SHARED:-$TESTS/../../shared}
[ -d "$SHARED/corpus/jabberd14" ] || skip "no shared corpus at $SHARED/corpus/jabberd14 (set JD_SHARED)"
mkdir -p "$ROOT/etc/jabber" "$ROOT/var"
AD=$BUILD/adapters/servers/jabberd14
JX=$ROOT/etc/jabber/jabber.xml
hostile='c0rpus"<&]]>#%'"'"'$é€ ok'

# the <accept> secret of service HOST as jabberd 1.4's expat reads it (no namespaces)
secret_of() {
	python3 - "$JX" "$1" <<'EOF'
import sys, xml.parsers.expat
want, path, buf, found = sys.argv[2], [], [], []
def start(name, attrs):
    path.append((name, attrs.get("id")))
    buf.clear()
def end(name):
    if name == "secret" and len(path) >= 3 and path[-3] == ("service", want):
        found.append("".join(buf))
    path.pop()
p = xml.parsers.expat.ParserCreate()
p.StartElementHandler, p.EndElementHandler = start, end
p.CharacterDataHandler = buf.append
p.ParseFile(open(sys.argv[1], "rb"))
sys.stdout.write(found[0] if found else "")
EOF
}

# the ports live listeners of FILE hold: port="N" attributes and <accept><port>, comments skipped
live_ports() {
	python3 - "$1" <<'EOF'
import sys, xml.parsers.expat
path, buf, ports = [], [], set()
def start(name, attrs):
    path.append(name)
    buf.clear()
    if attrs.get("port", "").isdigit():
        ports.add(int(attrs["port"]))
def end(name):
    if name == "port" and len(path) >= 2 and path[-2] == "accept" and "".join(buf).strip().isdigit():
        ports.add(int("".join(buf)))
    path.pop()
p = xml.parsers.expat.ParserCreate()
p.StartElementHandler, p.EndElementHandler = start, end
p.CharacterDataHandler = buf.append
p.ParseFile(open(sys.argv[1], "rb"))
print(*sorted(ports))
EOF
}

n=0
for src in "$SHARED"/corpus/jabberd14/*; do
	name=${src##*/}
	n=$((n + 1))
	cp "$src" "$JX"
	run_ad --host=irc.example.org --port=5801 --password-stdin <<<"$hostile"
	if [ "$rc" != 0 ]; then
		check "$name: refused with FILE:LINE" grep -qE '^jabberd14: /etc/jabber/jabber.xml(:[0-9]+)?: ' "$T/err"
		check "$name: refused, byte-identical" cmp -s "$src" "$JX"
		continue
	fi
	check "$name: added" equals "$out" "added restart"
	check "$name: only lines added" equals "$(changed_lines "$src" "$JX" | grep -vc '^+')" 0
	check "$name: our block and nothing else" equals "$(changed_lines "$src" "$JX" | grep -vcE '^\+ *(<!-- jabber-dispatch: irc.example.org |</?service|</?accept>|<ip>127.0.0.1</ip>|<port>5801</port>|<secret>)')" 0
	check "$name: the secret reads back exactly" equals "$(secret_of irc.example.org)" "$hostile"
	cp "$JX" "$T/added"
	ino=$(stat -c %i "$JX")
	run_ad --host=irc.example.org --port=5801 --password-stdin <<<"$hostile"
	check "$name: re-run unchanged" equals "$out" "unchanged"
	check "$name: re-run did not rewrite" equals "$(stat -c %i "$JX")" "$ino"

	run_ad --host=irc.example.org --port=5801 --password-stdin <<<'rotated'
	check "$name: new secret: updated" equals "$out" "updated restart"
	check "$name: new secret: one line" equals "$(changed_lines "$T/added" "$JX")" "$(printf '%s\n' '-      <secret>c0rpus"&lt;&amp;]]&gt;#%'"'"'$é€ ok</secret>' '+      <secret>rotated</secret>')"
	cp "$JX" "$T/rotated"
	run_ad --host=irc.example.org --port=5802 --password-stdin <<<'rotated'
	check "$name: new port: one line" equals "$(changed_lines "$T/rotated" "$JX")" "$(printf '%s\n' '-      <port>5801</port>' '+      <port>5802</port>')"

	# every port some listener of the file holds is refused
	for p in $(live_ports "$src"); do
		snapshot a
		run_ad --host=gw.example.org --port="$p" --password-stdin <<<'x'
		snapshot b
		check "$name: port $p taken: refused" equals "$rc:$(grep -c 'is already taken by' "$T/err")" "65:1"
		check "$name: port $p taken: nothing written" same_snapshot a b
	done

	cp "$T/added" "$JX"
	python3 - "$JX" <<'EOF'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
a = s.index('<service id="irc.example.org">')
b = s.index("</service>", a) + len("</service>")
open(p, "w", encoding="utf-8").write(s[:a] + "<!-- " + s[a:b] + " -->" + s[b:])
EOF
	cp "$JX" "$T/excluded"
	run_ad --host=irc.example.org --port=5801 --password-stdin <<<"$hostile"
	check "$name: excluded" equals "$out" "excluded"
	run_ad --remove --host=irc.example.org
	check "$name: excluded kept by --remove" equals "$out" "excluded"
	check "$name: excluded file untouched" cmp -s "$JX" "$T/excluded"

	cp "$T/added" "$JX"
	run_ad --remove --host=irc.example.org
	check "$name: removed" equals "$out" "removed restart"
	check "$name: removal restores the file byte for byte" cmp -s "$JX" "$src"
	run_ad --list
	check "$name: --list no longer names it" lacks "$out" "irc.example.org"
done
check "corpus has files" test "$n" -gt 0
finish
