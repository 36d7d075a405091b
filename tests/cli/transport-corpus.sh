#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every real component config of the shared corpus, read by the adapter of its kind: each is
# either read (host, port, secret) or refused with its reason; each adopts a new secret and
# port with only those bytes changed.  Reads the corpus in place; never copies it into the tree.
. "$(dirname "$0")/lib.sh" "$@"
SHARED=${JD_SHARED:-$TESTS/../../shared}
CORPUS=$SHARED/corpus
DESCRIBE=$BUILD/adapters/describe
DESCRIPTORS=$TESTS/../adapters/transports/descriptors
KAMAILIO=$BUILD/adapters/transports/kamailio-xmpp-modules
[ -d "$CORPUS" ] || skip "no shared corpus at $CORPUS (set JD_SHARED)"

# adapter NAME ARGS...: the adapter NAME of the build tree; sets rc, out, err
adapter() {
	if [ "$1" = kamailio-xmpp-modules ]; then
		capture "$KAMAILIO" "${@:2}"
	else
		capture "$DESCRIBE" "$DESCRIPTORS/$1" "${@:2}"
	fi <"$T/in"
}
: >"$T/in"

# KIND-DIR/FILE | ADAPTER | EXIT | stdout as "host port secret", or a piece of the stderr line
#   [| why adopting a port and secret is refused]
expect=$(cat <<'EOF'
mu-conference/bcy-muc__muc.xml|jabber-muc|1|the secret is still the example shipped with jabber-muc
jit/jabberd2-transports-jit__jabber-icq.example|jabber-jit|1|the secret is still the example shipped with jabber-jit
other-transports/ejabberd-examples-2005__aim-transport.xml|jabber-jit|1|:44: /jabber/service[!uplink]@id is a template placeholder (aim.SERVER.COM), not a domain
other-transports/ejabberd-examples-2005__yahoo-transport-2.xml|jabber-jit|1|:38: /jabber/service[!uplink]@id is a template placeholder (yahoo.SERVER.COM), not a domain
other-transports/jabberd2-transports-yahoo__yahoo-jabber.xml|jabber-jit|1|: /jabber/service[uplink]/connect/port is not set
other-transports/pld-aimtrans__aimtrans.xml|jabber-jit|0|aim.localhost 5233 secret
other-transports/pld-jud__jud.xml|jabber-jit|0|jud.localhost 5347 secret
other-transports/debian-sms4you__sms4you.ini|sms4you-xmpp|1|/etc/sms4you/xmpp_component_password: no such file (it holds the secret)
pyicqt-pyaimt/pld-PyICQt__PyICQt-config.xml|jabber-pyicqt|1|the secret is still the example shipped with jabber-pyicqt
pyicqt-pyaimt/pombreda-pyicqt__config_example.xml|jabber-pyicqt|1|the secret is still the example shipped with jabber-pyicqt
pyicqt-pyaimt/pld-PyMSNt__PyMSNt-config.xml|jabber-pyicqt|1|: /pyicqt/jid is not set|no /pyicqt/port to set (elements are not added)
spectrum2/decent.im__j2j.cfg.template|spectrum2|1|:7: service.jid is a template placeholder (j2j.$DOMAIN_NAME), not a domain
spectrum2/moyamo-transwhat-quickinstall__transwhat.cfg|spectrum2|1|:7: service.jid is a template placeholder ({{{{transwhathost}}}}), not a domain
spectrum2/spectrum1-upstream__spectrum.cfg|spectrum2|1|:25: service.jid is a template placeholder ($protocol.example.com), not a domain
spectrum2/spectrum2-tests__irc.cfg|spectrum2|0|irc.localhost 5347 password
spectrum2/spectrum2-tests__wa.cfg|spectrum2|0|wa.localhost 5347 password
spectrum2/spectrum2-upstream__sample2_gateway.cfg|spectrum2|1|the secret is still the example shipped with spectrum2
spectrum2/transwhat_ynh__transwhat.cfg|spectrum2|1|:8: service.jid is a template placeholder (SERVICE_DOMAIN), not a domain
slidge/truenicoco-slidge-debian__common.conf.example|slidge|1|: jid is not set; a secret given to slidge with --secret or SLIDGE_SECRET is out of this adapter's reach
slidge/truenicoco-slidge-debian__tpl.conf|slidge|1|:4: jid is a template placeholder (--PLUGIN--.example.com), not a domain
kamailio/opensips-upstream__opensips-xmpp.cfg|kamailio-xmpp-modules|1|: modparam("xmpp", "xmpp_password", ...) is not set
EOF
)
# Corpus files of kinds no adapter here is for, each with the reason.
not_ours=$(cat <<'EOF'
other-transports/ejabberd-examples-2005__jabber-gg-transport.xml|jggtrans: <service jid=...> and <connect id=...>, a shape of its own
other-transports/pymeta-t__config.py|a Python program, not a config file
EOF
)

