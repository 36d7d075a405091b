#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 50 syncs, 5 transport-init and 10 layout at once on one sandbox, while 10 transports are installed
# meanwhile: every run waits its turn on the lock and succeeds, every component is added
# exactly once to every server (nothing lost, nothing twice), and every config still parses.
. "$(dirname "$0")/lib.sh" "$@"
command -v luac5.4 >/dev/null || skip "luac5.4 (lua5.4, a dependency of prosody) is not installed"
command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null || skip "python3 with yaml is needed to read ejabberd's config"
make_root prosody ejabberd biboumi
# Only these adapters (and jabber-muc, whose config transport-init writes): runs stay short.
find "$ROOT/usr/lib/jabber-dispatch/servers" "$ROOT/usr/lib/jabber-dispatch/transports" -mindepth 1 \
	! -name prosody ! -name ejabberd ! -name biboumi ! -name jabber-muc -delete
configure_biboumi irc.example.org 's3cret'
admin=$ROOT/etc/jabber-dispatch/transports
mkdir -p "$admin"

# add_transport N: a transport installed the way a package does it, the file appearing whole
add_transport() {
	printf '#!/bin/sh\n[ "$1" = --capabilities ] && { echo protocol=1; exit 0; }\nprintf "t%s.example.org\\n%s\\nsecret-%s\\n"\n' \
		"$1" $((5400 + $1)) "$1" >"$admin/.t$1.new"
	chmod 755 "$admin/.t$1.new"
	mv "$admin/.t$1.new" "$admin/t$1"
}

start=$SECONDS
for i in $(seq 1 50); do
	# (lib.sh runs with set -e: `|| echo $?` keeps a failing run's code instead of ending the subshell)
	("$JD" --root="$ROOT" sync >"$T/sync.$i.out" 2>"$T/sync.$i.err" && echo 0 >"$T/sync.$i.rc" || echo $? >"$T/sync.$i.rc") &
	if [ $((i % 10)) = 0 ]; then
		("$JD" --root="$ROOT" transport-init jabber-muc --template=/usr/share/jabber-dispatch/templates/jabber-muc.xml \
			--output=/etc/jabberd2/muc.xml --domain=example.org >"$T/init.$i.out" 2>&1 &&
			echo 0 >"$T/init.$i.rc" || echo $? >"$T/init.$i.rc") &
	fi
	if [ $((i % 5)) = 0 ]; then
		("$JD" --root="$ROOT" layout foo-gw --user=root --group=root --mode=0750 >"$T/layout.$i.out" 2>&1 &&
			echo 0 >"$T/layout.$i.rc" || echo $? >"$T/layout.$i.rc") &
		add_transport $((i / 5))
	fi
	sleep 0.05
done
wait
elapsed=$((SECONDS - start))
echo "50 syncs, 5 transport-init and 10 layout at once: all done in ${elapsed} s"

check "every run reported its exit code" equals "$(ls "$T"/sync.*.rc "$T"/init.*.rc "$T"/layout.*.rc | wc -l)" 65
check "every sync exits 0" equals "$(cat "$T"/sync.*.rc | sort -u | tr '\n' ' ')" "0 "
check "every transport-init exits 0" equals "$(cat "$T"/init.*.rc | sort -u | tr '\n' ' ')" "0 "
check "every layout exits 0" equals "$(cat "$T"/layout.*.rc | sort -u | tr '\n' ' ')" "0 "
for d in log lib spool; do
	check "layout: /var/$d/foo-gw is a 0750 directory" equals "$(stat -c %F:%a "$ROOT/var/$d/foo-gw")" "directory:750"
done
check "exactly one transport-init generated the config" equals "$(grep -l ': generated for' "$T"/init.*.out | wc -l)" 1
check "no waiter gave up on the lock" equals "$(cat "$T"/sync.*.err | grep -c 'holds the lock')" 0

# Whatever the last runs did not see yet, one more sync does; it must find nothing to undo.
run_jd sync
check "the final sync exits 0" equals "$rc" 0
check "the final sync removes nothing" lacks "$out" " removed"

hosts="irc.example.org conference.example.org $(for n in $(seq 1 10); do echo "t$n.example.org"; done)"
log=$ROOT/var/log/jabber-dispatch/jabber-dispatch.log
for h in $hosts; do
	check "$h: declared once in prosody" equals "$(cat "$ROOT"/etc/prosody/prosody.cfg.lua "$ROOT"/etc/prosody/conf.d/*.cfg.lua |
		grep -c "^Component \"$h\"")" 1
	for s in prosody ejabberd; do
		check "$h: added to $s exactly once in all runs" equals "$(grep -c "server=$s host=$h port=[0-9]* result=added$" "$log")" 1
		check "$h: in the state file once for $s" equals "$(grep -c "^$s $h " "$ROOT/var/lib/jabber-dispatch/state")" 1
	done
done
for n in $(seq 1 10); do
	printf 'secret-%s' "$n" >"$T/secret"
	check "t$n.example.org: ejabberd reads it once, with its port and secret" python3 "$TESTS/lib/ejabberd-check.py" \
		"$ROOT/etc/ejabberd/ejabberd.yml" "$ROOT/etc/ejabberd/modules.d/jabber-dispatch.yml" \
		--host="t$n.example.org" --port=$((5400 + n)) --secret-file="$T/secret"
done
for f in "$ROOT"/etc/prosody/prosody.cfg.lua "$ROOT"/etc/prosody/conf.d/*.cfg.lua; do
	check "${f#"$ROOT"}: valid Lua" luac5.4 -p "$f"
done
check "no temp file left" equals "$(find "$ROOT/etc" "$ROOT/var" -name '*.jdtmp.*' | wc -l)" 0
finish
