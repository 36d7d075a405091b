/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli: the one command-line parser of jabber-dispatch: getopt_long built from the command table. */
#include "cli.h"
#include "ctx.h"
#include "exitcode.h"
#include "protocol.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_MAX_OPTIONS 64
#define OPT_HELP 1000
#define OPT_VERSION 1001
#define OPT_BASE 2000 /* getopt_long returns OPT_BASE + index into the merged table */

/* The merged table of one parsing pass: global options, then the command's. */
struct cli_table {
	const struct cli_option *opt[CLI_MAX_OPTIONS];
	bool global[CLI_MAX_OPTIONS];
	size_t n;
	struct option longopts[CLI_MAX_OPTIONS + 3];
	char shortopts[2 * CLI_MAX_OPTIONS + 8];
};

static void table_add(struct cli_table *t, const struct cli_option *opts, bool global)
{
	for (; opts && opts->name && t->n < CLI_MAX_OPTIONS; opts++) {
		t->opt[t->n] = opts;
		t->global[t->n] = global;
		t->n++;
	}
}

static void table_build(struct cli_table *t, bool permute)
{
	size_t k = 0, s = 0;

	t->shortopts[s++] = permute ? ':' : '+';
	if (!permute)
		t->shortopts[s++] = ':';
	t->shortopts[s++] = 'h';
	t->shortopts[s++] = 'V';
	for (size_t i = 0; i < t->n; i++) {
		const struct cli_option *o = t->opt[i];
		bool valued = o->kind == CLI_VALUE || o->kind == CLI_SECONDS;
		t->longopts[k++] = (struct option){ o->name, valued ? required_argument : no_argument, NULL,
						    (int)(OPT_BASE + i) };
		if (o->short_name) {
			t->shortopts[s++] = o->short_name;
			if (valued)
				t->shortopts[s++] = ':';
		}
	}
	t->shortopts[s] = '\0';
	t->longopts[k++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	t->longopts[k++] = (struct option){ "version", no_argument, NULL, OPT_VERSION };
	t->longopts[k] = (struct option){ 0 };
}

/* The table index of what getopt_long returned, or -1 (help, version, an error). */
static int table_index(const struct cli_table *t, int c)
{
	if (c >= OPT_BASE && (size_t)(c - OPT_BASE) < t->n)
		return c - OPT_BASE;
	for (size_t i = 0; i < t->n && c > 0 && c < 128; i++)
		if (t->opt[i]->short_name == c)
			return (int)i;
	return -1;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(cur));
	}
	return prev[lb];
}

const char *cli_closest(const char *word, const char *const *known, size_t n)
{
	const char *best = NULL;
	size_t best_d = 3;

	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, known[i]);
		if (strlen(word) >= 2 && strncmp(known[i], word, strlen(word)) == 0)
			d = 1; /* a beginning of the word */
		if (d < best_d) {
			best_d = d;
			best = known[i];
		}
	}
	return best;
}

static void print_options(FILE *to, const char *title, const struct cli_option *opts, bool std)
{
	char col[CLI_MAX_OPTIONS][64];
	const struct cli_option *o;
	size_t n = 0, width = 14;

	for (o = opts; o && o->name && n < CLI_MAX_OPTIONS; o++, n++) {
		char shortform[8] = "    ";
		if (o->short_name)
			snprintf(shortform, sizeof(shortform), "-%c, ", o->short_name);
		snprintf(col[n], sizeof(col[n]), "%s--%s%s%s", shortform, o->name, o->arg ? "=" : "", o->arg ? o->arg : "");
		if (strlen(col[n]) > width)
			width = strlen(col[n]);
	}
	fprintf(to, "\n%s:\n", title);
	for (size_t i = 0; i < n; i++)
		fprintf(to, "  %-*s  %s\n", (int)width, col[i], opts[i].help);
	if (std) {
		fprintf(to, "  %-*s  %s\n", (int)width, "-h, --help", "show this help and exit");
		fprintf(to, "  %-*s  %s\n", (int)width, "-V, --version", "show the version and exit");
	}
}

