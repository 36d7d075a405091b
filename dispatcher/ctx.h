/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctx: what every command of jabber-dispatch gets — the parsed global options and the set-up they asked for. */
#ifndef JD_CTX_H
#define JD_CTX_H

#include <stdbool.h>

#include "adapter.h"
#include "cli.h"
#include "safefs.h"

struct ctx {
	struct root root;
	const char *root_path;  /* --root, "/" by default */
	bool json;              /* --json: machine-readable output */
	bool verbose;           /* -v: say why adapters were skipped, what ran */
	bool quiet;             /* -q, or run from a package script: only what changed and what failed */
	bool dry_run;           /* -n, --dry-run: show what would change, write nothing */
	int timeout_ms;         /* --timeout: per adapter call */
	int lock_timeout_ms;    /* --lock-timeout */
	int lock_fd;            /* held for the whole run by commands that write */
};

/* Print "jabber-dispatch: MESSAGE" on stderr: the one error style of the program. */
void ctx_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The adapter_call every protocol call of this run uses. */
struct adapter_call ctx_call(const struct ctx *ctx);

/* One per cmd-*.c; listed in main.c's table. */
extern const struct command command_adapters, command_check, command_export, command_forget, command_import,
	command_layout, command_list, command_sync, command_transport_init;

#endif
