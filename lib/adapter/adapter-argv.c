/* SPDX-License-Identifier: GPL-2.0-or-later */
/* adapter-argv: getopt_long over a table of the protocol's flag words, for both adapter frameworks. */
#include "adapter-argv.h"

#include <stdio.h>
#include <string.h>

#define ADAPTER_ARGV_BASE 1000 /* clear of getopt's own returns (1, '?', ':') */

void adapter_argv_init(struct adapter_argv *it, int argc, char **argv, const struct adapter_opt *opts, size_t nopts)
{
	size_t k = 0, ns = 0;

	it->argc = argc;
	it->argv = argv;
	it->opts = opts;
	it->bad = NULL;
	/* "-": every argument in order, a non-option returned as 1, so it is refused where it stands. */
	it->shortopts[ns++] = '-';
	for (size_t i = 0; i < nopts && k < ADAPTER_ARGV_MAX; i++) {
		size_t n = strcspn(opts[i].flag + 2, "=");
		if (!opts[i].on)
			continue;
		if (opts[i].flag[1] != '-') {
			it->shortopts[ns++] = opts[i].flag[1];
			continue;
		}
		snprintf(it->names[k], sizeof(it->names[k]), "%.*s", (int)n, opts[i].flag + 2);
		it->longopts[k] = (struct option){ it->names[k], opts[i].flag[2 + n] == '=' ? required_argument : no_argument,
						   NULL, ADAPTER_ARGV_BASE + (int)i };
		k++;
	}
	it->longopts[k] = (struct option){ 0 };
	it->shortopts[ns] = '\0';
	optind = 0; /* a full re-initialisation of getopt (GNU) */
	opterr = 0; /* the framework words its own refusal */
}

/* The id of the short flag C (getopt checked it is in the table). */
static int short_id(const struct adapter_argv *it, int c)
{
	for (size_t i = 0;; i++)
		if (it->opts[i].on && it->opts[i].flag[1] == c && it->opts[i].flag[2] == '\0')
			return it->opts[i].id;
}

int adapter_argv_next(struct adapter_argv *it, const char **value)
{
	int at = optind ? optind : 1, idx = -1;
	int c = getopt_long(it->argc, it->argv, it->shortopts, it->longopts, &idx);

	*value = NULL;
	if (c == -1) {
		if (at >= it->argc)
			return ADAPTER_ARGV_END;
		it->bad = it->argv[at]; /* "--" ends getopt's options; it is no flag of ours */
		return ADAPTER_ARGV_UNKNOWN;
	}
	it->bad = it->argv[at];
	if (c < ADAPTER_ARGV_BASE && c != 1 && c != '?' && c != ':')
		return short_id(it, c);
	if (c < ADAPTER_ARGV_BASE || idx < 0)
		return ADAPTER_ARGV_UNKNOWN;
	/* getopt_long takes any unambiguous beginning; the protocol spells each flag whole. */
	{
		const char *name = it->longopts[idx].name;
		size_t n = strlen(name);
		if (strncmp(it->bad + 2, name, n) != 0 || (it->bad[2 + n] != '\0' && it->bad[2 + n] != '='))
			return ADAPTER_ARGV_UNKNOWN;
	}
	*value = optarg;
	return it->opts[c - ADAPTER_ARGV_BASE].id;
}