# Every corpus file of these kinds is in one of the two tables: a new file cannot go unnoticed.
for f in "$CORPUS"/{mu-conference,jit,pyicqt-pyaimt,spectrum2,slidge,kamailio,other-transports}/*; do
	rel=${f#"$CORPUS"/}
	# A here-string, not a pipe: under pipefail, grep -q quitting early can fail the writer.
	if ! grep -qF "$rel|" <<<"$expect
$not_ours"; then
		fail "$rel: no expectation for this corpus file"
	fi
done

while IFS='|' read -r rel name want_rc want noset; do
	f=$CORPUS/$rel
	[ -f "$f" ] || { fail "$rel: missing from the corpus"; continue; }
	adapter "$name" --config="$f" --host --port --password
	if [ "$rc" != "$want_rc" ]; then
		fail "$rel ($name): exit $rc, want $want_rc: $err"
		continue
	fi
	if [ "$rc" = 0 ]; then
		got=$(printf '%s\n' "$out" | paste -sd' ')
		[ "$got" = "$want" ] && pass "$rel ($name): $got" || fail "$rel ($name): read '$got', want '$want'"
	else
		case $err in
		"$name: "*"$want"*) pass "$rel ($name): refused: ${err#"$name: "}" ;;
		*) fail "$rel ($name): stderr '$err' lacks '$want'" ;;
		esac
	fi

	# Adopt a new secret and port (what a shared-port server imposes): only those bytes change.
	# Not sms4you: its secret goes to the file its config names, outside this copy (tested on a sandbox).
	[ "$name" != sms4you-xmpp ] || continue
	cp "$f" "$T/cfg"
	printf 'N3w-s3cret_%s\n' "$RANDOM" >"$T/in"
	adapter "$name" --config="$T/cfg" --set-password --set-port=5999
	if [ -n "$noset" ]; then
		case $rc:$err in
		65:*"$noset"*) pass "$rel ($name): adopting refused: $noset" ;;
		*) fail "$rel ($name): adopting: exit $rc '$err', want 65 '$noset'" ;;
		esac
		: >"$T/in"
		continue
	fi
	if [ "$rc" != 0 ]; then
		fail "$rel ($name): --set-password --set-port: exit $rc: $err"
		: >"$T/in"
		continue
	fi
	changed=$(diff "$f" "$T/cfg" | grep -c '^>' || true)
	[ "$changed" -le 2 ] && pass "$rel ($name): adopted port and secret, $changed line(s) changed" ||
		fail "$rel ($name): adopting changed $changed lines"
	adapter "$name" --config="$T/cfg" --set-password --set-port=5999
	[ "$out" = unchanged ] || fail "$rel ($name): adopting the same values again: '$out', want 'unchanged'"
	: >"$T/in"
	adapter "$name" --config="$T/cfg" --port --password
	# Read back: the port and the secret are the new ones, unless the file is refused for its host.
	if [ "$rc" = 0 ]; then
		[ "$(printf '%s\n' "$out" | head -n 1)" = 5999 ] || fail "$rel ($name): read back port $(printf '%s\n' "$out" | head -n 1)"
		case $(printf '%s\n' "$out" | tail -n 1) in
		N3w-s3cret_*) pass "$rel ($name): reads back the adopted values" ;;
		*) fail "$rel ($name): did not read back the adopted secret" ;;
		esac
	fi
done <<<"$expect"

finish
