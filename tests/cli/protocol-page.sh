#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# jabber-dispatch-adapter(7) and <jabber-dispatch/adapter.h> state one contract: every flag,
# result word, answer word, state, listen mode, capability and exit status of one is in the
# other; the header stands alone in a strict C99 or C11 adapter.
. "$(dirname "$0")/lib.sh" "$@"
SRC=$(cd "$TESTS/.." && pwd)
page=$SRC/docs/jabber-dispatch-adapter.7
header=$SRC/include/jabber-dispatch/adapter.h

python3 "$TESTS/lib/protocol-page.py" words "$page" "$header" >"$T/words" 2>&1
rc=$?
cat "$T/words"
check "page and header agree word for word" equals "$rc" 0

# A page word the header lacks must be caught: drop one word from a copy of the header.
grep -v 'JD_CAP_FILL ' "$header" >"$T/short.h"
set +e
python3 "$TESTS/lib/protocol-page.py" words "$page" "$T/short.h" >"$T/words2" 2>&1
rc=$?
set -e
check "a word missing from the header is found" equals "$rc" 1
check "... and named" grep -q "'fill' is in the page, not in the header" "$T/words2"
sed 's/^\.B 75$/.B 76/' "$page" >"$T/page.7"
set +e
python3 "$TESTS/lib/protocol-page.py" words "$T/page.7" "$header" >"$T/words3" 2>&1
rc=$?
set -e
check "an exit status differing is found" equals "$rc" 1

for std in c99 c11; do
	printf '#include <jabber-dispatch/adapter.h>\nint main(void) { return JD_EXIT_OK + (JD_SECRET_MAX > 0 ? 0 : 1); }\n' >"$T/use.c"
	check "the header compiles alone ($std, -pedantic)" \
		cc -std=$std -pedantic -Wall -Wextra -Werror -I"$SRC/include" -o "$T/use" "$T/use.c"
done
finish
