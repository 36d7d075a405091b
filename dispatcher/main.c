/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jabber-dispatch: connects every XMPP transport to every XMPP server through their adapters. */
#include "ctx.h"
#include "diag.h"
#include "exitcode.h"
#include "lock.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/*
 * Alphabetical; the help is generated from this table.  A new command is one
 * entry here and one cmd-NAME.c defining `const struct command command_NAME`.
 */
static const struct command *const commands[] = {
	&command_adapters,
	&command_check,
	&command_export,
	&command_forget,
	&command_import,
	&command_layout,
	&command_list,
	&command_sync,
	&command_transport_init,
};

/* Taken before or after the command by every command. */
static const struct cli_option global_options[] = {
	{ "root", 0, CLI_VALUE, offsetof(struct ctx, root_path), 0, "DIR", "work inside DIR instead of / (a sandbox, a chroot)" },
	{ "json", 0, CLI_FLAG, offsetof(struct ctx, json), 0, NULL, "machine-readable output (\"version\": 1)" },
	{ "dry-run", 'n', CLI_FLAG, offsetof(struct ctx, dry_run), 0, NULL, "show what would change; write nothing" },
	{ "verbose", 'v', CLI_FLAG, offsetof(struct ctx, verbose), 0, NULL, "say why adapters were left out, what ran" },
	{ "quiet", 'q', CLI_FLAG, offsetof(struct ctx, quiet), 0, NULL, "only what changed and what failed (on by itself in dpkg's maintainer scripts)" },
	{ "timeout", 0, CLI_SECONDS, offsetof(struct ctx, timeout_ms), 0, "SECONDS", "time allowed to each adapter call (30)" },
	{ "lock-timeout", 0, CLI_SECONDS, offsetof(struct ctx, lock_timeout_ms), 0, "SECONDS", "time to wait for another run's lock (120)" },
	{ NULL },
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

/* Open the root and take the lock the command asks for, then run it. */
static int run_command(struct ctx *ctx, const struct cli_parsed *p)
{
	struct diag d = DIAG_INIT;
	int rc;

	if ((p->cmd->flags & CMD_ROOT) && safefs_root_open(ctx->root_path, &ctx->root, &d) < 0) {
		ctx_error("%s", d.msg);
		return d.exit_code ? d.exit_code : EXIT_USAGE;
	}
	if ((p->cmd->flags & CMD_LOCK) && lock_acquire(&ctx->root, ctx->lock_timeout_ms, &ctx->lock_fd, &d) < 0) {
		ctx_error("%s", d.msg);
		return d.exit_code ? d.exit_code : EXIT_TEMPFAIL;
	}
	rc = p->cmd->run(ctx, p->opts, p->nargs, p->args);
	if (fflush(stdout) != 0 && rc == EXIT_OK) {
		ctx_error("standard output: %s", strerror(errno));
		rc = EXIT_OSERR;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct ctx ctx = { .root = ROOT_INIT, .root_path = "/", .timeout_ms = 30000, .lock_timeout_ms = 120000,
			   .lock_fd = -1 };
	struct cli_parsed p;
	int rc;

	if (sodium_init() < 0) {
		ctx_error("cannot initialise libsodium");
		return EXIT_SOFTWARE;
	}
	/*
	 * Run from a maintainer script, the output lands in apt's: only what
	 * changed and what failed.  dpkg exports DPKG_MAINTSCRIPT_PACKAGE to
	 * every maintainer script; rpm 4.18 exports nothing of the kind to its
	 * scriptlets (measured), so those pass --quiet.
	 */
	if (getenv("DPKG_MAINTSCRIPT_PACKAGE") && *getenv("DPKG_MAINTSCRIPT_PACKAGE"))
		ctx.quiet = true;
	cli_parse(&ctx, global_options, commands, sizeof(commands) / sizeof(*commands), argc, argv, &p);
	rc = p.exit_code >= 0 ? p.exit_code : run_command(&ctx, &p);
	lock_release(ctx.lock_fd);
	safefs_root_close(&ctx.root);
	free(p.opts);
	return rc;
}
