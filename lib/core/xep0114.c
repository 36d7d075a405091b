/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xep0114: the client side of a Jabber component connection (XEP-0114), to ask a running server. */
#include "xep0114.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha1.h>
#include <sodium.h>

#include "validate.h"

#define XC_STREAMS_NS "http://etherx.jabber.org/streams"
#define XC_STREAM_ERRORS_NS "urn:ietf:params:xml:ns:xmpp-streams"
#define XC_COMPONENT_NS "jabber:component:accept"

struct xep0114 {
	int fd;
	long long deadline; /* of the operation under way, CLOCK_MONOTONIC ms */
	int timeout_ms;     /* its length, for messages */
	struct xmlstream xs;
	char *in;     /* what arrived and was not consumed yet, XEP0114_MAX_INPUT bytes at most */
	size_t len;   /* bytes in `in` */
	size_t pos;   /* consumed up to here */
	size_t total; /* bytes received on this connection: bounded too */
};

static long long xc_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void xc_start(struct xep0114 *c, int timeout_ms)
{
	c->timeout_ms = timeout_ms;
	c->deadline = xc_now_ms() + timeout_ms;
}

/* Wait for EVENTS on the socket until the deadline: 1 ready, 0 timed out, -errno. */
static int xc_wait(const struct xep0114 *c, short events)
{
	for (;;) {
		long long left = c->deadline - xc_now_ms();
		struct pollfd p = { c->fd, events, 0 };
		int n;
		if (left <= 0)
			return 0;
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -errno : n;
	}
}

static int xc_send(struct xep0114 *c, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int w = xc_wait(c, POLLOUT);
			if (w <= 0)
				return w < 0 ? w : -ETIMEDOUT;
			continue;
		}
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read what the server sent next into `in`: 0, -ETIMEDOUT, -ECONNRESET at end of file, -E2BIG, -errno. */
static int xc_recv(struct xep0114 *c)
{
	if (c->pos > 0) {
		memmove(c->in, c->in + c->pos, c->len - c->pos);
		c->len -= c->pos;
		c->pos = 0;
	}
	for (;;) {
		size_t room = XEP0114_MAX_INPUT - c->total; /* len <= total: it also fits the buffer */
		ssize_t n;
		int w;
		if (room == 0)
			return -E2BIG;
		n = recv(c->fd, c->in + c->len, room, 0);
		if (n > 0) {
			c->len += (size_t)n;
			c->total += (size_t)n;
			return 0;
		}
		if (n == 0)
			return -ECONNRESET;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		w = xc_wait(c, POLLIN);
		if (w <= 0)
			return w < 0 ? w : -ETIMEDOUT;
	}
}

/* The next unit of the stream (enum xmlstream_unit), reading until the deadline; or -errno. */
static int xc_next(struct xep0114 *c, struct xmlstream_elem **ret, char *err, size_t errlen)
{
	for (;;) {
		int rc = xmlstream_next(&c->xs, c->in, c->len, &c->pos, ret, err, errlen);
		if (rc != XMLSTREAM_MORE)
			return rc;
		rc = xc_recv(c);
		if (rc < 0)
			return rc;
	}
}

/* Copy S into OUT (LEN bytes) as printable UTF-8: control characters become blanks, cut at a character. */
static void xc_printable(char *out, size_t len, const char *s)
{
	size_t o = 0, n;
	for (; *s && o + 1 < len; s += n) {
		n = validate_utf8_char(s, strlen(s));
		if (n == 0 || (unsigned char)*s < 0x20 || *s == 0x7f) {
			n = 1;
			out[o++] = (unsigned char)*s >= 0x80 ? '?' : ' ';
		} else if (o + n < len) {
			memcpy(out + o, s, n);
			o += n;
		} else
			break;
	}
	out[o] = '\0';
}

/* A <stream:error> into RESULT: its condition, and the server's text. */
static void xc_stream_error(const struct xmlstream_elem *e, struct xep0114_result *r)
{
	const struct xmlstream_elem *cond = NULL, *text = xmlstream_child(e, XC_STREAM_ERRORS_NS, "text");
	for (const struct xmlstream_elem *k = e->children; k && !cond; k = k->next)
		if (xmlstream_is(k, XC_STREAM_ERRORS_NS, NULL) && strcmp(k->name, "text") != 0)
			cond = k;
	xc_printable(r->condition, sizeof(r->condition), cond ? cond->name : "undefined-condition");
	xc_printable(r->text, sizeof(r->text), text ? buf_str(&text->text) : "");
	r->status = !cond					   ? XEP0114_STREAM_ERROR
		    : strcmp(cond->name, "not-authorized") == 0 ? XEP0114_NOT_AUTHORIZED
		    : strcmp(cond->name, "conflict") == 0	   ? XEP0114_CONFLICT
		    : strcmp(cond->name, "host-unknown") == 0	   ? XEP0114_HOST_UNKNOWN
								   : XEP0114_STREAM_ERROR;
}

