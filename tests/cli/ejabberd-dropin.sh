#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sync on the stock Debian ejabberd: the component goes into the managed modules.d drop-in.
. "$(dirname "$0")/lib.sh" "$@"
command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null || skip "python3 with yaml is needed to read the result"
make_root ejabberd biboumi
E=$ROOT/etc/ejabberd
dropin=$E/modules.d/jabber-dispatch.yml
adapter=$ROOT/usr/lib/jabber-dispatch/servers/ejabberd
printf '%s' 'x"y\z#%<&]]>é€' >"$T/secret"
configure_biboumi irc.example.org "$(cat "$T/secret")"
check_yml() { python3 "$TESTS/lib/ejabberd-check.py" "$E/ejabberd.yml" "$dropin" "$@"; }
line() { awk -v h=irc.example.org '$1 == "biboumi" && $2 == "ejabberd" && $3 == h { print $4 }' <<<"$out"; }

snapshot before
cp "$E/ejabberd.yml" "$T/ej.stock"
run_jd sync
check "first sync: added" equals "$(line)" added
check "exit 0" equals "$rc" 0
check "drop-in created" test -f "$dropin"
check "drop-in starts with the marker" grep -q '^# Managed by jabber-dispatch' "$dropin"
check "drop-in owned like ejabberd.yml" equals "$(stat -c '%U:%G %a' "$dropin")" "$(stat -c '%U:%G %a' "$E/ejabberd.yml")"
check "ejabberd.yml untouched" cmp "$E/ejabberd.yml" "$T/ej.stock"
check "ejabberd reads it as wanted" check_yml --host=irc.example.org --port=5347 --secret-file="$T/secret"
check "secret not in the output" lacks "$out$err" "$(cat "$T/secret")"
grep -v "modules.d" "$T/snap.before" >"$T/snap.b1"
snapshot after1
grep -v "modules.d" "$T/snap.after1" | grep -v jabber-dispatch >"$T/snap.a1"
grep -v jabber-dispatch "$T/snap.b1" >"$T/snap.b2"
check "nothing else changed" diff -u "$T/snap.b2" "$T/snap.a1"

ino=$(stat -c '%i %Y' "$dropin")
snapshot a
run_jd sync
snapshot b
check "second sync: unchanged" equals "$(line)" unchanged
check "nothing rewritten (inode, mtime)" equals "$(stat -c '%i %Y' "$dropin")" "$ino"
check "tree byte-identical" same_snapshot a b

# A new secret: only the password line changes, and neither secret shows.
printf '%s' "new'secret\"2" >"$T/secret2"
configure_biboumi irc.example.org "$(cat "$T/secret2")"
run_jd sync --dry-run
check "dry-run: updated" equals "$(line)" updated
check "dry-run shows <old secret> and <secret>" contains "$out" "-        password: <old secret>"
check "dry-run diff: +<secret>" contains "$out" "+        password: <secret>"
check "dry-run diff touches one line" equals "$(grep -c '^[-+] ' <<<"$out")" 2
check "dry-run hides both secrets" lacks "$out" "secret\"2"
check "dry-run wrote nothing" same_snapshot a b
run_jd sync
check "changed secret: updated" equals "$(line)" updated
check "ejabberd sees the new secret" check_yml --host=irc.example.org --port=5347 --secret-file="$T/secret2"

# A second transport on the same port shares the listener (one ip:port, global_routes false).
printf '%s\n' "gw-secret" >"$T/gw"
echo gw-secret | "$adapter" --root="$ROOT" --host=gw.example.org --port=5347 --password-stdin >"$T/o"
check "second host on the port: added" equals "$(cat "$T/o")" added
check "one listener, both hosts" check_yml --host=gw.example.org --port=5347 --secret-file="$T/gw"
check "first host unchanged" check_yml --host=irc.example.org --port=5347 --secret-file="$T/secret2"
# The transport moves to another port: a listener of its own there.
echo gw-secret | "$adapter" --root="$ROOT" --host=gw.example.org --port=5348 --password-stdin >"$T/o"
check "port change: updated" equals "$(cat "$T/o")" updated
check "gw now on 5348" check_yml --host=gw.example.org --port=5348 --secret-file="$T/gw"
"$adapter" --root="$ROOT" --list >"$T/o"
check "list: both managed" equals "$(sort "$T/o" | tr '\n' ' ')" "managed gw.example.org managed irc.example.org "
"$adapter" --root="$ROOT" --remove --host=gw.example.org >"$T/o"
check "--remove: removed" equals "$(cat "$T/o")" removed
check "gw gone, its listener too" check_yml --absent=gw.example.org
check "no 5348 listener left" lacks "$(cat "$dropin")" "5348"

