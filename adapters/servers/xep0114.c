/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xep0114: ask a running server whether it takes a component secret, by one XEP-0114 handshake. */
#include "xep0114.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

/* SHA-1 (FIPS 180-4): the XEP-0114 handshake needs it, and libsodium has none. */
struct xep_sha1 {
	uint32_t h[5];
	unsigned char block[64];
	size_t fill;
	uint64_t bits;
};

static uint32_t xep_rol(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static void xep_sha1_block(struct xep_sha1 *s)
{
	uint32_t w[80], a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)s->block[4 * i] << 24 | (uint32_t)s->block[4 * i + 1] << 16 |
		       (uint32_t)s->block[4 * i + 2] << 8 | s->block[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = xep_rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		uint32_t f, k, t;
		if (i < 20)
			f = (b & c) | (~b & d), k = 0x5a827999;
		else if (i < 40)
			f = b ^ c ^ d, k = 0x6ed9eba1;
		else if (i < 60)
			f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdc;
		else
			f = b ^ c ^ d, k = 0xca62c1d6;
		t = xep_rol(a, 5) + f + e + k + w[i];
		e = d, d = c, c = xep_rol(b, 30), b = a, a = t;
	}
	s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d, s->h[4] += e;
	sodium_memzero(w, sizeof(w));
}

static void xep_sha1_update(struct xep_sha1 *s, const unsigned char *p, size_t len)
{
	s->bits += (uint64_t)len * 8;
	while (len--) {
		s->block[s->fill++] = *p++;
		if (s->fill == 64) {
			xep_sha1_block(s);
			s->fill = 0;
		}
	}
}

/* SHA-1 of DATA as 40 lowercase hex digits and a NUL, into OUT. */
static void xep_sha1_hex(const unsigned char *data, size_t len, char out[41])
{
	struct xep_sha1 s = { { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 }, { 0 }, 0, 0 };
	uint64_t bits;
	unsigned char pad = 0x80, zero = 0, lenb[8];

	xep_sha1_update(&s, data, len);
	bits = s.bits;
	xep_sha1_update(&s, &pad, 1);
	while (s.fill != 56)
		xep_sha1_update(&s, &zero, 1);
	for (int i = 0; i < 8; i++)
		lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
	xep_sha1_update(&s, lenb, 8);
	for (int i = 0; i < 5; i++)
		snprintf(out + 8 * i, 9, "%08x", s.h[i]);
	sodium_memzero(&s, sizeof(s));
}

static long long xep_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for EVENTS on FD until DEADLINE; 1 ready, 0 timed out, -errno. */
static int xep_wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - xep_now_ms();
		struct pollfd p = { fd, events, 0 };
		int n;
		if (left <= 0)
			return 0;
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -errno : n;
	}
}

static int xep_send_all(int fd, const char *p, size_t len, long long deadline)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (xep_wait_fd(fd, POLLOUT, deadline) <= 0)
				return -ETIMEDOUT;
			continue;
		}
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read more into IN (NUL-terminated, at most CAP-1 bytes); 0, or -ETIMEDOUT, -ECONNRESET at EOF. */
static int xep_recv_more(int fd, char *in, size_t *len, size_t cap, long long deadline)
{
	for (;;) {
		ssize_t n;
		if (*len + 1 >= cap)
			return -E2BIG;
		n = recv(fd, in + *len, cap - 1 - *len, 0);
		if (n > 0) {
			*len += (size_t)n;
			in[*len] = '\0';
			return 0;
		}
		if (n == 0)
			return -ECONNRESET;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (xep_wait_fd(fd, POLLIN, deadline) <= 0)
			return -ETIMEDOUT;
	}
}

/* The stream id from the server's <stream:stream ...> start tag, once it is complete. */
static bool xep_stream_id(const char *in, char *id, size_t len)
{
	const char *tag = strstr(in, ":stream "), *end, *p;
	if (!tag || !(end = strchr(tag, '>')))
		return false;
	for (p = tag; (p = strstr(p, "id=")) && p < end; p += 3) {
		char q = p[3];
		const char *close;
		if ((p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n') || (q != '\'' && q != '"'))
			continue;
		close = strchr(p + 4, q);
		if (!close || close > end || (size_t)(close - (p + 4)) >= len)
			return false;
		memcpy(id, p + 4, (size_t)(close - (p + 4)));
		id[close - (p + 4)] = '\0';
		return true;
	}
	id[0] = '\0';
	return true; /* a header without id: the handshake cannot be made */
}

