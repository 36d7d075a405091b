#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End to end in a real Debian 12 chroot made from the package registry (mmdebstrap with
# this machine's apt sources; services never started: a policy-rc.d that refuses):
# jabber-dispatch, a server, biboumi and two throwaway transports built with the add-on,
# in ONE apt-get install run; the trigger runs once; the throwaways are wired; then
# transport-init biboumi, remove, purge, purge of jabber-dispatch.  Once with prosody,
# once with ejabberd, in parallel.
. "$(dirname "$0")/lib.sh" "$@"
once_per_suite
[ "$(id -u)" = 0 ] || skip "needs root (chroot, mount)"
command -v mmdebstrap >/dev/null || skip "no mmdebstrap (tests/setup-deps.sh installs it)"
M=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$M" ] || M=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$M" ] || skip "no Debian mirror in this machine's apt sources"
python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1] + '/dists/bookworm/Release', timeout=15)" "$M" \
	2>/dev/null || skip "the package registry ($M) cannot be reached"

# The base chroot: apt only, with the packages the scenarios install downloaded but not
# installed; cached per day, shared by concurrent runs through a lock.
cache=/var/cache/jabber-dispatch-tests
mkdir -p "$cache"
pkgs="prosody biboumi ejabberd lua5.4 libexpat1 libyaml-0-2 libsodium23 libuuid1 liblua5.4-0 libnettle8"
base=$cache/bookworm-$(date +%Y%m%d)-$(echo "$pkgs" | md5sum | cut -c1-8).tar
partial=$cache/partial.tar # mmdebstrap picks the format by the name's ending
(
	flock 9
	if [ ! -s "$base" ]; then
		find "$cache" -name 'bookworm-*.tar' ! -name "${base##*/}" -delete
		rm -rf "$partial"
		mmdebstrap --variant=apt --skip=cleanup/apt \
			--customize-hook="chroot \"\$1\" apt-get install -y -q --download-only $pkgs" \
			bookworm "$partial" "deb $M bookworm main" >"$T/mmdebstrap.log" 2>&1 || exit 1
		mv "$partial" "$base"
	fi
) 9>"$cache/lock" || { tail -5 "$T/mmdebstrap.log"; skip "mmdebstrap could not make the base chroot from $M"; }

mkdir -p "$T/debs"
build_debs "$T/debs"
make_transport_pkg xgw-alpha 5290 alpha "$T/debs" || { fail "building xgw-alpha"; finish; }
make_transport_pkg xgw-beta 5291 beta "$T/debs" || { fail "building xgw-beta"; finish; }

jd_deb=$(basename "$T"/debs/jabber-dispatch_*_*.deb)

