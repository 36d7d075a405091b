/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctx: what every verb of jabber-dispatch gets — the parsed global options and the set-up they asked for. */
#ifndef JD_CTX_H
#define JD_CTX_H

#include <stdbool.h>

#include "adapter.h"
#include "safefs.h"

struct ctx {
	struct root root;
	const char *root_path;  /* --root, "/" by default */
	bool json;              /* --json: machine-readable output */
	bool verbose;           /* -v: say why adapters were skipped, what ran */
	int timeout_ms;         /* --timeout: per adapter call */
	int lock_timeout_ms;    /* --lock-timeout */
	int lock_fd;            /* held for the whole run by verbs that write */
};

/* Print "jabber-dispatch: MESSAGE" on stderr: the one error style of the program. */
void ctx_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The adapter_call every protocol call of this run uses. */
struct adapter_call ctx_call(const struct ctx *ctx);

int cmd_adapters(struct ctx *ctx, int argc, char **argv);
int cmd_layout(struct ctx *ctx, int argc, char **argv);
int cmd_list(struct ctx *ctx, int argc, char **argv);
int cmd_sync(struct ctx *ctx, int argc, char **argv);
int cmd_transport_init(struct ctx *ctx, int argc, char **argv);

#endif
