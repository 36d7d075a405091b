/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag: the one-line reason a lib/ function failed, for the command layer to print. */
#ifndef JD_DIAG_H
#define JD_DIAG_H

#include <stdbool.h>

/*
 * lib/ never prints.  A function that can fail for a reason worth telling
 * (a parse error, a refused path) fills a struct diag and returns -errno.
 * The first message wins: a later diag_set() on a filled diag is ignored, so
 * the reason reported is the one that failed first.
 *
 * Messages follow one style: lowercase, no final period, names in quotes,
 * "FILE:LINE: reason" for parse errors.
 */
struct diag {
	char msg[1024];
	int exit_code; /* an EXIT_* value, 0 = let the caller decide */
};

#define DIAG_INIT { { 0 }, 0 }

/* Returns -err (err is a positive errno) so callers can `return diag_set(...)`. */
int diag_set(struct diag *d, int err, int exit_code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool diag_is_set(const struct diag *d);
void diag_clear(struct diag *d);

#endif
