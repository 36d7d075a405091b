/* SPDX-License-Identifier: GPL-2.0-or-later */
/* secmem: the secrets of a run in a few guarded, locked mappings, wiped when freed. */
#include "secmem.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define SECMEM_CHUNK (64u << 10) /* a multiple of the page size: blocks stay aligned */
#define SECMEM_MIN 16u		 /* the smallest block, and the alignment of every block */
#define SECMEM_CLASSES 12u	 /* block sizes 16, 32, ... 32 KiB: SECMEM_MIN << class */
#define SECMEM_SPARE 8u		 /* empty chunks kept mapped: 640 KiB with their guard pages */

/* A freed block, wiped, waiting for the next block of its class. */
struct hole {
	struct hole *next;
};

struct chunk {
	struct chunk *next;
	unsigned char *base;
	size_t size, used, live;
	struct hole *holes[SECMEM_CLASSES];
};

static struct chunk *chunks;
static size_t mapped; /* chunks mapped since the start */

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

/*
 * Blocks up to half a chunk come in powers of two, a free list per size in
 * each chunk: taking and freeing cost the same with a thousand blocks
 * freed in the middle as with none (a first fit over uncoalesced holes
 * grew with each record of a batch).  Growing buffers ask powers of two
 * anyway.  A bigger block gets a chunk of its own: class SECMEM_CLASSES.
 */
static unsigned block_class(size_t size)
{
	unsigned k = 0;
	while (k < SECMEM_CLASSES && (size_t)SECMEM_MIN << k < size)
		k++;
	return k;
}

static size_t block_size(size_t size)
{
	unsigned k = block_class(size);
	return k < SECMEM_CLASSES ? (size_t)SECMEM_MIN << k : round_up(size, SECMEM_CHUNK);
}

static struct chunk *chunk_new(size_t size)
{
	struct chunk *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	/* sodium_init() is idempotent and cheap after the first call. */
	c->base = sodium_init() < 0 ? NULL : sodium_malloc(size);
	if (!c->base) {
		free(c);
		return NULL;
	}
	c->size = size;
	mapped++;
	c->next = chunks;
	chunks = c;
	return c;
}

void *secmem_alloc(size_t size)
{
	struct chunk *c;
	unsigned k;
	void *p;

	if (size == 0 || size > SIZE_MAX - SECMEM_CHUNK)
		return NULL;
	k = block_class(size);
	size = block_size(size);
	for (c = chunks; k < SECMEM_CLASSES && c; c = c->next)
		if (c->holes[k]) {
			struct hole *h = c->holes[k];
			c->holes[k] = h->next;
			sodium_memzero(h, sizeof(*h));
			c->live++;
			return h;
		}
	for (c = chunks; c; c = c->next)
		if (c->size - c->used >= size)
			break;
	if (!c && !(c = chunk_new(k < SECMEM_CLASSES ? SECMEM_CHUNK : size)))
		return NULL;
	p = c->base + c->used;
	c->used += size;
	c->live++;
	return p;
}

static void chunk_unmap(struct chunk *c)
{
	struct chunk **pp;

	for (pp = &chunks; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	sodium_free(c->base);
	free(c);
}

/*
 * C holds no block any more: kept for the next secrets while fewer than
 * SECMEM_SPARE chunks of the usual size stand empty (a batch frees and
 * takes again the same few chunks per record; mapping them anew, locked
 * and guarded, cost more than the work itself), and of the big ones only
 * the biggest.
 */
static void chunk_empty(struct chunk *c)
{
	struct chunk *big = NULL;
	size_t spare = 0;

	c->used = 0; /* every block was wiped as it was freed */
	memset(c->holes, 0, sizeof(c->holes));
	for (struct chunk *o = chunks; o; o = o->next)
		if (o != c && o->live == 0) {
			if (o->size == SECMEM_CHUNK)
				spare++;
			else
				big = o;
		}
	if (c->size == SECMEM_CHUNK && spare >= SECMEM_SPARE)
		chunk_unmap(c);
	else if (c->size != SECMEM_CHUNK && big)
		chunk_unmap(big->size < c->size ? big : c);
}

void secmem_free(void *p, size_t size)
{
	unsigned char *b = p;
	struct chunk *c;
	unsigned k;

	if (!p)
		return;
	k = block_class(size);
	size = block_size(size);
	for (c = chunks; c; c = c->next)
		if (b >= c->base && b < c->base + c->size)
			break;
	if (!c)
		abort(); /* not ours: a bug that must not go on with a secret in unknown memory */
	sodium_memzero(b, size);
	if (--c->live == 0)
		chunk_empty(c);
	else if (b + size == c->base + c->used)
		c->used -= size; /* the last block: its room is reused at once */
	else if (k < SECMEM_CLASSES)
		c->holes[k] = memcpy(b, &(struct hole){ c->holes[k] }, sizeof(struct hole));
	/* else a big block amid others in a reused chunk: its room comes back when the chunk empties */
}

size_t secmem_mapped(void)
{
	return mapped;
}

size_t secmem_chunks(void)
{
	size_t n = 0;
	for (struct chunk *c = chunks; c; c = c->next)
		n++;
	return n;
}