static void print_main_help(FILE *to, const struct cli_option *globals, const struct command *const *cmds,
			    size_t ncmds)
{
	size_t width = 8;

	for (size_t i = 0; i < ncmds; i++)
		if (strlen(cmds[i]->name) > width)
			width = strlen(cmds[i]->name);
	fprintf(to, "usage: jabber-dispatch [OPTIONS] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < ncmds; i++)
		fprintf(to, "  %-*s  %s\n", (int)width, cmds[i]->name, cmds[i]->summary);
	print_options(to, "options (before or after the command)", globals, true);
	fprintf(to, "\n`jabber-dispatch COMMAND --help` shows a command's own options; see jabber-dispatch(1).\n");
}

static void print_command_help(FILE *to, const struct cli_option *globals, const struct command *c)
{
	fprintf(to, "usage: jabber-dispatch %s%s%s%s\n\n%s\n", c->name, c->options ? " [OPTIONS]" : "",
		c->args ? " " : "", c->args ? c->args : "", c->summary);
	if (c->options)
		print_options(to, "options", c->options, false);
	print_options(to, "global options", globals, true);
}

/* Parse "SECONDS" (1..3600) into milliseconds. */
static int parse_seconds(const char *opt, const char *v, int *ret_ms)
{
	char *end;
	long s;
	errno = 0;
	s = strtol(v, &end, 10);
	if (errno || !*v || *end || s < 1 || s > 3600) {
		ctx_error("--%s=%.40s: expected a number of seconds from 1 to 3600", opt, v);
		return -EINVAL;
	}
	*ret_ms = (int)s * 1000;
	return 0;
}

static int store(const struct cli_option *o, void *base, const char *arg)
{
	char *at = (char *)base + o->offset;

	switch (o->kind) {
	case CLI_FLAG:
		*(bool *)at = true;
		return 0;
	case CLI_SET:
		*(int *)at = o->value;
		return 0;
	case CLI_VALUE:
		*(const char **)at = arg;
		return 0;
	case CLI_SECONDS:
		return parse_seconds(o->name, arg, (int *)at);
	}
	return -EINVAL;
}

/* getopt_long takes any unambiguous beginning of a long option; say so when WORD begins several. */
static bool report_ambiguous(const char *word, const char *const *names, size_t n, const char *where,
			     const char *help)
{
	char list[256] = "";
	size_t len = strlen(word), found = 0, used = 0;

	for (size_t i = 0; i < n && len; i++) {
		if (strncmp(names[i], word, len) != 0)
			continue;
		found++;
		used += (size_t)snprintf(list + used, used < sizeof(list) ? sizeof(list) - used : 0, "%s--%s",
					 found > 1 ? ", " : "", names[i]);
		if (used >= sizeof(list))
			used = sizeof(list) - 1;
	}
	if (found < 2)
		return false;
	ctx_error("%soption --%s is ambiguous (%s); see %s", where, word, list, help);
	return true;
}

/* One line for what getopt_long refused; WHERE is "" or "COMMAND: ". */
static void report_bad_option(const struct cli_table *t, int c, char **argv, const char *where, const char *help)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	int i = table_index(t, optopt);

	if (c == ':' && i >= 0)
		ctx_error("%s--%s needs a value (%s); see %s", where, t->opt[i]->name, t->opt[i]->arg, help);
	else if (i >= 0 || optopt == OPT_HELP || optopt == OPT_VERSION)
		ctx_error("%s%.*s takes no value; see %s", where, (int)strcspn(arg, "="), arg, help);
	else if (optopt)
		ctx_error("%sunknown option -%c; see %s", where, optopt, help);
	else {
		const char *names[CLI_MAX_OPTIONS + 2], *near;
		size_t n = 0;
		char word[64];
		snprintf(word, sizeof(word), "%.*s", (int)strcspn(arg + 2, "="), arg + 2);
		for (size_t k = 0; k < t->n; k++)
			names[n++] = t->opt[k]->name;
		names[n++] = "help";
		names[n++] = "version";
		if (strncmp(arg, "--", 2) == 0 && report_ambiguous(word, names, n, where, help))
			return;
		near = strncmp(arg, "--", 2) == 0 ? cli_closest(word, names, n) : NULL;
		ctx_error("%sunknown option %.*s%s%s%s; see %s", where, (int)strcspn(arg, "="), arg,
			  near ? " (did you mean --" : "", near ? near : "", near ? "?)" : "", help);
	}
}

/*
 * One getopt_long pass over ARGV.  The first pass (COMMAND NULL) takes the
 * global options up to the command's name; the second, from the command
 * on, takes both and collects the positional arguments.  Returns -1 to go
 * on, or the exit status.
 */
