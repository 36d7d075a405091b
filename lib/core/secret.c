/* SPDX-License-Identifier: GPL-2.0-or-later */
/* secret: the read-only view of a secret that adapters are handed, and its one comparison. */
#include "secret.h"

#include <assert.h>
#include <string.h>

#include <sodium.h>

struct secret secret_of(const struct buf *b)
{
	/* A secret outside secmem memory would miss the guard pages and the wipe. */
	assert(b->sensitive);
	return (struct secret){ buf_str(b), b->len };
}

bool secret_equal(const struct secret *s, const void *p, size_t len)
{
	if (s->len != len)
		return false;
	return len == 0 || sodium_memcmp(s->data, p, len) == 0;
}

bool secret_equal_str(const struct secret *s, const char *str)
{
	return secret_equal(s, str, strlen(str));
}
