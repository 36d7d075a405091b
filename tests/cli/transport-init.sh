#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# transport-init: a transport's first config from its template, on a sandbox made from
# the stock jabber-muc package — never regenerated, random secret, mode 0640 and group.
. "$(dirname "$0")/lib.sh" "$@"
make_root jabber-muc
tmpl=/usr/share/jabber-dispatch/templates/jabber-muc.xml
cfg=/etc/jabber-muc-test/muc.xml
getent group jabber >/dev/null || skip "no group jabber (jabber-muc's) on this machine"

init() { run_jd transport-init jabber-muc --template=$tmpl "$@"; }
secret_of() { sed -n 's|.*<secret>\(.*\)</secret>.*|\1|p' "$ROOT$1"; }

# --- first run: generated from the template
init --output=$cfg --domain=example.org --group=jabber
check "first run: exit 0" equals "$rc" 0
check "first run: says what it generated" equals "$out" "$cfg: generated for conference.example.org, port 5242"
check "first run: the secret is not printed" lacks "$out$err" "$(secret_of $cfg)"
check "host = registry prefix + domain" grep -q '<name>conference.example.org</name>' "$ROOT$cfg"
check "port from the registry" grep -q '<port>5242</port>' "$ROOT$cfg"
check "server address filled in" grep -q '<ip>127.0.0.1</ip>' "$ROOT$cfg"
check "no placeholder left" bash -c "! grep -q '@[A-Z]*@' '$ROOT$cfg'"
check "mode 0640" equals "$(stat -c %a "$ROOT$cfg")" 640
check "group jabber" equals "$(stat -c %G "$ROOT$cfg")" jabber
check "owner root" equals "$(stat -c %U "$ROOT$cfg")" root
check "every other byte of the template kept" diff <(sed -e 's|@HOST@|conference.example.org|g' -e 's|@PORT@|5242|' \
	-e 's|@SERVER@|127.0.0.1|' -e "s|@SECRET@|$(secret_of $cfg)|" "$ROOT$tmpl") "$ROOT$cfg"
check "audit log: the generation, without the secret" grep -q \
	"transport-init package=jabber-muc output=$cfg host=conference.example.org port=5242 result=generated" \
	"$ROOT/var/log/jabber-dispatch/jabber-dispatch.log"
check "audit log holds no secret" bash -c "! grep -qF '$(secret_of $cfg)' '$ROOT/var/log/jabber-dispatch/jabber-dispatch.log'"
first=$(secret_of $cfg)

# --- the generated config is what the jabber-muc adapter reads back
adapter_jabber_muc() {
	set +e
	"$ROOT/usr/lib/jabber-dispatch/describe" "$ROOT/usr/lib/jabber-dispatch/transports/jabber-muc" --root="$ROOT" \
		--config=$cfg --host --port --password >"$T/aout" 2>"$T/aerr"
	rc=$?
	set -e
}
adapter_jabber_muc
check "adapter reads it back" equals "$(cat "$T/aout")" "$(printf 'conference.example.org\n5242\n%s' "$first")"

# --- second run: the admin's edits and the first secret are kept, byte for byte
sed -i 's|<history>40</history>|<history>7</history>|' "$ROOT$cfg"
snapshot a
init --output=$cfg --domain=example.org --group=jabber
snapshot b
check "second run: exit 0" equals "$rc" 0
check "second run: says the file is kept" equals "$out" "$cfg: exists, kept"
check "second run: nothing written" same_snapshot a b
check "second run: first secret kept" equals "$(secret_of $cfg)" "$first"
check "second run: admin's edit kept" grep -q '<history>7</history>' "$ROOT$cfg"

# --- a symlink where the config goes is "exists": never followed, never replaced
ln -s /etc/passwd "$ROOT/etc/jabber-muc-test/link.xml"
init --output=/etc/jabber-muc-test/link.xml --domain=example.org
check "symlink output: kept, not followed" equals "$out" "/etc/jabber-muc-test/link.xml: exists, kept"
check "symlink output: still the symlink" test -L "$ROOT/etc/jabber-muc-test/link.xml"

