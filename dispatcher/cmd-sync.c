/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sync and list: every transport adapter's answer fed to every server adapter (see sync.h). */
#include "noop.h"
#include "sync.h"
#include "exitcode.h"

#include <stddef.h>

/* The whole run: plan, apply, report, whatever the command. */
static int run_pairs(struct ctx *ctx, const struct sync_opts *o)
{
	struct sync_run run = { .ctx = ctx, .o = o };
	struct timespec at = noop_now();
	int code;

	/* `list`, a dry run and a partial run are never taken from a record, nor recorded. */
	if (!o->list && !o->dry_run && !o->force && !o->only_transport && !o->only_server &&
	    sync_noop_replay(ctx, o, &code))
		return code;
	code = sync_plan(&run);
	if (code == EXIT_OK) {
		sync_apply(&run);
		if (!o->dry_run)
			sync_noop_record(&run, at);
		sync_report(&run);
		code = run.code;
	}
	sync_free(&run);
	return code;
}

static int run_sync(struct ctx *ctx, void *opts, int nargs, char **args)
{
	struct sync_opts *o = opts;
	(void)nargs, (void)args;
	o->dry_run = ctx->dry_run;
	return run_pairs(ctx, o);
}

static int run_list(struct ctx *ctx, void *opts, int nargs, char **args)
{
	struct sync_opts *o = opts;
	(void)nargs, (void)args;
	o->list = o->dry_run = true;
	return run_pairs(ctx, o);
}

static const struct cli_option list_options[] = {
	{ "transport", 't', CLI_VALUE, offsetof(struct sync_opts, only_transport), 0, "NAME", "only this transport" },
	{ "server", 's', CLI_VALUE, offsetof(struct sync_opts, only_server), 0, "NAME", "only this server" },
	{ NULL },
};

static const struct cli_option sync_options[] = {
	{ "transport", 't', CLI_VALUE, offsetof(struct sync_opts, only_transport), 0, "NAME", "only this transport" },
	{ "server", 's', CLI_VALUE, offsetof(struct sync_opts, only_server), 0, "NAME", "only this server" },
	{ "reload", 0, CLI_SET, offsetof(struct sync_opts, reload), RELOAD_ALWAYS, NULL, "reload changed servers even under --root" },
	{ "no-reload", 0, CLI_SET, offsetof(struct sync_opts, reload), RELOAD_NEVER, NULL, "never reload a server" },
	{ "force", 0, CLI_SET, offsetof(struct sync_opts, force), 1, NULL, "run every adapter, even when nothing changed since the last run" },
	{ NULL },
};

const struct command command_sync = {
	.name = "sync",
	.flags = CMD_ROOT | CMD_LOCK,
	.summary = "make everything right: connect every transport to every server",
	.options = sync_options,
	.opts_size = sizeof(struct sync_opts),
	.run = run_sync,
};

const struct command command_list = {
	.name = "list",
	.flags = CMD_ROOT,
	.summary = "show each transport x server pair and its state; changes nothing",
	.options = list_options,
	.opts_size = sizeof(struct sync_opts),
	.run = run_list,
};
