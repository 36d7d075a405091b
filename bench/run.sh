#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/run.sh: what a sync costs as transports multiply, against the floor of spawning as many
# trivial processes, measured in the same run; a sync with nothing to do against
# `update-alternatives --query`; and one component edit against augtool.
#
# usage: sudo bench/run.sh [--quick] [--runs=R] [--sizes="1 10 100 1000"] [BUILD_DIR]
#   BUILD_DIR  a Release build (default: build)
#   --quick    T up to 100, 3 runs (a few minutes)
# Needs root (stock Debian configs keep their owners) and the .debs of prosody, ejabberd,
# jabberd2 (fetched by tests/lib/stock-root.sh); augtool (augeas-tools) for the edit comparison.
#
# Each transport is a descriptor of its own (one process, like a packaged transport), all on
# port 5347.  S=1 is prosody alone; S=3 is prosody, ejabberd and jabberd2.
#   floor    spawning T+S /bin/true one after the other (from a small C loop: no shell in between)
#   first    sync on a root where nothing is wired yet
#   change   sync after one transport's secret was changed (every adapter runs)
#   noop     sync with nothing changed since a sync that changed nothing (no adapter runs)
#   ua       `update-alternatives --query` of one alternative: a few stat calls, no spawn
#   stat     a program that only stats every file the no-op record names, as noop must: the floor of
#            any check that looks at each input (3T files at S=3)
#   procs    processes a sync creates, the dispatcher included (counted in a PID namespace)
#   peak     largest resident set of the dispatcher or any adapter of a first sync (KiB)
# Times in ms: median, then min/median/max of each run divided by the floor's (noop: by ua's) median.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sizes="1 10 100 1000"
runs=5
build=$here/../build
for a in "$@"; do
	case $a in
	--quick) sizes="1 10 100"; runs=3 ;;
	--runs=*) runs=${a#--runs=} ;;
	--sizes=*) sizes=${a#--sizes=} ;;
	-*) echo "usage: bench/run.sh [--quick] [--runs=R] [--sizes=LIST] [BUILD_DIR]" >&2; exit 64 ;;
	*) build=$a ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench/run.sh: needs root (stock configs keep their owners)" >&2; exit 77; }
build=$(cd "$build" && pwd)
jd=$build/dispatcher/jabber-dispatch
work=$(mktemp -d /tmp/jd-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# A spawner with nothing around it: N times fork+exec+wait of /bin/true.
cat >"$work/spawn.c" <<'C'
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	for (long i = 0, n = argc > 1 ? atol(argv[1]) : 1; i < n; i++) {
		pid_t p = fork();
		if (p == 0) {
			execl("/bin/true", "true", (char *)0);
			_exit(127);
		}
		waitpid(p, NULL, 0);
	}
	return 0;
}
C
cc -O2 -o "$work/spawn" "$work/spawn.c"

# A checker with nothing around it: one fstatat per path listed in a file.
cat >"$work/statall.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
int main(int argc, char **argv)
{
	static char line[4096];
	struct stat st;
	FILE *f = fopen(argv[argc - 1], "r");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		fstatat(AT_FDCWD, line, &st, AT_SYMLINK_NOFOLLOW);
	}
	return 0;
}
C
cc -O2 -o "$work/statall" "$work/statall.c"

# stock ROOTNAME PKG...: a sandbox with the packages' configs and the project, no transports
stock() {
	local root=$work/$1
	shift
	"$here/../tests/lib/stock-root.sh" "$root" "$@"
	DESTDIR=$root cmake --install "$build" --prefix /usr >/dev/null
	rm -f "$root"/usr/lib/jabber-dispatch/transports/*
	# the server adapters of the installed servers only, as each comes with its server's package
	local a
	for a in "$root"/usr/lib/jabber-dispatch/servers/*; do
		case " $* " in *" ${a##*/} "*) ;; *) rm -f "$a" ;; esac
	done
	mkdir -p "$root/etc/jabber-dispatch/transports" "$root/etc/bench"
}

# add_transports ROOT T: T descriptors, each reading a config of its own
add_transports() {
	local root=$1 t=$2 i
	for i in $(seq "$t"); do
		printf 'hostname=t%d.bench.example\nport=5347\npassword=secret-%d-bench\n' "$i" "$i" >"$root/etc/bench/t$i.cfg"
		printf '#!/usr/lib/jabber-dispatch/describe\nformat=kv\nconfig=/etc/bench/t%d.cfg\nhost=hostname\nport=port\nsecret=password\n' \
			"$i" >"$root/etc/jabber-dispatch/transports/t$i"
		chmod 755 "$root/etc/jabber-dispatch/transports/t$i"
	done
}

# ms CMD...: wall milliseconds of one run (output discarded, failures too: they show in procs)
ms() {
	local t0=$EPOCHREALTIME
	"$@" >/dev/null 2>&1 || true
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }'
}

# series PREP CMD...: R timings of CMD, PREP (untimed) before each
series() {
	local prep=$1 _
	shift
	for _ in $(seq "$runs"); do
		eval "$prep"
		ms "$@"
	done
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# ratios FLOOR: "median ms  min/median/max ratio" of the timings on stdin
ratios() {
	sort -n | awk -v f="$1" '{ v[NR] = $1 } END { m = v[int((NR + 1) / 2)];
		printf "%9.1f %5.1f/%5.1f/%5.1f", m, v[1] / f, m / f, v[NR] / f }'
}

