#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build a sandbox root from the stock configuration of real Debian packages.
#
# usage: stock-root.sh [-v] ROOT PKG...
#
# For each PKG the .deb of the apt candidate is fetched with `apt-get download`
# into a cache, its etc/ is copied into ROOT/etc, and the steps its postinst
# takes on a fresh install that shape the config layout (directories, the
# conf.d symlink, owners and modes, generated config files) are replayed
# inside ROOT.  User creation and service starts are not replayed: owners are
# only set when the user and group already exist on this machine.
#
# Re-running is safe: files already present under ROOT are kept, the way dpkg
# keeps a changed conffile, and the layout steps are re-applied.
#
#   -v            say what is done (otherwise silent on success)
#   JD_DEB_CACHE  .deb cache (default /var/cache/jabber-dispatch-tests/debs)
#
# Exit status: 0 ok, 1 error (one line on stderr), 64 usage.

# The layout steps quote postinst text literally, $VARS included.
# shellcheck disable=SC2016
set -euo pipefail

prog=${0##*/}
verbose=0
cache=${JD_DEB_CACHE:-/var/cache/jabber-dispatch-tests/debs}
work=

die()  { printf '%s: %s\n' "$prog" "$*" >&2; exit 1; }
warn() { printf '%s: warning: %s\n' "$prog" "$*" >&2; }
# progress goes to stderr: stdout of some functions is their result
say()  { if [ "$verbose" = 1 ]; then printf '%s: %s\n' "$prog" "$*" >&2; fi; }
usage() { printf 'usage: %s [-v] ROOT PKG...\n' "$prog" >&2; exit 64; }

cleanup() { if [ -n "$work" ]; then rm -rf -- "$work"; fi; }
trap cleanup EXIT

# ---------------------------------------------------------------- fetching

# Print the path of a verified .deb of PKG's candidate in the cache,
# downloading it first unless it is already there.
fetch_deb() {
	local pkg=$1 line file hash deb dl got
	# --print-uris names the candidate's file and checksum without fetching.
	# It prints nothing for a file that already sits in the current
	# directory, hence an empty one.
	mkdir -p "$work/empty"
	if ! line=$(cd "$work/empty" && apt-get download --print-uris "$pkg" 2>"$work/apt.err"); then
		deb=$(newest_cached "$pkg")
		if [ -n "$deb" ]; then
			say "$pkg: apt does not know it now, using cached $(basename "$deb")"
			printf '%s\n' "$deb"
			return
		fi
		die "cannot locate package '$pkg': $(tr '\n' ' ' <"$work/apt.err")"
	fi
	read -r _ file _ hash <<<"$line"
	[ -n "${hash:-}" ] || die "unexpected answer from apt-get download --print-uris $pkg: $line"

	deb=$cache/$file
	if [ -f "$deb" ] && checksum_ok "$deb" "$hash"; then
		say "$pkg: cached $file"
		printf '%s\n' "$deb"
		return
	fi

	say "$pkg: downloading $file"
	# Download next to the cache so that the final rename is atomic and a
	# concurrent reader never sees half a file.
	dl=$(mktemp -d "$cache/.dl.XXXXXX")
	# apt drops to _apt for downloads; let it write here instead of warning
	# about an "unsandboxed" download.
	if getent passwd _apt >/dev/null; then chown _apt "$dl"; fi
	if ! (cd "$dl" && apt-get download -q "$pkg") >"$work/apt.out" 2>"$work/apt.err"; then
		rm -rf -- "$dl"
		die "apt-get download $pkg failed: $(tr '\n' ' ' <"$work/apt.err")"
	fi
	got=$(find "$dl" -maxdepth 1 -name '*.deb' -print -quit)
	if [ -z "$got" ] || ! checksum_ok "$got" "$hash"; then
		rm -rf -- "$dl"
		die "$pkg: the downloaded $file is missing or does not match $hash"
	fi
	chown root:root "$got"
	mv -f -- "$got" "$deb"
	rm -rf -- "$dl"
	printf '%s\n' "$deb"
}

# checksum_ok FILE ALGO:HEX -- true when FILE matches; an algorithm this
# script does not know counts as a match (apt itself has verified it).
checksum_ok() {
	local f=$1 algo=${2%%:*} want=${2#*:} tool have
	case $algo in
	SHA256) tool=sha256sum ;;
	SHA512) tool=sha512sum ;;
	SHA1) tool=sha1sum ;;
	MD5Sum) tool=md5sum ;;
	*) return 0 ;;
	esac
	have=$($tool <"$f") || return 1
	[ "${have%% *}" = "$want" ]
}

newest_cached() {
	local pkg=$1
	find "$cache" -maxdepth 1 -name "${pkg}_*.deb" -print 2>/dev/null | sort -V | tail -n 1
}

