#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Parallel package scripts queue on the lock; a held lock times out with a clear message.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody biboumi
configure_biboumi irc.example.org 's3cret'

run_jd list  # creates nothing
mkdir -p "$ROOT/var/lib/jabber-dispatch"
exec 9>"$ROOT/var/lib/jabber-dispatch/lock"
flock 9
echo 4242 >&9
run_jd --lock-timeout=1 sync
check "lock held elsewhere: exit 75" equals "$rc" 75
check "lock held elsewhere: message" contains "$err" "jabber-dispatch: /var/lib/jabber-dispatch/lock: another run (pid 4242) holds the lock; gave up after 1 s"
check "lock held elsewhere: nothing written" test ! -e "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
exec 9>&-

# Eight runs at once: exactly one adds, the others find it done.
for i in 1 2 3 4 5 6 7 8; do
	"$JD" --root="$ROOT" sync >"$T/par.$i" 2>&1 &
done
wait
check "eight parallel runs: one added" equals "$(cat "$T"/par.* | grep -c ' added$')" 1
check "eight parallel runs: seven unchanged" equals "$(cat "$T"/par.* | grep -c ' unchanged$')" 7
check "the drop-in is whole" equals "$(grep -c '^Component' "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua")" 1
check "no temp file left" equals "$(find "$ROOT/etc/prosody" -name '.*' | wc -l)" 0
finish
