#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Transport adapters on a sandbox made from the stock jabber-muc, kamailio and prosody
# packages: stock configs, malformed configs, missing keys, descriptors under --root,
# and the whole chain transport-init -> adapter -> sync.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody jabber-muc kamailio
lib=$ROOT/usr/lib/jabber-dispatch
admin=$ROOT/etc/jabber-dispatch/transports
mkdir -p "$admin"

# adapter NAME ARGS...: the installed adapter, run as the dispatcher runs it under --root
# (a descriptor through the root's interpreter); sets $rc, $out, $err
adapter() {
	local a=$lib/transports/$1
	[ -e "$a" ] || a=$admin/$1
	shift
	if [ "$(head -c 2 "$a")" = '#!' ] && head -n 1 "$a" | grep -q /usr/lib/jabber-dispatch/describe; then
		capture "$lib/describe" "$a" --root="$ROOT" "$@"
	else
		capture "$a" --root="$ROOT" "$@"
	fi <"${STDIN:-/dev/null}"
}

# --- stock configs, as the packages ship them
adapter jabber-muc --host --port --password
check "stock muc.xml: not configured (exit 1)" equals "$rc" 1
check "stock muc.xml: says why" equals "$err" \
	"jabber-muc: /etc/jabberd2/muc.xml: the secret is still the example shipped with jabber-muc; generate a config with jabber-dispatch transport-init or set your own"
check "stock muc.xml: prints nothing" equals "$out" ""
adapter kamailio-xmpp-modules --host --port --password
check "stock kamailio.cfg: not configured (exit 1)" equals "$rc" 1
check "stock kamailio.cfg: says why" equals "$err" \
	'kamailio-xmpp-modules: /etc/kamailio/kamailio.cfg: the xmpp module is not loaded (no loadmodule "xmpp.so")'
for t in jabber-jit jabber-mrim jabber-pyicqt jabber-pyaimt spectrum2 slidge sms4you-xmpp; do
	adapter $t --host
	check "$t not installed: exit 1, 'no such file'" bash -c '[ "$1" = 1 ] && case $2 in *"no such file"*) ;; *) false ;; esac' _ "$rc" "$err"
done

# --- kamailio configured the way its comments suggest: a define in kamailio-local.cfg
cat >>"$ROOT/etc/kamailio/kamailio.cfg" <<'EOF'

#!ifdef WITH_XMPP
loadmodule "xmpp.so"
modparam("xmpp", "backend", "component")
modparam("xmpp", "xmpp_domain", "sip.example.org")
modparam("xmpp", "xmpp_host", "127.0.0.1")
modparam("xmpp", "xmpp_password", "k4m-s3cret")
#!endif
EOF
adapter kamailio-xmpp-modules --host
check "xmpp block under an undefined #!ifdef: not loaded" equals "$rc" 1
printf '#!define WITH_XMPP\n' >"$ROOT/etc/kamailio/kamailio-local.cfg"
adapter kamailio-xmpp-modules --host --port --password
check "WITH_XMPP defined in the imported kamailio-local.cfg: read" equals "$out" "$(printf 'sip.example.org\n5347\nk4m-s3cret')"
STDIN=<(printf 'n3w\n') adapter kamailio-xmpp-modules --set-password --set-port=5244
check "kamailio adopts port and secret" equals "$out" "updated restart"
check "kamailio: password replaced in place" grep -qx 'modparam("xmpp", "xmpp_password", "n3w")' "$ROOT/etc/kamailio/kamailio.cfg"
check "kamailio: port added after the xmpp modparams" grep -qx 'modparam("xmpp", "xmpp_port", 5244)' "$ROOT/etc/kamailio/kamailio.cfg"
sed -i 's/"component")/"server")/' "$ROOT/etc/kamailio/kamailio.cfg"
adapter kamailio-xmpp-modules --host
check "backend server: no component (exit 1)" equals "$rc" 1
check "backend server: says so" contains "$err" 'the xmpp module runs with backend "server"'
sed -i 's/"server")/"component")/; s/"n3w")/"n3w)/' "$ROOT/etc/kamailio/kamailio.cfg"
adapter kamailio-xmpp-modules --host
check "kamailio: unfinished string is refused (exit 65)" equals "$rc" 65
check "kamailio: FILE:LINE" bash -c 'case $1 in "kamailio-xmpp-modules: /etc/kamailio/kamailio.cfg:"[0-9]*": unfinished string") ;; *) false ;; esac' _ "$err"

