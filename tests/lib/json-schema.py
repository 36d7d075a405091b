#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check jabber-dispatch --json outputs against the shape of version 1.

usage: json-schema.py KIND FILE [FILE2]
  KIND sync|list|check|adapters|registry|export|import|forget: FILE holds one output, checked field by field;
  KIND same: FILE (a dry run) and FILE2 (the real run) must agree on every pair's
  fields, result, changed, restart and reload.
Exit 0 when it holds; otherwise one line per problem and exit 1."""
import json
import sys

PAIR = {"transport": str, "server": str, "host": str, "port": int, "result": str, "changed": bool,
        "restart": bool, "reload": bool, "reason": (str, type(None)), "remarks": (str, type(None)),
        "diff": (str, type(None)), "live": (str, type(None)), "live_detail": (str, type(None))}
TOP = {"sync": {"version": int, "command": str, "run": str, "dry_run": bool, "pairs": list, "exit": int},
       "adapters": {"version": int, "command": str, "adapters": list},
       "registry": {"version": int, "command": str, "registry": list},
       "check": {"version": int, "command": str, "pairs": list, "exit": int},
       "export": {"version": int, "command": str, "transport": str, "host": str, "port": int,
                  "server_address": (str, type(None)), "path": str, "changed": bool, "dry_run": bool},
       "import": {"version": int, "command": str, "name": str, "transport": str, "port": int,
                  "server_address": (str, type(None)), "path": str, "result": str, "changed": bool,
                  "dry_run": bool, "diff": (str, type(None))},
       "forget": {"version": int, "command": str, "name": str, "path": str, "result": str, "changed": bool,
                  "dry_run": bool}}
TOP["list"] = TOP["sync"]
ROWS = {"adapters": ("adapters", {"kind": str, "name": str, "state": str, "path": str,
                                  "capabilities": (str, type(None)), "why": (str, type(None))}),
        "registry": ("registry", {"package": str, "port": int, "prefix": str, "file": str, "line": int,
                                  "override": bool}),
        "sync": ("pairs", PAIR), "list": ("pairs", PAIR),
        "check": ("pairs", {"transport": str, "server": str, "host": str, "address": str, "port": int,
                            "status": str, "detail": str, "ms": int})}
WORDS = {"added", "updated", "unchanged", "excluded", "manual", "removed", "absent", "missing", "stale", "ok",
         "orphan", "unconfigured", "conflict", "error"}
CHECK_WORDS = {"ok", "ok-not-connected", "wrong-secret", "unknown-host", "wrong-port", "server-down", "timeout",
               "not-wired", "unchecked", "error"}
problems = []


def shape(obj, fields, where):
    if set(obj) != set(fields):
        problems.append(f"{where}: fields {sorted(obj)}, expected {sorted(fields)}")
    for k, t in fields.items():
        if k in obj and (not isinstance(obj[k], t) or (t is int and isinstance(obj[k], bool))):
            problems.append(f"{where}: {k} is {type(obj[k]).__name__}")


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if text.count("\n") != 1 or not text.endswith("\n"):
        problems.append(f"{path}: not one line")
    return json.loads(text)


def check(kind, path):
    doc = load(path)
    shape(doc, TOP[kind], path)
    if doc.get("version") != 1:
        problems.append(f"{path}: version {doc.get('version')}")
    key, fields = ROWS.get(kind, ("-", {}))
    for i, row in enumerate(doc.get(key, [])):
        shape(row, fields, f"{path}: {key}[{i}]")
        if kind in ("sync", "list"):
            if row.get("result") not in WORDS:
                problems.append(f"{path}: pairs[{i}]: result {row.get('result')!r}")
            if row.get("result") in ("error", "conflict") and not row.get("reason"):
                problems.append(f"{path}: pairs[{i}]: {row.get('result')} without a reason")
            if row.get("live") not in CHECK_WORDS | {None}:
                problems.append(f"{path}: pairs[{i}]: live {row.get('live')!r}")
        if kind == "check" and row.get("status") not in CHECK_WORDS:
            problems.append(f"{path}: pairs[{i}]: status {row.get('status')!r}")
    return doc


def same(dry_path, real_path):
    dry, real = check("sync", dry_path), check("sync", real_path)
    if not dry["dry_run"] or real["dry_run"]:
        problems.append("dry_run flags are not true then false")
    a = {(p["transport"], p["server"], p["host"]): p for p in dry["pairs"]}
    b = {(p["transport"], p["server"], p["host"]): p for p in real["pairs"]}
    if set(a) != set(b):
        problems.append(f"pairs differ: dry run {sorted(a)}, real run {sorted(b)}")
    for k in set(a) & set(b):
        for f in ("result", "port", "changed", "restart", "reload"):
            if a[k][f] != b[k][f]:
                problems.append(f"{k}: {f} is {a[k][f]!r} in the dry run, {b[k][f]!r} in the real run")
    if dry["exit"] != real["exit"]:
        problems.append(f"exit {dry['exit']} in the dry run, {real['exit']} in the real run")


try:
    if sys.argv[1] == "same":
        same(sys.argv[2], sys.argv[3])
    else:
        check(sys.argv[1], sys.argv[2])
except (ValueError, KeyError, IndexError, OSError) as e:
    problems.append(f"{sys.argv[1:]}: {e}")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
