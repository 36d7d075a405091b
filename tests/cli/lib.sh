# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the black-box tests of tests/cli: a sandbox root made from the stock
# Debian configs, the project installed into it, and small assertions.
# usage in a test: . "$(dirname "$0")/lib.sh" "$@"   (args: BUILD_DIR)
set -euo pipefail

BUILD=${1:?usage: TEST BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JD=$BUILD/dispatcher/jabber-dispatch
T=$(mktemp -d /tmp/jd-cli.XXXXXX)
ROOT=$T/root
failures=0
trap '[ "${KEEP:-}" = 1 ] || rm -rf "$T"' EXIT

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
finish() {
	if [ "$failures" -ne 0 ]; then echo "$failures failed"; exit 1; fi
	echo "all passed"
}

# check DESCRIPTION COMMAND...: one assertion
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

# make_root PKG...: stock configs of the packages, the project installed under /usr
# (with the server adapters of those packages only, as each comes with its server)
make_root() {
	[ "$(id -u)" = 0 ] || skip "needs root (file owners and groups of the stock layout)"
	mkdir -p "$ROOT"
	"$TESTS/lib/stock-root.sh" "$ROOT" "$@" || skip "cannot build a sandbox from the Debian packages $*"
	DESTDIR=$ROOT cmake --install "$BUILD" --prefix /usr >/dev/null
}

# configure_biboumi HOST SECRET [PORT]: what a transport postinstall would write
configure_biboumi() {
	local f=$ROOT/etc/biboumi/biboumi.cfg
	sed -i -e "s|^hostname=.*|hostname=$1|" -e "s|^port=.*|port=${3:-5347}|" "$f"
	# the secret may hold any character: written with printf, not sed
	grep -v '^password=' "$f" >"$T/bcfg"
	printf 'password=%s\n' "$2" >>"$T/bcfg"
	cat "$T/bcfg" >"$f"
}

# snapshot NAME: a listing of every file under the root with its checksum, mode and owner
snapshot() {
	(cd "$ROOT" && find etc var -xdev -not -path "var/lib/jabber-dispatch/*" -not -path "var/log/jabber-dispatch/*" \( -type f -o -type l \) -printf '%p %m %u:%g %l\n' 2>/dev/null |
		sort | while read -r p rest; do
			if [ -f "$p" ] && [ ! -L "$p" ]; then echo "$p $rest $(sha256sum <"$p" | cut -c1-16)"; else echo "$p $rest"; fi
		done) >"$T/snap.$1"
}
same_snapshot() { diff -u "$T/snap.$1" "$T/snap.$2"; }

# capture CMD...: run CMD (stdin as given; not in a pipeline, or the variables are lost);
# sets $out and $err (also in $T/out, $T/err) and $rc, whatever the status
capture() {
	set +e
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}

# run_jd ARGS...: run jabber-dispatch on the sandbox; sets $out, $err, $rc
run_jd() { capture "$JD" --root="$ROOT" "$@"; }

# run_ad ARGS...: run the adapter $AD on the sandbox; sets $out, $err, $rc
run_ad() { capture "$AD" --root="$ROOT" "$@"; }

# changed_lines OLD NEW: the lines a change touched, as "-old" / "+new" (no context)
changed_lines() { diff -U0 "$1" "$2" | grep '^[-+][^-+]' || true; }

# xml_value FILE PATH: the text of element PATH (ElementTree syntax) of FILE, as an XML parser reads it
xml_value() { python3 -c 'import sys, xml.etree.ElementTree as E; v = E.parse(sys.argv[1]).getroot().find(sys.argv[2]); sys.stdout.write("" if v is None else (v.text or ""))' "$1" "$2"; }

# contains HAYSTACK NEEDLE
contains() { case $1 in *"$2"*) return 0 ;; *) echo "  expected to find: $2"; echo "  in: $1"; return 1 ;; esac; }
lacks() { case $1 in *"$2"*) echo "  did not expect: $2"; return 1 ;; *) return 0 ;; esac; }
equals() { [ "$1" = "$2" ] || { echo "  expected: $2"; echo "  got:      $1"; return 1; }; }

# procs ARGS...: run jabber-dispatch on the sandbox, setting $out and $rc, and count the processes it
# creates, itself included, into $procs: PIDs are handed out in order in a PID namespace of its own
# (its last one, less the two shells around the run).  --mount-proc: LeakSanitizer (an ASan build)
# reads /proc/PID of its own namespace; its exit check clones a tracer, a PID more per process:
# $per_process is then 2.
per_process=1
case $(ldd "$JD" 2>/dev/null) in *libasan*) per_process=2 ;; esac
procs() {
	local last
	last=$(unshare --pid --fork --mount-proc /bin/sh -c '"$@" >"$0/out" 2>"$0/err"; echo $? >"$0/rc"; /bin/sh -c "echo \$\$"' \
		"$T" "$JD" --root="$ROOT" "$@") || skip "cannot make a PID namespace"
	out=$(cat "$T/out") err=$(cat "$T/err") rc=$(cat "$T/rc")
	procs=$(((last - 2) / per_process))
}

# only_servers NAME...: no transport adapter, and of the server adapters only these
only_servers() {
	local a
	rm -f "$ROOT"/usr/lib/jabber-dispatch/transports/*
	for a in "$ROOT"/usr/lib/jabber-dispatch/servers/*; do
		case " $* " in *" ${a##*/} "*) ;; *) rm -f "$a" ;; esac
	done
}

# descriptor_transports N [PORT...]: N transports t1..tN, each a descriptor reading /etc/pt/tI.cfg, the
# Ith on the Ith PORT given (5347 past them)
descriptor_transports() {
	local n=$1 i port
	shift
	mkdir -p "$ROOT/etc/pt" "$ROOT/usr/lib/jabber-dispatch/transports"
	for i in $(seq "$n"); do
		port=${!i:-5347}
		printf 'hostname=t%d.example.org\nport=%d\npassword=secret-%d\n' "$i" "$port" "$i" >"$ROOT/etc/pt/t$i.cfg"
		printf '#!/usr/lib/jabber-dispatch/describe\nformat=kv\nconfig=/etc/pt/t%d.cfg\nhost=hostname\nport=port\nsecret=password\n' \
			"$i" >"$ROOT/usr/lib/jabber-dispatch/transports/t$i"
		chmod 755 "$ROOT/usr/lib/jabber-dispatch/transports/t$i"
	done
}
