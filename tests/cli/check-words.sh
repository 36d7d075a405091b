#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check: the words it gives from what a server adapter's --listen says, where no network
# answer is needed (the live matrix, tests/live/check-matrix.sh, has the real servers):
# not declared, a port the transport does not use, no safe method, an adapter that
# cannot say, a bad answer, nothing listening; exit statuses and --json.
. "$(dirname "$0")/lib.sh" "$@"
command -v python3 >/dev/null || skip "python3 is needed to read JSON"
make_root biboumi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
configure_biboumi irc.example.org 'Check-s3cret' "$port"

# The admin's server adapter: it answers --listen with what $ROOT/listen.answer holds.
mkdir -p "$ROOT/etc/jabber-dispatch/servers"
fake=$ROOT/etc/jabber-dispatch/servers/fake
cat >"$fake" <<EOF
#!/bin/sh
for a; do
	case \$a in
	--capabilities) echo 'protocol=1 password-stdin listen'; exit 0 ;;
	--listen) cat '$ROOT/listen.answer'; exit 0 ;;
	esac
done
exit 64
EOF
chmod 755 "$fake"
answer() { printf '%s\n' "$@" >"$ROOT/listen.answer"; }
word() { awk '$1 == "biboumi" && $2 == "fake" { print $4 }' "$T/out"; }

answer undeclared
run_jd check
check "undeclared: not-wired" equals "$(word)" not-wired
check "undeclared: exit 0" equals "$rc" 0

answer "127.0.0.1 $port kick-new"
run_jd check
check "nothing listens: server-down" equals "$(word)" server-down
check "nothing listens: the kernel's words" contains "$out" "Connection refused"
check "nothing listens: exit 1" equals "$rc" 1

answer "127.0.0.1 $((port + 1)) kick-new" "::1 $((port + 2)) any-name"
run_jd check
check "another port: wrong-port" equals "$(word)" wrong-port
check "another port: says which" contains "$out" "the transport connects to port $port; server fake takes it on port $((port + 1))"
check "another port: exit 1" equals "$rc" 1

answer "127.0.0.1 $port unknown"
run_jd check
check "no safe method: unchecked, no login" equals "$(word)" unchecked
check "no safe method: exit 0" equals "$rc" 0

answer "127.0.0.1 $port connected"
run_jd check
check "connected per the adapter, but its port closed: server-down" equals "$(word) $rc" "server-down 1"
check "connected, port closed: says so" contains "$out" "connected, but nothing takes a new login on 127.0.0.1 port $port"
# something listens (and is never spoken to): ok without a login
python3 -c 'import socket, sys, time; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5); time.sleep(30)' "$port" &
listener=$!
for _ in $(seq 50); do ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.1; done
run_jd check
kill "$listener"
wait "$listener" 2>/dev/null || true
check "connected per the adapter: ok without a login" equals "$(word)" ok
check "connected: says the secret is not tried" contains "$out" "the secret is not tried again"

for bad in "localhost $port kick-new" "127.0.0.1 0 kick-new" "127.0.0.1 $port kick-old" "127.0.0.1 $port" ""; do
	answer "$bad"
	run_jd check
	check "bad --listen answer \"$bad\": error, exit 1" equals "$(word) $rc" "error 1"
done

answer "127.0.0.1 $port kick-new"
run_jd --json check
check "--json: the shape of version 1" python3 "$TESTS/lib/json-schema.py" check "$T/out"
check "--json: the pair" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
p = [p for p in d["pairs"] if p["server"] == "fake"][0]
assert d["version"] == 1 and d["command"] == "check" and d["exit"] == 1, d
assert set(p) == {"transport", "server", "host", "address", "port", "status", "detail", "ms"}, p
assert (p["transport"], p["host"], p["address"], p["port"], p["status"]) == ("biboumi", "irc.example.org", "127.0.0.1", int(sys.argv[2]), "server-down"), p
' "$T/out" "$port"
check "no secret in any output" bash -c "! grep -q Check-s3cret '$T/out' '$T/err'"

run_jd check --transport=nosuch
check "unknown transport: exit 64" equals "$rc" 64
run_jd check --server=fake --transport=biboumi
check "--server and --transport narrow it" equals "$(wc -l <"$T/out")" 1

# An adapter without the listen capability cannot be checked: unchecked, not an error.
sed -i 's/password-stdin listen/password-stdin/' "$fake"
run_jd check
check "no listen capability: unchecked" equals "$(word) $rc" "unchecked 0"
finish