# Exclusion: the admin comments out our host's lines; the listener left empty goes, the comments stay.
sed -i -e 's/^      irc.example.org:/#      irc.example.org:/' -e 's/^        password: /#        password: /' "$dropin"
run_jd sync
check "commented out: excluded" equals "$(line)" excluded
check "exit 0 when excluded" equals "$rc" 0
check "comment lines kept" grep -q '^#      irc.example.org:' "$dropin"
check "ejabberd can still read it (no empty hosts or listen)" check_yml --absent=irc.example.org
configure_biboumi irc.example.org "third-secret"
snapshot a
run_jd sync
snapshot b
check "still excluded with a new secret" equals "$(line)" excluded
check "excluded: byte-identical" same_snapshot a b
"$adapter" --root="$ROOT" --remove --host=irc.example.org >"$T/o"
check "--remove keeps the exclusion" equals "$(cat "$T/o")" excluded
run_jd list
check "list: excluded" contains "$out" "excluded"
"$adapter" --root="$ROOT" --list >"$T/o"
check "adapter --list: excluded" equals "$(cat "$T/o")" "excluded irc.example.org"

# Back in: the admin deletes the comment lines; then a full --remove leaves the stock tree.
sed -i -e '/^#      irc.example.org:/d' -e '/^#        password: /d' "$dropin"
run_jd sync
check "comments deleted: added again" equals "$(line)" added
"$adapter" --root="$ROOT" --remove --host=irc.example.org >"$T/o"
check "--remove: removed" equals "$(cat "$T/o")" removed
check "drop-in removed with its last component" test ! -e "$dropin"
"$adapter" --root="$ROOT" --remove --host=irc.example.org >"$T/o"
check "--remove again: absent" equals "$(cat "$T/o")" absent

# The admin declared the host in ejabberd.yml: manual, never duplicated nor removed.
cp -p "$E/ejabberd.yml" "$T/ej.orig"
python3 - "$E/ejabberd.yml" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("    backlog: 1000\n", "    backlog: 1000\n  -\n    port: 5347\n    ip: \"127.0.0.1\"\n"
              "    module: ejabberd_service\n    hosts:\n      irc.example.org:\n        password: \"handmade\"\n", 1)
open(p, "w").write(s)
EOF
snapshot a
run_jd sync
snapshot b
check "hand-written: manual" equals "$(line)" manual
check "hand-written: nothing written" same_snapshot a b
"$adapter" --root="$ROOT" --remove --host=irc.example.org >"$T/o"
check "--remove never removes the admin's" equals "$(cat "$T/o")" manual
check "admin's entry kept" grep -q handmade "$E/ejabberd.yml"
# Another host on the admin's port joins the admin's listener (one ip:port), marked as ours.
echo gw-secret | "$adapter" --root="$ROOT" --host=gw.example.org --port=5347 --password-stdin >"$T/o"
check "joins the admin's listener: added" equals "$(cat "$T/o")" added
check "no drop-in for a port the admin holds" test ! -e "$dropin"
check "joined with global_routes false" check_yml --host=gw.example.org --port=5347 --secret-file="$T/gw"
"$adapter" --root="$ROOT" --remove --host=gw.example.org >"$T/o"
check "joined host removed" equals "$(cat "$T/o")" removed
cp "$E/ejabberd.yml" "$T/ej.now"
python3 - "$T/ej.orig" "$T/ej.exp" <<'EOF'
import sys
s = open(sys.argv[1]).read()
s = s.replace("    backlog: 1000\n", "    backlog: 1000\n  -\n    port: 5347\n    ip: \"127.0.0.1\"\n"
              "    module: ejabberd_service\n    hosts:\n      irc.example.org:\n        password: \"handmade\"\n", 1)
open(sys.argv[2], "w").write(s)
EOF
check "the admin's listener is as the admin wrote it" cmp "$T/ej.exp" "$T/ej.now"
check "owner and mode of ejabberd.yml kept" equals "$(stat -c '%U:%G %a' "$E/ejabberd.yml")" "$(stat -c '%U:%G %a' "$T/ej.orig")"
finish
