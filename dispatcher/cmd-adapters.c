/* SPDX-License-Identifier: GPL-2.0-or-later */
/* adapters: what was found where, what is masked or overridden, and what each adapter supports. */
#include "ctx.h"
#include "exitcode.h"

#include <stdio.h>
#include <string.h>

static int run_adapters(struct ctx *ctx, void *opts, int nargs, char **args)
{
	struct adapter_call call = ctx_call(ctx);
	struct diag d = DIAG_INIT;
	int code = EXIT_OK;

	(void)opts, (void)nargs, (void)args;
	for (int k = 0; k < 2; k++) {
		enum adapter_kind kind = k == 0 ? ADAPTER_TRANSPORT : ADAPTER_SERVER;
		struct adapter_list l = ADAPTER_LIST_INIT;
		if (adapter_discover(&ctx->root, kind, &l, &d) < 0) {
			ctx_error("%s", d.msg);
			return d.exit_code ? d.exit_code : EXIT_OSERR;
		}
		for (size_t i = 0; i < l.n; i++) {
			struct adapter *a = &l.v[i];
			char caps[160] = "";
			const char *state = a->masked ? "masked" : a->skipped ? "skipped" : a->overrides ? "override" : "ok";
			if (adapter_usable(a)) {
				adapter_probe(&call, a);
				if (a->caps)
					protocol_caps_format(a->caps, caps, sizeof(caps));
				else if (kind == ADAPTER_SERVER)
					snprintf(caps, sizeof(caps), "seed protocol (secret in argv), or no answer to --capabilities");
				else
					snprintf(caps, sizeof(caps), "seed protocol");
			}
			printf("%-10s %-16s %-9s %s%s%s%s\n", kind == ADAPTER_SERVER ? "server" : "transport", a->name, state,
			       a->path, caps[0] ? "  [" : "", caps, caps[0] ? "]" : "");
			if (a->skipped)
				printf("%-10s %-16s %-9s   why: %s\n", "", "", "", a->skipped);
		}
		adapter_list_free(&l);
	}
	return code;
}

const struct command command_adapters = {
	.name = "adapters",
	.flags = CMD_ROOT,
	.summary = "show the adapters found, where, and what each supports",
	.run = run_adapters,
};