# scenario SERVER: one chroot, every step; prints ok:/FAIL: lines.
scenario() {
	local server=$1 C=$T/chroot-$1 n
	set +e
	mkdir -p "$C"
	tar -C "$C" -xf "$base" || { fail "$server: unpacking the base chroot"; return; }
	printf '#!/bin/sh\n# the packaging test: never start a service\nexit 101\n' >"$C/usr/sbin/policy-rc.d"
	chmod 755 "$C/usr/sbin/policy-rc.d"
	mount -t proc proc "$C/proc" || { fail "$server: mounting /proc in the chroot"; return; }
	trap 'umount "$C/proc" 2>/dev/null' EXIT
	cp "$T/debs/$jd_deb" "$T"/debs/xgw-*.deb "$C/tmp/"
	in_chroot() { chroot "$C" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }
	trigger_runs() { grep -c ' trigproc jabber-dispatch:' "$C/var/log/dpkg.log"; }
	conf() { sed -n "s/^$2=//p" "$C/etc/$1/gateway.conf"; }

	# --- one apt-get install run
	in_chroot apt-get install -y -q --no-install-recommends "/tmp/$jd_deb" /tmp/xgw-alpha_1.0_all.deb \
		/tmp/xgw-beta_1.0_all.deb "$server" biboumi lua5.4 >"$T/$server-install.log" 2>&1
	check "$server: one apt-get install of everything: exit 0" equals "$?" 0
	check "$server: the trigger ran exactly once" equals "$(trigger_runs)" 1
	check "$server: jabber-dispatch configured once" equals "$(grep -c ' configure jabber-dispatch:' "$C/var/log/dpkg.log")" 1
	check "$server: no package left half-configured" equals "$(in_chroot dpkg -l | grep -c '^[a-z][^i ]')" 0
	for p in alpha beta; do
		check "$server: xgw-$p's config generated" grep -qE "^hostname=$p\\." "$C/etc/xgw-$p/gateway.conf"
		check "$server: xgw-$p's /var directories" test -d "$C/var/lib/xgw-$p" -a -d "$C/var/log/xgw-$p" -a -d "$C/var/spool/xgw-$p"
	done
	server_checks "$server" "$C" "install"

	# --- the admin completes biboumi's stock config
	out=$(in_chroot jabber-dispatch transport-init biboumi 2>&1)
	check "$server: transport-init biboumi: exit 0" test $? = 0
	check "$server: transport-init biboumi: says it filled it in" contains "$out" "biboumi: config filled in"
	biboumi_host=$(sed -n 's/^hostname=//p' "$C/etc/biboumi/biboumi.cfg")
	biboumi_secret=$(sed -n 's/^password=//p' "$C/etc/biboumi/biboumi.cfg")
	check "$server: biboumi's host is irc.FQDN" contains "$biboumi_host" "irc."
	server_has "$server" "$C" "$biboumi_host" "$biboumi_secret" "biboumi wired"
	server_checks "$server" "$C" "after transport-init"

	# --- removing one throwaway transport: its component goes, the others stay
	alpha_host=$(conf xgw-alpha hostname) beta_host=$(conf xgw-beta hostname) beta_secret=$(conf xgw-beta password)
	in_chroot apt-get remove -y -q xgw-alpha >"$T/$server-remove.log" 2>&1
	check "$server: apt-get remove xgw-alpha: exit 0" equals "$?" 0
	check "$server: the trigger ran once more" equals "$(trigger_runs)" 2
	server_lacks "$server" "$C" "$alpha_host" "xgw-alpha's component gone"
	server_has "$server" "$C" "$beta_host" "$beta_secret" "xgw-beta stays"
	server_has "$server" "$C" "$biboumi_host" "$biboumi_secret" "biboumi stays"
	check "$server: remove keeps xgw-alpha's config and directories" test -f "$C/etc/xgw-alpha/gateway.conf" -a -d "$C/var/lib/xgw-alpha"
	server_checks "$server" "$C" "after remove"

	# --- purging it: its /var directories and generated config go
	in_chroot apt-get purge -y -q xgw-alpha >"$T/$server-purge.log" 2>&1
	check "$server: apt-get purge xgw-alpha: exit 0" equals "$?" 0
	check "$server: purge: xgw-alpha's config gone" test ! -e "$C/etc/xgw-alpha/gateway.conf" -a ! -e "$C/etc/xgw-alpha"
	check "$server: purge: xgw-alpha's /var directories gone" test ! -e "$C/var/lib/xgw-alpha" -a ! -e "$C/var/log/xgw-alpha" -a ! -e "$C/var/spool/xgw-alpha"
	check "$server: purge: xgw-beta's untouched" test -d "$C/var/lib/xgw-beta" -a -f "$C/etc/xgw-beta/gateway.conf"

	# --- purging jabber-dispatch: the servers keep what it wrote (README: removal)
	in_chroot apt-get purge -y -q jabber-dispatch >"$T/$server-purge-jd.log" 2>&1
	check "$server: apt-get purge jabber-dispatch: exit 0" equals "$?" 0
	check "$server: purge jabber-dispatch: its state and log gone" test ! -e "$C/var/lib/jabber-dispatch" -a ! -e "$C/var/log/jabber-dispatch"
	server_has "$server" "$C" "$beta_host" "$beta_secret" "after purging jabber-dispatch, xgw-beta stays wired"
	server_has "$server" "$C" "$biboumi_host" "$biboumi_secret" "after purging jabber-dispatch, biboumi stays wired"
	server_checks "$server" "$C" "after purging jabber-dispatch"
	# --- installed again alone, after the servers and transports, with a broken transport:
	# one sync at the end of the run; the failure is one line and fails nothing
	printf 'hostname = not a key\n' >>"$C/etc/xgw-beta/gateway.conf"
	n=$(trigger_runs)
	in_chroot apt-get install -y -q "/tmp/$jd_deb" >"$T/$server-reinstall.log" 2>&1
	check "$server: jabber-dispatch alone, a transport broken: exit 0" equals "$?" 0
	check "$server: ... its sync ran once, at the end of the run" equals "$(trigger_runs)" $((n + 1))
	check "$server: ... the failure in one line saying what to run" contains "$(cat "$T/$server-reinstall.log")" \
		"fix it, then run: jabber-dispatch sync"
	check "$server: ... jabber-dispatch installed and configured" equals "$(in_chroot dpkg-query -W -f '${Status}' jabber-dispatch)" \
		"install ok installed"
	n=$(grep -c . "$T/$server-install.log")
	echo "$server: the install printed $n lines; jabber-dispatch's part:"
	sed -n '/^Processing triggers for jabber-dispatch/,$p' "$T/$server-install.log" | head -20
	umount "$C/proc"
	trap - EXIT
}

