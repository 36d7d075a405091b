/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sync-noop: a sync that runs no adapter at all when nothing it depends on
 * changed since a sync that changed nothing, as make knows a target is up to
 * date.  What it depends on: this program, every adapter (its file, what runs
 * it), and every file the adapters said their answers came from.  Any doubt
 * means a full run: an adapter that did not say, a file changed while the
 * run went on, a clock gone back.
 */
#include "noop.h"
#include "sync.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The identity of interpreter PATH: the last one asked is kept, as every descriptor names the same. */
static int interpreter_seen(const char *path, char id[NOOP_ID_MAX])
{
	static char last[256], last_id[NOOP_ID_MAX];
	int rc;

	if (last[0] && strcmp(path, last) == 0) {
		memcpy(id, last_id, NOOP_ID_MAX);
		return 0;
	}
	rc = noop_id_host(path, id);
	if (rc == 0 && strlen(path) < sizeof(last)) {
		memcpy(last, path, strlen(path) + 1);
		memcpy(last_id, id, NOOP_ID_MAX);
	}
	return rc;
}

/* The identity of what the kernel runs for a "#!" script at PATH (its interpreter), "-" for a binary. */
static int interpreter_id(const char *path, char id[NOOP_ID_MAX])
{
	char head[256];
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd >= 0) {
		n = read(fd, head, sizeof(head) - 1);
		close(fd);
	}
	if (n < 0)
		return -EIO;
	head[n] = '\0';
	if (n < 2 || head[0] != '#' || head[1] != '!') {
		snprintf(id, NOOP_ID_MAX, "-");
		return 0;
	}
	head[2 + strspn(head + 2, " \t") + strcspn(head + 2 + strspn(head + 2, " \t"), " \t\n")] = '\0';
	return interpreter_seen(head + 2 + strspn(head + 2, " \t"), id);
}

/* "adapter KIND NAME STATE" and the identities of its entry, executable, script and interpreter. */
static int adapter_line(const struct root *r, const struct adapter *a, struct strv *ret)
{
	char entry[NOOP_ID_MAX] = "-", exec[NOOP_ID_MAX] = "-", script[NOOP_ID_MAX] = "-", interp[NOOP_ID_MAX] = "-";
	int rc = a->masked ? 0 : noop_id(r, a->path, entry);
	char *line;

	if (rc == 0 && adapter_usable(a)) {
		rc = noop_id_host(a->exec_path, exec);
		if (rc == 0 && a->script_path)
			rc = noop_id_host(a->script_path, script);
		if (rc == 0)
			rc = interpreter_id(a->script_path ? a->script_path : a->exec_path, interp);
	}
	if (rc < 0)
		return rc;
	if (asprintf(&line, "adapter %s %s %s %s %s %s %s", adapter_kind_dir(a->kind), a->name,
		     a->masked ? "masked" : a->skipped ? "skipped" : "usable", entry, exec, script, interp) < 0)
		return -ENOMEM;
	return strv_push_owned(ret, line);
}

/* The identity lines of now: this program, every adapter of T and S, every path of INPUTS. */
static int current_ids(const struct root *r, const struct adapter_list *t, const struct adapter_list *s,
		       const struct strv *inputs, struct strv *ret)
{
	char id[NOOP_ID_MAX], *line;
	int rc = noop_id_host("/proc/self/exe", id);

	if (rc == 0)
		rc = asprintf(&line, "self %s", id) < 0 ? -ENOMEM : strv_push_owned(ret, line);
	for (size_t i = 0; rc == 0 && i < t->n; i++)
		rc = adapter_line(r, &t->v[i], ret);
	for (size_t i = 0; rc == 0 && i < s->n; i++)
		rc = adapter_line(r, &s->v[i], ret);
	for (size_t i = 0; rc == 0 && i < inputs->n; i++) {
		rc = noop_id(r, inputs->v[i], id);
		if (rc == 0)
			rc = asprintf(&line, "input %s %s", id, inputs->v[i]) < 0 ? -ENOMEM : strv_push_owned(ret, line);
	}
	return rc;
}