/* What a failed read means, for RESULT; WAITING_FOR says at which step. */
static void xc_failed(const struct xep0114 *c, int rc, const char *err, const char *waiting_for,
		      struct xep0114_result *r)
{
	r->status = rc == -ETIMEDOUT ? XEP0114_TIMEOUT : XEP0114_BROKEN;
	if (rc == -ETIMEDOUT)
		snprintf(r->text, sizeof(r->text), "no %s within %d ms", waiting_for, c->timeout_ms);
	else if (rc == -ECONNRESET)
		snprintf(r->text, sizeof(r->text), "the server closed the connection before its %s", waiting_for);
	else if (rc == -E2BIG)
		snprintf(r->text, sizeof(r->text), "more than %d bytes without a complete %s", XEP0114_MAX_INPUT, waiting_for);
	else if (rc == -EBADMSG)
		snprintf(r->text, sizeof(r->text), "%s", err);
	else
		snprintf(r->text, sizeof(r->text), "reading %s: %s", waiting_for, strerror(-rc));
}

/* Open a TCP connection to IP:PORT.  1 when RESULT already says how it ended, 0 connected, -errno. */
static int xc_dial(struct xep0114 *c, const char *ip, unsigned port, struct xep0114_result *r)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM }, *ai = NULL;
	char portstr[12];
	int soerr = 0, rc = 1;
	socklen_t sl = sizeof(soerr);

	snprintf(portstr, sizeof(portstr), "%u", port);
	if (getaddrinfo(ip, portstr, &hints, &ai) != 0) {
		r->status = XEP0114_BROKEN;
		snprintf(r->text, sizeof(r->text), "not a numeric address: %.60s", ip);
		return 1;
	}
	c->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		rc = -errno;
	else if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
		rc = 0;
	else if (errno != EINPROGRESS)
		soerr = errno;
	else if ((rc = xc_wait(c, POLLOUT)) == 0) {
		r->status = XEP0114_TIMEOUT;
		snprintf(r->text, sizeof(r->text), "no connection within %d ms", c->timeout_ms);
		rc = 1;
	} else if (rc > 0)
		rc = getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 ? -errno : soerr ? 1 : 0;
	if (soerr) {
		r->status = XEP0114_REFUSED;
		snprintf(r->text, sizeof(r->text), "%s", strerror(soerr));
		rc = 1;
	}
	freeaddrinfo(ai);
	return rc;
}

int xep0114_token(const char *id, const struct buf *secret, char out[41])
{
	struct sha1_ctx ctx;
	uint8_t digest[SHA1_DIGEST_SIZE];

	sha1_init(&ctx);
	sha1_update(&ctx, strlen(id), (const uint8_t *)id);
	sha1_update(&ctx, secret->len, (const uint8_t *)secret->data);
	sha1_digest(&ctx, sizeof(digest), digest);
	sodium_bin2hex(out, 41, digest, sizeof(digest));
	sodium_memzero(&ctx, sizeof(ctx));
	sodium_memzero(digest, sizeof(digest));
	return 0;
}

/* Stream header, then handshake: RESULT says how it ended. */
static int xc_handshake(struct xep0114 *c, const char *name, const struct buf *secret, struct xep0114_result *r)
{
	struct xmlstream_elem *e = NULL;
	char msg[512], token[41], err[160] = "";
	const char *id;
	int rc;

	snprintf(msg, sizeof(msg),
		 "<?xml version='1.0'?><stream:stream xmlns='" XC_COMPONENT_NS "' xmlns:stream='" XC_STREAMS_NS
		 "' to='%s'>",
		 name);
	rc = xc_send(c, msg, strlen(msg));
	if (rc == 0)
		rc = xc_next(c, &e, err, sizeof(err));
	if (rc != XMLSTREAM_HEADER) {
		xc_failed(c, rc < 0 ? rc : -ECONNRESET, err, "stream header", r);
		goto out;
	}
	id = xmlstream_attr_get(e, "id");
	if (!id || !*id) {
		/* Some servers put no id on a stream they open only to refuse: read the refusal if it is there. */
		xmlstream_elem_free(e);
		e = NULL;
		if (xmlstream_next(&c->xs, c->in, c->len, &c->pos, &e, err, sizeof(err)) == XMLSTREAM_ELEMENT &&
		    xmlstream_is(e, XC_STREAMS_NS, "error"))
			xc_stream_error(e, r);
		else
			xc_failed(c, -EBADMSG, "the server's stream header has no id", "", r);
		goto out;
	}
	xep0114_token(id, secret, token);
	snprintf(msg, sizeof(msg), "<handshake>%s</handshake>", token);
	xmlstream_elem_free(e);
	e = NULL;
	/* A server that refuses at once may close before reading this: its reason is still to be read. */
	(void)xc_send(c, msg, strlen(msg));
	rc = xc_next(c, &e, err, sizeof(err));
	if (rc == XMLSTREAM_ELEMENT && xmlstream_is(e, XC_STREAMS_NS, "error"))
		xc_stream_error(e, r);
	else if (rc == XMLSTREAM_ELEMENT && strcmp(e->name, "handshake") == 0 &&
		 (!*e->ns || strcmp(e->ns, XC_COMPONENT_NS) == 0))
		r->status = XEP0114_ACCEPTED;
	else if (rc == XMLSTREAM_ELEMENT) {
		r->status = XEP0114_BROKEN;
		snprintf(r->text, sizeof(r->text), "<%.40s> instead of an answer to the handshake", e->name);
	}
	else
		xc_failed(c, rc < 0 ? rc : -ECONNRESET, err, "answer to the handshake", r);
out:
	sodium_memzero(msg, sizeof(msg));
	sodium_memzero(token, sizeof(token));
	xmlstream_elem_free(e);
	return 0;
}

