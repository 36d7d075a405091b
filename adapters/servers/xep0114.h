/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xep0114: ask a running server whether it takes a component secret, by one XEP-0114 handshake. */
#ifndef JD_XEP0114_H
#define JD_XEP0114_H

#include <stddef.h>

#include "buf.h"

enum xep0114_verdict {
	XEP0114_ACCEPTED,    /* <handshake/>: the server runs with this secret */
	XEP0114_REJECTED,    /* not-authorized: it runs with another one */
	XEP0114_NO_LEGACY,   /* it takes no XEP-0114 component at all (jabberd2 without <secret>) */
	XEP0114_UNREACHABLE, /* nothing listens there */
	XEP0114_UNCLEAR,     /* an answer that says none of the above; DETAIL tells */
};

/*
 * Connect to IP:PORT (numeric, v4 or v6), open a jabber:component:accept
 * stream to NAME and send SHA-1(stream id + SECRET), within TIMEOUT_MS in
 * all.  The stream is closed at once, whatever the answer.  Returns 0 with
 * the verdict (and a short DETAIL, never the secret), or -errno when no
 * socket could be made at all.
 */
int xep0114_check(const char *ip, unsigned port, const char *name, const struct buf *secret, int timeout_ms,
		  enum xep0114_verdict *ret, char *detail, size_t len);

#endif
