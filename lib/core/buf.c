/* SPDX-License-Identifier: GPL-2.0-or-later */
/* buf: a growable byte buffer, always NUL-terminated, optionally holding a secret. */
#include "buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "secmem.h"

static void *buf_alloc(bool sensitive, size_t size)
{
	return sensitive ? secmem_alloc(size) : malloc(size);
}

static void buf_release(bool sensitive, void *p, size_t cap)
{
	if (sensitive)
		secmem_free(p, cap); /* wipes */
	else
		free(p);
}

int buf_reserve(struct buf *b, size_t len)
{
	size_t need, cap;
	char *p;

	if (len > SIZE_MAX - b->len - 1)
		return -ENOMEM;
	need = b->len + len + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	/* Never realloc: a secret must not be left behind in a freed block. */
	p = buf_alloc(b->sensitive, cap);
	if (!p)
		return -ENOMEM;
	if (b->data)
		memcpy(p, b->data, b->len + 1);
	else
		p[0] = '\0';
	buf_release(b->sensitive, b->data, b->cap);
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const void *data, size_t len)
{
	int r = buf_reserve(b, len);
	if (r < 0)
		return r;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, r;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -EINVAL;
	r = buf_reserve(b, (size_t)n);
	if (r < 0)
		return r;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

int buf_put_utf8(struct buf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else if (cp < 0x110000) {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	} else {
		return -EINVAL;
	}
	return buf_append(b, u, n);
}

void buf_truncate(struct buf *b, size_t len)
{
	if (!b->data || len >= b->len)
		return;
	if (b->sensitive)
		sodium_memzero(b->data + len, b->len - len);
	b->len = len;
	b->data[len] = '\0';
}

void buf_chomp(struct buf *b)
{
	size_t n = b->len;
	while (n && (b->data[n - 1] == '\n' || b->data[n - 1] == '\r'))
		n--;
	buf_truncate(b, n);
}

void buf_free(struct buf *b)
{
	buf_release(b->sensitive, b->data, b->cap);
	b->data = NULL;
	b->len = b->cap = 0;
}

const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

bool buf_equal(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

int buf_read_fd(struct buf *b, int fd, size_t max)
{
	size_t start = b->len;
	int rc = buf_reserve(b, max + 1);

	while (rc == 0) {
		ssize_t n = read(fd, b->data + b->len, max + 1 - (b->len - start));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
		if (b->len - start > max)
			return -EFBIG;
	}
	return rc;
}
