#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ejabberd.yml written every which way: each is edited with marked lines only, stays what
# ejabberd reads, is not rewritten when unchanged, and is byte-identical after --remove.
. "$(dirname "$0")/lib.sh" "$@"
command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null || skip "python3 with yaml is needed"
[ "$(id -u)" = 0 ] || skip "needs root (owners)"
mkdir -p "$ROOT"
DESTDIR=$ROOT cmake --install "$BUILD" --prefix /usr >/dev/null
adapter=$ROOT/usr/lib/jabber-dispatch/servers/ejabberd
E=$ROOT/etc/ejabberd
printf '%s' 'sé"cr\et#' >"$T/s"

# only_marked ORIG NEW: NEW without its lines marked "# jabber-dispatch" is ORIG (but for a final newline)
only_marked() {
	python3 -c '
import sys
orig, new = (open(p, "rb").read() for p in sys.argv[1:])
kept = b"".join(l for l in new.splitlines(True) if not l.rstrip(b"\r\n").endswith(b"# jabber-dispatch"))
if kept.rstrip(b"\r\n") != orig.rstrip(b"\r\n"):
    sys.exit("  lines other than ours changed")
' "$1" "$2"
}

# layout NAME TEXT [FILE-EDITED]: TEXT (printf format) is ejabberd.yml
layout() {
	local name=$1 text=$2 edited=${3:-$E/ejabberd.yml} ino
	rm -rf "$ROOT/etc"
	mkdir -p "$E"
	printf "$text" >"$E/ejabberd.yml"
	[ -z "${inc:-}" ] || printf "$inc" >"$E/inc.yml"
	cp "$edited" "$T/orig"
	set +e
	"$adapter" --root="$ROOT" --host=irc.example.org --port=5347 --password-stdin <"$T/s" >"$T/o" 2>"$T/e"
	set -e
	check "$name: added" equals "$(cat "$T/o" "$T/e")" added
	check "$name: ejabberd reads it" python3 "$TESTS/lib/ejabberd-check.py" "$E/ejabberd.yml" ${inc:+"$E/inc.yml"} \
		--host=irc.example.org --port=5347 --secret-file="$T/s"
	check "$name: only marked lines" only_marked "$T/orig" "$edited"
	ino=$(stat -c '%i %Y' "$edited")
	"$adapter" --root="$ROOT" --host=irc.example.org --port=5347 --password-stdin <"$T/s" >"$T/o"
	check "$name: unchanged" equals "$(cat "$T/o")" unchanged
	check "$name: not rewritten" equals "$(stat -c '%i %Y' "$edited")" "$ino"
	"$adapter" --root="$ROOT" --remove --host=irc.example.org >"$T/o"
	check "$name: removed" equals "$(cat "$T/o")" removed
	check "$name: byte-identical after --remove" cmp "$T/orig" "$edited"
}

inc=
layout "empty file" ''
layout "comments only" '# nothing here yet\n'
layout "no final newline" 'hosts:\n  - example.org'
layout "no final newline, listen last" 'listen:\n  -\n    port: 5222\n    module: ejabberd_c2s'
layout "CRLF" 'hosts:\r\n  - example.org\r\nlisten:\r\n  -\r\n    port: 5222\r\n    module: ejabberd_c2s\r\n'
layout "CRLF without final newline" 'hosts:\r\n  - example.org'
layout "compact items" 'listen:\n  - port: 5222\n    module: ejabberd_c2s\n  - port: 5269\n    module: ejabberd_s2s_in\n'
layout "indentless list" 'listen:\n- port: 5222\n  module: ejabberd_c2s\nmodules: {}\n'
layout "two listen keys" 'listen:\n  -\n    port: 5222\n    module: ejabberd_c2s\nlisten:\n  -\n    port: 5269\n    module: ejabberd_s2s_in\n'
layout "commented options after the last listener" 'listen:\n  -\n    port: 5222\n    module: ejabberd_c2s\n    # tls: true\n# port 7777\nmodules: {}\n'
layout "a block scalar last" 'listen:\n  -\n    port: 5280\n    module: ejabberd_http\n    custom: |\n      text\n\n\nmodules: {}\n'
layout "the admin's listener, global_routes false" 'listen:\n  -\n    port: 5347\n    ip: 127.0.0.1\n    module: ejabberd_service\n    global_routes: false\n    hosts:\n      muc.example.org:\n        password: m\n'
layout "the admin's listener, one host" 'listen:\n  - port: 5347\n    module: ejabberd_service\n    hosts:\n      muc.example.org: {password: m}\n    # more to come\n'
inc='listen:\n  -\n    port: 5347\n    module: ejabberd_service\n    global_routes: false\n    hosts:\n      muc.example.org:\n        password: m\n'
layout "the admin's listener in an included file" 'include_config_file:\n  /etc/ejabberd/inc.yml:\n    allow_only: [listen]\n' "$E/inc.yml"
inc=
finish
