#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What is not what it should be is refused at once, with its path and reason: a FIFO where a
# config goes, dangling and escaping symlinks, an adapter directory that is no directory, an
# audit log that cannot be written; a masked adapter directory masks every adapter in it; a
# transport config that receives a server's secret ends up unreadable by others.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody ejabberd jabberd2 biboumi
configure_biboumi irc.example.org 's3cret'
admin=$ROOT/etc/jabber-dispatch
mkdir -p "$admin"

# A FIFO at ejabberd.yml: refused at once, not read (a read would block until the timeout).
mv "$ROOT/etc/ejabberd/ejabberd.yml" "$T/ejabberd.yml"
mkfifo "$ROOT/etc/ejabberd/ejabberd.yml"
start=$SECONDS
run_jd sync --server=ejabberd
check "FIFO at ejabberd.yml: refused quickly" test $((SECONDS - start)) -lt 10
check "FIFO at ejabberd.yml: exit 65" equals "$rc" 65
check "FIFO at ejabberd.yml: names it" contains "$err" "/etc/ejabberd/ejabberd.yml: a FIFO, not a regular file"
rm "$ROOT/etc/ejabberd/ejabberd.yml"
mv "$T/ejabberd.yml" "$ROOT/etc/ejabberd/ejabberd.yml"

# The main config symlinked out of the root: not "not installed", but named with its target.
mv "$ROOT/etc/prosody/prosody.cfg.lua" "$T/prosody.cfg.lua"
ln -s "$T/prosody.cfg.lua" "$ROOT/etc/prosody/prosody.cfg.lua"
snapshot a
run_jd sync --server=prosody
snapshot b
check "config symlinked out of the root: an error" test "$rc" -ne 0
check "config symlinked out of the root: named with its target" contains "$err" \
	"/etc/prosody/prosody.cfg.lua: is a symlink to"
check "config symlinked out of the root: says where it looked" contains "$err" "which does not exist inside the root"
check "config symlinked out of the root: nothing changed" same_snapshot a b
rm "$ROOT/etc/prosody/prosody.cfg.lua"
mv "$T/prosody.cfg.lua" "$ROOT/etc/prosody/prosody.cfg.lua"

# A dangling symlink where the new drop-in goes: refused, naming the link and its target.
ln -s /etc/prosody/nowhere.cfg.lua "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
run_jd sync --server=prosody
check "dangling drop-in: an error" test "$rc" -ne 0
check "dangling drop-in: named with its target" contains "$err" \
	'/etc/prosody/conf.d/irc.example.org.cfg.lua: is a symlink to \"/etc/prosody/nowhere.cfg.lua\", which does not exist'
check "dangling drop-in: left as it was" equals "$(readlink "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua")" \
	/etc/prosody/nowhere.cfg.lua
rm "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"

# An adapter directory masked by a symlink to /dev/null: every adapter of that kind is masked.
ln -s /dev/null "$admin/servers"
snapshot a
run_jd adapters
check "masked servers directory: every server adapter masked" equals \
	"$(grep -c '^server .* masked .*/etc/jabber-dispatch/servers$' <<<"$out")" \
	"$(ls "$ROOT/usr/lib/jabber-dispatch/servers" | wc -l)"
run_jd sync
snapshot b
check "masked servers directory: sync exits 0" equals "$rc" 0
check "masked servers directory: no server touched" same_snapshot a b
rm "$admin/servers"
# Any other symlink or a non-directory there is refused, with path and reason.
mkdir "$T/adapters"
ln -s "$T/adapters" "$admin/servers"
run_jd sync
check "symlinked servers directory: exit 65" equals "$rc" 65
check "symlinked servers directory: says why" contains "$err" \
	"/etc/jabber-dispatch/servers: is a symlink to \"$T/adapters\" where a directory of adapters is expected"
rm "$admin/servers"
mkfifo "$admin/transports"
run_jd sync
check "FIFO as transports directory: exit 65" equals "$rc" 65
check "FIFO as transports directory: says why" contains "$err" \
	"/etc/jabber-dispatch/transports: a FIFO, where a directory of adapters is expected"
rm "$admin/transports"

# The audit log cannot be written: the change is made, and the run fails saying why.
rm -f "$ROOT/var/log/jabber-dispatch/jabber-dispatch.log"
mkdir -p "$ROOT/var/log/jabber-dispatch/jabber-dispatch.log"
run_jd sync
check "audit log unwritable: exit 73" equals "$rc" 73
check "audit log unwritable: says why" contains "$err" \
	"/var/log/jabber-dispatch/jabber-dispatch.log: cannot open the audit log: Is a directory"
check "audit log unwritable: the change is there" test -f "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
first_full_err=$err
rmdir "$ROOT/var/log/jabber-dispatch/jabber-dispatch.log"
run_jd sync
check "audit log writable again: exit 0" equals "$rc" 0

# In that first full run jabberd2 imposed its generated secret on biboumi (Debian's biboumi.cfg
# is root:root 0644): the file is now readable by biboumi's group only, and the run said so.
secret=$(sed -n 's:.*<secret>\(.*\)</secret>.*:\1:p' "$ROOT/etc/jabberd2/router.xml" | head -n 1)
check "biboumi.cfg holds jabberd2's secret" grep -qxF "password=$secret" "$ROOT/etc/biboumi/biboumi.cfg"
if getent group _biboumi >/dev/null; then
	check "biboumi.cfg: readable by biboumi's group, not by others" equals \
		"$(stat -c '%a %U:%G' "$ROOT/etc/biboumi/biboumi.cfg")" "640 root:_biboumi"
	check "biboumi.cfg: the run said so" contains "$first_full_err" \
		"/etc/biboumi/biboumi.cfg: holds a secret: made unreadable by others (mode 0644 group root -> mode 0640 group _biboumi)"
else
	check "biboumi.cfg: mode left as it was without a _biboumi group" equals \
		"$(stat -c '%a' "$ROOT/etc/biboumi/biboumi.cfg")" 644
	check "biboumi.cfg: the run said why" contains "$first_full_err" "group _biboumi is not in /etc/group"
fi
finish