# procs CMD...: processes CMD creates, itself included: PIDs are handed out in order in a new namespace
procs() {
	local last
	last=$(unshare --pid --fork --mount-proc /bin/sh -c '"$@" >/dev/null 2>&1; /bin/sh -c "echo \$\$"' sh "$@")
	echo $((last - 2))
}

peak() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1
	else
		echo -
	fi
}

# record_paths ROOT: the files the no-op record of ROOT names, as paths on this machine
record_paths() {
	awk -v root="$1" '$1 == "id" && $2 == "file" { print ($3 == "root" ? root : "") $4 }' "$1/var/lib/jabber-dispatch/noop"
}

# change ROOT: a new secret for transport t1 (every run another)
change() {
	printf 'hostname=t1.bench.example\nport=5347\npassword=changed-%s\n' "$RANDOM$RANDOM" >"$1/etc/bench/t1.cfg"
}

stock s1 prosody
stock s3 prosody ejabberd jabberd2
alt=$(update-alternatives --get-selections | awk 'NR == 1 { print $1 }') # awk reads it all: no SIGPIPE under pipefail

printf '%5s %2s %15s %8s %9s %17s %9s %17s %7s %6s %17s %7s %8s\n' T S "procs f/c/n" floor-ms first-ms "first/floor" change-ms \
	"change/floor" noop-ms ua-ms "noop/ua" stat-ms peak-KiB
for t in $sizes; do
	for s in 1 3; do
		base=$work/base root=$work/root
		rm -rf "$base" "$root"
		cp -a "$work/s$s" "$base"
		add_transports "$base" "$t"
		floor=$("$work/spawn" 1; series ':' "$work/spawn" $((t + s)) | median)
		cp -a "$base" "$root"
		p1=$(procs "$jd" --root="$root" sync)
		first=$(series 'rm -rf "$root"; cp -a "$base" "$root"' "$jd" --root="$root" sync | ratios "$floor")
		"$jd" --root="$root" sync >/dev/null 2>&1 || true
		change "$root"
		pc=$(procs "$jd" --root="$root" sync)
		chg=$(series 'change "$root"' "$jd" --root="$root" sync | ratios "$floor")
		"$jd" --root="$root" sync >/dev/null 2>&1 || true
		p0=$(procs "$jd" --root="$root" sync)
		ua=$(series ':' update-alternatives --query "$alt" | median)
		noop=$(series ':' "$jd" --root="$root" sync | ratios "$ua")
		record_paths "$root" >"$work/paths"
		stat=$(series ':' "$work/statall" "$work/paths" | median)
		rm -rf "$root"
		cp -a "$base" "$root"
		mem=$(peak "$jd" --root="$root" sync)
		printf '%5s %2s %15s %8.1f %s %s %7.1f %6.1f %s %7.1f %8s\n' "$t" "$s" "$p1/$pc/$p0" "$floor" "$first" "$chg" \
			"$(awk '{ print $1 }' <<<"$noop")" "$ua" "$(sed 's/^ *[^ ]* *//' <<<"$noop")" "$stat" "$mem"
	done
done

# One component added to jabberd2's router.xml: our adapter, augtool through its Xml lens, a bare spawn.
root=$work/edit
rm -rf "$root" && cp -a "$work/s3" "$root"
router=$root/etc/jabberd2/router.xml
"$root/usr/lib/jabber-dispatch/servers/jabberd2" --root="$root" --shared >"$work/shared" 2>/dev/null || true
port=$(sed -n 2p "$work/shared")
sed -n 3p "$work/shared" >"$work/secret"
cp -a "$router" "$work/router.orig"
reset='cp -a "$work/router.orig" "$router"'
adapter() { "$root/usr/lib/jabber-dispatch/servers/jabberd2" --root="$root" --host=edit.bench.example --port="$port" --password-stdin <"$work/secret"; }
echo 'set /files/etc/jabberd2/router.xml/router/jabber-dispatch-component[last()+1]/#attribute/host edit.bench.example' >"$work/aug"
aug() { augtool -r "$root" -A --transform "Xml.lns incl /etc/jabberd2/router.xml" -s -f "$work/aug"; }
bare=$(series ':' "$work/spawn" 1 | median)
ours=$(series "$reset" adapter | median)
eval "$reset"
adapter >"$work/ours.out" 2>&1 || true
printf '\none component into router.xml (median ms): bare spawn %s, jabberd2 adapter %s (%s)' "$bare" "$ours" "$(head -1 "$work/ours.out")"
if command -v augtool >/dev/null; then
	augt=$(series "$reset" aug | median)
	eval "$reset"
	aug >/dev/null 2>&1 && grep -q 'jabber-dispatch-component host="edit.bench.example"' "$router" && ok=edited || ok=FAILED
	printf ', augtool %s (%s)\n' "$augt" "$ok"
else
	printf ', augtool: not installed (apt-get install augeas-tools)\n'
fi

# Instructions, where the machine counts them (a VM often has no hardware counter; valgrind 3.19
# does not implement openat2, through which every file inside a root is opened).
if perf stat -x, -e instructions -- /bin/true 2>&1 >/dev/null | grep -q '^[0-9]'; then
	rm -rf "$root" && cp -a "$work/s1" "$root" && add_transports "$root" 10
	printf 'instructions of a first sync, T=10 S=1: %s\n' \
		"$(perf stat -x, -e instructions --inherit -- "$jd" --root="$root" sync 2>&1 >/dev/null | grep instructions | cut -d, -f1)"
else
	echo 'instructions: not counted (no hardware counter for perf here; valgrind 3.19 lacks openat2)'
fi
