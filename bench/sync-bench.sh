#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How long sync takes as transports multiply: N transports x the prosody adapter on a
# sandbox root made from the stock Debian configs.  Prints one line per measurement:
#   N  first-sync(adds)  second-sync(unchanged)  list   (median wall seconds of R runs)
# and, when valgrind is there, the dispatcher's own instruction count for a second sync
# (repeatable whatever else the machine does).
#
# usage: sudo bench/sync-bench.sh BUILD_DIR [N...]      (default N: 1 10 50 200; R=5 runs)
set -euo pipefail
build=$(cd "${1:?usage: sync-bench.sh BUILD_DIR [N...]}" && pwd)
shift
sizes=("${@:-1 10 50 200}")
read -r -a sizes <<<"${sizes[*]}"
runs=${R:-5}
here=$(cd "$(dirname "$0")" && pwd)
jd=$build/dispatcher/jabber-dispatch
work=$(mktemp -d /tmp/jd-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$here/../tests/lib/stock-root.sh" "$work/stock" prosody biboumi
DESTDIR=$work/stock cmake --install "$build" --prefix /usr >/dev/null

# median of the wall times (seconds) of running "$@" R times; PREP runs before each
median() {
	local prep=$1
	shift
	for _ in $(seq "$runs"); do
		eval "$prep"
		local t0 t1
		t0=$(date +%s.%N)
		"$@" >/dev/null 2>&1 || true
		t1=$(date +%s.%N)
		echo "$t1 - $t0" | bc
	done | sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", v[int((NR + 1) / 2)] }'
}

# a root with N transports: each an admin adapter running the biboumi adapter on its own config
make_root() {
	local n=$1 root=$work/root
	rm -rf "$root" && cp -a "$work/stock" "$root"
	mkdir -p "$root/etc/jabber-dispatch/transports"
	for i in $(seq "$n"); do
		printf 'hostname=t%d.bench.example\npassword=secret-%d\nport=5347\n' "$i" "$i" >"$root/etc/biboumi/t$i.cfg"
		printf '#!/bin/sh\nexec %s --config=/etc/biboumi/t%d.cfg "$@"\n' \
			"$root/usr/lib/jabber-dispatch/transports/biboumi" "$i" >"$root/etc/jabber-dispatch/transports/t$i"
		chmod 755 "$root/etc/jabber-dispatch/transports/t$i"
	done
}

printf '%6s %12s %12s %12s\n' N first-sync second-sync list
for n in "${sizes[@]}"; do
	make_root "$n"
	cp -a "$work/root" "$work/base"
	first=$(median 'rm -rf "$work/root"; cp -a "$work/base" "$work/root"' "$jd" --root="$work/root" sync)
	"$jd" --root="$work/root" sync >/dev/null
	second=$(median ':' "$jd" --root="$work/root" sync)
	list=$(median ':' "$jd" --root="$work/root" list)
	printf '%6s %12s %12s %12s\n' "$n" "$first" "$second" "$list"
	rm -rf "$work/base"
done

if command -v valgrind >/dev/null; then
	# Only the dispatcher process is counted (children are not traced): its own cost per run.
	valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$jd" --root="$work/root" sync >/dev/null 2>"$work/cg.err" || true
	echo "dispatcher instructions for a second sync with N=${sizes[-1]}: $(grep -o 'Collected : [0-9]*' "$work/cg.err" | awk '{print $3}')"
fi
