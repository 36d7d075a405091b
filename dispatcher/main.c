/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jabber-dispatch: connects every XMPP transport to every XMPP server through their adapters. */
#include "ctx.h"
#include "diag.h"
#include "exitcode.h"
#include "lock.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

enum {
	CMD_LOCK = 1 << 0, /* hold the lock for the whole run */
	CMD_ROOT = 1 << 1, /* open --root */
};

struct command {
	const char *name;
	int (*run)(struct ctx *ctx, int argc, char **argv);
	unsigned flags;
	const char *summary;
};

/* Alphabetical; `help` is generated from this table. */
static const struct command commands[] = {
	{ "adapters", cmd_adapters, CMD_ROOT, "show the adapters found, where, and what each supports" },
	{ "layout", cmd_layout, CMD_ROOT | CMD_LOCK, "create or fix /var/{log,lib,spool}/PACKAGE; --tmpfiles, --remove" },
	{ "list", cmd_list, CMD_ROOT, "show each transport x server pair and its state; changes nothing" },
	{ "sync", cmd_sync, CMD_ROOT | CMD_LOCK, "make everything right: connect every transport to every server" },
	{ "transport-init", cmd_transport_init, CMD_ROOT | CMD_LOCK, "generate a transport's first config from its package's template" },
};

void ctx_error(const char *fmt, ...)
{
	va_list ap;
	fputs("jabber-dispatch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct adapter_call ctx_call(const struct ctx *ctx)
{
	return (struct adapter_call){ .root = &ctx->root, .timeout_ms = ctx->timeout_ms };
}

static void usage(FILE *to)
{
	fprintf(to, "usage: jabber-dispatch [--root=DIR] [-v] [--json] [--timeout=SECONDS] [--lock-timeout=SECONDS]\n"
		    "                       COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		fprintf(to, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(to, "\nsync and list take --transport=NAME and --server=NAME to narrow the run;\n"
		    "sync also takes --dry-run (show diffs, write nothing), --reload and --no-reload.\n"
		    "See jabber-dispatch(1) and the adapter protocol in adapter-protocol.md.\n");
}

/* Parse "SECONDS" (1..3600) into milliseconds. */
static int parse_seconds(const char *opt, const char *v, int *ret_ms)
{
	char *end;
	long s;
	errno = 0;
	s = strtol(v, &end, 10);
	if (errno || *end || s < 1 || s > 3600) {
		ctx_error("%s=%s: expected a number of seconds from 1 to 3600", opt, v);
		return -EINVAL;
	}
	*ret_ms = (int)s * 1000;
	return 0;
}

int main(int argc, char **argv)
{
	struct ctx ctx = { .root = ROOT_INIT, .root_path = "/", .timeout_ms = 30000, .lock_timeout_ms = 120000,
			   .lock_fd = -1 };
	const struct command *cmd = NULL;
	struct diag d = DIAG_INIT;
	char **rest;
	int nrest = 0, rc;

	if (sodium_init() < 0) {
		ctx_error("cannot initialise libsodium");
		return EXIT_SOFTWARE;
	}
	rest = calloc((size_t)argc + 1, sizeof(*rest));
	if (!rest)
		return EXIT_OSERR;
	/* Global options may stand before or after the command; the command gets the rest. */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--root=", 7) == 0)
			ctx.root_path = a + 7;
		else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
			ctx.verbose = true;
		else if (strcmp(a, "--json") == 0)
			ctx.json = true;
		else if (strncmp(a, "--timeout=", 10) == 0) {
			if (parse_seconds("--timeout", a + 10, &ctx.timeout_ms) < 0)
				return EXIT_USAGE;
		} else if (strncmp(a, "--lock-timeout=", 15) == 0) {
			if (parse_seconds("--lock-timeout", a + 15, &ctx.lock_timeout_ms) < 0)
				return EXIT_USAGE;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "help") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(a, "--version") == 0 || strcmp(a, "version") == 0) {
			printf("jabber-dispatch %s (adapter protocol %d)\n", JD_VERSION, PROTOCOL_VERSION);
			return EXIT_OK;
		} else if (!cmd && a[0] != '-') {
			for (size_t k = 0; k < sizeof(commands) / sizeof(*commands); k++)
				if (strcmp(a, commands[k].name) == 0)
					cmd = &commands[k];
			if (!cmd) {
				ctx_error("unknown command \"%.40s\" (see --help)", a);
				return EXIT_USAGE;
			}
		} else
			rest[nrest++] = argv[i];
	}
	if (!cmd) {
		usage(stderr);
		free(rest);
		return EXIT_USAGE;
	}
	rc = EXIT_OK;
	if ((cmd->flags & CMD_ROOT) && safefs_root_open(ctx.root_path, &ctx.root, &d) < 0) {
		ctx_error("%s", d.msg);
		rc = d.exit_code ? d.exit_code : EXIT_USAGE;
		goto out;
	}
	if ((cmd->flags & CMD_LOCK) && lock_acquire(&ctx.root, ctx.lock_timeout_ms, &ctx.lock_fd, &d) < 0) {
		ctx_error("%s", d.msg);
		rc = d.exit_code ? d.exit_code : EXIT_TEMPFAIL;
		goto out;
	}
	rc = cmd->run(&ctx, nrest, rest);
	if (fflush(stdout) != 0 && rc == EXIT_OK) {
		ctx_error("standard output: %s", strerror(errno));
		rc = EXIT_OSERR;
	}
out:
	lock_release(ctx.lock_fd);
	safefs_root_close(&ctx.root);
	free(rest);
	return rc;
}