int xep0114_connect(const char *ip, unsigned port, const char *name, const struct buf *secret, int timeout_ms,
		    struct xep0114_result *result, struct xep0114 **ret_conn)
{
	struct xep0114 *c;
	int rc;

	memset(result, 0, sizeof(*result));
	if (strpbrk(name, "<>&'\"") || strlen(name) > 255)
		return -EINVAL; /* a host that passed validate_host() has none of these */
	c = calloc(1, sizeof(*c));
	if (!c || !(c->in = malloc(XEP0114_MAX_INPUT))) {
		free(c);
		return -ENOMEM;
	}
	c->fd = -1;
	xc_start(c, timeout_ms);
	rc = xc_dial(c, ip, port, result);
	if (rc == 0)
		rc = xc_handshake(c, name, secret, result);
	else if (rc > 0)
		rc = 0;
	if (rc == 0 && ret_conn && result->status == XEP0114_ACCEPTED)
		*ret_conn = c;
	else
		xep0114_close(c);
	return rc;
}

int xep0114_listening(const char *ip, unsigned port, int timeout_ms, struct xep0114_result *result)
{
	struct xep0114 c = { .fd = -1 };
	int rc;

	memset(result, 0, sizeof(*result));
	xc_start(&c, timeout_ms);
	rc = xc_dial(&c, ip, port, result);
	if (rc == 0)
		result->status = XEP0114_ACCEPTED;
	if (c.fd >= 0)
		close(c.fd);
	return rc < 0 ? rc : 0;
}

int xep0114_request(struct xep0114 *c, const char *stanza, const char *id, int timeout_ms, struct xmlstream_elem **ret,
		    struct xep0114_result *result)
{
	char err[160] = "";
	int rc;

	xc_start(c, timeout_ms);
	rc = xc_send(c, stanza, strlen(stanza));
	while (rc == 0) {
		struct xmlstream_elem *e = NULL;
		const char *eid;
		rc = xc_next(c, &e, err, sizeof(err));
		if (rc == XMLSTREAM_ELEMENT && xmlstream_is(e, XC_STREAMS_NS, "error")) {
			xc_stream_error(e, result);
			rc = -ECONNRESET;
		} else if (rc == XMLSTREAM_ELEMENT && strcmp(e->name, "iq") == 0 && (eid = xmlstream_attr_get(e, "id")) &&
			   strcmp(eid, id) == 0) {
			*ret = e;
			return 0;
		} else if (rc == XMLSTREAM_ELEMENT) {
			rc = 0; /* a stanza for someone else: not ours to answer */
		} else if (rc >= 0) {
			xc_failed(c, -ECONNRESET, err, "answer", result);
			rc = -ECONNRESET;
		} else
			xc_failed(c, rc, err, "answer", result);
		xmlstream_elem_free(e);
	}
	return rc;
}

void xep0114_close(struct xep0114 *c)
{
	if (!c)
		return;
	if (c->fd >= 0) {
		/* Best effort, never waiting: the server drops the session with the connection anyway. */
		(void)send(c->fd, "</stream:stream>", 16, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(c->fd);
	}
	xmlstream_free(&c->xs);
	free(c->in);
	free(c);
}

const char *xep0114_status_word(enum xep0114_status status)
{
	static const char *const words[] = { "accepted", "not-authorized", "conflict", "host-unknown",
					     "stream-error", "refused", "timeout", "broken" };
	return (unsigned)status < sizeof(words) / sizeof(*words) ? words[status] : "broken";
}
