/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linkcheck: prove over the network that a running server takes a transport, without disturbing it. */
#ifndef JD_LINKCHECK_H
#define JD_LINKCHECK_H

#include <stdbool.h>

#include "adapter.h"

enum link_status {
	LINK_OK,               /* the server takes the component and it is connected */
	LINK_OK_NOT_CONNECTED, /* the server takes the secret; the transport is not connected */
	LINK_WRONG_SECRET,     /* the server refuses the transport's secret */
	LINK_UNKNOWN_HOST,     /* the running server does not know the component */
	LINK_WRONG_PORT,       /* the transport connects to a port where the server does not take it */
	LINK_SERVER_DOWN,      /* nothing listens where the server should */
	LINK_TIMEOUT,          /* no answer in time */
	LINK_NOT_WIRED,        /* the server's config does not declare the component: nothing to check */
	LINK_UNCHECKED,        /* no way to check it without disturbing the transport */
	LINK_ERROR,            /* the check itself failed: text says why */
};

struct link_result {
	enum link_status status;
	char ip[64]; /* where it was checked, "" before the server adapter answered */
	unsigned port;
	char text[400]; /* the server's own words, or why */
	long ms;        /* how long the check took, the adapter's answer included */
};

/*
 * Check transport component C with server adapter A: ask A where its server
 * takes C (--listen) and how it may be checked there, then do that within
 * NET_TIMEOUT_MS per network step.  Never logs in under C's name where a
 * connected C could lose traffic to the check.  Returns 0 with *RET filled,
 * -ENODEV when A's server is not installed here.
 */
int linkcheck(const struct adapter_call *call, const struct adapter *a, const struct component *c,
	      int net_timeout_ms, struct link_result *ret);

const char *linkcheck_word(enum link_status s);
/* True for the outcomes that mean the link does not work (exit status 1 of `check`). */
bool linkcheck_bad(enum link_status s);

#endif