# --- entropy: 100 generated secrets, all different, each 32 characters of [A-Za-z0-9]
# (jabber-muc's adapter says secret-max=15: the length is asked for explicitly)
for i in $(seq 1 100); do
	init --output=/etc/entropy/$i.xml --domain=example.org --secret-length=32 >/dev/null
	secret_of /etc/entropy/$i.xml
done >"$T/secrets"
check "100 secrets generated" equals "$(wc -l <"$T/secrets")" 100
check "100 secrets all distinct" equals "$(sort -u "$T/secrets" | wc -l)" 100
check "each secret decodes to >= 16 random bytes (base62, 190 bits)" python3 - "$T/secrets" <<'EOF'
import sys, collections, string
alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits
lines = open(sys.argv[1]).read().split()
assert all(len(s) == 32 and set(s) <= set(alphabet) for s in lines), "not 32 characters of [A-Za-z0-9]"
for s in lines:
    n = 0
    for c in s:
        n = n * 62 + alphabet.index(c)
    assert n.bit_length() <= 191 and len(n.to_bytes(24, "big")) >= 16  # 62**32 < 2**191
# 3200 characters: each of the 62 should come up about 52 times; a stuck or biased generator
# fails a chi-square test (61 degrees of freedom; 115 is beyond the 99.999% bound)
counts = collections.Counter("".join(lines))
exp = 3200 / 62
chi = sum((counts.get(c, 0) - exp) ** 2 / exp for c in alphabet)
assert chi < 115, "character distribution chi-square %.1f" % chi
EOF

# --- a transport that cannot take a long secret (mu-conference with Prosody): shorter, with a warning
init --output=/etc/short/muc.xml --domain=example.org --secret-length=19
check "--secret-length=19: 19 characters" equals "$(secret_of /etc/short/muc.xml | tr -d '\n' | wc -c)" 19
check "--secret-length=19: warns that it is below 128 bits" contains "$err" \
	"warning: a secret of 19 characters holds 113 bits, less than 128"
check "--secret-length=19: warns that it passes the adapter's secret-max" contains "$err" \
	"warning: transport jabber-muc says it takes secrets of at most 15 bytes; one of 19 may not authenticate with every server"
# --- without --secret-length, the adapter's secret-max=15 (mu-conference with jabberd2's 40-byte stream ids)
init --output=/etc/short/max.xml --domain=example.org
check "secret-max=15: 15 characters" equals "$(secret_of /etc/short/max.xml | tr -d '\n' | wc -c)" 15
check "secret-max=15: says how many bits" contains "$err" \
	"warning: transport jabber-muc takes secrets of at most 15 bytes: the generated one holds 89 bits"
init --output=/etc/short/2.xml --secret-length=8
check "--secret-length below 16: refused" equals "$rc" 64

# --- --print-secret: the secret alone on the last line, and only then
init --output=/etc/ps/muc.xml --domain=example.org --print-secret
check "--print-secret: two lines" equals "$(printf '%s\n' "$out" | wc -l)" 2
check "--print-secret: last line is the secret written" equals "$(printf '%s\n' "$out" | tail -n 1)" "$(secret_of /etc/ps/muc.xml)"

# --- --host overrides the whole name; the FQDN comes from the machine by default
init --output=/etc/h1/muc.xml --host=chat.example.net
check "--host: used as is" grep -q '<name>chat.example.net</name>' "$ROOT/etc/h1/muc.xml"
init --output=/etc/h2/muc.xml
check "default domain: the machine's FQDN" grep -q "<name>conference.$(hostname -f | tr A-Z a-z)</name>" "$ROOT/etc/h2/muc.xml"
init --output=/etc/h3/muc.xml --host='bad_host'
check "bad --host: exit 64" equals "$rc" 64
check "bad --host: says why" contains "$err" 'the component domain "bad_host" is not a domain name'
check "bad --host: nothing written" test ! -e "$ROOT/etc/h3/muc.xml"

