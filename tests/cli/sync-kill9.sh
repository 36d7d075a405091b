#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A dispatcher killed with -9 takes its running server adapter along: nothing writes after
# the lock is gone, and the next sync completes the job.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody biboumi
configure_biboumi irc.example.org 's3cret'
servers=$ROOT/etc/jabber-dispatch/servers
mkdir -p "$servers"

# A slow server adapter of the seed protocol: records its pid, works 5 s, then "writes".
cat >"$servers/slow" <<SCRIPT
#!/bin/sh
case " \$* " in *" --host="*) ;; *) exit 2 ;; esac
[ -e "$T/armed" ] || { echo unchanged; exit 0; }
echo \$\$ >"$T/adapter.pid"
for i in \$(seq 50); do sleep 0.1; done
touch "$T/wrote"
echo added
SCRIPT
chmod 755 "$servers/slow"
touch "$T/armed"

"$JD" --root="$ROOT" sync >/dev/null 2>&1 &
dispatcher=$!
for _ in $(seq 200); do [ -s "$T/adapter.pid" ] && break; sleep 0.05; done
adapter=$(cat "$T/adapter.pid" 2>/dev/null || true)
check "the adapter started" test -n "$adapter"
kill -9 "$dispatcher"
wait "$dispatcher" 2>/dev/null || true
alive() { [ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
for _ in $(seq 50); do alive "$adapter" || break; sleep 0.03; done
check "the adapter died with the dispatcher" eval '! alive "$adapter"'
sleep 5.5
check "nothing was written after the dispatcher died" test ! -e "$T/wrote"

rm -f "$T/armed"
run_jd --timeout=2 sync
check "the next sync completes" equals "$rc" 0
check "biboumi is wired" test -f "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
finish
