#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# layout: /var/{log,lib,spool}/PACKAGE created with owner and mode, idempotent, fixed when
# root-owned, refused through a symlink or from another user, printed as tmpfiles.d lines,
# removed at purge; nothing outside the root ever changes.
. "$(dirname "$0")/lib.sh" "$@"
[ "$(id -u)" = 0 ] || skip "needs root (directory owners)"
getent passwd nobody >/dev/null && getent group nogroup >/dev/null || skip "no user nobody or group nogroup"
mkdir -p "$ROOT/var" "$T/outside"
echo precious >"$T/outside/file"
outside_state() { (cd "$T/outside" && find . -printf '%p %m %u:%g %s\n' | sort); }
outside_before=$(outside_state)
owner() { stat -c '%U:%G %a' "$ROOT$1"; }
ctimes() { stat -c '%n %Z %z' "$ROOT"/var/{log,lib,spool}/foo-gw; }

# --- creation: the three directories, owner and mode asked
run_jd layout foo-gw --user=nobody --group=nogroup --mode=0750
check "create: exit 0" equals "$rc" 0
for d in log lib spool; do
	check "create: /var/$d/foo-gw nobody:nogroup 0750" equals "$(owner /var/$d/foo-gw)" "nobody:nogroup 750"
done
check "create: one line per directory" equals "$(grep -c ': created (' <<<"$out")" 3
check "create: audit log" grep -q "layout path=/var/lib/foo-gw result=created" "$ROOT/var/log/jabber-dispatch/jabber-dispatch.log"

# --- a second run changes nothing and says nothing
before=$(ctimes)
sleep 1.1
run_jd layout foo-gw --user nobody --group nogroup --mode 0750
check "second run: exit 0" equals "$rc" 0
check "second run: silent" equals "$out$err" ""
check "second run: not even a ctime changed" equals "$(ctimes)" "$before"
run_jd -v layout foo-gw --user=nobody --group=nogroup
check "-v: says unchanged" contains "$out" "/var/spool/foo-gw: unchanged"

# --- fixing what root owns: the package made it 0755 root:root before
chown root:root "$ROOT/var/spool/foo-gw"
chmod 0755 "$ROOT/var/spool/foo-gw"
run_jd layout foo-gw --user=nobody --group=nogroup --dry-run
check "dry run: exit 0" equals "$rc" 0
check "dry run: says it would fix" contains "$out" "/var/spool/foo-gw: would be fixed"
check "dry run: nothing changed" equals "$(owner /var/spool/foo-gw)" "root:root 755"
run_jd layout foo-gw --user=nobody --group=nogroup
check "fix: exit 0" equals "$rc" 0
check "fix: says what it was" contains "$out" "/var/spool/foo-gw: fixed ("
check "fix: owner and mode fixed" equals "$(owner /var/spool/foo-gw)" "nobody:nogroup 750"

# --- another user's directory is not handed over
run_jd layout foo-gw --user=root --group=root
check "other owner: refused, exit 73" equals "$rc" 73
check "other owner: says why" contains "$err" "/var/log/foo-gw: owned by uid $(id -u nobody), not root nor uid 0: refusing to hand it over"
check "other owner: unchanged" equals "$(owner /var/log/foo-gw)" "nobody:nogroup 750"

# --- a symlink at /var/lib/PKG: refused, never followed
ln -s "$T/outside" "$ROOT/var/lib/bar-gw"
run_jd layout bar-gw --user=nobody --group=nogroup
check "symlink at the directory: exit 73" equals "$rc" 73
check "symlink at the directory: says so" contains "$err" "/var/lib/bar-gw: is a symlink; refusing to follow it"
check "symlink at the directory: still a symlink" test -L "$ROOT/var/lib/bar-gw"
check "symlink at the directory: outside unchanged" equals "$(outside_state)" "$outside_before"

# --- a symlink at a parent (/var/spool): refused before anything under it
mv "$ROOT/var/spool" "$T/spool.real"
ln -s "$T/outside" "$ROOT/var/spool"
run_jd layout baz-gw --user=nobody --group=nogroup
check "symlink at a parent: exit 73" equals "$rc" 73
check "symlink at a parent: says so" contains "$err" "/var/spool: is a symlink; refusing to follow it"
check "symlink at a parent: nothing made outside" equals "$(outside_state)" "$outside_before"
rm "$ROOT/var/spool"
mv "$T/spool.real" "$ROOT/var/spool"

# --- a parent another user owns: an unsafe transition
mkdir -p "$ROOT/var/tmpx"
chown nobody "$ROOT/var/log"
run_jd layout qux-gw
check "parent owned by a user: exit 73" equals "$rc" 73
check "parent owned by a user: says so" contains "$err" "/var/log: owned by uid $(id -u nobody), not root: refusing to go through it"
check "parent owned by a user: nothing created" test ! -e "$ROOT/var/log/qux-gw"
chown root "$ROOT/var/log"

# --- a file where a directory should be
touch "$ROOT/var/lib/file-gw"
run_jd layout file-gw
check "file in the way: exit 73" equals "$rc" 73
check "file in the way: says so" contains "$err" "/var/lib/file-gw: exists and is not a directory"

# --- names that are not package names
for bad in .. a/b ../etc X; do
	run_jd layout "$bad"
	check "bad name \"$bad\": exit 64" equals "$rc" 64
done

# --- tmpfiles.d lines instead
run_jd layout foo-gw --tmpfiles --user=nobody --group=nogroup --mode=0770
check "--tmpfiles: the three d lines" equals "$out" "d /var/log/foo-gw 0770 nobody nogroup -
d /var/lib/foo-gw 0770 nobody nogroup -
d /var/spool/foo-gw 0770 nobody nogroup -"
if command -v systemd-tmpfiles >/dev/null; then
	mkdir -p "$T/tf/etc"
	cp /etc/passwd /etc/group "$T/tf/etc/"
	printf '%s\n' "$out" >"$T/tf.conf"
	systemd-tmpfiles --create --root="$T/tf" "$T/tf.conf" >/dev/null 2>&1 || true
	check "--tmpfiles: systemd-tmpfiles makes the same directories" equals "$(stat -c '%U:%G %a' "$T/tf/var/lib/foo-gw")" "nobody:nogroup 770"
fi

# --- removal at purge: empty ones go, ones with content stay unless --force
echo data >"$ROOT/var/lib/foo-gw/state"
mkdir "$ROOT/var/lib/foo-gw/sub"
ln -s "$T/outside/file" "$ROOT/var/lib/foo-gw/sub/link"
run_jd layout foo-gw --remove
check "remove: exit 0" equals "$rc" 0
check "remove: empty log dir removed" test ! -e "$ROOT/var/log/foo-gw"
check "remove: lib dir with content kept" test -f "$ROOT/var/lib/foo-gw/state"
check "remove: says it kept it" contains "$out" "/var/lib/foo-gw: not empty, kept"
run_jd layout foo-gw --remove --force
check "remove --force: exit 0" equals "$rc" 0
check "remove --force: gone with its content" test ! -e "$ROOT/var/lib/foo-gw"
check "remove --force: the link's target outside untouched" equals "$(outside_state)" "$outside_before"
run_jd layout foo-gw --remove
check "remove again: exit 0, silent" equals "$rc:$out" "0:"
run_jd layout bar-gw --remove --force
check "remove through a symlink: exit 73" equals "$rc" 73
check "remove through a symlink: outside untouched" equals "$(outside_state)" "$outside_before"

finish
