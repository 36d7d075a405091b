#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dh_jabber_dispatch, from this tree, on a throwaway transport package: what the .deb
# ships, the snippets it gets, and that the snippets do what they say when run in a
# scratch root (package-init: layout + transport-init; postrm purge: both undone).
. "$(dirname "$0")/lib.sh" "$@"
command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
	skip "no dpkg-buildpackage or debhelper (tests/setup-deps.sh installs them)"
mkdir -p "$T/debs"
make_transport_pkg xgw-alpha 5290 alpha "$T/debs" || { fail "building the throwaway package"; finish; }
deb=$T/debs/xgw-alpha_1.0_all.deb
files=$(dpkg-deb -c "$deb" | awk '{print $1, $6}')
check "the descriptor, 0755, as the transport adapter" contains "$files" "-rwxr-xr-x ./usr/lib/jabber-dispatch/transports/xgw-alpha"
check "the template" contains "$files" "-rw-r--r-- ./usr/share/jabber-dispatch/templates/xgw-alpha"
check "the registry line" contains "$files" "./usr/share/jabber-dispatch/registry.d/xgw-alpha"
check "the first-config request" contains "$files" "./usr/share/jabber-dispatch/init.d/xgw-alpha"
check "no Depends on jabber-dispatch" bash -c "! dpkg-deb -f '$deb' Depends | grep -q jabber-dispatch"
dpkg-deb -e "$deb" "$T/ctrl"
check "postinst calls package-init" grep -q '/usr/lib/jabber-dispatch/package-init xgw-alpha' "$T/ctrl/postinst"
check "postrm purge removes the generated config" grep -qF 'rm -f "/etc/xgw-alpha/gateway.conf"' "$T/ctrl/postrm"
check "postrm purge removes the directories" grep -q 'jabber-dispatch layout xgw-alpha --remove --force' "$T/ctrl/postrm"
check "no sync in the snippets (the trigger does it)" bash -c "! grep -q 'jabber-dispatch sync' '$T/ctrl/postinst' '$T/ctrl/postrm'"
dpkg-deb -x "$deb" "$T/x"
check "init.d: template and output" equals "$(cat "$T/x/usr/share/jabber-dispatch/init.d/xgw-alpha")" \
	"template=/usr/share/jabber-dispatch/templates/xgw-alpha
output=/etc/xgw-alpha/gateway.conf"

# package-init itself, through a jabber-dispatch that runs on a scratch root
[ "$(id -u)" = 0 ] || { finish; exit; }
R=$T/root
mkdir -p "$R/var/log" "$R/var/lib" "$R/var/spool" "$T/bin"
DESTDIR=$R cmake --install "$BUILD" --prefix /usr >/dev/null
cp -a "$T/x/usr" "$R/"
printf '#!/bin/sh\nexec %s --root=%s "$@"\n' "$BUILD/dispatcher/jabber-dispatch" "$R" >"$T/bin/jabber-dispatch"
chmod +x "$T/bin/jabber-dispatch"
sed "s|^dir=.*|dir=$R/usr/share/jabber-dispatch/init.d|" "$SRC/hooks/package-init" >"$T/package-init"
# output paths are taken inside the root by jabber-dispatch, tested by the script on the host: use a root-relative check
sed -i "s|\[ -e \"\$output\" \] \|\| \[ -L \"\$output\" \]|[ -e \"$R\$output\" ] \|\| [ -L \"$R\$output\" ]|" "$T/package-init"
out=$(PATH="$T/bin:$PATH" sh "$T/package-init" xgw-alpha 2>&1)
check "package-init: the three directories" test -d "$R/var/log/xgw-alpha" -a -d "$R/var/lib/xgw-alpha" -a -d "$R/var/spool/xgw-alpha"
check "package-init: the config from the template" grep -qE '^hostname=alpha\.' "$R/etc/xgw-alpha/gateway.conf"
check "package-init: the registry port" grep -qx 'port=5290' "$R/etc/xgw-alpha/gateway.conf"
before=$(sha256sum "$R/etc/xgw-alpha/gateway.conf")
chmod 0700 "$R/var/lib/xgw-alpha"
out=$(PATH="$T/bin:$PATH" sh "$T/package-init" 2>&1)
check "package-init again: silent" equals "$out" ""
check "package-init again: config kept" equals "$(sha256sum "$R/etc/xgw-alpha/gateway.conf")" "$before"
check "package-init again: the admin's mode kept" equals "$(stat -c %a "$R/var/lib/xgw-alpha")" 700
echo state >"$R/var/lib/xgw-alpha/state"
# the postrm snippet with our jabber-dispatch, paths inside the root
sed -e "s|rm -f \"/etc|rm -f \"$R/etc|" -e "s|dirname \"/etc|dirname \"$R/etc|" "$T/ctrl/postrm" >"$T/postrm"
PATH="$T/bin:$PATH" sh "$T/postrm" purge
check "postrm purge: generated config gone" test ! -e "$R/etc/xgw-alpha/gateway.conf"
check "postrm purge: directories gone, with content" test ! -e "$R/var/lib/xgw-alpha" -a ! -e "$R/var/log/xgw-alpha"
finish
