# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the tests/cli/openfire-*.sh tests (after lib.sh): an Openfire layout as the upstream
# .deb makes it (Openfire is not packaged in Debian), with the project installed, in $ROOT.
#
#   openfire_root [SCRIPT]   /etc/openfire/openfire.xml (embedded database, set up) and
#                            /var/lib/openfire/embedded-db/openfire.script (default: the
#                            minimal valid fixture) with openfire.properties (modified=no)
#   of_adapter ARGS...       run the adapter on the sandbox; sets $out, $err, $rc
#   of_apply HOST PORT SECRET [ARGS...]   the secret on stdin, as the dispatcher passes it
OF_FIX=$TESTS/fixtures/openfire
OF_DB=$ROOT/var/lib/openfire/embedded-db
OF_SCRIPT=$OF_DB/openfire.script
OF_XML=$ROOT/etc/openfire/openfire.xml
OF_ROWS=$ROOT/var/lib/jabber-dispatch/openfire-rows
OF_ADAPTER=$ROOT/usr/lib/jabber-dispatch/servers/openfire

openfire_root() {
	local script=${1:-$OF_FIX/valid-minimal.script}
	mkdir -p "$ROOT/etc/openfire" "$OF_DB" "$ROOT/var/lib/jabber-dispatch"
	cat >"$OF_XML" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<!-- The upstream .deb's /etc/openfire/openfire.xml after its setup, cut down. -->
<jive>
  <adminConsole>
    <port>9090</port>
    <securePort>9091</securePort>
  </adminConsole>
  <locale>en</locale>
  <connectionProvider>
    <className>org.jivesoftware.database.EmbeddedConnectionProvider</className>
  </connectionProvider>
  <setup>true</setup>
  <fqdn>xmpp.example.org</fqdn>
</jive>
EOF
	cat "$script" >"$OF_SCRIPT"
	printf '#HSQL Database Engine 2.7.1\nmodified=no\nversion=2.7.1\n' >"$OF_DB/openfire.properties"
	# The .deb runs Openfire as openfire:openfire; here an unprivileged group shows that owners are kept.
	chgrp nogroup "$OF_SCRIPT" && chmod 0640 "$OF_SCRIPT" && chmod 0750 "$OF_DB"
	if [ ! -x "$OF_ADAPTER" ]; then
		DESTDIR=$ROOT cmake --install "$BUILD" --prefix /usr >/dev/null
	fi
}

of_adapter() {
	set +e
	"$OF_ADAPTER" --root="$ROOT" "$@" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}

of_apply() {
	local host=$1 port=$2 secret=$3
	shift 3
	set +e
	printf '%s\n' "$secret" | "$OF_ADAPTER" --root="$ROOT" --host="$host" --port="$port" --password-stdin "$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}

# of_row SUBDOMAIN: the raw line of that subdomain's row in the script ("" when none)
of_row() { grep -F "INSERT INTO OFEXTCOMPONENTCONF VALUES('$1'," "$OF_SCRIPT" || true; }

# of_heartbeat FILE MS: an HSQLDB lock file ("HSQLLOCK", then Java's big-endian long) beating at MS
of_heartbeat() {
	local hex bytes='' i
	hex=$(printf '%016x' "$2")
	for i in 0 2 4 6 8 10 12 14; do bytes+="\\x${hex:$i:2}"; done
	{ printf 'HSQLLOCK'; printf '%b' "$bytes"; } >"$1"
}
