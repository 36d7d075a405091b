/* SPDX-License-Identifier: GPL-2.0-or-later */
/* adapters: what was found where, what is masked or overridden, and what each adapter supports. */
#include "ctx.h"
#include "exitcode.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One adapter as reported; CAPS empty when it was not probed. */
struct adapter_row {
	const struct adapter *a;
	const char *kind, *state;
	char caps[160];
};

static void probe_row(struct ctx *ctx, struct adapter *a, struct adapter_row *row)
{
	struct adapter_call call = ctx_call(ctx);

	row->a = a;
	row->kind = a->kind == ADAPTER_SERVER ? "server" : "transport";
	row->state = a->masked ? "masked" : a->skipped ? "skipped" : a->overrides ? "override" : "ok";
	row->caps[0] = '\0';
	if (!adapter_usable(a))
		return;
	adapter_probe(&call, a);
	if (a->caps)
		protocol_caps_format(a->caps, row->caps, sizeof(row->caps));
	else if (a->kind == ADAPTER_SERVER)
		snprintf(row->caps, sizeof(row->caps), "seed protocol (secret in argv), or no answer to --capabilities");
	else
		snprintf(row->caps, sizeof(row->caps), "seed protocol");
}

static void json_row(struct buf *out, const struct adapter_row *r, bool first)
{
	buf_puts(out, first ? "{\"kind\":" : ",{\"kind\":");
	report_json_str(out, r->kind);
	buf_puts(out, ",\"name\":");
	report_json_str(out, r->a->name);
	buf_puts(out, ",\"state\":");
	report_json_str(out, r->state);
	buf_puts(out, ",\"path\":");
	report_json_str(out, r->a->path);
	buf_puts(out, ",\"capabilities\":");
	report_json_str(out, r->caps[0] ? r->caps : NULL);
	buf_puts(out, ",\"why\":");
	report_json_str(out, r->a->skipped);
	buf_putc(out, '}');
}

static void text_rows(struct buf *out, const struct adapter_row *rows, size_t n)
{
	static const size_t min[] = { 10, 16, 9 };
	struct report_columns c;

	report_columns_init(&c, 3, min);
	for (size_t i = 0; i < n; i++) {
		report_columns_see(&c, 0, rows[i].kind);
		report_columns_see(&c, 1, rows[i].a->name);
		report_columns_see(&c, 2, rows[i].state);
	}
	for (size_t i = 0; i < n; i++) {
		const struct adapter_row *r = &rows[i];
		buf_printf(out, "%-*s %-*s %-*s %s%s%s%s\n", (int)c.width[0], r->kind, (int)c.width[1], r->a->name,
			   (int)c.width[2], r->state, r->a->path, r->caps[0] ? "  [" : "", r->caps, r->caps[0] ? "]" : "");
		if (r->a->skipped)
			buf_printf(out, "%-*s %-*s %-*s   why: %s\n", (int)c.width[0], "", (int)c.width[1], "",
				   (int)c.width[2], "", r->a->skipped);
	}
}

static int run_adapters(struct ctx *ctx, void *opts, int nargs, char **args)
{
	struct adapter_list lists[2] = { ADAPTER_LIST_INIT, ADAPTER_LIST_INIT };
	struct adapter_row *rows = NULL;
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	size_t n = 0;
	int code = EXIT_OK;

	(void)opts, (void)nargs, (void)args;
	if (adapter_discover(&ctx->root, ADAPTER_TRANSPORT, &lists[0], &d) < 0 ||
	    adapter_discover(&ctx->root, ADAPTER_SERVER, &lists[1], &d) < 0) {
		ctx_error("%s", d.msg);
		code = d.exit_code ? d.exit_code : EXIT_OSERR;
		goto out;
	}
	if (!(rows = calloc(lists[0].n + lists[1].n + 1, sizeof(*rows)))) {
		code = EXIT_OSERR;
		goto out;
	}
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < lists[k].n; i++)
			probe_row(ctx, &lists[k].v[i], &rows[n++]);
	if (ctx->json) {
		report_json_begin(&out, "adapters");
		buf_puts(&out, ",\"adapters\":[");
		for (size_t i = 0; i < n; i++)
			json_row(&out, &rows[i], i == 0);
		buf_puts(&out, "]}\n");
	} else {
		text_rows(&out, rows, n);
	}
	report_flush(&out);
out:
	free(rows);
	adapter_list_free(&lists[0]);
	adapter_list_free(&lists[1]);
	return code;
}

const struct command command_adapters = {
	.name = "adapters",
	.flags = CMD_ROOT,
	.summary = "show the adapters found, where, and what each supports",
	.run = run_adapters,
};
