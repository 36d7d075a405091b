#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every --json output against the shape of version 1, and the dry run and the real run of
# sync agreeing field by field (result, changed, restart, reload) for every server.
. "$(dirname "$0")/lib.sh" "$@"
command -v python3 >/dev/null || skip "python3 is needed to read JSON"
make_root prosody ejabberd jabberd2 biboumi
mkdir -p "$ROOT/etc/jabber"
cp "$TESTS/fixtures/jabberd14/jabber.xml" "$ROOT/etc/jabber/jabber.xml"
configure_biboumi irc.example.org 'Json-s3cret'
schema() { python3 "$TESTS/lib/json-schema.py" "$@"; }

run_jd --json list
cp "$T/out" "$T/list.json"
check "list --json: the shape of version 1" schema list "$T/list.json"
run_jd --json sync --dry-run
cp "$T/out" "$T/dry.json"
check "sync --dry-run --json: the shape of version 1" schema sync "$T/dry.json"
check "sync --dry-run --json: every server" python3 -c '
import json, sys
servers = {p["server"] for p in json.load(open(sys.argv[1]))["pairs"]}
sys.exit(0 if {"prosody", "ejabberd", "jabberd2", "jabberd14"} <= servers else print(servers) or 1)' "$T/dry.json"
check "sync --dry-run --json: jabberd2 needs a restart" contains "$(cat "$T/dry.json")" '"server":"jabberd2","host":"irc.example.org","port":5347,"result":"added","changed":true,"restart":true'
run_jd sync --json
cp "$T/out" "$T/real.json"
check "sync --json: the shape of version 1" schema sync "$T/real.json"
check "dry run and real run agree on every pair" schema same "$T/dry.json" "$T/real.json"
check "sync --json: jabberd2 needs a restart, as the dry run said" contains "$(cat "$T/real.json")" '"server":"jabberd2","host":"irc.example.org","port":5347,"result":"added","changed":true,"restart":true'
check "no secret in any output" bash -c "! grep -q Json-s3cret '$T/list.json' '$T/dry.json' '$T/real.json'"

# Nothing to do now: the dry run and the real run agree again.
run_jd --json sync -n
cp "$T/out" "$T/dry2.json"
run_jd --json sync
cp "$T/out" "$T/real2.json"
check "second run: dry run and real run agree" schema same "$T/dry2.json" "$T/real2.json"
check "second run: unchanged, no restart" contains "$(cat "$T/real2.json")" '"server":"jabberd2","host":"irc.example.org","port":5347,"result":"unchanged","changed":false,"restart":false'

# A failing pair carries its reason.
printf 'garbage <' >>"$ROOT/etc/jabber/jabber.xml"
run_jd --json sync
cp "$T/out" "$T/err.json"
check "a failing pair: the shape of version 1" schema sync "$T/err.json"
check "a failing pair: error with its reason" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
bad = [p for p in d["pairs"] if p["server"] == "jabberd14"]
sys.exit(0 if bad and bad[0]["result"] == "error" and "jabber.xml" in bad[0]["reason"] and d["exit"] != 0 else print(bad) or 1)' "$T/err.json"

run_jd --json adapters
cp "$T/out" "$T/adapters.json"
check "adapters --json: the shape of version 1" schema adapters "$T/adapters.json"
check "adapters --json: lists biboumi" contains "$out" '"kind":"transport","name":"biboumi","state":"ok"'
run_jd --json transport-init --registry
cp "$T/out" "$T/registry.json"
check "transport-init --registry --json: the shape of version 1" schema registry "$T/registry.json"
check "transport-init --registry --json: biboumi's port" contains "$out" '"package":"biboumi","port":'
finish
