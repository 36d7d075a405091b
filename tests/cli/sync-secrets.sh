#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Secrets: exact round trip through the Lua syntax, never in argv, logs or diffs.
. "$(dirname "$0")/lib.sh" "$@"
make_root prosody biboumi
command -v lua5.4 >/dev/null || skip "lua5.4 (a dependency of prosody) is not installed"

# Read a drop-in the way Prosody does: run it as Lua and take component_secret.
lua_secret() {
	lua5.4 - "$1" <<'LUA'
Component = function() return function() end end
local env = setmetatable({}, { __index = _G, __newindex = function(_, k, v)
	if k == "component_secret" then io.write(v) end
end })
assert(loadfile(arg[1], "t", env))()
LUA
}
dropin=$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua
for secret in 'q"uote' 'back\slash\' 'long]]bracket]==]' 'ré€😀' "single'quote" '--[[x]]' '\n\0' 'x%sy$z#1<&>]]>'; do
	configure_biboumi irc.example.org "$secret"
	run_jd sync
	check "sync with secret $secret" equals "$rc" 0
	check "Lua reads back exactly $secret" equals "$(lua_secret "$dropin")" "$secret"
done

# Never in argv: a server adapter wrapper records its argv and lingers, while /proc is read.
secret='argv-canary-7f3a'
configure_biboumi irc.example.org "$secret"
admin=$ROOT/etc/jabber-dispatch/servers
mkdir -p "$admin"
cat >"$admin/prosody" <<WRAP
#!/bin/sh
# records how it was called, then runs the real adapter with the same argv and stdin
echo "\$*" >>"$T/argv.log"
sleep 0.3
exec "$ROOT/usr/lib/jabber-dispatch/servers/prosody" "\$@"
WRAP
chmod 755 "$admin/prosody"
"$JD" --root="$ROOT" sync >"$T/out" 2>"$T/err" &
pid=$!
seen=0
while kill -0 "$pid" 2>/dev/null; do
	# the pattern matches the secret without containing it, so grep's own argv does not count
	if cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\0' ' ' | grep 'argv-canary-[7]f3a' >/dev/null; then seen=1; fi
done
wait "$pid" || true
check "sync through the wrapper worked" grep -q "updated" "$T/out"
check "the wrapper was given the secret on stdin (--batch or --password-stdin)" grep -qE -- "--password-stdin|--batch" "$T/argv.log"
check "the secret was never in the adapter's argv" bash -c "! grep -q '$secret' '$T/argv.log'"
check "the secret was never in any /proc/*/cmdline" equals "$seen" 0
check "the secret is not in the audit log" bash -c "! grep -rq '$secret' '$ROOT/var/log'"
check "the secret is not in sync's output" bash -c "! grep -q '$secret' '$T/out' '$T/err'"
rm "$admin/prosody"

# --dry-run: a diff with the secret hidden, and nothing written.
configure_biboumi irc.example.org 'dry-run-canary'
snapshot a
run_jd sync --dry-run
snapshot b
check "dry run exits 0" equals "$rc" 0
check "dry run says updated" contains "$out" "updated"
check "dry run shows a diff" contains "$out" "+++ b/etc/prosody/conf.d/irc.example.org.cfg.lua"
check "dry run hides the new secret" lacks "$out" "dry-run-canary"
check "dry run hides the old secret" lacks "$out" "$secret"
check "dry run masks the new secret" contains "$out" '+	component_secret = <secret>'
check "dry run masks the old secret" contains "$out" '-	component_secret = <old secret>'
check "dry run writes nothing" same_snapshot a b
run_jd --json sync --dry-run
check "dry run --json carries the diff" contains "$out" '"diff":"--- a/etc/prosody/conf.d/irc.example.org.cfg.lua'
check "dry run --json hides the secret" lacks "$out" "dry-run-canary"

# A neighbour's secret in the context lines of a diff is hidden too, and so is ours on --remove.
main=$ROOT/etc/prosody/prosody.cfg.lua
sed -i 's|^Include "conf.d/\*.cfg.lua"|-- no include|' "$main"
printf 'Component "neighbour.example.org"\n\tcomponent_secret = "neighbour-canary"\n' >>"$main"
rm -f "$ROOT/etc/prosody/conf.d/irc.example.org.cfg.lua"
run_jd sync --dry-run
check "main-file diff shows the neighbour's block as context" contains "$out" 'Component "neighbour.example.org"'
check "the neighbour's secret is hidden" lacks "$out" "neighbour-canary"
check "the neighbour's secret is shown as <hidden>" contains "$out" 'component_secret = <hidden>'
run_jd sync
"$ROOT/usr/lib/jabber-dispatch/servers/prosody" --root="$ROOT" --remove --host=irc.example.org --dry-run >"$T/rm.out"
check "--remove --dry-run: removed" equals "$(head -1 "$T/rm.out")" removed
check "--remove --dry-run hides our secret" bash -c "! grep -q 'dry-run-canary' '$T/rm.out'"
check "--remove --dry-run hides the neighbour's" bash -c "! grep -q 'neighbour-canary' '$T/rm.out'"
finish