# --- malformed configs and missing keys: FILE:LINE for the first, "not set" for the second
cfg=$ROOT/etc/jabberd2/muc.xml
cp "$cfg" "$T/muc.stock"
sed -i 's|<secret>secret</secret>|<secret>good-one</secret>|' "$cfg"
adapter jabber-muc --host --port --password
check "muc.xml with a secret of its own: read" equals "$out" "$(printf 'conference.localhost\n5347\ngood-one')"
sed -i 's|</jcr>|</jrc>|' "$cfg"
adapter jabber-muc --host
check "muc.xml not well-formed: exit 65" equals "$rc" 65
check "muc.xml not well-formed: FILE:LINE" bash -c 'case $1 in "jabber-muc: /etc/jabberd2/muc.xml:"[0-9]*:*) ;; *) false ;; esac' _ "$err"
sed -i 's|</jrc>|</jcr>|; s|<port>5347</port>||' "$cfg"
adapter jabber-muc --host --port
check "muc.xml without <port>: not configured (exit 1)" equals "$rc" 1
check "muc.xml without <port>: says which" equals "$err" "jabber-muc: /etc/jabberd2/muc.xml: /jcr/port is not set"
sed -i 's|<name>conference.localhost</name>|<name><x/></name>|' "$cfg"
adapter jabber-muc --host
check "muc.xml with an element as the name: exit 65" equals "$rc" 65
check "muc.xml with an element as the name: says so" contains "$err" "<name> holds elements, not a value"
cp "$T/muc.stock" "$cfg"
mkdir -p "$ROOT/etc/jabber-mrim" "$ROOT/etc/spectrum2/transports"
printf '[main]\nname = mrim.example.org\npassword = a\nname = b\n' >"$ROOT/etc/jabber-mrim/mrim.conf"
adapter jabber-mrim --host
check "mrim: a key twice, as configparser refuses" equals "$err" \
	"jabber-mrim: /etc/jabber-mrim/mrim.conf:4: name is set twice in [main] (first on line 2; configparser refuses that)"
printf '[main]\nname = mrim.example.org\npassword = 100%%\n' >"$ROOT/etc/jabber-mrim/mrim.conf"
adapter jabber-mrim --password
check "mrim: a lone '%%' is refused as configparser would" contains "$err" "mrim.conf:3: main.password uses configparser interpolation"
printf '[main]\nname = mrim.example.org\npassword = 100%%%%\n' >"$ROOT/etc/jabber-mrim/mrim.conf"
adapter jabber-mrim --host --port --password
check "mrim: '%%%%' is a '%%', the default port 5347" equals "$out" "$(printf 'mrim.example.org\n5347\n100%%')"
# The XML checker (Expat) is loaded only by a descriptor that reads XML; libxml2 and ICU never
rm -f "$T"/ld.*
LD_DEBUG=files LD_DEBUG_OUTPUT=$T/ld adapter jabber-mrim --host
check "an INI descriptor: answered" equals "$out" mrim.example.org
check "an INI descriptor never maps the XML checker" bash -c '! grep -q -e libexpat -e jd-xml "$@"' _ "$T"/ld.*
rm -f "$T"/ld.*
LD_DEBUG=files LD_DEBUG_OUTPUT=$T/ld adapter jabber-muc --capabilities
check "--capabilities never maps the XML checker" bash -c '! grep -q -e libexpat -e jd-xml "$@"' _ "$T"/ld.*
rm -f "$T"/ld.*
LD_DEBUG=files LD_DEBUG_OUTPUT=$T/ld adapter jabber-muc --host
check "an XML descriptor loads it from beside the interpreter" bash -c 'grep -q "/usr/lib/jabber-dispatch/jd-xml.so" "$@" && grep -q libexpat "$@"' _ "$T"/ld.*
check "nothing maps libxml2 or ICU" bash -c '! grep -q -e libxml2 -e libicu "$@"' _ "$T"/ld.*
rm -f "$T"/ld.*
printf '[service]\njid = icq.example.org\npassword = p\n' >"$ROOT/etc/spectrum2/transports/spectrum.cfg"
adapter spectrum2 --host --port
check "spectrum2 without a port (no default): not configured" equals "$err" \
	"spectrum2: /etc/spectrum2/transports/spectrum.cfg: service.port is not set"
printf '[service]\njid icq.example.org\n' >"$ROOT/etc/spectrum2/transports/spectrum.cfg"
adapter spectrum2 --host
check "spectrum2: a line boost refuses" equals "$err" \
	"spectrum2: /etc/spectrum2/transports/spectrum.cfg:2: not a \"key = value\" line (boost refuses the file)"

# --- sms4you: the secret is in the file the config names, and is written there
mkdir -p "$ROOT/etc/sms4you"
printf '[XMPP]\ncomponent_jid = sms.example.org\nport = 5247\n' >"$ROOT/etc/sms4you/sms4you.ini"
adapter sms4you-xmpp --host --port --password
check "sms4you without its secret file: not configured" contains "$err" "/etc/sms4you/xmpp_component_password: no such file"
STDIN=<(printf 's3cr3t\n') adapter sms4you-xmpp --set-password
check "sms4you: --set-password writes the secret file" equals "$(cat "$ROOT/etc/sms4you/xmpp_component_password")" s3cr3t
check "sms4you: secret file mode 0640" equals "$(stat -c %a "$ROOT/etc/sms4you/xmpp_component_password")" 640
adapter sms4you-xmpp --host --port --password
check "sms4you: read with the secret from its file" equals "$out" "$(printf 'sms.example.org\n5247\ns3cr3t')"

