#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How many processes a sync costs, not how long it takes: with T transports that are descriptors
# and S servers whose adapters take --batch, one process of describe for all the transports, one
# per server (its batch) and the program, and on a first run one more per server
# (--capabilities): none per transport, never one per transport x server pair.  An adapter
# written to the seed protocol (no --capabilities, the secret in --password=) still works, one
# call per pair.  What a batch writes is byte for byte what the calls one by one write.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody ejabberd
only_servers prosody ejabberd
vendor=$ROOT/usr/lib/jabber-dispatch
S=2 N=30
# a few on ports of their own: prosody's component_ports and ejabberd's listeners change too
descriptor_transports "$N" 5401 5402 5403

# A first run asks each server adapter --capabilities; later ones take the answers recorded for the
# same adapter files: one describe, one process per server, and the program.
bound=$((2 * S + 2))
count_is() { # WHAT WORD COUNT: the run succeeded, WORD on COUNT lines, within the bound
	check "$1: exit 0" equals "$rc" 0
	check "$1: $3 lines \"$2\"" equals "$(grep -cE " $2( \(|\$)" <<<"$out")" "$3"
	check "$1: $procs processes for T=$N S=$S, at most $bound" test "$procs" -le "$bound"
}

# The same root, its server adapters without "batch": the reference, one call per pair.
ROOT1=$T/root1
cp -a "$ROOT" "$ROOT1"
mkdir -p "$ROOT1/etc/jabber-dispatch/servers"
for s in prosody ejabberd; do
	cat >"$ROOT1/etc/jabber-dispatch/servers/$s" <<WRAP
#!/bin/sh
[ "\$1" = --capabilities ] && exec "$ROOT1/usr/lib/jabber-dispatch/servers/$s" --capabilities | sed 's/ batch//'
exec "$ROOT1/usr/lib/jabber-dispatch/servers/$s" "\$@"
WRAP
	chmod 755 "$ROOT1/etc/jabber-dispatch/servers/$s"
done
same_as_one_by_one() { # WHAT
	local r
	r=$("$JD" --root="$ROOT1" sync 2>"$T/err1") || { fail "$1: the reference run failed: $r"; return; }
	check "$1: the same output as one call per pair" equals "$r" "$out"
	check "$1: the same files as one call per pair" \
		diff -r --exclude=jabber-dispatch --exclude='*.log' "$ROOT1/etc" "$ROOT/etc"
}

procs sync
count_is "first sync" added $((N * S))
same_as_one_by_one "first sync"
bound=$((S + 2))
procs sync
count_is "sync after the first" unchanged $((N * S))
bound=1
procs sync
count_is "sync, nothing changed since a run that changed nothing" unchanged $((N * S))
bound=$((2 * S + 2))
procs sync --force
count_is "the same, --force" unchanged $((N * S))
bound=$((S + 2))
for r in "$ROOT" "$ROOT1"; do
	printf 'hostname=t7.example.org\nport=5347\npassword=another\n' >"$r/etc/pt/t7.cfg"
done
procs sync
count_is "one transport changed" updated "$S"
same_as_one_by_one "one transport changed"
for r in "$ROOT" "$ROOT1"; do
	rm "$r/usr/lib/jabber-dispatch/transports/t3" "$r/usr/lib/jabber-dispatch/transports/t4"
done
N=$((N - 2))
bound=$((S + 2))
procs sync
count_is "two transports gone" removed $((2 * S))
same_as_one_by_one "two transports gone"
check "their drop-ins are gone" test ! -e "$ROOT/etc/prosody/conf.d/t3.example.org.cfg.lua"
check "ejabberd's file lost them" bash -c "! grep -q 't[34].example.org' '$ROOT/etc/ejabberd/modules.d/jabber-dispatch.yml'"
run_jd sync
check "and then nothing to do" equals "$(grep -c ' unchanged$' <<<"$out")" $((N * S))

# The admin's own descriptors (in /etc): describe never connects from another machine, so they
# are not asked --capabilities either; a first run costs what it costs with the packaged ones.
mkdir -p "$ROOT/etc/jabber-dispatch/transports"
mv "$ROOT"/usr/lib/jabber-dispatch/transports/* "$ROOT/etc/jabber-dispatch/transports/"
rm -f "$ROOT/var/lib/jabber-dispatch/noop" "$ROOT/etc/prosody/conf.d/"t*.cfg.lua
bound=$((2 * S + 2))
procs sync
count_is "the admin's descriptors, their drop-ins gone" added "$N"

# A seed-protocol adapter, as an admin could have written it in 2007: one call per component.
mkdir -p "$ROOT/etc/jabber-dispatch/servers"
cat >"$ROOT/etc/jabber-dispatch/servers/seed" <<SEED
#!/bin/sh
host= secret=
for a; do
	case \$a in
	--root=*) ;;
	--host=*) host=\${a#--host=} ;;
	--port=*) ;;
	--password=*) secret=\${a#--password=} ;;
	*) echo "seed: unknown option" >&2; exit 64 ;;
	esac
done
[ -n "\$host" ] && [ -n "\$secret" ] || exit 64
echo "\$host" >>"$T/seed.calls"
if grep -qx "\$host" "$T/seed.state" 2>/dev/null; then echo unchanged; else echo "\$host" >>"$T/seed.state"; echo added; fi
SEED
chmod 755 "$ROOT/etc/jabber-dispatch/servers/seed"
run_jd sync
check "seed adapter: sync exits 0" equals "$rc" 0
check "seed adapter: every transport added" equals "$(grep -c '  *seed  *.* added$' <<<"$out")" "$N"
check "seed adapter: one call per component" equals "$(wc -l <"$T/seed.calls")" "$N"
check "the others: unchanged" equals "$(grep -c ' unchanged$' <<<"$out")" $((N * S))
run_jd sync
check "seed adapter: then unchanged" equals "$(grep -c '  *seed  *.* unchanged$' <<<"$out")" "$N"
finish
