#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# See jabber-dispatch at work in a throwaway root: build it, lay out the stock
# Debian prosody and biboumi configs in a sandbox, configure biboumi the way a
# transport's postinst would, and let `sync` register it in prosody.
# Nothing outside the sandbox (and build/) is changed; no service is started.
#
# usage: bash tests/demo.sh (as root)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=$src/build

step() { printf '\n==> %s\n' "$*"; }
die()  { printf 'demo: %s\n' "$*" >&2; exit 1; }

# Build as the user behind sudo when possible, so that build/ stays theirs.
as_builder() {
	local uid=${SUDO_UID:-0} gid=${SUDO_GID:-0}
	if [ "$uid" != 0 ] &&
		[ "$(stat -c %u "$build" 2>/dev/null || echo "$uid")" = "$uid" ] &&
		setpriv --reuid="$uid" --regid="$gid" --clear-groups test -w "$src"; then
		setpriv --reuid="$uid" --regid="$gid" --clear-groups "$@"
	else
		"$@"
	fi
}

build_project() {
	local log=$build/demo-build.log
	as_builder mkdir -p "$build"
	# created by the builder so that the user behind sudo owns them
	as_builder touch "$log" "$build/demo-install.log"
	if ! { as_builder cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release &&
		as_builder cmake --build "$build" -j "$(nproc)"; } >"$log" 2>&1; then
		tail -n 20 "$log" >&2
		die "build failed, full log: build/demo-build.log"
	fi
	echo "built in build/ (log: build/demo-build.log)"
}

# irc.<this host's FQDN>, lowercased, as a transport package would name it
transport_host() {
	local h
	h=$(hostname -f 2>/dev/null || true)
	[ -n "$h" ] || h=$(hostname 2>/dev/null || true)
	h=${h%.}
	h=$(printf '%s' "$h" | tr '[:upper:]' '[:lower:]')
	case $h in
	'' | *[!a-z0-9.-]*) h=localhost ;;
	esac
	printf 'irc.%s\n' "$h"
}

# set_key FILE KEY VALUE -- replace "KEY=..." or append it
set_key() {
	if grep -q "^$2=" "$1"; then
		sed -i "s|^$2=.*|$2=$3|" "$1"
	else
		printf '%s=%s\n' "$2" "$3" >>"$1"
	fi
}

configure_biboumi() {
	local cfg=$root/etc/biboumi/biboumi.cfg
	# base64 without "/", "+" and "=": safe in any config syntax
	secret=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
	set_key "$cfg" hostname "$host"
	set_key "$cfg" password "$secret"
	set_key "$cfg" port 5347
	if getent group _biboumi >/dev/null; then
		chown root:_biboumi "$cfg"
		chmod 640 "$cfg"
	else
		chmod 600 "$cfg"
	fi
	echo "biboumi.cfg: hostname=$host port=5347 password=<random, ${#secret} chars>"
}

main() {
	[ "$(id -u)" = 0 ] || die "run it as root: bash tests/demo.sh"

	if [ -f "$here/setup-deps.sh" ]; then
		step "installing dependencies (tests/setup-deps.sh)"
		if [ -x "$here/setup-deps.sh" ]; then "$here/setup-deps.sh"; else bash "$here/setup-deps.sh"; fi
	fi

	step "building (cmake, Release)"
	command -v cmake >/dev/null || die "cmake is not installed"
	build_project

	step "sandbox root from the stock Debian prosody and biboumi packages"
	root=$(mktemp -d /tmp/jabber-dispatch-demo.XXXXXX)
	chmod 755 "$root"
	"$here/lib/stock-root.sh" "$root" prosody biboumi
	DESTDIR=$root cmake --install "$build" --prefix /usr >"$build/demo-install.log" 2>&1 ||
		die "cmake --install into $root failed, log: build/demo-install.log"
	echo "root:  $root (stock /etc/prosody, /etc/biboumi; jabber-dispatch in /usr)"

	step "configuring biboumi as its postinst would"
	host=$(transport_host)
	configure_biboumi

	local jd=$root/usr/bin/jabber-dispatch dropin
	step "jabber-dispatch --root=$root sync"
	"$jd" --root="$root" sync || die "sync failed (exit status $?)"

	dropin=$root/etc/prosody/conf.d/$host.cfg.lua
	step "the prosody drop-in it wrote (secret masked)"
	if [ -f "$dropin" ]; then
		stat -c '%A %U:%G %n' "$dropin" | sed "s|$root||"
		sed -E 's/(component_secret[[:space:]]*=[[:space:]]*)(".*"|'"'"'.*'"'"')/\1"********"/' "$dropin"
		if grep -qF "\"$secret\"" "$dropin"; then echo "(the secret is the one in biboumi.cfg)"; fi
	else
		echo "no ${dropin#"$root"} was written" >&2
	fi

	step "sync again: nothing to do"
	"$jd" --root="$root" sync || die "second sync failed (exit status $?)"

	step "done"
	echo "sandbox: $root"
	echo "remove it with: rm -rf $root"
	echo "live test against real daemons (as root): bash tests/live/prosody-biboumi.sh build"
}

main "$@"
