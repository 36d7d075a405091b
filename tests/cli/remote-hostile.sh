#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile and damaged link descriptors: each is refused with its reason, and nothing is written.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody
cd "$T"
first='# jabber-dispatch link descriptor: this file holds a secret; keep it mode 0600 and move it only over a private channel'

# desc FILE HOST PORT SECRET [ADDRESS]: a descriptor with a checksum that matches, mode 0600
desc() {
	local body
	body=$(printf '%s\nformat=1\ntransport=biboumi\nhost=%s\nport=%s\n%ssecret=%s' "$first" "$2" "$3" \
		"${5:+server-address=$5$'\n'}" "$4")
	printf '%s\nchecksum=sha256:%s\n' "$body" "$(printf '%s\n' "$body" | sha256sum | cut -d' ' -f1)" >"$1"
	chmod 600 "$1"
}

# refused WHAT FILE EXIT MESSAGE: import FILE fails with EXIT, says MESSAGE, and changes nothing
refused() {
	snapshot before
	run_jd import "$2"
	snapshot after
	check "$1: exit $3" equals "$rc" "$3"
	check "$1: says why" contains "$err" "$4"
	check "$1: one line" equals "$(wc -l <<<"$err")" 1
	check "$1: nothing written" same_snapshot before after
	check "$1: no secret in the message" lacks "$err" "s3cret"
}

desc good.link irc.example.org 5347 s3cret 10.231.0.1
run_jd import good.link --dry-run
check "the good one would be added" contains "$out" "irc.example.org: would be added"

desc quote.link 'irc".example.org' 5347 s3cret
refused "a host with a quote" quote.link 65 'quote.link:4: host "irc\".example.org": not a domain name'
desc port.link irc.example.org 70000 s3cret
refused "a port out of range" port.link 65 'port.link:5: port "70000"'
desc port0.link irc.example.org 0 s3cret
refused "port 0" port0.link 65 'port0.link:5: port "0"'
desc nl.link irc.example.org 5347 $'s3cret\nmore'
refused "a secret with a newline" nl.link 65 'nl.link:7: not a "key=value" line'
desc cr.link irc.example.org 5347 $'s3cret\r'
refused "a secret with a carriage return" cr.link 65 'cr.link:6: the secret is unusable'
desc addr.link irc.example.org 5347 s3cret '10.0.0.1"; rm -rf /'
refused "a server address that is no address" addr.link 65 'addr.link:6: server-address "10.0.0.1\"; rm -rf /": not a numeric IPv4 or IPv6 address'
desc name.link irc.example.org 5347 s3cret
sed -i 's|^transport=biboumi$|transport=../../bin/sh|' name.link
refused "a transport name with a slash (checksum first)" name.link 65 'name.link:7: the checksum does not match'

cp good.link world.link
chmod 644 world.link
refused "a world-readable descriptor" world.link 65 "world.link: mode 0644"
cp good.link group.link
chmod 640 group.link
refused "a group-readable descriptor" group.link 65 "group.link: mode 0640"
ln -s good.link link.link
refused "a symlink given as FILE" link.link 66 "link.link: a symlink: refused"
head -n 5 good.link >cut.link
chmod 600 cut.link
refused "a truncated descriptor" cut.link 65 "cut.link: truncated: it ends before its checksum line"
head -c -1 good.link >cut2.link
chmod 600 cut2.link
refused "a descriptor cut in its last line" cut2.link 65 "cut2.link:8: truncated: the last line has no end"
sed 's/s3cret/s3creT/' good.link >tampered.link
chmod 600 tampered.link
refused "a changed secret, checksum kept" tampered.link 65 "tampered.link:8: the checksum does not match: the file was changed or damaged on the way"
sed 's/^format=1$/format=2/' good.link >v2.link
chmod 600 v2.link
refused "a newer format" v2.link 65 "v2.link:2: format 2: this jabber-dispatch reads link descriptor format 1 only"
tail -n +2 good.link >nohead.link
chmod 600 nohead.link
refused "no first line saying it holds a secret" nohead.link 65 "nohead.link:1: not a link descriptor"
{ cat good.link; echo 'host=irc.example.net'; } >extra.link
chmod 600 extra.link
refused "a line after the checksum" extra.link 65 "extra.link:9: more after the checksum line"
awk 'NR != 4' good.link >nohost.link
chmod 600 nohost.link
refused "a missing key" nohost.link 65 'nohost.link:4: "host=" is missing before this line'
mkfifo fifo.link
refused "a FIFO" fifo.link 66 "fifo.link: not a regular file"
head -c 20000 /dev/zero | tr '\0' a >big.link
chmod 600 big.link
refused "a huge file" big.link 65 "big.link: larger than 16384 bytes"

# A domain that names a packaged transport adapter would override it.
desc shadow.link jabber-muc 5347 s3cret
refused "a domain that names a packaged adapter" shadow.link 73 "/usr/lib/jabber-dispatch/transports/jabber-muc: a packaged transport adapter has that name"

# What stands at the import path is never replaced unless import put it there.
transports=$ROOT/etc/jabber-dispatch/transports
mkdir -p "$transports"
ln -s /etc/shadow "$transports/irc.example.org"
refused "a symlink planted at the import path" good.link 73 "/etc/jabber-dispatch/transports/irc.example.org: a symlink (a mask, or planted there): left alone"
rm "$transports/irc.example.org"
ln -s /dev/null "$transports/irc.example.org"
refused "a mask at the import path" good.link 73 "a symlink (a mask, or planted there): left alone"
rm "$transports/irc.example.org"
printf '#!/bin/sh\necho irc.example.org; echo 5347; echo x\n' >"$transports/irc.example.org"
chmod 755 "$transports/irc.example.org"
refused "the admin's own adapter at the import path" good.link 73 "did not install: left alone"
rm "$transports/irc.example.org"
rmdir "$transports"
mv "$ROOT/etc/jabber-dispatch" "$T/jd-etc"
ln -s "$T/jd-etc" "$ROOT/etc/jabber-dispatch"
refused "a symlink on the way to the import path" good.link 73 "/etc/jabber-dispatch: is a symlink where a directory is expected"
rm "$ROOT/etc/jabber-dispatch"
mv "$T/jd-etc" "$ROOT/etc/jabber-dispatch"

# An entry that was tampered with after import is refused when the adapter runs.
run_jd import good.link
check "the good one is added" equals "$rc" 0
sed -i 's/s3cret/s3creT/' "$transports/irc.example.org"
run_jd sync
check "a tampered entry: sync fails" test "$rc" -ne 0
check "a tampered entry: says why" contains "$err" "the checksum does not match"
check "a tampered entry: no component" test ! -e "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
finish
