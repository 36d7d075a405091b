/* SPDX-License-Identifier: GPL-2.0-or-later */
/* secmem: the secrets of a run in a few guarded, locked mappings, wiped when freed. */
#ifndef JD_SECMEM_H
#define JD_SECMEM_H

#include <stddef.h>

/*
 * Memory for secrets, carved out of sodium_malloc() chunks (guard pages,
 * mlock, no core dump) instead of one guarded mapping per secret: at a
 * thousand transports, a mapping each made every spawn copy thousands of
 * VMAs.  A block is wiped when freed; a chunk is unmapped (sodium wipes it
 * again) once its last block is freed, except a few kept empty for the
 * next secrets.  Not thread-safe: the programs are single-threaded.
 */
void *secmem_alloc(size_t size);
/* P from secmem_alloc with the same SIZE; NULL is fine. */
void secmem_free(void *p, size_t size);
/* How many chunks are mapped now (for tests and the benchmark). */
size_t secmem_chunks(void);
/* How many chunks were mapped since the start. */
size_t secmem_mapped(void);

#endif