# server_has SERVER CHROOT HOST SECRET WHAT / server_lacks SERVER CHROOT HOST WHAT
server_has() {
	local f
	case $1 in
	prosody)
		f=$2/etc/prosody/conf.d/$3.cfg.lua
		check "$1: $5: drop-in declares $3" grep -qx "Component \"$3\"" "$f"
		check "$1: $5: drop-in holds its secret" grep -qxF $'\tcomponent_secret = "'"$4"'"' "$f" ;;
	ejabberd)
		f=$2/etc/ejabberd/modules.d/jabber-dispatch.yml
		check "$1: $5: listener for $3 with its secret" python3 - "$f" "$3" "$4" <<-'PY'
		import sys, yaml
		doc = yaml.safe_load(open(sys.argv[1]))
		found = [l for l in doc.get("listen", []) if sys.argv[2] in (l.get("hosts") or {})]
		ok = [l for l in found if l["hosts"][sys.argv[2]].get("password") == sys.argv[3]]
		sys.exit(0 if ok else 1)
		PY
		;;
	esac
}
server_lacks() {
	case $1 in
	prosody) check "$1: $4" test ! -e "$2/etc/prosody/conf.d/$3.cfg.lua" ;;
	ejabberd) check "$1: $4" bash -c "! grep -qF '$3' '$2/etc/ejabberd/modules.d/jabber-dispatch.yml'" ;;
	esac
}
# server_checks SERVER CHROOT WHEN: the server's own parser (or the closest we have) takes its config
server_checks() {
	local f
	case $1 in
	prosody)
		for f in "$2"/etc/prosody/prosody.cfg.lua "$2"/etc/prosody/conf.d/*.cfg.lua; do
			check "$1: $3: luac -p ${f#$2}" chroot "$2" luac5.4 -p "${f#$2}"
		done ;;
	ejabberd)
		for f in "$2"/etc/ejabberd/ejabberd.yml "$2"/etc/ejabberd/modules.d/*.yml; do
			[ -f "$f" ] && check "$1: $3: ${f#$2} is YAML" python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' "$f"
		done ;;
	esac
}

scenario prosody >"$T/prosody.out" 2>&1 &
p1=$!
scenario ejabberd >"$T/ejabberd.out" 2>&1 &
p2=$!
wait $p1 $p2 || true
cat "$T/prosody.out" "$T/ejabberd.out"
failures=$(cat "$T/prosody.out" "$T/ejabberd.out" | grep -c '^FAIL' || true)
if [ "$failures" -ne 0 ]; then
	for f in "$T"/*-install.log "$T"/*-remove.log; do echo "== $f"; tail -25 "$f"; done
fi
finish