# --- --dry-run: the diff with the secret hidden, nothing written
init --output=/etc/dry/muc.xml --domain=example.org --dry-run
check "dry run: exit 0" equals "$rc" 0
check "dry run: shows the new file" contains "$out" "+  <secret><secret></secret>"
check "dry run: nothing written" test ! -e "$ROOT/etc/dry"

# --- --dirs: the seed's per-package directories, USER:GROUP 0750
init --output=/etc/d/muc.xml --domain=example.org --dirs=jabber:jabber
check "--dirs: log dir created" equals "$(stat -c '%U:%G %a' "$ROOT/var/log/jabber-muc")" "jabber:jabber 750"
check "--dirs: lib dir created" equals "$(stat -c '%U:%G %a' "$ROOT/var/lib/jabber-muc")" "jabber:jabber 750"
check "--dirs: existing spool dir kept as the package made it" contains "$out" "/var/spool/jabber-muc: exists, kept"
ln -s /tmp "$ROOT/var/lib/jabber-mrim"
run_jd transport-init jabber-mrim --template=$tmpl --output=/etc/m/m.xml --dirs=jabber:jabber --domain=example.org
check "--dirs: a symlink in place of a directory is refused" equals "$rc" 73
check "--dirs: says so" contains "$err" "/var/lib/jabber-mrim: is a symlink; refusing to follow it"
check "--dirs: no config written after a refused directory" test ! -e "$ROOT/etc/m/m.xml"

# --- templates that cannot give the seed's three values, and other refusals
printf '<x><name>@HOST@</name><port>@PORT@</port></x>\n' >"$ROOT/usr/share/jabber-dispatch/templates/nosecret.xml"
run_jd transport-init jabber-muc --template=/usr/share/jabber-dispatch/templates/nosecret.xml --output=/etc/x/1.xml --domain=e.org
check "template without @SECRET@: exit 65" equals "$rc" 65
check "template without @SECRET@: says so" contains "$err" "nosecret.xml: the template has no @SECRET@ placeholder"
printf 'a=@HOST@\nb=@PORT@\nc=@SECRET@\nd=@HOSTNAME@\n' >"$ROOT/usr/share/jabber-dispatch/templates/typo.cfg"
run_jd transport-init jabber-muc --template=/usr/share/jabber-dispatch/templates/typo.cfg --output=/etc/x/2.cfg --domain=e.org
check "unknown placeholder: FILE:LINE" contains "$err" "typo.cfg:4: unknown placeholder @HOSTNAME@"
check "unknown placeholder: nothing written" test ! -e "$ROOT/etc/x/2.cfg"
printf 'mail=admin@example.org @HOST@ @PORT@ @SECRET@ @@\n' >"$ROOT/usr/share/jabber-dispatch/templates/at.cfg"
run_jd transport-init jabber-muc --template=/usr/share/jabber-dispatch/templates/at.cfg --output=/etc/x/3.cfg --domain=e.org
check "an address's '@' is no placeholder" grep -q '^mail=admin@example.org conference.e.org 5242 [A-Za-z0-9]\{15\} @@$' "$ROOT/etc/x/3.cfg"
run_jd transport-init jabber-nonesuch --template=$tmpl --output=/etc/x/4.xml
check "package not in the registry: exit 65" equals "$rc" 65
check "package not in the registry: says so" contains "$err" "jabber-nonesuch is not in the transport registry"
run_jd transport-init jabber-muc --template=/nonexistent.xml --output=/etc/x/5.xml
check "missing template: exit 66" equals "$rc" 66
run_jd transport-init jabber-muc --template=$tmpl --output=relative.xml
check "relative output: exit 64" equals "$rc" 64
run_jd transport-init jabber-muc --template=$tmpl --output=/etc/x/6.xml --group=no-such-group-here
check "unknown group: exit 64" equals "$rc" 64

# --- --root: everything happened inside the sandbox
check "--root: nothing outside the sandbox" test ! -e /etc/jabber-muc-test
finish
