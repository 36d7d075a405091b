/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xep0114: the client side of a Jabber component connection (XEP-0114), to ask a running server. */
#ifndef JD_XEP0114_H
#define JD_XEP0114_H

#include <stddef.h>

#include "buf.h"
#include "xmlstream.h"

/* The most a server may send on one connection; beyond it the answer is refused as flooding. */
#define XEP0114_MAX_INPUT 65536

enum xep0114_status {
	XEP0114_ACCEPTED,       /* <handshake/>: the server takes this name with this secret */
	XEP0114_NOT_AUTHORIZED, /* <not-authorized/>: another secret, or (ejabberd) a host the port does not carry */
	XEP0114_CONFLICT,       /* <conflict/>: Prosody's "already connected" (the secret was right) */
	XEP0114_HOST_UNKNOWN,   /* <host-unknown/>: the server does not know this component */
	XEP0114_STREAM_ERROR,   /* another <stream:error>: result.condition names it */
	XEP0114_REFUSED,        /* the connection was refused: nothing listens there */
	XEP0114_TIMEOUT,        /* no complete answer in time (or no connection) */
	XEP0114_BROKEN,         /* what came back is not an XEP-0114 answer: result.text says how */
};

struct xep0114_result {
	enum xep0114_status status;
	char condition[64]; /* the <stream:error> condition element, "" without one */
	char text[256];     /* the server's own <text>, or what went wrong; printable, never the secret */
};

struct xep0114;

/*
 * Connect to IP:PORT (a numeric IPv4 or IPv6 address), open a
 * jabber:component:accept stream to NAME and hand-shake with hex SHA-1(stream
 * id + SECRET), all within TIMEOUT_MS.  Always fills *RESULT.  When RET_CONN
 * is not NULL and the server accepted, the open connection is left in
 * *RET_CONN for xep0114_request(); otherwise the stream is closed at once.
 * Returns 0, or -errno when the check could not even be attempted (no memory,
 * no socket).
 */
int xep0114_connect(const char *ip, unsigned port, const char *name, const struct buf *secret, int timeout_ms,
		    struct xep0114_result *result, struct xep0114 **ret_conn);

/*
 * Send STANZA, an <iq> whose id attribute is ID, and wait up to TIMEOUT_MS
 * for the <iq> that answers it (same id); other stanzas are skipped.
 * Returns 0 with the answer in *RET (free with xmlstream_elem_free), -ETIMEDOUT,
 * -ECONNRESET when the server closed the stream (*RESULT then tells why, as
 * for xep0114_connect), -EBADMSG, -E2BIG or another -errno.
 */
int xep0114_request(struct xep0114 *c, const char *stanza, const char *id, int timeout_ms, struct xmlstream_elem **ret,
		    struct xep0114_result *result);

/*
 * Only whether something accepts TCP connections at IP:PORT, within
 * TIMEOUT_MS; nothing is sent.  RESULT: XEP0114_ACCEPTED when it does,
 * XEP0114_REFUSED or XEP0114_TIMEOUT when not.  Returns 0 or -errno.
 */
int xep0114_listening(const char *ip, unsigned port, int timeout_ms, struct xep0114_result *result);

/* Close the stream and the connection.  NULL is fine. */
void xep0114_close(struct xep0114 *c);

/* "accepted", "not-authorized", ... : the word for STATUS. */
const char *xep0114_status_word(enum xep0114_status status);

/* Lowercase hex SHA-1 of ID followed by SECRET into OUT: the <handshake> of XEP-0114. */
int xep0114_token(const char *id, const struct buf *secret, char out[41]);

#endif