static int parse_pass(struct ctx *ctx, const struct cli_option *globals, const struct command *cmd, void *opts,
		      int argc, char **argv, bool *help)
{
	struct cli_table t = { .n = 0 };
	char where[80] = "", see[96] = "jabber-dispatch --help";
	int c;

	table_add(&t, globals, true);
	if (cmd) {
		table_add(&t, cmd->options, false);
		snprintf(where, sizeof(where), "%s: ", cmd->name);
		snprintf(see, sizeof(see), "jabber-dispatch %s --help", cmd->name);
	}
	table_build(&t, cmd != NULL);
	optind = 0; /* a full re-initialisation of getopt (GNU) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, t.shortopts, t.longopts, NULL)) != -1) {
		int i = table_index(&t, c);
		if (c == 'h' || c == OPT_HELP)
			*help = true;
		else if (c == 'V' || c == OPT_VERSION) {
			printf("jabber-dispatch %s (adapter protocol %d)\n", JD_VERSION, PROTOCOL_VERSION);
			return EXIT_OK;
		} else if (i < 0) {
			report_bad_option(&t, c, argv, where, see);
			return EXIT_USAGE;
		} else if (store(t.opt[i], t.global[i] ? (void *)ctx : opts, optarg) < 0)
			return EXIT_USAGE;
	}
	return -1;
}

static const struct command *find_command(const char *name, const struct command *const *cmds, size_t ncmds)
{
	const char *names[64], *near;
	size_t n = 0;

	for (size_t i = 0; i < ncmds; i++)
		if (strcmp(cmds[i]->name, name) == 0)
			return cmds[i];
	for (size_t i = 0; i < ncmds && n < 64; i++)
		names[n++] = cmds[i]->name;
	near = cli_closest(name, names, n);
	if (near)
		ctx_error("unknown command \"%.40s\" (did you mean \"%s\"?); see jabber-dispatch --help", name, near);
	else
		ctx_error("unknown command \"%.40s\"; see jabber-dispatch --help", name);
	return NULL;
}

/* `help [COMMAND]` and `version` as words, for those who type them. */
static int word_commands(const struct cli_option *globals, const struct command *const *cmds, size_t ncmds,
			 int argc, char **argv)
{
	const struct command *c;

	if (strcmp(argv[0], "version") == 0) {
		printf("jabber-dispatch %s (adapter protocol %d)\n", JD_VERSION, PROTOCOL_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[0], "help") != 0)
		return -1;
	if (argc < 2) {
		print_main_help(stdout, globals, cmds, ncmds);
		return EXIT_OK;
	}
	if (!(c = find_command(argv[1], cmds, ncmds)))
		return EXIT_USAGE;
	print_command_help(stdout, globals, c);
	return EXIT_OK;
}

void cli_parse(struct ctx *ctx, const struct cli_option *globals, const struct command *const *cmds, size_t ncmds,
	       int argc, char **argv, struct cli_parsed *ret)
{
	const struct command *cmd;
	bool help = false;
	int rc, first;

	*ret = (struct cli_parsed){ .exit_code = -1 };
	if ((rc = parse_pass(ctx, globals, NULL, NULL, argc, argv, &help)) >= 0) {
		ret->exit_code = rc;
		return;
	}
	first = optind;
	if (first >= argc) {
		if (help)
			print_main_help(stdout, globals, cmds, ncmds);
		else
			ctx_error("no command given; see jabber-dispatch --help");
		ret->exit_code = help ? EXIT_OK : EXIT_USAGE;
		return;
	}
	if ((rc = word_commands(globals, cmds, ncmds, argc - first, argv + first)) >= 0) {
		ret->exit_code = rc;
		return;
	}
	if (!(cmd = find_command(argv[first], cmds, ncmds))) {
		ret->exit_code = EXIT_USAGE;
		return;
	}
	ret->cmd = cmd;
	ret->opts = calloc(1, cmd->opts_size ? cmd->opts_size : 1);
	if (!ret->opts) {
		ret->exit_code = EXIT_OSERR;
		return;
	}
	if ((rc = parse_pass(ctx, globals, cmd, ret->opts, argc - first, argv + first, &help)) >= 0) {
		ret->exit_code = rc;
		return;
	}
	if (help) {
		print_command_help(stdout, globals, cmd);
		ret->exit_code = EXIT_OK;
		return;
	}
	ret->args = argv + first + optind;
	ret->nargs = argc - first - optind;
	if (ret->nargs < cmd->min_args || ret->nargs > cmd->max_args) {
		if (ret->nargs > cmd->max_args)
			ctx_error("%s: unexpected argument \"%.60s\"; see jabber-dispatch %s --help", cmd->name,
				  ret->args[cmd->max_args], cmd->name);
		else
			ctx_error("%s: missing %s; see jabber-dispatch %s --help", cmd->name, cmd->args, cmd->name);
		ret->exit_code = EXIT_USAGE;
	}
}
