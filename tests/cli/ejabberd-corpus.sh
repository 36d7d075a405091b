#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every ejabberd config of the shared corpus (real files, odd and broken ones among them) is
# either edited correctly (add, unchanged, update, exclude, remove) or refused with FILE:LINE
# and left byte-identical; never corrupted.  The corpus is read in place (../shared or $JD_SHARED).
. "$(dirname "$0")/lib.sh" "$@"
shared=${JD_SHARED:-$TESTS/../../shared}
[ -d "$shared/corpus/ejabberd-yml" ] || skip "no shared corpus at $shared (set JD_SHARED)"
command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null || skip "python3 with yaml is needed"
[ "$(id -u)" = 0 ] || skip "needs root (owners)"
mkdir -p "$ROOT"
DESTDIR=$ROOT cmake --install "$BUILD" --prefix /usr >/dev/null
adapter=$ROOT/usr/lib/jabber-dispatch/servers/ejabberd
printf '%s' 'p"w\#%<&]]>é€' >"$T/s1"
printf '%s' "second's" >"$T/s2"

# What each known file must come to ("added", or the reason it is refused); others: either is fine.
declare -A want=(
	[FeministWiki__ejabberd.yml]=added
	[LaFamille__ejabberd.yml]=added
	[amirjj-ansible__ejabberd.yml]=added
	[axichat-selfhost__ejabberd.yml]=added
	[jabber.at__ports.yml]=added
	[restyaboard__ejabberd.yml]=added
	[steevie__ejabberd.yml]=added
	[ejabberd_ynh__ejabberd.yml]="ejabberd.yml:185: not valid YAML"
	[wunderfitzig.net__ejabberd.yml]="ejabberd.yml:40: not valid YAML"
	[truenicoco-slidge-docs__ejabberd.yaml]="ejabberd.yml:9: hosts of the listener on port 5347 is not a mapping"
	[dashdash-xmpp__ejabberd.cfg]=added
	[debian-ejabberd-examples-mtr__ejabberd.cfg]=added
	[ejabberd-2.0-dev-2007__ejabberd.cfg.example]=added
	[ejabberd-mtr-2003__ejabberd.cfg]=added
	[ejabberd-win32__ejabberd.cfg]=added
	[sriddell-docker__ejabberd.cfg]=added
)

run() { capture "$adapter" --root="$ROOT" --config="$cfg" "$@"; } # run ARGS... (secret file on stdin)
valid() { python3 "$TESTS/lib/ejabberd-check.py" "$ROOT$cfg" "$@"; }
# every changed line is one of ours; in an ejabberd.cfg whose first listener shared the '[' line,
# that line may be split in two (our marker then says the line break is ours)
only_marked() {
	local d
	d=$(diff "$T/orig" "$ROOT$cfg" | grep -E '^[<>]' | grep -vE '(# jabber-dispatch|% jabber-dispatch.*)\r?$' || true)
	if grep -q '% jabber-dispatch (with the line break above)' "$ROOT$cfg"; then
		[ "$(grep -c '^<' <<<"$d")" -le 1 ] && [ "$(grep -c '^>' <<<"$d")" -le 2 ] && return 0
	fi
	[ -z "$d" ] || { echo "  not ours: $d"; return 1; }
}

for f in "$shared"/corpus/ejabberd-yml/* "$shared"/corpus/ejabberd-cfg/*; do
	name=${f##*/}
	case $name in
	*.yml | *.yaml) cfg=/etc/ejabberd/ejabberd.yml ;;
	*) cfg=/etc/ejabberd/ejabberd.cfg ;;
	esac
	rm -rf "$ROOT/etc"
	mkdir -p "$ROOT/etc/ejabberd"
	cp "$f" "$ROOT$cfg"
	chown ejabberd:ejabberd "$ROOT$cfg" 2>/dev/null || true
	chmod 600 "$ROOT$cfg"
	cp -p "$ROOT$cfg" "$T/orig"
	perm=$(stat -c '%U:%G %a' "$T/orig")

	run --host=irc.example.org --port=5347 --password-stdin <"$T/s1"
	if [ "$rc" != 0 ]; then
		check "$name: refused with FILE:LINE: reason" grep -qE "^ejabberd: $cfg:[0-9]+: " "$T/err"
		check "$name: refused file left byte-identical" cmp "$ROOT$cfg" "$T/orig"
		case ${want[$name]:-} in
		"" | added) check "$name: expected to be accepted (${want[$name]:-})" test -z "${want[$name]:-}" ;;
		*) check "$name: the expected reason" contains "$err" "${want[$name]}" ;;
		esac
		# what libyaml cannot parse must never be accepted; the converse is the adapter's choice
		continue
	fi
	added=added
	[ "$cfg" = /etc/ejabberd/ejabberd.yml ] || added="added restart" # ejabberd 2.x has no reload
	check "$name: added" equals "$out" "$added"
	[ "$out" = added ] || [ "$out" = "added restart" ] || continue
	check "$name: ejabberd reads our listener" valid --host=irc.example.org --port=5347 --secret-file="$T/s1"
	check "$name: only marked lines changed" only_marked
	check "$name: owner and mode kept" equals "$(stat -c '%U:%G %a' "$ROOT$cfg")" "$perm"
	ino=$(stat -c '%i %Y' "$ROOT$cfg")
	run --host=irc.example.org --port=5347 --password-stdin <"$T/s1"
	check "$name: again: unchanged" equals "$out" unchanged
	check "$name: not rewritten" equals "$(stat -c '%i %Y' "$ROOT$cfg")" "$ino"
	run --host=irc.example.org --port=5347 --password-stdin --dry-run <"$T/s2"
	check "$name: dry-run of an update hides both secrets" lacks "$out" "second's"
	check "$name: dry-run of an update changes one line" equals "$(grep -cE '^[-+][^-+]' <<<"$out")" 2
	run --host=irc.example.org --port=5347 --password-stdin <"$T/s2"
	check "$name: updated" contains "$out" updated
	check "$name: new secret read back" valid --host=irc.example.org --port=5347 --secret-file="$T/s2"
	run --list
	check "$name: listed as managed" contains "$out" "managed irc.example.org"
	run --remove --host=irc.example.org
	check "$name: removed" contains "$out" removed
	check "$name: byte-identical after remove" cmp "$ROOT$cfg" "$T/orig"

	# exclusion: the admin comments out every line of ours
	run --host=irc.example.org --port=5347 --password-stdin <"$T/s1"
	case $cfg in
	*.yml) sed -i -E 's/^(.*# jabber-dispatch)$/#\1/' "$ROOT$cfg" ;;
	*) sed -i -E 's/^(.*% jabber-dispatch.*)$/%\1/' "$ROOT$cfg" ;;
	esac
	run --host=irc.example.org --port=5347 --password-stdin <"$T/s2"
	check "$name: commented out: excluded" contains "$out" excluded
	check "$name: excluded and still readable" valid --absent=irc.example.org
	run --remove --host=irc.example.org
	check "$name: --remove keeps the exclusion" equals "$out" excluded
	run --list
	check "$name: list says excluded" contains "$out" "excluded irc.example.org"
done
finish
