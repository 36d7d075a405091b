#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `describe --batch`: the descriptors a sync asks, all in one process of describe.  Each answer
# is, byte for byte and status for status, what `describe DESC ...` alone prints, for good and
# broken descriptors alike; a sync through the batch says and writes what one process per
# transport does; a describe that refuses --batch (an older one) leaves each asked alone.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody
only_servers prosody
vendor=$ROOT/usr/lib/jabber-dispatch
describe=$vendor/describe
descriptor_transports 6
# not installed (no config), not configured (no secret), a descriptor with an unknown key, a bad port
rm "$ROOT/etc/pt/t2.cfg"
printf 'hostname=t3.example.org\nport=5347\n' >"$ROOT/etc/pt/t3.cfg"
sed -i 's/^format=kv$/format=kv\ncolour=blue/' "$vendor/transports/t4"
printf 'hostname=t5.example.org\nport=99999\npassword=x\n' >"$ROOT/etc/pt/t5.cfg"
descs=("$vendor"/transports/t*)

# frames FILE: "STATUS OUTLEN ERRLEN" headers and bodies, one answer a block, as text to compare
frames() {
	python3 - "$1" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
while data:
    head, data = data.split(b'\n', 1)
    status, olen, elen = map(int, head.split())
    out, err, data = data[:olen], data[olen:olen + elen], data[olen + elen:]
    print(status, repr(out), repr(err))
PY
}
# alone ARGS...: what each descriptor alone answers, in the same form
alone() {
	local d
	for d in "${descs[@]}"; do
		set +e
		JABBER_DISPATCH_INPUTS=1 "$describe" "$d" "$@" >"$T/o" 2>"$T/e" </dev/null
		local st=$?
		set -e
		python3 -c 'import sys; print(int(sys.argv[1]) << 8, repr(open(sys.argv[2], "rb").read()), repr(open(sys.argv[3], "rb").read()))' \
			"$st" "$T/o" "$T/e"
	done
}
for args in "--host --port --password" "--capabilities" "--port --host"; do
	# shellcheck disable=SC2086
	printf '%s\n' "${descs[@]}" | JABBER_DISPATCH_INPUTS=1 "$describe" --batch --root="$ROOT" $args >"$T/batch"
	# shellcheck disable=SC2086
	check "describe --batch $args: each answer as describe alone gives it" \
		equals "$(frames "$T/batch")" "$(alone --root="$ROOT" $args)"
done
check "the not-installed, unconfigured, broken and bad ones fail, each alone" \
	equals "$(frames "$T/batch" | awk '{ print $1 }' | tr '\n' ' ')" "0 256 256 16640 16640 0 "
printf 'relative/path\n' | "$describe" --batch --host >/dev/null 2>"$T/err" && st=0 || st=$?
check "a relative path on stdin: usage error" equals "$st" 64
check "  said so" contains "$(cat "$T/err")" "absolute paths"
printf '%s\n' "${descs[0]}" | "$describe" --batch --root="$ROOT" --set-password >/dev/null 2>"$T/err" && st=0 || st=$?
check "--set-password without its \"secret\" line first: usage error, nothing run" equals "$st/$(cat "$ROOT/etc/pt/t1.cfg")" \
	"64/$(printf 'hostname=t1.example.org\nport=5347\npassword=secret-1')"
check "an empty batch answers nothing" equals "$("$describe" --batch --host </dev/null | wc -c)" 0

