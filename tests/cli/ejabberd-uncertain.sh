#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Where we cannot tell which files ejabberd reads (ejabberdctl.cfg or modules.d unreachable,
# a CONTRIB_MODULES_CONF_DIR we cannot evaluate), the ejabberd adapter refuses, names the path,
# and writes nothing: guessing "no drop-in" would declare every port twice.
. "$(dirname "$0")/lib.sh" "$@"
make_root ejabberd biboumi
E=$ROOT/etc/ejabberd
configure_biboumi irc.example.org s3cret
ctl_target=$(readlink "$E/ejabberdctl.cfg" || true)
cp -a "$E" "$T/etc-ejabberd"
cp -a "$ROOT/etc/default" "$T/etc-default"
restore() {
	rm -rf "$E" "$ROOT/etc/default"
	cp -a "$T/etc-ejabberd" "$E"
	cp -a "$T/etc-default" "$ROOT/etc/default"
}

# refused NAME MESSAGE: sync fails with MESSAGE, nothing under the root changes
refused() {
	snapshot a
	run_jd sync
	snapshot b
	check "$1: sync fails (65)" equals "$rc" 65
	check "$1: says why, with the path" contains "$err" "$2"
	check "$1: no line added for ejabberd" lacks "$out" "added"
	check "$1: nothing written" same_snapshot a b
	restore
}

run_jd sync --dry-run
check "stock layout: the drop-in would be used" contains "$out" "added"
check "stock layout: sync --dry-run exits 0" equals "$rc" 0

rm "$E/ejabberdctl.cfg"
mkdir "$E/ejabberdctl.cfg"
refused "ejabberdctl.cfg is a directory" "/etc/ejabberd/ejabberdctl.cfg: a directory, not a regular file; cannot tell which drop-in files ejabberd reads"

[ -n "$ctl_target" ] || ln -sf ../default/ejabberd "$E/ejabberdctl.cfg"
rm -f "$ROOT/etc/default/ejabberd"
[ -L "$E/ejabberdctl.cfg" ] || ln -sf ../default/ejabberd "$E/ejabberdctl.cfg"
refused "ejabberdctl.cfg leads nowhere" "/etc/ejabberd/ejabberdctl.cfg: is a symlink to \\\"../default/ejabberd\\\", which does not exist inside the root"

rm -rf "$E/modules.d"
ln -s ../../../../../../../../srv/ejabberd-modules "$E/modules.d"
refused "modules.d symlinked out of the root" "/etc/ejabberd/modules.d: is a symlink to \\\"../../../../../../../../srv/ejabberd-modules\\\", which does not exist inside the root"

rm -rf "$E/modules.d"
echo "not a directory" >"$E/modules.d"
refused "modules.d is a file" "/etc/ejabberd/modules.d: Not a directory; cannot tell which drop-in files ejabberd reads"

f=$(readlink -f "$E/ejabberdctl.cfg")
sed -i 's|^CONTRIB_MODULES_CONF_DIR=.*|CONTRIB_MODULES_CONF_DIR="$ETC_DIR/modules.d"|' "$f"
grep -q '^CONTRIB_MODULES_CONF_DIR="\$ETC_DIR' "$f" || fail "the stock ejabberdctl.cfg has no CONTRIB_MODULES_CONF_DIR line"
refused "a CONTRIB_MODULES_CONF_DIR with a shell variable" "CONTRIB_MODULES_CONF_DIR is not a plain absolute path; cannot tell which drop-in files ejabberd reads"

# an absent modules.d is what ejabberd reads as empty: ejabberd.yml is edited
rm -rf "$E/modules.d"
run_jd sync
check "no modules.d at all: added to ejabberd.yml" contains "$out" "added"
check "no modules.d at all: marked lines in ejabberd.yml" grep -q '# jabber-dispatch$' "$E/ejabberd.yml"
finish
