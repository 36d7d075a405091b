#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A server that imposes one port and one secret on every component (as jabberd2 does):
# transports adopt them, every other server then gets the same values.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody biboumi
configure_biboumi irc.example.org 'own-secret'
admin=$ROOT/etc/jabber-dispatch
mkdir -p "$admin/servers" "$admin/transports"
# A server adapter that imposes port 5347 and the secret in its state file.
cat >"$admin/servers/onesecret" <<EOF2
#!/bin/sh
state="$T/onesecret.state"
for a; do case \$a in
	--capabilities) echo "protocol=1 password-stdin shared dry-run"; exit 0 ;;
	--shared) printf 'unchanged\n5347\n%s\n' "\$(cat "\$state")"; exit 0 ;;
esac; done
read -r secret
[ "\$secret" = "\$(cat "\$state")" ] || { echo "onesecret: secret is not the shared one" >&2; exit 65; }
echo unchanged
EOF2
chmod 755 "$admin/servers/onesecret"
echo 'the-shared-one' >"$T/onesecret.state"

run_jd sync
check "sync with a shared-secret server: exit 0" equals "$rc" 0
check "biboumi adopted the shared secret" grep -qx 'password=the-shared-one' "$ROOT/etc/biboumi/biboumi.cfg"
check "biboumi's restart is asked for" contains "$err" "transport biboumi: adopted the secret of server onesecret; restart it"
check "prosody got the shared secret" grep -qF 'component_secret = "the-shared-one"' "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
check "the pair with the shared server is fine" contains "$out" "onesecret    irc.example.org                  unchanged"
check "audit log records the adoption" grep -q 'transport=biboumi adopted-from=onesecret' "$ROOT/var/log/jabber-dispatch/jabber-dispatch.log"
run_jd sync
check "second sync: nothing to adopt" lacks "$err" "adopted"

# A transport adapter that cannot adopt: a conflict for that pair only.
cat >"$admin/transports/fixed" <<'EOF2'
#!/bin/sh
[ "$1" = --capabilities ] && { echo protocol=1; exit 0; }
printf 'fixed.example.org\n5347\nfixed-secret\n'
EOF2
chmod 755 "$admin/transports/fixed"
run_jd sync
check "non-adopting transport: exit 65" equals "$rc" 65
check "non-adopting transport: conflict with the shared server" contains "$out" "fixed            onesecret    fixed.example.org                conflict"
check "non-adopting transport: says why" contains "$err" "transport fixed: server onesecret imposes its own secret, and the adapter cannot adopt it (no set-password)"
check "non-adopting transport: still added to prosody" contains "$out" "fixed            prosody      fixed.example.org                added"

# --dry-run adopts nothing.
echo 'rotated' >"$T/onesecret.state"
snapshot a
run_jd sync --dry-run --transport=biboumi
snapshot b
check "dry run: would adopt" contains "$err" "transport biboumi: would adopt the secret of server onesecret"
check "dry run: prosody would be updated" contains "$out" "prosody      irc.example.org                  updated"
check "dry run: nothing written" same_snapshot a b
finish
