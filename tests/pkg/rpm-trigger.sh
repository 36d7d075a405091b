#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# RPM: the spec built with rpmbuild; in a scratch root (rpm --root, holding just the
# shell and the libraries the programs need, and Debian's stock prosody config), one
# transaction of two transport packages built with the macros runs %transfiletriggerin
# once and wires both; erasing both runs %transfiletriggerpostun once and unwires them.
# ALT: the filetrigger fed paths on stdin, in the same root.
. "$(dirname "$0")/lib.sh" "$@"
once_per_suite
[ "$(id -u)" = 0 ] || skip "needs root (chroot for the scriptlets)"
command -v rpmbuild >/dev/null && command -v rpm >/dev/null || skip "no rpm or rpmbuild (tests/setup-deps.sh installs rpm)"
V=0.1.0
top=$T/rpmbuild
mkdir -p "$top/SOURCES"
rpmb() { rpmbuild --define "_topdir $top" --define 'debug_package %{nil}' --define '_smp_mflags -j2' \
	--load "$SRC/rpm/macros.jabber-dispatch" --nodeps "$@"; }

# --- the project's spec
(cd "$SRC" && src_files | tar --null -T - --transform "s,^\\./,,;s,^,jabber-dispatch-$V/," -czf "$top/SOURCES/jabber-dispatch-$V.tar.gz")
rpmb -bb "$SRC/rpm/jabber-dispatch.spec" >"$T/rpmbuild.log" 2>&1 || { tail -30 "$T/rpmbuild.log"; fail "rpmbuild of jabber-dispatch.spec"; finish; }
jd_rpm=$(ls "$top"/RPMS/*/jabber-dispatch-$V-1*.rpm)
pass "rpmbuild of jabber-dispatch.spec"
check "the spec declares the transaction file triggers" contains "$(rpm -qp --filetriggers "$jd_rpm" 2>/dev/null; rpm -qp --scripts "$jd_rpm")" "transfiletriggerin"

# --- two throwaway transport packages using the macros
for p in alpha:5290 beta:5291; do
	name=xgw-${p%%:*} port=${p#*:}
	printf '#!/usr/lib/jabber-dispatch/describe\nformat=kv\nconfig=/etc/%s/gateway.conf\nhost=hostname\nport=port\nsecret=password\n' "$name" >"$top/SOURCES/$name.descriptor"
	printf 'hostname=@HOST@\nport=@PORT@\npassword=@SECRET@\n' >"$top/SOURCES/$name.template"
	echo "$name $port ${p%%:*}" >"$top/SOURCES/$name.registry"
	cat >"$T/$name.spec" <<-EOS
	Name: $name
	Version: 1.0
	Release: 1
	Summary: throwaway XMPP transport for the packaging test
	License: GPL-2.0-or-later
	BuildArch: noarch
	%description
	Ships only its jabber-dispatch descriptor, template and registry line.
	%install
	install -D -m 0755 %{_sourcedir}/$name.descriptor %{buildroot}%{jabber_dispatch_transportdir}/$name
	install -D -m 0644 %{_sourcedir}/$name.template %{buildroot}%{jabber_dispatch_templatedir}/$name
	install -D -m 0644 %{_sourcedir}/$name.registry %{buildroot}%{jabber_dispatch_registrydir}/$name
	%jabber_dispatch_init $name /etc/$name/gateway.conf
	%post
	%jabber_dispatch_transport_post $name
	%postun
	%jabber_dispatch_transport_postun $name /etc/$name/gateway.conf
	%files
	%{jabber_dispatch_transportdir}/$name
	%{jabber_dispatch_templatedir}/$name
	%{jabber_dispatch_registrydir}/$name
	%{jabber_dispatch_initdir}/$name
	EOS
	rpmb -bb "$T/$name.spec" >"$T/rpmbuild-$name.log" 2>&1 || { tail -20 "$T/rpmbuild-$name.log"; fail "rpmbuild of $name"; finish; }
done
pass "rpmbuild of two transport packages with the macros"

# --- the scratch root: merged /usr like this machine, the programs' libraries, stock prosody
R=$T/root
mkdir -p "$R/usr/bin" "$R/usr/lib" "$R/usr/lib64" "$R/tmp" "$R/var/lib" "$R/var/log" "$R/var/spool" "$R/usr/lib/rpm"
for l in bin lib lib64 sbin; do [ -L "/$l" ] && ln -s "usr/$l" "$R/$l"; done
mkdir -p "$R/usr/sbin" "$R/dev"
mknod -m 666 "$R/dev/null" c 1 3
# adapters are located through /proc/self/fd, as in any installed system
mkdir -p "$R/proc"
mount -t proc proc "$R/proc"
cleanups+=("umount '$R/proc'")
copy_with_libs() {
	local f lib
	for f in "$@"; do
		for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
			[ -e "$R$lib" ] || cp --parents -L "$lib" "$R/"
		done
	done
}
copy_with_libs /bin/sh /bin/rm /bin/grep /bin/cat "$BUILD"/dispatcher/jabber-dispatch "$BUILD"/adapters/describe "$BUILD"/adapters/servers/*
cp -L /bin/sh /bin/rm /bin/grep /bin/cat "$R/usr/bin/"
"$SRC/tests/lib/stock-root.sh" "$R" prosody || skip "cannot build a sandbox from Debian's prosody package"
cp "$SRC/rpm/jabber-dispatch.filetrigger" "$R/usr/lib/rpm/"
rpmr() { rpm --root "$R" --nodeps --ignorearch --ignoreos "$@"; }
rpm --root "$R" --initdb

rc=0; rpmr -i -vv "$jd_rpm" >"$T/install-jd.log" 2>&1 || rc=$?
check "jabber-dispatch installs: exit 0" equals "$rc" 0
check "jabber-dispatch's own install runs its trigger once" equals "$(grep -c 'transfiletriggerin(jabber-dispatch[^)]*): scriptlet start' "$T/install-jd.log")" 1

rpmr -i -vv "$top"/RPMS/noarch/xgw-alpha-1.0-1.noarch.rpm "$top"/RPMS/noarch/xgw-beta-1.0-1.noarch.rpm >"$T/install.log" 2>&1
check "one transaction of two transports: exit 0" test $? = 0
check "%transfiletriggerin ran once" equals "$(grep -c 'transfiletriggerin(jabber-dispatch[^)]*): scriptlet start' "$T/install.log")" 1
for p in alpha beta; do
	host=$(sed -n 's/^hostname=//p' "$R/etc/xgw-$p/gateway.conf")
	check "xgw-$p: first config from its template (%post)" contains "$host" "$p."
	check "xgw-$p: its /var directories" test -d "$R/var/lib/xgw-$p"
	check "xgw-$p: wired into prosody" grep -qx "Component \"$host\"" "$R/etc/prosody/conf.d/$host.cfg.lua"
done
alpha_host=$(sed -n 's/^hostname=//p' "$R/etc/xgw-alpha/gateway.conf")

rc=0; rpm --root "$R" --nodeps -e -vv xgw-alpha xgw-beta >"$T/erase.log" 2>&1 || rc=$?
check "erasing both: exit 0" equals "$rc" 0
check "%transfiletriggerpostun ran once" equals "$(grep -c 'transfiletriggerpostun(jabber-dispatch[^)]*): scriptlet start' "$T/erase.log")" 1
check "xgw-alpha unwired from prosody" test ! -e "$R/etc/prosody/conf.d/$alpha_host.cfg.lua"
check "erase: generated config and /var directories gone" test ! -e "$R/etc/xgw-alpha/gateway.conf" -a ! -e "$R/var/lib/xgw-alpha"

# --- ALT: the filetrigger with the transaction's paths on stdin
rpmr -i --notriggers "$top"/RPMS/noarch/xgw-alpha-1.0-1.noarch.rpm >/dev/null 2>&1
check "without the trigger, xgw-alpha is not wired" test ! -e "$R/etc/prosody/conf.d/$alpha_host.cfg.lua"
printf '/usr/share/doc/unrelated/README\n/etc/prosodyx/file\n' | chroot "$R" /usr/lib/rpm/jabber-dispatch.filetrigger >"$T/alt1.log" 2>&1
check "ALT: unrelated paths: exit 0, nothing run" equals "$?:$(cat "$T/alt1.log")" "0:"
check "ALT: unrelated paths: not wired" test ! -e "$R/etc/prosody/conf.d/$alpha_host.cfg.lua"
rpm --root "$R" -ql xgw-alpha | chroot "$R" /usr/lib/rpm/jabber-dispatch.filetrigger >"$T/alt2.log" 2>&1
check "ALT: the package's paths: exit 0" test $? = 0
check "ALT: the package's paths: one sync wires it" grep -qx "Component \"$alpha_host\"" "$R/etc/prosody/conf.d/$alpha_host.cfg.lua"
finish
