#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The batches of different servers run at the same time, and the run still reports server by
# server.  Two server adapters that each wait (5 s at most) for the other's batch to have begun:
# run one after the other, the first would give up and the run fail.  The one that finishes
# first is the second in order; its remark still comes after the first's.
. "$(dirname "$0")/lib.sh" "$@"
mkdir -p "$ROOT/etc/jabber-dispatch/servers" "$ROOT/etc/jabber-dispatch/transports" "$T/began"
DESTDIR=$ROOT cmake --install "$BUILD" --prefix /usr >/dev/null
rm -f "$ROOT"/usr/lib/jabber-dispatch/servers/* "$ROOT"/usr/lib/jabber-dispatch/transports/*
for i in 1 2 3; do
	printf '#!/bin/sh\n[ "$1" = --capabilities ] && { echo protocol=1; exit 0; }\nprintf "t%s.example.org\\n%s\\nsecret-%s\\n"\n' \
		"$i" $((5400 + i)) "$i" >"$ROOT/etc/jabber-dispatch/transports/t$i"
	chmod 755 "$ROOT/etc/jabber-dispatch/transports/t$i"
done
# server NAME OTHER LINGER: a batch adapter that marks its start, waits for OTHER's, lingers, answers
server() {
	cat >"$ROOT/etc/jabber-dispatch/servers/$1" <<ADAPTER
#!/bin/sh
case "\$*" in
--capabilities) echo "protocol=1 password-stdin batch"; exit 0 ;;
*--batch*) ;;
*) echo "$1: only --batch here" >&2; exit 64 ;;
esac
touch "$T/began/$1"
i=0
while [ ! -e "$T/began/$2" ]; do
	i=\$((i + 1))
	[ \$i -gt 500 ] && { echo "$1: $2 never began" >&2; exit 75; }
	sleep 0.01
done
sleep $3
while read -r op host rest; do echo "\$host added"; done
echo "$1 finished" >>"$T/finished"
echo "$1: remark" >&2
ADAPTER
	chmod 755 "$ROOT/etc/jabber-dispatch/servers/$1"
}
server alpha beta 0.5
server beta alpha 0
capture "$JD" --root="$ROOT" sync
check "sync exits 0 (the batches ran at the same time)" equals "$rc" 0
check "every pair added" equals "$(grep -c ' added$' <<<"$out")" 6
check "beta finished first" equals "$(head -1 "$T/finished")" "beta finished"
check "the lines come server by server all the same" equals "$(awk '{ print $2 }' <<<"$out" | uniq | tr '\n' ' ')" "alpha beta "
check "and so do the remarks" equals "$(grep -o '[a-z]*: remark' <<<"$err" | tr '\n' ' ')" "alpha: remark beta: remark "
finish