# ---------------------------------------------------------------- helpers for the layout steps

# own USER:GROUP MODE PATH -- what `chown U:G P; chmod M P` does in a postinst.
# The owner is set only when both names exist here; the mode always.
own() {
	local ug=$1 mode=$2 path=$3 u=${1%%:*} g=${1#*:}
	[ -e "$path" ] && [ ! -L "$path" ] || return 0
	if getent passwd "$u" >/dev/null && getent group "$g" >/dev/null; then
		chown -h "$ug" "$path"
	else
		say "no user/group $ug on this machine, ${path#"$root"} left as $(stat -c %U:%G "$path")"
	fi
	chmod "$mode" "$path"
}

# dir USER:GROUP MODE PATH -- `install -d -o U -g G -m M PATH`
dir() { mkdir -p -- "$3"; own "$1" "$2" "$3"; }

# The steps below were read from the packages' postinst scripts (Debian 12).
# If a newer postinst no longer contains a step, say so instead of silently
# building a layout that a real install would not have.
expect_postinst() {
	local pkg=$1 ctl=$2 needle
	shift 2
	[ -f "$ctl/postinst" ] || { warn "$pkg has no postinst any more; layout steps may be stale"; return 0; }
	for needle in "$@"; do
		grep -qF -- "$needle" "$ctl/postinst" ||
			warn "$pkg postinst no longer contains '$needle'; the sandbox layout may differ from a real install"
	done
}

# ---------------------------------------------------------------- per-package layout (fresh install)

layout_prosody() {
	local ctl=$1 e=$root/etc/prosody
	expect_postinst prosody "$ctl" \
		'install -d -o root -g prosody -m 754 "/etc/prosody/conf.d"' \
		'ln -s ../conf.avail/localhost.cfg.lua /etc/prosody/conf.d/' \
		'chown root:prosody $f'
	own root:root 755 "$e"
	own root:prosody 640 "$e/prosody.cfg.lua"
	dir root:prosody 754 "$e/conf.d"
	dir root:prosody 754 "$e/conf.avail"
	# only on a fresh install, and the admin may delete it later
	if [ ! -e "$e/conf.d/localhost.cfg.lua" ] && [ ! -L "$e/conf.d/localhost.cfg.lua" ]; then
		ln -s ../conf.avail/localhost.cfg.lua "$e/conf.d/"
	fi
	dir root:prosody 750 "$e/certs"
	dir prosody:adm 750 "$root/var/log/prosody"
	dir prosody:prosody 750 "$root/var/lib/prosody"
}

layout_biboumi() {
	local ctl=$1
	expect_postinst biboumi "$ctl" 'chown $ACCOUNTNAME:$ACCOUNTNAME $ACCOUNTHOME'
	# the postinst leaves /etc/biboumi as shipped (root, 0644 config)
	dir _biboumi:_biboumi 750 "$root/var/lib/biboumi"
}

layout_ejabberd() {
	local ctl=$1 data=$2 e=$root/etc/ejabberd
	expect_postinst ejabberd "$ctl" \
		'EJABBERD_YML_SOURCE=/usr/share/ejabberd/ejabberd.yml.example' \
		'EJABBERDCTL_CFG_SOURCE=/usr/share/ejabberd/ejabberdctl.cfg.example' \
		's/  - localhost/  - $HOST/' \
		'chown root:ejabberd /etc/ejabberd'
	# The package ships no ejabberd.yml and no /etc/default/ejabberd: the
	# postinst generates both from templates with the debconf answers (ucf).
	# Replay it with the debconf defaults: hostname "localhost", no admin
	# user, the default ERL_OPTIONS.
	local host=localhost erlopts
	erlopts=$(debconf_default "$ctl" ejabberd/erlangopts)
	mkdir -p "$root/etc/default"
	if [ ! -e "$root/etc/default/ejabberd" ]; then
		sed -e "s/#\?ERL_OPTIONS=.*/ERL_OPTIONS=\"$erlopts\"/" \
			"$data/usr/share/ejabberd/ejabberdctl.cfg.example" >"$root/etc/default/ejabberd"
	fi
	chmod 644 "$root/etc/default/ejabberd"
	if [ ! -e "$e/ejabberd.yml" ]; then
		sed -e "s/  - localhost/  - $host/ ;
			s/  ## admin/  admin/ ;
			0,/  ##   user/s/  ##   user/     user/ ;
			s/.*ermine.*//" \
			-e 's/  ##     - "aleksey@localhost"/       - ""/' \
			"$data/usr/share/ejabberd/ejabberd.yml.example" >"$e/ejabberd.yml"
	fi
	own ejabberd:ejabberd 600 "$e/ejabberd.yml"
	# the preinst makes it 0750 on a fresh install ("may contain sensitive
	# data"), the postinst gives it to group ejabberd
	if [ -d "$e" ]; then own root:ejabberd 750 "$e"; fi
	dir ejabberd:ejabberd 700 "$root/var/lib/ejabberd"
	dir ejabberd:adm 2750 "$root/var/log/ejabberd"
}

layout_jabberd2() {
	local ctl=$1
	expect_postinst jabberd2 "$ctl" 'chown jabber:jabber /etc/jabberd2'
	own jabber:jabber 750 "$root/etc/jabberd2"
	dir jabber:jabber 750 "$root/var/lib/jabberd2"
	dir jabber:jabber 750 "$root/var/log/jabberd2"
}

layout_jabber_muc() {
	local ctl=$1 s=$root/var/spool/jabber-muc
	expect_postinst jabber-muc "$ctl" 'chown jabber:jabber /etc/jabberd2'
	own jabber:jabber 750 "$root/etc/jabberd2"
	dir jabber:jabber 750 "$root/var/log/jabberd2"
	dir jabber:jabber 750 "$s"
	dir jabber:jabber 750 "$s/rooms"
	dir jabber:jabber 750 "$s/rooms-logs"
}

layout_kamailio() {
	local ctl=$1
	expect_postinst kamailio "$ctl" 'adduser --quiet --system --group'
	# the postinst only adds the kamailio user: /etc/kamailio stays as shipped (root, 0644)
}

# Default answer of a debconf question, from the package's templates file.
debconf_default() {
	awk -v q="$2" '
		/^Template:/ { cur = $2 }
		cur == q && /^Default:/ { sub(/^Default: ?/, ""); print; exit }
	' "$1/templates"
}

# ---------------------------------------------------------------- main

stage() {
	local pkg=$1 deb data ctl fn
	deb=$(fetch_deb "$pkg")
	data=$work/$pkg/data
	ctl=$work/$pkg/ctl
	mkdir -p "$data" "$ctl"
	dpkg-deb -x "$deb" "$data" || die "dpkg-deb -x $deb failed"
	dpkg-deb -e "$deb" "$ctl" || die "dpkg-deb -e $deb failed"

	check_no_escape
	if [ -d "$data/etc" ]; then
		mkdir -p "$root/etc"
		# keep what is already in ROOT (a rerun, or a test's own edits)
		tar -C "$data/etc" -cf - . | tar -C "$root/etc" -xpf - --skip-old-files ||
			die "copying $pkg's etc/ into $root/etc failed"
		say "$pkg: stock etc/ copied"
	fi

	fn=layout_${pkg//-/_}
	if declare -F "$fn" >/dev/null; then
		"$fn" "$ctl" "$data"
		say "$pkg: postinst layout applied"
	elif [ -f "$ctl/postinst" ] && grep -q '/etc/' "$ctl/postinst"; then
		warn "no layout steps known for $pkg, whose postinst touches /etc; the sandbox may differ from a real install"
	fi
}

# tar and chmod follow symlinks: refuse a ROOT where one leads out of it,
# so that nothing here can write to the real /etc.
check_no_escape() {
	local l t
	while IFS= read -r -d '' l; do
		t=$(realpath -m -- "$l")
		case $t in
		"$root" | "$root"/*) ;;
		*) die "${l#"$root"} is a symlink out of the sandbox ($t)" ;;
		esac
	done < <(find "$root" -xdev -type l -print0)
}

main() {
	while getopts v opt; do
		case $opt in
		v) verbose=1 ;;
		*) usage ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# -ge 2 ] || usage
	root=$1
	shift

	[ "$(id -u)" = 0 ] || die "must run as root (files are chowned to the packages' users)"
	for tool in apt-get dpkg-deb tar flock; do
		command -v "$tool" >/dev/null || die "'$tool' not found"
	done

	[ -n "$root" ] || usage
	mkdir -p -- "$root"
	root=$(realpath -e -- "$root")
	[ "$root" != / ] || die "refusing to use / as the sandbox root"
	mkdir -p -- "$cache" 2>/dev/null || die "cannot create the .deb cache '$cache'"
	[ -w "$cache" ] || die "the .deb cache '$cache' is not writable"
	work=$(mktemp -d "${TMPDIR:-/tmp}/stock-root.XXXXXX")

	# one download at a time per cache; stale temp dirs of killed runs go
	exec 9>"$cache/.lock"
	flock -w 600 9 || die "timed out waiting for the lock on $cache"
	find "$cache" -maxdepth 1 -name '.dl.*' -type d -mmin +60 -exec rm -rf -- {} + 2>/dev/null || true

	local pkg
	for pkg in "$@"; do
		stage "$pkg"
	done
	say "sandbox root ready: $root"
}

main "$@"