# --- descriptors are validated strictly, and their interpreter is the root's
cat >"$admin/broken" <<'EOF'
#!/usr/lib/jabber-dispatch/describe
format=xml
config=/etc/x.xml
host=/a/b
port=/a/c
secret=/a/d
colour=blue
EOF
chmod 755 "$admin/broken"
adapter broken --host
check "descriptor with an unknown key: exit 65" equals "$rc" 65
check "descriptor with an unknown key: FILE:LINE" equals "$err" "describe: $admin/broken:7: unknown key \"colour\""
printf '#!/usr/lib/jabber-dispatch/describe\nformat=ini\nconfig=/x\nhost=a.b\nport=a.c\nsecret=a.d\n' >"$admin/broken"
adapter broken --host
check "ini descriptor without ini-dialect: refused" equals "$err" \
	"describe: $admin/broken:2: ini-dialect= goes with format=ini, and only there"
printf '#!/usr/lib/jabber-dispatch/describe\nformat=xml\nconfig=/x\nhost=a/b\nport=/a\nsecret=/b\nhost=/c\n' >"$admin/broken"
adapter broken --host
check "descriptor with a key twice: refused" equals "$err" "describe: $admin/broken:7: host= given twice (first on line 4)"
rm "$admin/broken"
run_jd adapters
check "adapters: descriptors run through the root's interpreter" grep -qE \
	"^transport +jabber-muc +ok +/usr/lib/jabber-dispatch/transports/jabber-muc  \[protocol=1 set-password set-port inputs\]$" <<<"$out"
# Columns as wide as the longest name: every path starts in the same column.
check "adapters: columns sized from the data" equals "$(grep -v 'why:' <<<"$out" | awk '{print index($0, " /")}' | sort -u | wc -l)" 1
mv "$lib/describe" "$T/describe"
run_jd adapters
check "interpreter missing from the root: skipped, with the reason" contains "$out" \
	"why: its interpreter /usr/lib/jabber-dispatch/describe is not in the root"
mv "$T/describe" "$lib/describe"

# --- the chain: transport-init writes, the adapter reads back, sync registers it in prosody
rm "$cfg"
run_jd transport-init jabber-muc --template=/usr/share/jabber-dispatch/templates/jabber-muc.xml \
	--output=/etc/jabberd2/muc.xml --group=jabber --domain=example.org
check "transport-init after the stock file was removed" equals "$rc" 0
secret=$(sed -n 's|.*<secret>\(.*\)</secret>.*|\1|p' "$cfg")
run_jd sync --transport=jabber-muc
check "sync: jabber-muc added to prosody" contains "$out" "jabber-muc       prosody      conference.example.org           added"
check "sync: prosody has the generated secret" grep -qF "component_secret = \"$secret\"" \
	"$ROOT/etc/prosody/conf.d/conference.example.org.cfg.lua"
run_jd sync --transport=jabber-muc
check "second sync: unchanged" contains "$out" "conference.example.org           unchanged"

# An admin's own descriptor for a second Spectrum 2 instance: five lines, no program.
printf '[service]\njid = irc.example.org\npassword = s3cret-irc\nport = 5245\n' >"$ROOT/etc/spectrum2/transports/irc.cfg"
sed -e 's|^config=.*|config=/etc/spectrum2/transports/irc.cfg|' "$lib/transports/spectrum2" >"$admin/spectrum2-irc"
chmod 755 "$admin/spectrum2-irc"
run_jd sync --transport=spectrum2-irc
check "admin descriptor for a Spectrum 2 instance: added" contains "$out" "spectrum2-irc    prosody      irc.example.org                  added"

# A server that imposes one secret and port: the descriptor adopts them through sync.
mkdir -p "$ROOT/etc/jabber-dispatch/servers"
cat >"$ROOT/etc/jabber-dispatch/servers/onesecret" <<'EOF'
#!/bin/sh
for a; do case $a in
	--capabilities) echo "protocol=1 password-stdin shared dry-run"; exit 0 ;;
	--shared) printf 'unchanged\n5347\nthe-shared-one\n'; exit 0 ;;
esac; done
read -r secret
[ "$secret" = the-shared-one ] || { echo "onesecret: not the shared secret" >&2; exit 65; }
echo unchanged
EOF
chmod 755 "$ROOT/etc/jabber-dispatch/servers/onesecret"
run_jd sync --transport=jabber-muc
check "shared server: jabber-muc adopted the secret" grep -q '<secret>the-shared-one</secret>' "$cfg"
check "shared server: and the port" grep -q '<port>5347</port>' "$cfg"
check "shared server: muc.xml keeps mode and group" equals "$(stat -c '%a %G' "$cfg")" "640 jabber"
check "shared server: restart asked for" contains "$err" "transport jabber-muc: adopted the port and secret of server onesecret; restart it"
check "shared server: the diff-free run prints no secret" lacks "$out$err" "the-shared-one"
finish
