/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sync-report: the one reporter of sync and list, for text and JSON alike. */
#include "report.h"
#include "sync.h"

#include <string.h>

/* What quiet mode keeps: a change, or a failure. */
static bool notable(const struct pair *p)
{
	return p->changed || strcmp(p->word, "error") == 0 || strcmp(p->word, "conflict") == 0;
}

static bool shown(const struct sync_run *run, const struct pair *p)
{
	return !p->hidden && p->word && (!run->ctx->quiet || notable(p));
}

/* The change takes effect with a reload of the server (no restart needed). */
static bool needs_reload(const struct pair *p)
{
	return p->changed && !p->restart;
}

static void json_pair(struct buf *out, const struct sync_run *run, const struct pair *p)
{
	buf_puts(out, "{\"transport\":");
	report_json_str(out, p->transport);
	buf_puts(out, ",\"server\":");
	report_json_str(out, p->server);
	buf_puts(out, ",\"host\":");
	report_json_str(out, p->host);
	buf_printf(out, ",\"port\":%u,\"result\":", p->port);
	report_json_str(out, p->word);
	buf_printf(out, ",\"changed\":%s,\"restart\":%s,\"reload\":%s,\"reason\":", p->changed ? "true" : "false",
		   p->restart ? "true" : "false", needs_reload(p) ? "true" : "false");
	report_json_str(out, p->reason);
	buf_puts(out, ",\"remarks\":");
	report_json_str(out, p->remarks.len ? buf_str(&p->remarks) : NULL);
	buf_puts(out, ",\"diff\":");
	report_json_str(out, p->diff.len && !run->o->list ? buf_str(&p->diff) : NULL);
	buf_puts(out, ",\"live\":");
	report_json_str(out, p->live);
	buf_puts(out, ",\"live_detail\":");
	report_json_str(out, p->live_text);
	buf_putc(out, '}');
}

static void report_json(const struct sync_run *run, struct buf *out)
{
	bool first = true;

	report_json_begin(out, run->o->list ? "list" : "sync");
	buf_puts(out, ",\"run\":");
	report_json_str(out, run->au.run_id);
	buf_printf(out, ",\"dry_run\":%s,\"pairs\":[", run->o->dry_run ? "true" : "false");
	for (size_t i = 0; i < run->npairs; i++) {
		const struct pair *p = &run->pairs[i];
		if (p->hidden || !p->word)
			continue;
		if (!first)
			buf_putc(out, ',');
		first = false;
		json_pair(out, run, p);
	}
	buf_printf(out, "],\"exit\":%d}\n", run->code);
}

static void report_text(const struct sync_run *run, struct buf *out)
{
	static const size_t min[] = { 16, 12, 32 };
	struct report_columns c;

	report_columns_init(&c, 3, min);
	for (size_t i = 0; i < run->npairs; i++) {
		const struct pair *p = &run->pairs[i];
		if (!shown(run, p))
			continue;
		report_columns_see(&c, 0, p->transport);
		report_columns_see(&c, 1, p->server);
		report_columns_see(&c, 2, p->host);
	}
	for (size_t i = 0; i < run->npairs; i++) {
		const struct pair *p = &run->pairs[i];
		if (!shown(run, p))
			continue;
		buf_printf(out, "%-*s %-*s %-*s %s%s%s%s%s%s\n", (int)c.width[0], p->transport, (int)c.width[1],
			   p->server, (int)c.width[2], p->host, p->word, p->restart ? " (restart needed)" : "",
			   p->listens ? ", open to the network on " : "", p->listens ? p->listens : "",
			   p->live ? ", live: " : "", p->live ? p->live : "");
		if (!run->o->list)
			buf_append(out, buf_str(&p->diff), p->diff.len);
	}
}

void sync_report(const struct sync_run *run)
{
	struct buf out = BUF_INIT;

	if (run->ctx->json)
		report_json(run, &out);
	else
		report_text(run, &out);
	report_flush(&out);
}
