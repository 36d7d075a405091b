/* SPDX-License-Identifier: GPL-2.0-or-later */
/* secmem: the secrets of a run in a few guarded, locked mappings, wiped when freed. */
#include "secmem.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define SECMEM_CHUNK (64u << 10) /* a multiple of the page size: blocks stay aligned */
#define SECMEM_ALIGN 16u
#define SECMEM_SPARE 8u /* empty chunks kept mapped: 640 KiB with their guard pages */

/* A freed block in the middle of a chunk, wiped, waiting for a block of its size or less. */
struct hole {
	struct hole *next;
	size_t size;
};

struct chunk {
	struct chunk *next;
	unsigned char *base;
	size_t size, used, live;
	struct hole *holes;
};

static struct chunk *chunks;
static size_t mapped; /* chunks mapped since the start */

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
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

/* A block of SIZE (a multiple of SECMEM_ALIGN) from a hole of C, first fit, what is left a hole; or NULL. */
static void *hole_take(struct chunk *c, size_t size)
{
	for (struct hole **pp = &c->holes; *pp; pp = &(*pp)->next) {
		struct hole *h = *pp;
		if (h->size < size)
			continue;
		if (h->size > size) {
			struct hole *rest = (struct hole *)((unsigned char *)h + size);
			*rest = (struct hole){ h->next, h->size - size };
			*pp = rest;
		} else {
			*pp = h->next;
		}
		sodium_memzero(h, sizeof(*h));
		return h;
	}
	return NULL;
}

void *secmem_alloc(size_t size)
{
	struct chunk *c;
	void *p = NULL;

	if (size == 0 || size > SIZE_MAX - SECMEM_CHUNK)
		return NULL;
	size = round_up(size, SECMEM_ALIGN);
	/* Room freed in the middle first: a growing buffer leaves its old blocks there. */
	for (c = chunks; c; c = c->next)
		if ((p = hole_take(c, size))) {
			c->live++;
			return p;
		}
	for (c = chunks; c; c = c->next)
		if (c->size - c->used >= size)
			break;
	/* A big secret (rare: a whole config) gets a chunk of its own. */
	if (!c && !(c = chunk_new(size > SECMEM_CHUNK / 2 ? round_up(size, SECMEM_CHUNK) : SECMEM_CHUNK)))
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
	c->holes = NULL;
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

	if (!p)
		return;
	size = round_up(size, SECMEM_ALIGN);
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
	else
		c->holes = memcpy(b, &(struct hole){ c->holes, size }, sizeof(struct hole));
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
