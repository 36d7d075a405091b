# SPDX-License-Identifier: GPL-2.0-or-later
# Snippet for the postinst (configure) of a server or transport package that ships an adapter:
# connect whatever can be connected now.  A package must not depend on jabber-dispatch, so
# its absence is not an error; a failed pair is reported but never fails the install.
if [ "$1" = configure ] && command -v jabber-dispatch >/dev/null 2>&1; then
	jabber-dispatch sync || echo "jabber-dispatch sync failed; run it again by hand" >&2
fi
