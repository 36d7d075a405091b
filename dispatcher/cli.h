/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli: the one command-line parser of jabber-dispatch: getopt_long built from the command table. */
#ifndef JD_CLI_H
#define JD_CLI_H

#include <stddef.h>

struct ctx;

/* What an option does with its value; each kind writes at OFFSET in its target struct. */
enum cli_kind {
	CLI_FLAG,    /* bool = true */
	CLI_SET,     /* int = VALUE (several options writing one mode) */
	CLI_VALUE,   /* const char * = the value */
	CLI_SECONDS, /* int = the value, 1..3600 seconds, in milliseconds */
};

struct cli_option {
	const char *name; /* long name, without "--"; NULL ends a table */
	char short_name;  /* 0: none */
	enum cli_kind kind;
	size_t offset;    /* into struct ctx (global options) or the command's options struct */
	int value;        /* CLI_SET: what is stored */
	const char *arg;  /* the value's name in the help, for CLI_VALUE and CLI_SECONDS */
	const char *help;
};

enum {
	CMD_LOCK = 1 << 0, /* hold the lock for the whole run */
	CMD_ROOT = 1 << 1, /* open --root */
};

/*
 * A command: one entry in main.c's table and one cmd-*.c defining it.  The
 * parser allocates OPTS_SIZE zeroed bytes, fills them from OPTIONS, checks
 * the number of positional arguments, then calls RUN.
 */
struct command {
	const char *name;
	const char *args;     /* positional arguments in the synopsis, NULL for none */
	int min_args, max_args;
	unsigned flags;       /* CMD_* */
	const char *summary;  /* one line, lowercase */
	const struct cli_option *options;
	size_t opts_size;
	int (*run)(struct ctx *ctx, void *opts, int nargs, char **args);
};

/* The outcome of parsing: the command, its options and positional arguments. */
struct cli_parsed {
	const struct command *cmd;
	void *opts;
	int nargs;
	char **args;
	int exit_code; /* -1: run the command; otherwise exit with it (help, version, usage error) */
};

/*
 * Parse ARGV against the global options (written into CTX) and the command
 * table.  Global options stand before or after the command; `--opt VALUE`
 * and `--opt=VALUE` both work.  Prints help, version and usage errors itself.
 */
void cli_parse(struct ctx *ctx, const struct cli_option *globals, const struct command *const *cmds, size_t ncmds,
	       int argc, char **argv, struct cli_parsed *ret);

/* The known word closest to WORD (at most two edits away, or a prefix), NULL when none is close. */
const char *cli_closest(const char *word, const char *const *known, size_t n);

#endif
