#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Quiet mode (--quiet, or on by itself in a dpkg maintainer script): only what changed and what
# failed.  A transport whose package is not installed gets no line in any mode; two transports
# claiming one host are both refused, and keep what they had.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody biboumi
confd=$ROOT/etc/prosody/conf.d

run_jd sync
check "stock: the unconfigured biboumi is listed" contains "$out" "unconfigured"
check "stock: transports not installed are not listed" lacks "$out" "jabber-jit"
check "stock: one line only" equals "$(printf '%s\n' "$out" | grep -c .)" 1
run_jd --quiet sync
check "--quiet: nothing changed, nothing printed" equals "$out" ""
check "--quiet: exit 0" equals "$rc" 0

configure_biboumi irc.example.org 'Quiet-s3cret'
export DPKG_MAINTSCRIPT_PACKAGE=biboumi
run_jd sync
check "maintainer script: the change is printed" contains "$out" "irc.example.org                  added"
run_jd sync
check "maintainer script: unchanged, nothing printed" equals "$out" ""
unset DPKG_MAINTSCRIPT_PACKAGE
run_jd -q sync
check "-q: unchanged, nothing printed" equals "$out" ""
run_jd sync
check "without -q: the unchanged pair is listed" contains "$out" "unchanged"

# A failure is printed in quiet mode too.
mkdir -p "$ROOT/etc/jabber-dispatch/servers"
printf '#!/bin/sh\necho "broken: cannot read its config" >&2\nexit 65\n' >"$ROOT/etc/jabber-dispatch/servers/broken"
chmod 755 "$ROOT/etc/jabber-dispatch/servers/broken"
run_jd sync -q
check "-q: a failure is printed" contains "$out" "broken       irc.example.org                  error"
check "-q: only the failure" equals "$(printf '%s\n' "$out" | grep -c .)" 1
check "-q: a failure fails" equals "$rc" 65
rm "$ROOT/etc/jabber-dispatch/servers/broken"

# A second transport claiming biboumi's host: both refused, the component stays as it is.
mkdir -p "$ROOT/etc/jabber-dispatch/transports"
cat >"$ROOT/etc/jabber-dispatch/transports/copycat" <<'EOF2'
#!/bin/sh
printf 'irc.example.org\n5347\nother-secret\n'
EOF2
chmod 755 "$ROOT/etc/jabber-dispatch/transports/copycat"
snapshot a
run_jd sync
snapshot b
check "one host, two transports: exit 65" equals "$rc" 65
check "one host, two transports: nothing written" same_snapshot a b
check "one host, two transports: biboumi refused" contains "$out" "biboumi          prosody      irc.example.org                  conflict"
check "one host, two transports: copycat refused" contains "$out" "copycat          prosody      irc.example.org                  conflict"
check "one host, two transports: the reason" contains "$err" "claims the host irc.example.org, as transport"
check "one host, two transports: the other secret never reached prosody" bash -c "! grep -rq other-secret '$confd'"
run_jd --json sync
check "one host, two transports: --json gives the reason" contains "$out" '"result":"conflict","changed":false,"restart":false,"reload":false,"reason":"transport biboumi: claims the host irc.example.org, as transport copycat does'
rm "$ROOT/etc/jabber-dispatch/transports/copycat"
run_jd sync
check "copycat gone: biboumi's pair is fine again" contains "$out" "irc.example.org                  unchanged"
finish