# A sync through the batch against one process per transport: the same lines, the same files.
# older_describe ROOT: a describe there that refuses --batch, and logs each call to $T/alone.calls
older_describe() {
	local real=$1/usr/lib/jabber-dispatch/describe.real
	mv "$1/usr/lib/jabber-dispatch/describe" "$real"
	cat >"$1/usr/lib/jabber-dispatch/describe" <<OLD
#!/bin/sh
[ "\$1" = --batch ] && { echo "describe: usage: describe DESCRIPTOR [ADAPTER OPTIONS...]" >&2; exit 64; }
echo "\$1 \$3" >>"$T/alone.calls"
exec "$real" "\$@"
OLD
	chmod 755 "$1/usr/lib/jabber-dispatch/describe"
}
ROOT1=$T/root1
cp -a "$ROOT" "$ROOT1"
older_describe "$ROOT1"
for round in first second; do
	run_jd sync
	one=$out one_err=$err one_rc=$rc
	: >"$T/alone.calls"
	r1=$("$JD" --root="$ROOT1" sync 2>"$T/err1") && rc1=0 || rc1=$?
	check "$round sync: exit status as one by one ($one_rc)" equals "$one_rc" "$rc1"
	check "$round sync: the same lines as one by one" equals "$one" "$r1"
	check "$round sync: the same messages as one by one" equals "$one_err" "$(sed "s#$ROOT1/#$ROOT/#g" "$T/err1")"
	check "$round sync: the same files as one by one" \
		diff -r --exclude=jabber-dispatch --exclude='*.log' "$ROOT1/etc" "$ROOT/etc"
	check "$round sync: an older describe is asked once per transport" equals "$(wc -l <"$T/alone.calls")" 6
	if [ "$round" = first ]; then
		check "first sync: the good ones added" equals "$(grep -c ' added$' <<<"$one")" 2
	else
		check "second sync: the changed one updated" equals "$(grep -c '^t1 .* updated$' <<<"$one")" 1
	fi
	printf 'hostname=t1.example.org\nport=5347\npassword=changed\n' | tee "$ROOT/etc/pt/t1.cfg" >"$ROOT1/etc/pt/t1.cfg"
done

# With jabberd2, which imposes its one port and secret: each transport adopts them (--set-password,
# the secret on stdin), the descriptors all in one describe; as one by one, to the byte.
ROOT2=$T/j2 ROOT2OLD=$T/j2old
(ROOT=$ROOT2 && make_root prosody jabberd2 && only_servers prosody jabberd2 && descriptor_transports 5 5347 5347 5401)
# a secret of the admin's, kept: both roots then impose the same one
sed -i 's#<secret>secret</secret>#<secret>the-admins-own-secret-4711</secret>#' "$ROOT2/etc/jabberd2/router.xml"
cp -a "$ROOT2" "$ROOT2OLD"
older_describe "$ROOT2OLD"
: >"$T/alone.calls"
r=$("$JD" --root="$ROOT2" sync 2>"$T/err2") && rc=0 || rc=$?
r1=$("$JD" --root="$ROOT2OLD" sync 2>"$T/err1") && rc1=0 || rc1=$?
check "jabberd2: exit 0, as one by one" equals "$rc/$rc1" 0/0
check "jabberd2: the same lines as one by one" equals "$r" "$r1"
check "jabberd2: the same messages as one by one" equals "$(cat "$T/err2")" "$(sed "s#$ROOT2OLD/#$ROOT2/#g" "$T/err1")"
check "jabberd2: each transport adopted the router's secret" \
	equals "$(grep -h '^password=' "$ROOT2"/etc/pt/t*.cfg | sort -u | wc -l)/$(grep -c 'adopted the' "$T/err2")" 1/5
check "jabberd2: the same files as one by one" \
	diff -r --exclude=jabber-dispatch --exclude='*.log' "$ROOT2OLD/etc" "$ROOT2/etc"
check "jabberd2: one by one, each transport asked, probed and set alone" equals "$(wc -l <"$T/alone.calls")" 15

# One process of describe for all: T transports cost no process each.
descriptor_transports 40
rm -f "$ROOT/var/lib/jabber-dispatch/noop"
procs sync --force
check "40 transports, one server: exit 0" equals "$rc" 0
check "40 transports, one server: the program, one describe, the server's calls: $procs processes" test "$procs" -le 4
finish
