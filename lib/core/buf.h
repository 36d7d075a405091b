/* SPDX-License-Identifier: GPL-2.0-or-later */
/* buf: a growable byte buffer, always NUL-terminated, optionally holding a secret. */
#ifndef JD_BUF_H
#define JD_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * A buffer that holds a secret (BUF_INIT_SENSITIVE) lives in secmem memory
 * (sodium_malloc chunks: guarded, locked) and is wiped when it grows or is freed.  Every other
 * buffer uses plain malloc().  data is never NULL after the first append, and
 * data[len] is always '\0' so a buffer can be used as a C string when it holds
 * no NUL bytes of its own.
 */
struct buf {
	char *data;
	size_t len;
	size_t cap;
	bool sensitive;
};

#define BUF_INIT { NULL, 0, 0, false }
#define BUF_INIT_SENSITIVE { NULL, 0, 0, true }

/* All appenders return 0 or -ENOMEM; on failure the buffer is unchanged. */
int buf_append(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Append code point CP (below 0x110000) as UTF-8; -EINVAL beyond.  Callers refuse what their syntax forbids. */
int buf_put_utf8(struct buf *b, unsigned long cp);
/*
 * Append what FD holds up to its end (EINTR retried).  -EFBIG once more than
 * MAX bytes were appended (the first MAX + 1 are kept), -errno when read()
 * fails, -ENOMEM.
 */
int buf_read_fd(struct buf *b, int fd, size_t max);
/* Ensure room for len more bytes plus the terminating NUL. */
int buf_reserve(struct buf *b, size_t len);

/* Drop everything after the first len bytes (len <= b->len). */
void buf_truncate(struct buf *b, size_t len);
/* Remove trailing '\n' and '\r'. */
void buf_chomp(struct buf *b);
/* Give up the storage: wiped first when sensitive.  Safe on an empty buffer. */
void buf_free(struct buf *b);
/* Empty string when the buffer has never been written. */
const char *buf_str(const struct buf *b);
/* Byte-wise equality of contents. */
bool buf_equal(const struct buf *a, const struct buf *b);

#endif
