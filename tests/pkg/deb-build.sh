#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dpkg-buildpackage -b of this tree: both binary packages, lintian without errors or
# warnings (each remaining one overridden with its reason), the triggers and scripts.
. "$(dirname "$0")/lib.sh" "$@"
once_per_suite
mkdir -p "$T/debs"
build_debs "$T/debs"
deb=$(ls "$T"/debs/jabber-dispatch_*.deb)
check "dh-jabber-dispatch built" test -f "$(ls "$T"/debs/dh-jabber-dispatch_*_all.deb)"
if command -v lintian >/dev/null; then
	check "lintian: no error, no warning" bash -c "! grep -E '^(E|W): ' '$LINTIAN_OUT'"
	grep -E '^(E|W): ' "$LINTIAN_OUT" || true
fi
files=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/jabber-dispatch ./usr/lib/jabber-dispatch/servers/prosody ./usr/lib/jabber-dispatch/transports/biboumi \
	./usr/lib/jabber-dispatch/describe ./usr/lib/jabber-dispatch/jd-xml.so ./usr/lib/jabber-dispatch/package-init ./usr/share/man/man1/jabber-dispatch.1.gz \
	./usr/share/man/man7/jabber-dispatch-adapter.7.gz \
	./usr/share/jabber-dispatch/registry/transports; do
	check "ships $f" contains "$files" "$f"
done
check "the protocol's header is the packagers' (dh-jabber-dispatch)" \
	contains "$(dpkg-deb -c "$(ls "$T"/debs/dh-jabber-dispatch_*_all.deb)")" ./usr/include/jabber-dispatch/adapter.h
check "... and only theirs" lacks "$files" ./usr/include/
dpkg-deb -e "$deb" "$T/ctrl"
for p in /usr/lib/jabber-dispatch/transports /usr/lib/jabber-dispatch/servers /etc/jabber-dispatch/transports \
	/etc/prosody /etc/ejabberd /etc/jabberd2 /etc/biboumi; do
	check "trigger interest-noawait $p" grep -qx "interest-noawait $p" "$T/ctrl/triggers"
done
check "no awaiting trigger (others never wait for us)" bash -c "! grep -qE '^interest(-await)? ' '$T/ctrl/triggers'"
check "postinst triggered runs sync" grep -q 'jabber-dispatch sync' "$T/ctrl/postinst"
sh -n "$T/ctrl/postinst" && sh -n "$T/ctrl/postrm"
check "scripts parse" test $? = 0
finish
