/* SPDX-License-Identifier: GPL-2.0-or-later */
/* adapter-argv: getopt_long over a table of the protocol's flag words, for both adapter frameworks. */
#ifndef JD_ADAPTER_ARGV_H
#define JD_ADAPTER_ARGV_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

/* One flag an adapter takes: a JD_FLAG_* word (a trailing '=' means it takes a value), or "-h" style. */
struct adapter_opt {
	const char *flag;
	int id;
	bool on; /* false: refused as unknown (the adapter lacks the operation) */
};

#define ADAPTER_ARGV_MAX 32

struct adapter_argv {
	int argc;
	char **argv;
	const struct adapter_opt *opts;
	struct option longopts[ADAPTER_ARGV_MAX + 1];
	char names[ADAPTER_ARGV_MAX][32];
	char shortopts[ADAPTER_ARGV_MAX + 2];
	const char *bad; /* the argument refused, after ADAPTER_ARGV_UNKNOWN */
};

#define ADAPTER_ARGV_END (-1)
#define ADAPTER_ARGV_UNKNOWN (-2)

/* Prepares IT for ARGV and the NOPTS flags of OPTS (those on). */
void adapter_argv_init(struct adapter_argv *it, int argc, char **argv, const struct adapter_opt *opts, size_t nopts);

/*
 * The id of the next flag, with *VALUE its value (NULL for a flag without
 * one); ADAPTER_ARGV_END after the last; ADAPTER_ARGV_UNKNOWN for anything
 * not in the table, a flag's abbreviation included, with IT->bad set.
 */
int adapter_argv_next(struct adapter_argv *it, const char **value);

#endif
