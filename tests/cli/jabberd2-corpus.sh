#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every real router.xml of the shared corpus (read in place): --shared secures it, a component is
# recorded, a re-run rewrites nothing, the admin's new secret is followed, the record is
# excluded and removed; each diff touches only the lines of that step.  A file the adapter
# cannot take must be refused with FILE:LINE and left byte-identical.
. "$(dirname "$0")/lib.sh" "$@"
SHARED=${JD_SHARED:-$TESTS/../../shared}
[ -d "$SHARED/corpus/jabberd2" ] || skip "no shared corpus at $SHARED/corpus/jabberd2 (set JD_SHARED)"
[ "$(id -u)" = 0 ] || skip "needs root (file owners)"
mkdir -p "$ROOT/etc/jabberd2"
AD=$BUILD/adapters/servers/jabberd2
RX=$ROOT/etc/jabberd2/router.xml


n=0
for src in "$SHARED"/corpus/jabberd2/*; do
	name=${src##*/}
	n=$((n + 1))
	cp "$src" "$RX"
	chmod 640 "$RX"
	run_ad --shared
	if [ "$rc" != 0 ]; then
		check "$name: refused with FILE:LINE" grep -qE '^jabberd2: /etc/jabberd2/router.xml(:[0-9]+)?: ' "$T/err"
		check "$name: refused, byte-identical" cmp -s "$src" "$RX"
		continue
	fi
	secret=$(sed -n 3p <<<"$out")
	port=$(sed -n 2p <<<"$out")
	cp "$RX" "$T/secured"
	check "$name: --shared replaced the stock secret" equals "$(head -n1 <<<"$out")" "updated restart"
	check "$name: the secret reads back" equals "$(xml_value "$RX" local/secret)" "$secret"
	check "$name: --shared touched only <ip> and <secret>" equals "$(changed_lines "$src" "$RX" | grep -vcE '^[-+] *<(ip|secret)>')" 0
	check "$name: mode kept" equals "$(stat -c %a "$RX")" 640

	run_ad --host=irc.example.org --port="$port" --password-stdin <<<"$secret"
	check "$name: added" equals "$out" "added"
	check "$name: only the record line added" equals "$(changed_lines "$T/secured" "$RX")" '+  <jabber-dispatch-component host="irc.example.org"/>'
	cp "$RX" "$T/added"
	ino=$(stat -c %i "$RX")
	run_ad --host=irc.example.org --port="$port" --password-stdin <<<"$secret"
	check "$name: re-run unchanged" equals "$out" "unchanged"
	check "$name: re-run did not rewrite" equals "$(stat -c %i "$RX")" "$ino"

	# the admin sets another secret: --shared gives it, the component stays as it is
	python3 - "$RX" <<'EOF'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
a = s.index("<secret>") + 8
open(p, "w", encoding="utf-8").write(s[:a] + "admin&amp;s-own" + s[s.index("</secret>", a):])
EOF
	run_ad --shared
	check "$name: admin's secret given as it reads" equals "$(sed -n 1p <<<"$out"; sed -n 3p <<<"$out")" "$(printf 'unchanged\nadmin&s-own')"
	run_ad --host=irc.example.org --port="$port" --password-stdin <<<'admin&s-own'
	check "$name: admin's secret: unchanged" equals "$out" "unchanged"
	cp "$T/added" "$RX"

	sed -i 's|^\( *\)\(<jabber-dispatch-component host="irc.example.org"/>\)$|\1<!-- \2 -->|' "$RX"
	cp "$RX" "$T/excluded"
	run_ad --host=irc.example.org --port="$port" --password-stdin <<<"$secret"
	check "$name: excluded" equals "$out" "excluded"
	run_ad --remove --host=irc.example.org
	check "$name: excluded kept by --remove" equals "$out" "excluded"
	check "$name: excluded file untouched" cmp -s "$RX" "$T/excluded"

	cp "$T/added" "$RX"
	run_ad --remove --host=irc.example.org
	check "$name: removed" equals "$out" "removed"
	check "$name: removal restores the secured file byte for byte" cmp -s "$RX" "$T/secured"
done
check "corpus has files" test "$n" -gt 0
finish
