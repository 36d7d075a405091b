/* SPDX-License-Identifier: GPL-2.0-or-later */
/* strv: a growable, NULL-terminated vector of owned strings. */
#ifndef JD_STRV_H
#define JD_STRV_H

#include <stdbool.h>
#include <stddef.h>

struct strv {
	char **v; /* NULL-terminated once anything was pushed */
	size_t n;
	size_t cap;
};

#define STRV_INIT { NULL, 0, 0 }

/* Both return 0 or -ENOMEM.  strv_push copies S; strv_push_owned takes S (freed on failure). */
int strv_push(struct strv *sv, const char *s);
int strv_push_owned(struct strv *sv, char *s);
bool strv_contains(const struct strv *sv, const char *s);
/* Bytewise sort, like dpkg's scandir with alphasort in the C locale. */
void strv_sort(struct strv *sv);
/* Sorted, each string once: the cost of sorting, where strv_contains before each push is quadratic. */
void strv_uniq(struct strv *sv);
void strv_free(struct strv *sv);

#endif
