/* SPDX-License-Identifier: GPL-2.0-or-later */
/* secret: the read-only view of a secret that adapters are handed, and its one comparison. */
#ifndef JD_SECRET_H
#define JD_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * LEN bytes at DATA, followed by a NUL, in secmem memory (a sensitive
 * struct buf owns them): the view never owns or frees them.  The type exists
 * so that a secret cannot be passed where any string would do, and so that
 * it is compared only through secret_equal().
 */
struct secret {
	const char *data;
	size_t len;
};

/* The view of B, which must be sensitive (BUF_INIT_SENSITIVE); "" when B is empty. */
struct secret secret_of(const struct buf *b);

/*
 * Whether S holds exactly the LEN bytes at P.  The lengths are compared
 * first (a length is not secret), then the bytes with sodium_memcmp, in
 * time that does not depend on where they differ.
 */
bool secret_equal(const struct secret *s, const void *p, size_t len);
/* secret_equal() for a NUL-terminated STR. */
bool secret_equal_str(const struct secret *s, const char *str);

#endif
