#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check ejabberd config files the way ejabberd 23.01 would read them.

usage: ejabberd-check.py [--host=H --port=P --secret-file=F | --absent=H] FILE...

The YAML files (the main file first, then the drop-ins, which may be absent) are read with
libyaml, as ejabberd's fast_yaml does, and their listen: lists are merged.
Always checked: the files parse, listen: is a list, a listener's hosts: is
a non-empty mapping, and no two TCP listeners take the same ip:port (ejabberd
would not start).  With --host: exactly one ejabberd_service listener holds
H, on port P, with the secret in F (bytes compared), and global_routes is
false there.  With --absent: no listener holds H.
A *.cfg file is read with file:consult through erl, when erl is there.
Exit status: 0 ok, 1 a check failed (one line on stdout says which).
"""
import os
import subprocess
import sys

import yaml


def fail(msg):
    print("ejabberd-check: " + msg)
    sys.exit(1)


def load_yaml(path):
    try:
        with open(path, "rb") as f:
            return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as e:
        fail("%s: does not parse: %s" % (path, str(e).replace("\n", " ")))


def check_cfg(path, host, absent):
    try:
        out = subprocess.run(
            ["erl", "-noshell", "-eval",
             'case file:consult("%s") of {ok, T} -> io:format("~p~n", [lists:keyfind(listen, 1, lists:reverse(T))]); '
             'E -> io:format("ERROR ~p~n", [E]) end, halt().' % path],
            capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return
    if out.startswith("ERROR"):
        fail("%s: file:consult refuses it: %s" % (path, out.strip()))
    if host and ('"%s"' % host) not in out:
        fail("%s: no listener holds %s" % (path, host))
    if absent and ('"%s"' % absent) in out:
        fail("%s: a listener still holds %s" % (path, absent))


def main():
    host = port = secret = absent = None
    files = []
    for a in sys.argv[1:]:
        if a.startswith("--host="):
            host = a[7:]
        elif a.startswith("--port="):
            port = int(a[7:])
        elif a.startswith("--secret-file="):
            with open(a[14:], "rb") as f:
                secret = f.read()
                if secret.endswith(b"\n"):
                    secret = secret[:-1]
        elif a.startswith("--absent="):
            absent = a[9:]
        else:
            files.append(a)
    if not files:
        fail("no file given")
    if files[0].endswith(".cfg"):
        check_cfg(files[0], host, absent)
        return
    listeners = []
    for path in files:
        if path != files[0] and not os.path.exists(path):
            continue  # a drop-in that is not there
        doc = load_yaml(path)
        if not isinstance(doc, dict):
            fail("%s: the top level is not a mapping" % path)
        if "listen" in doc:
            if not isinstance(doc["listen"], list):
                fail("%s: listen is not a list (ejabberd: Expected list)" % path)
            listeners += [(path, l) for l in doc["listen"]]
    seen = {}
    holding = []
    for path, l in listeners:
        if not isinstance(l, dict):
            fail("%s: a listener is not a mapping" % path)
        if l.get("transport") != "udp":
            key = (str(l.get("ip", "0.0.0.0")), l.get("port"))
            if key in seen:
                fail("%s: two listeners on %s:%s (ejabberd: Overlapping listeners)" % (path, key[0], key[1]))
            seen[key] = path
        if l.get("module") != "ejabberd_service" or "hosts" not in l:
            continue
        hosts = l["hosts"]
        if not isinstance(hosts, dict) or not hosts:
            fail("%s: a listener on port %s has hosts that are no non-empty mapping" % (path, l.get("port")))
        if host in hosts or absent in hosts:
            holding.append((path, l))
    if absent:
        if holding:
            fail("%s: a listener still holds %s" % (holding[0][0], absent))
        return
    if not host:
        return
    if len(holding) != 1:
        fail("%d listeners hold %s, want 1" % (len(holding), host))
    path, l = holding[0]
    if l.get("port") != port:
        fail("%s: %s is on port %s, want %s" % (path, host, l.get("port"), port))
    if l.get("global_routes") is not False:
        fail("%s: the listener of %s has global_routes %r" % (path, host, l.get("global_routes")))
    got = (l["hosts"][host] or {}).get("password")
    if secret is not None and (not isinstance(got, str) or got.encode("utf-8") != secret):
        fail("%s: the password of %s is not the secret" % (path, host))


main()
