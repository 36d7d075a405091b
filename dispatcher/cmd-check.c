/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check: prove each transport x server link on the running servers, without disturbing a connected transport. */
#include "ctx.h"
#include "exitcode.h"
#include "linkcheck.h"
#include "report.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A network step (connect, stream, answer) never waits longer, whatever --timeout allows an adapter. */
#define CHECK_NET_TIMEOUT_MS 10000

struct check_opts {
	const char *only_transport, *only_server;
};

struct check_row {
	const char *transport, *server;
	char host[254];
	struct link_result r;
};

static void check_print(const struct ctx *ctx, const struct check_row *rows, size_t n, int code)
{
	struct buf out = BUF_INIT;

	if (ctx->json) {
		report_json_begin(&out, "check");
		buf_puts(&out, ",\"pairs\":[");
		for (size_t i = 0; i < n; i++) {
			const struct check_row *p = &rows[i];
			buf_puts(&out, i ? ",{\"transport\":" : "{\"transport\":");
			report_json_str(&out, p->transport);
			buf_puts(&out, ",\"server\":");
			report_json_str(&out, p->server);
			buf_puts(&out, ",\"host\":");
			report_json_str(&out, p->host);
			buf_puts(&out, ",\"address\":");
			report_json_str(&out, p->r.ip);
			buf_printf(&out, ",\"port\":%u,\"status\":", p->r.port);
			report_json_str(&out, linkcheck_word(p->r.status));
			buf_puts(&out, ",\"detail\":");
			report_json_str(&out, p->r.text);
			buf_printf(&out, ",\"ms\":%ld}", p->r.ms);
		}
		buf_printf(&out, "],\"exit\":%d}\n", code);
	} else {
		static const size_t min[] = { 16, 12, 32, 16 };
		struct report_columns c;
		report_columns_init(&c, 4, min);
		for (size_t i = 0; i < n; i++) {
			report_columns_see(&c, 0, rows[i].transport);
			report_columns_see(&c, 1, rows[i].server);
			report_columns_see(&c, 2, rows[i].host);
		}
		for (size_t i = 0; i < n; i++)
			buf_printf(&out, "%-*s %-*s %-*s %-*s %s\n", (int)c.width[0], rows[i].transport, (int)c.width[1],
				   rows[i].server, (int)c.width[2], rows[i].host, (int)c.width[3],
				   linkcheck_word(rows[i].r.status), rows[i].r.text);
	}
	report_flush(&out);
}

/* The components of every usable transport wanted: COMPS[t].host[0] is 0 for one that gave none. */
static void check_query_transports(struct ctx *ctx, struct adapter_list *ts, const char *only, struct component *comps,
				   int *code)
{
	struct adapter_call call = ctx_call(ctx);

	transport_prefetch(&call, ts, only); /* the descriptors: one describe for all */
	for (size_t t = 0; t < ts->n; t++) {
		struct diag d = DIAG_INIT;
		int rc;
		comps[t] = (struct component)COMPONENT_INIT;
		if (!adapter_usable(&ts->v[t]) || (only && strcmp(only, ts->v[t].name) != 0))
			continue;
		rc = transport_query(&call, &ts->v[t], &comps[t], &d);
		/* Not installed (-ENOENT) or not configured (-ENODATA): nothing to check, no error. */
		bool quiet = rc == -ENODATA || rc == -ENOENT;
		if (rc < 0 && (!quiet || ctx->verbose))
			ctx_error("%s", d.msg);
		if (rc < 0 && !quiet && *code == EXIT_OK)
			*code = d.exit_code ? d.exit_code : EXIT_UNAVAILABLE;
		if (rc < 0)
			comps[t].host[0] = '\0';
	}
}

static int check_run(struct ctx *ctx, const char *only_transport, const char *only_server)
{
	struct adapter_list ts = ADAPTER_LIST_INIT, ss = ADAPTER_LIST_INIT;
	struct adapter_call call = ctx_call(ctx);
	struct component *comps = NULL;
	struct check_row *rows = NULL;
	struct diag d = DIAG_INIT;
	size_t n = 0;
	int code = EXIT_OK, timeout = ctx->timeout_ms < CHECK_NET_TIMEOUT_MS ? ctx->timeout_ms : CHECK_NET_TIMEOUT_MS;
	bool bad = false;

	if (adapter_discover(&ctx->root, ADAPTER_TRANSPORT, &ts, &d) < 0 ||
	    adapter_discover(&ctx->root, ADAPTER_SERVER, &ss, &d) < 0) {
		ctx_error("%s", d.msg);
		code = d.exit_code ? d.exit_code : EXIT_OSERR;
		goto out;
	}
	for (int k = 0; k < 2; k++) {
		const char *only = k ? only_server : only_transport;
		const struct adapter_list *l = k ? &ss : &ts;
		bool found = !only;
		for (size_t i = 0; !found && i < l->n; i++)
			found = strcmp(l->v[i].name, only) == 0 && adapter_usable(&l->v[i]);
		if (!found) {
			ctx_error("%s \"%.60s\": no such adapter (see `jabber-dispatch adapters`)", k ? "server" : "transport",
				  only);
			code = EXIT_USAGE;
			goto out;
		}
	}
	comps = calloc(ts.n + 1, sizeof(*comps));
	rows = calloc((ts.n + 1) * (ss.n + 1), sizeof(*rows));
	if (!comps || !rows) {
		code = EXIT_OSERR;
		goto out;
	}
	check_query_transports(ctx, &ts, only_transport, comps, &code);
	for (size_t s = 0; s < ss.n; s++) {
		struct adapter *sa = &ss.v[s];
		if (!adapter_usable(sa) || (only_server && strcmp(only_server, sa->name) != 0))
			continue;
		adapter_probe(&call, sa);
		diag_clear(&d);
		if (server_present(&call, sa, &d) == -ENODEV)
			continue; /* not installed here: no line for it */
		for (size_t t = 0; t < ts.n; t++) {
			struct check_row *p = &rows[n];
			if (!comps[t].host[0])
				continue;
			*p = (struct check_row){ .transport = ts.v[t].name, .server = sa->name };
			snprintf(p->host, sizeof(p->host), "%s", comps[t].host);
			if (linkcheck(&call, sa, &comps[t], timeout, &p->r) == -ENODEV)
				break; /* the server is not installed here: no line for it */
			bad |= linkcheck_bad(p->r.status);
			n++;
		}
	}
	if (code == EXIT_OK && bad)
		code = EXIT_CHECK_FAILED;
	check_print(ctx, rows, n, code);
out:
	for (size_t t = 0; comps && t < ts.n; t++)
		component_free(&comps[t]);
	free(comps);
	free(rows);
	adapter_list_free(&ts);
	adapter_list_free(&ss);
	return code;
}

static int run_check(struct ctx *ctx, void *opts, int nargs, char **args)
{
	const struct check_opts *o = opts;
	(void)nargs, (void)args;
	return check_run(ctx, o->only_transport, o->only_server);
}

static const struct cli_option check_options[] = {
	{ "transport", 't', CLI_VALUE, offsetof(struct check_opts, only_transport), 0, "NAME", "only this transport" },
	{ "server", 's', CLI_VALUE, offsetof(struct check_opts, only_server), 0, "NAME", "only this server" },
	{ NULL },
};

const struct command command_check = {
	.name = "check",
	.flags = CMD_ROOT,
	.summary = "prove each link on the running servers, without disturbing a connected transport",
	.options = check_options,
	.opts_size = sizeof(struct check_opts),
	.run = run_check,
};
