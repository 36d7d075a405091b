/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grow: room for one more element at the end of an array appended to one at a time. */
#ifndef JD_GROW_H
#define JD_GROW_H

#include <stdint.h>
#include <stdlib.h>

/*
 * V, an array of N elements of SIZE bytes that only this function ever
 * allotted (or NULL with N 0), with room for element N: reallocated when N
 * is 0, or a power of two from 8 on, to twice as many elements.  Appending
 * N elements then copies O(N) bytes: realloc one element larger each time
 * moved the whole array again and again once the heap around it was taken
 * (a --batch of a thousand components spent most of its time there).
 * NULL on overflow or ENOMEM, V left as it was.
 */
static inline void *grow_one(void *v, size_t n, size_t size)
{
	size_t cap;

	if (n != 0 && (n < 8 || (n & (n - 1)) != 0))
		return v;
	cap = n ? 2 * n : 8;
	if (cap < n || cap > SIZE_MAX / size)
		return NULL;
	return realloc(v, cap * size);
}

#endif