/* The condition of a <stream:error> (its first child element), into DETAIL; false when there is none (yet). */
static bool xep_stream_error(const char *in, char *detail, size_t len)
{
	const char *e = strstr(in, "<stream:error"), *c;
	size_t n;
	if (!e || !(e = strchr(e, '>')))
		return false;
	for (c = strchr(e, '<'); c && (c[1] == '!' || c[1] == '?'); c = strchr(c + 1, '<'))
		;
	if (!c || c[1] == '/' || !strchr(c, '>'))
		return false; /* not complete yet, or an empty error */
	n = strcspn(c + 1, " \t\r\n/>");
	snprintf(detail, len, "%.*s", (int)(n < 60 ? n : 60), c + 1);
	return true;
}

int xep0114_check(const char *ip, unsigned port, const char *name, const struct buf *secret, int timeout_ms,
		  enum xep0114_verdict *ret, char *detail, size_t len)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM }, *ai = NULL;
	long long deadline = xep_now_ms() + timeout_ms;
	char portstr[8], in[8192], id[256], hash[41], msg[512];
	struct buf token = BUF_INIT_SENSITIVE;
	size_t inlen = 0;
	int fd = -1, rc, soerr = 0;
	socklen_t sl = sizeof(soerr);

	*ret = XEP0114_UNCLEAR;
	detail[0] = in[0] = id[0] = '\0';
	snprintf(portstr, sizeof(portstr), "%u", port);
	rc = getaddrinfo(ip, portstr, &hints, &ai);
	if (rc != 0) {
		snprintf(detail, len, "not a numeric address: %s", ip);
		return 0;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		*ret = XEP0114_UNREACHABLE;
		snprintf(detail, len, "%s", strerror(errno));
		rc = 0;
		goto out;
	}
	if (xep_wait_fd(fd, POLLOUT, deadline) <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr) {
		*ret = XEP0114_UNREACHABLE;
		snprintf(detail, len, "%s", soerr ? strerror(soerr) : "connect timed out");
		rc = 0;
		goto out;
	}
	snprintf(msg, sizeof(msg),
		 "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
		 "xmlns:stream='http://etherx.jabber.org/streams' to='%s'>",
		 name);
	rc = xep_send_all(fd, msg, strlen(msg), deadline);
	while (rc == 0 && !xep_stream_error(in, detail, len) && !xep_stream_id(in, id, sizeof(id)))
		rc = xep_recv_more(fd, in, &inlen, sizeof(in), deadline);
	if (rc == 0 && xep_stream_error(in, detail, len)) {
		*ret = strcmp(detail, "invalid-namespace") == 0 ? XEP0114_NO_LEGACY : XEP0114_UNCLEAR;
		goto out;
	}
	if (rc == 0 && !id[0]) {
		snprintf(detail, len, "no stream id in the server's stream header");
		goto out;
	}
	if (rc == 0) {
		size_t mark = inlen;
		rc = buf_puts(&token, id);
		if (rc == 0)
			rc = buf_append(&token, secret->data, secret->len);
		if (rc < 0)
			goto out;
		xep_sha1_hex((const unsigned char *)token.data, token.len, hash);
		snprintf(msg, sizeof(msg), "<handshake>%s</handshake>", hash);
		rc = xep_send_all(fd, msg, strlen(msg), deadline);
		while (rc == 0 && !strstr(in + mark, "<handshake") && !xep_stream_error(in + mark, detail, len))
			rc = xep_recv_more(fd, in, &inlen, sizeof(in), deadline);
		if (rc == 0 && strstr(in + mark, "<handshake"))
			*ret = XEP0114_ACCEPTED;
		else if (rc == 0)
			*ret = strcmp(detail, "not-authorized") == 0	 ? XEP0114_REJECTED
			       : strcmp(detail, "invalid-namespace") == 0 ? XEP0114_NO_LEGACY
									  : XEP0114_UNCLEAR;
		if (rc == 0)
			xep_send_all(fd, "</stream:stream>", 16, deadline);
	}
	if (rc < 0) {
		snprintf(detail, len, "%s", rc == -ETIMEDOUT ? "no answer in time" : rc == -ECONNRESET ? "the server closed the connection" : strerror(-rc));
		rc = 0;
	}
out:
	sodium_memzero(hash, sizeof(hash));
	sodium_memzero(msg, sizeof(msg));
	buf_free(&token);
	if (fd >= 0)
		close(fd);
	if (ai)
		freeaddrinfo(ai);
	return rc;
}