static bool strv_same(const struct strv *a, const struct strv *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

/* Why the record REC cannot stand for a run now, or NULL when it can. */
static const char *noop_doubt(struct ctx *ctx, const struct noop *rec, struct adapter_list *t, struct adapter_list *s)
{
	struct strv inputs = STRV_INIT, now = STRV_INIT;
	struct diag d = DIAG_INIT;
	struct timespec at = noop_now();
	const char *why = NULL;

	if (!rec->outcome)
		return "the last run changed something, or could not tell what it depended on";
	if (at.tv_sec < rec->at.tv_sec || (at.tv_sec == rec->at.tv_sec && at.tv_nsec < rec->at.tv_nsec))
		return "the clock is behind the last run";
	if (adapter_discover(&ctx->root, ADAPTER_TRANSPORT, t, &d) < 0 ||
	    adapter_discover(&ctx->root, ADAPTER_SERVER, s, &d) < 0)
		return "the adapters cannot be listed";
	for (size_t i = 0; i < rec->ids.n && !why; i++)
		if (strncmp(rec->ids.v[i], "input ", 6) == 0 && strchr(rec->ids.v[i] + 6, ' ') &&
		    strv_push(&inputs, strchr(rec->ids.v[i] + 6, ' ') + 1) < 0)
			why = "out of memory";
	if (!why && current_ids(&ctx->root, t, s, &inputs, &now) < 0)
		why = "a file cannot be examined";
	if (!why && !strv_same(&now, &rec->ids))
		why = "a file, an adapter or the program changed";
	strv_free(&inputs);
	strv_free(&now);
	return why;
}

bool sync_noop_replay(struct ctx *ctx, const struct sync_opts *o, int *code)
{
	struct sync_run run = { .ctx = ctx, .o = o };
	struct noop rec = NOOP_INIT;
	struct diag d = DIAG_INIT;
	const char *why = noop_load(&ctx->root, &rec, &d) < 0 ? "no record of a last run" : NULL;
	bool ok = true;

	if (!why)
		why = noop_doubt(ctx, &rec, &run.transports, &run.servers);
	if (why) {
		if (ctx->verbose)
			ctx_error("every adapter is run: %s", why);
		noop_free(&rec);
		adapter_list_free(&run.transports);
		adapter_list_free(&run.servers);
		return false;
	}
	audit_init(&run.au, &ctx->root);
	for (size_t i = 0; i < rec.npairs && ok; i++) {
		const struct noop_pair *np = &rec.pairs[i];
		struct pair *p = sync_add_pair(&run);
		ok = p != NULL;
		if (ok) {
			p->transport = np->transport, p->server = np->server, p->host = np->host, p->word = np->word;
			p->port = np->port;
			p->reason = np->reason ? strdup(np->reason) : NULL;
		}
	}
	if (ctx->verbose)
		ctx_error("nothing changed since the last run: no adapter run (--force runs them)");
	if (ok)
		sync_report(&run);
	*code = ok ? EXIT_OK : EXIT_OSERR;
	sync_free(&run);
	noop_free(&rec);
	return true;
}

/* Take REC's --capabilities answer for A when its identity line is the one recorded with it. */
static void take_caps(const struct root *r, const struct noop *rec, struct adapter *a)
{
	struct strv line = STRV_INIT;
	const char *caps;
	char key[160];

	snprintf(key, sizeof(key), "%s %s", adapter_kind_dir(a->kind), a->name);
	if (adapter_usable(a) && !a->caps_text && (caps = noop_caps(rec, key)) && adapter_line(r, a, &line) == 0)
		for (size_t k = 0; k < rec->ids.n && !a->caps_text; k++)
			if (strcmp(rec->ids.v[k], line.v[0]) == 0)
				a->caps_text = strdup(caps);
	strv_free(&line);
}

void sync_noop_caps(struct sync_run *run)
{
	struct noop rec = NOOP_INIT;
	struct diag d = DIAG_INIT;

	if (run->o->force || noop_load(&run->ctx->root, &rec, &d) < 0)
		return;
	for (size_t i = 0; i < run->transports.n; i++)
		take_caps(&run->ctx->root, &rec, &run->transports.v[i]);
	for (size_t i = 0; i < run->servers.n; i++)
		take_caps(&run->ctx->root, &rec, &run->servers.v[i]);
	noop_free(&rec);
}

/* Whether the outcome of RUN is what the next run would say, nothing having changed. */
static bool noop_outcome(const struct sync_run *run)
{
	static const char *const steady[] = { "unchanged", "excluded", "manual", "unconfigured" };

	if (run->code != EXIT_OK || run->o->only_transport || run->o->only_server)
		return false;
	for (size_t i = 0; i < run->npairs; i++) {
		const struct pair *p = &run->pairs[i];
		bool ok = false;
		for (size_t k = 0; k < sizeof(steady) / sizeof(*steady) && p->word; k++)
			ok |= strcmp(p->word, steady[k]) == 0;
		if (!p->hidden && (!ok || p->changed || p->restart || p->remarks.len || p->live))
			return false;
	}
	for (size_t s = 0; s < run->nsr; s++)
		if (run->sr[s].changed || run->sr[s].restart || run->sr[s].failed)
			return false;
	return true;
}

/* Whether an identity of LINE ("self ID", "adapter K N S ID ID ID ID", "input ID PATH") dates from AT or later. */
static bool line_racy(const char *line, struct timespec at)
{
	char copy[8 * NOOP_ID_MAX + 256], *f[8];
	size_t n = 0;
	bool adapter = strncmp(line, "adapter ", 8) == 0;

	size_t len = strlen(line);

	/* A long input path may be cut: its identity comes first. */
	if (len >= sizeof(copy))
		len = sizeof(copy) - 1;
	memcpy(copy, line, len);
	copy[len] = '\0';
	for (char *p = strtok(copy, " "); p && n < 8; p = strtok(NULL, " "))
		f[n++] = p;
	if (!adapter)
		return n < 2 || noop_id_racy(f[1], at);
	for (size_t i = 4; i < n; i++)
		if (noop_id_racy(f[i], at))
			return true;
	return n != 8;
}

/* Every path the usable adapters of L said they depended on, into RET; false when one did not say. */
static bool noop_inputs(const struct adapter_list *l, struct strv *ret)
{
	bool whole = true;
	for (size_t i = 0; i < l->n; i++) {
		const struct adapter *a = &l->v[i];
		if (!adapter_usable(a))
			continue;
		whole &= a->inputs->state == 1;
		for (size_t k = 0; k < a->inputs->paths.n; k++)
			if (!strv_contains(ret, a->inputs->paths.v[k]) && strv_push(ret, a->inputs->paths.v[k]) < 0)
				whole = false;
	}
	return whole;
}

void sync_noop_record(struct sync_run *run, struct timespec at)
{
	struct noop rec = NOOP_INIT;
	struct strv inputs = STRV_INIT;
	struct diag d = DIAG_INIT;
	const struct adapter_list *lists[] = { &run->transports, &run->servers };
	bool outcome = noop_outcome(run), whole;
	int rc;

	whole = noop_inputs(&run->transports, &inputs);
	whole &= noop_inputs(&run->servers, &inputs);
	rc = strv_push(&inputs, STATE_PATH);
	strv_sort(&inputs);
	rec.at = at;
	if (rc == 0)
		rc = current_ids(&run->ctx->root, &run->transports, &run->servers, &inputs, &rec.ids);
	/* A file that changed since the run began may change again within the same tick of its clock, unseen. */
	for (size_t i = 0; rc == 0 && i < rec.ids.n && outcome; i++)
		outcome = !line_racy(rec.ids.v[i], at);
	rec.outcome = outcome && whole;
	for (size_t i = 0; rc == 0 && rec.outcome && i < run->npairs; i++) {
		const struct pair *p = &run->pairs[i];
		if (!p->hidden && p->word)
			rc = noop_add_pair(&rec, &(struct noop_pair){ (char *)p->transport, (char *)p->server,
								      (char *)p->host, (char *)p->word, p->reason, p->port });
	}
	for (size_t l = 0; l < 2; l++)
		for (size_t i = 0; rc == 0 && i < lists[l]->n; i++) {
			const struct adapter *a = &lists[l]->v[i];
			char *key;
			if (!a->caps_text)
				continue;
			rc = asprintf(&key, "%s %s", adapter_kind_dir(a->kind), a->name) < 0 ? -ENOMEM : strv_push_owned(&rec.caps, key);
			if (rc == 0)
				rc = strv_push(&rec.caps, a->caps_text);
		}
	/* Not written, the last record stays: it cannot pass for now, its files having changed. */
	if (rc == 0)
		rc = noop_save(&rec, &run->ctx->root, &d);
	if (rc < 0 && run->ctx->verbose)
		ctx_error("%s", diag_is_set(&d) ? d.msg : "the record of this run cannot be made");
	strv_free(&inputs);
	noop_free(&rec);
}
