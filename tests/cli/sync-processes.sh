#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How many processes a sync costs, not how long it takes: with T transports and S servers whose
# adapters take --batch, one process per transport and two per server (its --capabilities and
# its batch), the dispatcher included: never one per transport x server pair.  An adapter
# written to the seed protocol (no --capabilities, the secret in --password=) still works, one
# call per pair.  What a batch writes is byte for byte what the calls one by one write.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody ejabberd
vendor=$ROOT/usr/lib/jabber-dispatch
rm -f "$vendor"/transports/*
for a in "$vendor"/servers/*; do
	case ${a##*/} in prosody | ejabberd) ;; *) rm -f "$a" ;; esac
done
S=2 N=30
mkdir -p "$ROOT/etc/pt"
for i in $(seq "$N"); do
	# a few on ports of their own: prosody's component_ports and ejabberd's listeners change too
	port=5347
	[ "$i" -gt 3 ] || port=$((5400 + i))
	printf 'hostname=t%d.example.org\nport=%d\npassword=secret-%d\n' "$i" "$port" "$i" >"$ROOT/etc/pt/t$i.cfg"
	printf '#!/usr/lib/jabber-dispatch/describe\nformat=kv\nconfig=/etc/pt/t%d.cfg\nhost=hostname\nport=port\nsecret=password\n' \
		"$i" >"$vendor/transports/t$i"
	chmod 755 "$vendor/transports/t$i"
done

# procs ARGS...: the processes a run of jabber-dispatch creates, itself included (PIDs are handed
# out in order in a PID namespace of its own: its last one, less the two shells around the run)
procs() {
	local last
	# --mount-proc: LeakSanitizer (an ASan build) reads /proc/PID of its own PID namespace
	last=$(unshare --pid --fork --mount-proc /bin/sh -c '"$@" >"$0/out" 2>"$0/err"; echo $? >"$0/rc"; /bin/sh -c "echo \$\$"' \
		"$T" "$JD" --root="$ROOT" "$@") || skip "cannot make a PID namespace"
	out=$(cat "$T/out") rc=$(cat "$T/rc")
	echo $((last - 2)) >"$T/procs"
}
bound=$((N + 2 * S + 1))
# In an ASan build, LeakSanitizer's check at the exit of each process clones a tracer: a PID more.
per=1
case $(ldd "$JD" 2>/dev/null) in *libasan*) per=2 ;; esac
count_is() { # WHAT WORD COUNT: the run succeeded, WORD on COUNT lines, within the bound
	local p
	p=$(cat "$T/procs")
	check "$1: exit 0" equals "$rc" 0
	check "$1: $3 lines \"$2\"" equals "$(grep -cE " $2( \(|\$)" <<<"$out")" "$3"
	check "$1: $p processes for T=$N S=$S, at most T + 2S + 1 = $bound (x$per)" test "$p" -le $((bound * per))
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
procs sync
count_is "no-op sync" unchanged $((N * S))
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
bound=$((N + 2 * S + 1))
procs sync
count_is "two transports gone" removed $((2 * S))
same_as_one_by_one "two transports gone"
check "their drop-ins are gone" test ! -e "$ROOT/etc/prosody/conf.d/t3.example.org.cfg.lua"
check "ejabberd's file lost them" bash -c "! grep -q 't[34].example.org' '$ROOT/etc/ejabberd/modules.d/jabber-dispatch.yml'"
run_jd sync
check "and then nothing to do" equals "$(grep -c ' unchanged$' <<<"$out")" $((N * S))

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
