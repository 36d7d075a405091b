#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs what building and testing jabber-dispatch needs on Debian 12: the build
# dependencies, and the real servers and transports the live tests start.
# Installing a server package must not start its stock service on this machine:
# a policy-rc.d that refuses starts is put in place for the install if none exists.
set -euo pipefail

build_deps=(build-essential cmake pkg-config libexpat1-dev libxml2-dev libyaml-dev uuid-dev libsodium-dev libcmocka-dev liblua5.4-dev nettle-dev)
test_deps=(python3 python3-yaml ansible-core groff-base man-db strace iproute2 diffutils util-linux prosody biboumi jabber-muc ejabberd jabberd2 libhsqldb-java openjdk-17-jdk-headless
	debhelper lintian mmdebstrap rpm clang libclang-rt-14-dev)

missing=()
for p in "${build_deps[@]}" "${test_deps[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "setup-deps: run as root to install: ${missing[*]}" >&2
	exit 1
fi

policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# temporary: jabber-dispatch tests/setup-deps.sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	made_policy=1
fi
trap '[ -n "$made_policy" ] && rm -f "$policy"' EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
