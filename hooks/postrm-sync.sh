# SPDX-License-Identifier: GPL-2.0-or-later
# Snippet for the postrm of a transport package that ships an adapter: once the adapter
# is gone, sync takes the transport's component out of every server again (only what it
# added there; a block the admin commented out stays).  Never fails the removal.
if [ "$1" = remove ] || [ "$1" = purge ]; then
	if command -v jabber-dispatch >/dev/null 2>&1; then
		jabber-dispatch sync || echo "jabber-dispatch sync failed; run it again by hand" >&2
	fi
fi
