# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the packaging tests: building the project's packages and throwaway transport
# packages with the debhelper add-on, from the source tree, without touching this machine.
# usage in a test: . "$(dirname "$0")/lib.sh" "$@"   (args: BUILD_DIR)
# The assertions and the sandbox directory $T are tests/cli's.
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh" "$@"
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Run in reverse order before $T goes (mounts inside it first).
cleanups=()
cleanup() {
	local i
	for ((i = ${#cleanups[@]} - 1; i >= 0; i--)); do eval "${cleanups[i]}" || true; done
	[ "${KEEP:-}" = 1 ] || rm -rf --one-file-system "$T"
}
trap cleanup EXIT

# The packages are built by dpkg-buildpackage, whatever this build's type: one run is enough.
once_per_suite() {
	if grep -q '^CMAKE_BUILD_TYPE:STRING=Asan$' "$BUILD/CMakeCache.txt" 2>/dev/null; then
		skip "packaging tests build their own binaries; they run with the other build type"
	fi
}

# build_debs DIR: jabber-dispatch and dh-jabber-dispatch built from this tree into DIR
# (dpkg-buildpackage -b, no tests), cached by the tree's content under /tmp.
build_debs() {
	local out=$1 hash cache
	command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
		skip "no dpkg-buildpackage or debhelper (tests/setup-deps.sh installs them)"
	hash=$(cd "$SRC" && src_files | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
	cache=/tmp/jd-pkg-cache/debs-$hash
	mkdir -p /tmp/jd-pkg-cache
	(
		flock 9
		if [ ! -f "$cache/done" ]; then
			rm -rf "$cache" && mkdir -p "$cache/src"
			(cd "$SRC" && src_files | tar --null -T - -cf -) | tar -C "$cache/src" -xf -
			(cd "$cache/src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b -j2) >"$cache/build.log" 2>&1 ||
				{ tail -30 "$cache/build.log"; exit 1; }
			touch "$cache/done"
		fi
	) 9>/tmp/jd-pkg-cache/lock || { fail "dpkg-buildpackage of jabber-dispatch"; finish; }
	cp "$cache"/jabber-dispatch_*.deb "$cache"/dh-jabber-dispatch_*.deb "$out/"
	# lintian reads what was built: errors fail the test, warnings must be overridden
	LINTIAN_OUT="$cache/lintian.out"
	[ -f "$LINTIAN_OUT" ] || { command -v lintian >/dev/null && lintian "$cache"/jabber-dispatch_*.changes >"$LINTIAN_OUT" 2>&1 || true; }
}

# The tree's files: git's list where there is a checkout, else everything but build trees.
src_files() {
	if git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
			[ -e "$f" ] && printf '%s\0' "$f"
		done
	else
		find . -path './build*' -prune -o -path './obj-*' -prune -o -type f -print0
	fi
}

# make_transport_pkg NAME PORT PREFIX OUTDIR: a throwaway XMPP transport package built with
# the add-on from this tree (not installed here): a kv descriptor, a template, a registry line.
make_transport_pkg() {
	local name=$1 port=$2 prefix=$3 out=$4 d=$T/srcpkg/$1
	mkdir -p "$d/debian/source" "$T/dh/Debian/Debhelper/Sequence"
	ln -sf "$SRC/debhelper/jabber_dispatch.pm" "$T/dh/Debian/Debhelper/Sequence/jabber_dispatch.pm"
	echo '3.0 (native)' >"$d/debian/source/format"
	cat >"$d/debian/changelog" <<-EOC
	$name (1.0) unstable; urgency=medium

	  * Test package.

	 -- Test <test@example.org>  Fri, 04 Dec 2026 12:00:00 +0000
	EOC
	cat >"$d/debian/control" <<-EOC
	Source: $name
	Section: net
	Priority: optional
	Maintainer: Test <test@example.org>
	Build-Depends: debhelper-compat (= 13), dh-sequence-jabber-dispatch
	Standards-Version: 4.6.2

	Package: $name
	Architecture: all
	Depends: \${misc:Depends}
	Description: throwaway XMPP transport for the packaging test
	 Ships only its jabber-dispatch descriptor and config template.
	EOC
	printf '#!/usr/bin/make -f\n%%:\n\tdh $@\n' >"$d/debian/rules"
	chmod +x "$d/debian/rules"
	cat >"$d/debian/$name.jabber-dispatch" <<-EOC
	#!/usr/lib/jabber-dispatch/describe
	format=kv
	config=/etc/$name/gateway.conf
	host=hostname
	port=port
	secret=password
	EOC
	printf '# %s: the test gateway\nhostname=@HOST@\nport=@PORT@\npassword=@SECRET@\n' "$name" \
		>"$d/debian/$name.jabber-dispatch-template"
	echo "$name $port $prefix" >"$d/debian/$name.jabber-dispatch-registry"
	(cd "$d" && PATH="$SRC/debhelper:$PATH" PERL5LIB="$T/dh" DH_AUTOSCRIPTDIR="$SRC/debhelper/autoscripts" \
		dpkg-buildpackage -us -uc -b -d) >"$T/build-$name.log" 2>&1 ||
		{ tail -20 "$T/build-$name.log"; return 1; }
	cp "$T/srcpkg/${name}_1.0_all.deb" "$out/"
}
