/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sync-apply: doing what the plan says, pair by pair, then the state and the reloads. */
#include "linkcheck.h"
#include "sync.h"
#include "exitcode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sync_relay(const char *kind, const char *name, const struct buf *text, struct buf *to)
{
	const char *p = buf_str(text);
	int lines = 0;

	/* Control characters become '?': an adapter must not drive the terminal. */
	while (*p && lines++ < 20) {
		size_t n = strcspn(p, "\n");
		char line[300];
		size_t k;
		for (k = 0; k < n && k < sizeof(line) - 1; k++)
			line[k] = ((unsigned char)p[k] < 0x20 || p[k] == 0x7f) ? '?' : p[k];
		line[k] = '\0';
		if (k) {
			ctx_error("%s %s: %s", kind, name, line);
			if (to)
				buf_printf(to, "%s\n", line);
		}
		p += n + (p[n] == '\n');
	}
}

/* The words `list` uses for a dry-run result: the state of the pair now. */
static const char *list_word(enum result r)
{
	switch (r) {
	case RESULT_ADDED:
		return "missing";
	case RESULT_UPDATED:
		return "stale";
	case RESULT_UNCHANGED:
		return "ok";
	default:
		return protocol_result_word(r);
	}
}

/* Settle a pair the plan meant to apply: WORD, and the reason (printed once, here). */
static void decide(struct sync_run *run, struct pair *p, const char *word, const struct diag *d)
{
	p->action = PAIR_DECIDED;
	p->word = word;
	free(p->reason);
	p->reason = strdup(d->msg);
	ctx_error("%s", d->msg);
	sync_note_error(run, d, EXIT_UNAVAILABLE);
}

static struct pair *find_pair(struct sync_run *run, const struct transport_run *tr, const struct server_run *sr)
{
	for (size_t i = 0; i < run->npairs; i++)
		if (run->pairs[i].t == tr && run->pairs[i].s == sr && run->pairs[i].action == PAIR_APPLY)
			return &run->pairs[i];
	return NULL;
}

static void hide_server(struct sync_run *run, struct server_run *sr, const struct diag *d)
{
	sr->absent = true;
	for (size_t i = 0; i < run->npairs; i++)
		if (run->pairs[i].s == sr)
			run->pairs[i].hidden = true;
	if (run->ctx->verbose)
		ctx_error("%s", d->msg);
}

static const char *adopted_what(bool port, bool secret)
{
	return port && secret ? "port and secret" : port ? "port" : "secret";
}

/*
 * What transport TR must set to take server SR's port and secret
 * (CAP_SET_PORT, CAP_SET_PASSWORD), or 0: nothing to set, or (WHY set)
 * the pair cannot be made.
 */
static unsigned adopt_need(struct sync_run *run, struct server_run *sr, struct transport_run *tr,
			   const struct component *shared, struct diag *why)
{
	struct adapter_call call = ctx_call(run->ctx);
	struct pair *p = find_pair(run, tr, sr);
	bool port_differs = tr->comp.port != shared->port, secret_differs = !buf_equal(&tr->comp.secret, &shared->secret);
	unsigned need = (port_differs ? CAP_SET_PORT : 0) | (secret_differs ? CAP_SET_PASSWORD : 0);
	const char *what = adopted_what(port_differs, secret_differs);

	if (!p)
		return 0;
	adapter_probe(&call, tr->a);
	if (tr->a->secret_max && shared->secret.len > tr->a->secret_max) {
		diag_set(why, EINVAL, EXIT_DATAERR,
			 "transport %s: takes secrets of at most %u bytes, and server %s imposes one of %zu: give it a shorter "
			 "one by hand (every transport then adopts it)",
			 tr->a->name, tr->a->secret_max, sr->a->name, shared->secret.len);
		return 0;
	}
	if (!need)
		return 0;
	if (tr->pinned) {
		diag_set(why, EEXIST, EXIT_DATAERR, "transport %s: follows the port and secret of server %s; server %s imposes others",
			 tr->a->name, tr->pinned, sr->a->name);
		return 0;
	}
	if ((tr->a->caps & need) != need && tr->comp.server_address[0]) {
		diag_set(why, EINVAL, EXIT_DATAERR,
			 "transport %s: on another machine, and server %s imposes its own %s for every component: give the "
			 "transport the %s in the server's configuration, on its machine, then export and import it again",
			 tr->a->name, sr->a->name, what, what);
		return 0;
	}
	if ((tr->a->caps & need) != need) {
		diag_set(why, EINVAL, EXIT_DATAERR, "transport %s: server %s imposes its own %s, and the adapter cannot adopt %s (no %s)",
			 tr->a->name, sr->a->name, what, need == (CAP_SET_PORT | CAP_SET_PASSWORD) ? "them" : "it",
			 (need & ~tr->a->caps & CAP_SET_PASSWORD) ? JD_CAP_SET_PASSWORD : JD_CAP_SET_PORT);
		return 0;
	}
	tr->pinned = sr->a->name;
	return need;
}

/*
 * Transport TR has set NEED of server SR's SHARED values (RC, SET and D: how
 * its --set-* call went; not called in a dry run): from now on it follows
 * them, or its pairs fail.
 */
static void adopted(struct sync_run *run, struct server_run *sr, struct transport_run *tr,
		    const struct component *shared, unsigned need, int rc, struct server_reply *set, const struct diag *d)
{
	struct pair *p = find_pair(run, tr, sr);
	const char *what = adopted_what(need & CAP_SET_PORT, need & CAP_SET_PASSWORD);

	if (run->o->dry_run) {
		/* Show what the other servers would get once the transport has adopted the values. */
		ctx_error("transport %s: would adopt the %s of server %s", tr->a->name, what, sr->a->name);
	} else if (rc < 0) {
		tr->word = "error";
		for (size_t i = 0; i < run->npairs; i++)
			if (run->pairs[i].t == tr && run->pairs[i].action == PAIR_APPLY)
				decide(run, &run->pairs[i], "error", d);
		return;
	} else {
		audit_log(&run->au, NULL, "transport=%s adopted-from=%s port=%u result=%s", tr->a->name, sr->a->name,
			  shared->port, protocol_result_word(set->result));
		sync_relay("transport", tr->a->name, &set->notes, &p->remarks);
		ctx_error("transport %s: adopted the %s of server %s; restart it", tr->a->name, what, sr->a->name);
	}
	tr->comp.port = shared->port;
	buf_truncate(&tr->comp.secret, 0);
	if (buf_append(&tr->comp.secret, shared->secret.data, shared->secret.len) < 0)
		tr->word = "error";
}

/*
 * Every transport that answered takes server SR's SHARED port and secret
 * where it can: those that set the same values all at once (the
 * descriptors among them in one process of describe), then each pair is
 * decided in the transports' order, as one by one.
 */
static void adopt_all(struct sync_run *run, struct server_run *sr, const struct component *shared)
{
	struct adapter_call call = ctx_call(run->ctx);
	const unsigned kinds[] = { CAP_SET_PORT | CAP_SET_PASSWORD, CAP_SET_PORT, CAP_SET_PASSWORD };
	size_t n = run->ntr + 1;
	unsigned *need = calloc(n, sizeof(*need));
	struct adapter **v = calloc(n, sizeof(*v));
	struct server_reply *set = calloc(n, sizeof(*set));
	struct diag *d = calloc(n, sizeof(*d)), *why = calloc(n, sizeof(*why));
	int *rc = calloc(n, sizeof(*rc));

	if (!need || !v || !set || !d || !why || !rc) {
		struct diag oom = DIAG_INIT;
		diag_set(&oom, ENOMEM, EXIT_OSERR, "server %s: out of memory", sr->a->name);
		for (size_t i = 0; i < run->npairs; i++)
			if (run->pairs[i].s == sr && run->pairs[i].action == PAIR_APPLY)
				decide(run, &run->pairs[i], "error", &oom);
		goto out;
	}
	for (size_t t = 0; t < run->ntr; t++) {
		why[t] = d[t] = (struct diag)DIAG_INIT;
		set[t] = (struct server_reply)SERVER_REPLY_INIT;
		if (run->tr[t].asked && !run->tr[t].word)
			need[t] = adopt_need(run, sr, &run->tr[t], shared, &why[t]);
	}
	for (size_t k = 0; k < sizeof(kinds) / sizeof(*kinds) && !run->o->dry_run; k++) {
		for (size_t t = 0; t < run->ntr; t++)
			v[t] = need[t] == kinds[k] ? run->tr[t].a : NULL;
		transport_set_all(&call, v, run->ntr, kinds[k] & CAP_SET_PORT ? shared->port : 0,
				  kinds[k] & CAP_SET_PASSWORD ? &shared->secret : NULL, set, d, rc);
	}
	for (size_t t = 0; t < run->ntr; t++) {
		struct pair *p = find_pair(run, &run->tr[t], sr);
		if (diag_is_set(&why[t]) && p)
			decide(run, p, "conflict", &why[t]);
		else if (need[t])
			adopted(run, sr, &run->tr[t], shared, need[t], rc[t], &set[t], &d[t]);
		server_reply_free(&set[t]);
	}
out:
	free(need);
	free(v);
	free(set);
	free(d);
	free(why);
	free(rc);
}

/* The capabilities of every transport answering, the descriptors' all at once (one process of describe). */
static void probe_transports(struct sync_run *run)
{
	struct adapter_call call = ctx_call(run->ctx);
	struct adapter **ask = calloc(run->ntr + 1, sizeof(*ask));
	size_t nask = 0;

	for (size_t t = 0; ask && t < run->ntr; t++)
		if (run->tr[t].asked && !run->tr[t].word && !run->tr[t].a->probed && !run->tr[t].a->caps_text)
			ask[nask++] = run->tr[t].a;
	if (ask)
		adapter_probe_prefetch(&call, ask, nask);
	free(ask);
}

/*
 * A server that imposes one port and one secret on every component (jabberd2)
 * is served first: each transport adopts its values through --set-port and
 * --set-password, so that every server then gets the same, working values.
 * A transport that cannot adopt them, or that already follows another such
 * server with other values, is a conflict for that pair.
 */
static void apply_shared(struct sync_run *run, struct server_run *sr)
{
	struct adapter_call call = ctx_call(run->ctx);
	struct component shared = COMPONENT_INIT;
	struct server_reply reply = SERVER_REPLY_INIT;
	struct diag d = DIAG_INIT;
	unsigned secret_max = 0;
	int rc;

	/* A secret the server generates must suit the transport that takes the shortest. */
	probe_transports(run);
	for (size_t t = 0; t < run->ntr; t++) {
		struct transport_run *tr = &run->tr[t];
		if (!tr->asked || tr->word)
			continue;
		adapter_probe(&call, tr->a);
		if (tr->a->secret_max && (!secret_max || tr->a->secret_max < secret_max))
			secret_max = tr->a->secret_max;
	}
	rc = server_shared(&call, sr->a, run->o->dry_run, secret_max, &shared, &reply, &d);

	if (rc == -ENODEV) {
		hide_server(run, sr, &d);
	} else if (rc < 0) {
		ctx_error("%s", d.msg);
		sync_note_error(run, &d, EXIT_UNAVAILABLE);
		sr->failed = true;
		sr->reason = strdup(d.msg);
	} else {
		sync_relay("server", sr->a->name, &reply.notes, NULL);
		if (protocol_result_changed(reply.result)) {
			if (!run->o->dry_run) {
				sr->changed = true;
				audit_log(&run->au, NULL, "server=%s shared-secret=%s", sr->a->name,
					  protocol_result_word(reply.result));
			}
			/* Every component needs the restart, in the dry run and in the real one alike. */
			sr->restart |= reply.restart;
			sr->shared_restart = reply.restart;
			ctx_error("server %s: %s its shared component secret (stock or missing)", sr->a->name,
				  run->o->dry_run ? "would replace" : "replaced");
		}
		adopt_all(run, sr, &shared);
	}
	server_reply_free(&reply);
	component_free(&shared);
}

static void record_state(struct sync_run *run, const struct pair *p, enum result r)
{
	if (run->o->dry_run)
		return;
	if (r == RESULT_EXCLUDED || r == RESULT_MANUAL)
		state_drop(&run->st, p->server, p->host); /* not ours (any more) */
	else if (state_set(&run->st, p->server, p->host, p->transport) < 0 && run->code == EXIT_OK)
		run->code = EXIT_OSERR;
}

/* Take in what the server adapter answered for pair P (RC < 0: why in D). */
static void settle(struct sync_run *run, struct pair *p, int rc, struct server_reply *reply, const struct diag *d)
{
	struct server_run *sr = p->s;
	struct diag ad = DIAG_INIT;

	if (rc == -ENODEV) {
		hide_server(run, sr, d); /* the server is not installed here: no line for it at all */
		return;
	}
	if (rc < 0) {
		p->word = "error";
		p->reason = strdup(d->msg);
		ctx_error("%s (for %s)", d->msg, p->host);
		sync_note_error(run, d, EXIT_UNAVAILABLE);
		if (!run->o->dry_run)
			audit_log(&run->au, NULL, "transport=%s server=%s host=%s result=error", p->transport, p->server,
				  p->host);
		return;
	}
	p->word = run->o->list ? list_word(reply->result) : protocol_result_word(reply->result);
	p->changed = protocol_result_changed(reply->result);
	p->restart = reply->restart || sr->shared_restart;
	if (!run->o->list)
		sync_relay("server", sr->a->name, &reply->notes, &p->remarks);
	p->diff = reply->text;
	reply->text = (struct buf)BUF_INIT;
	record_state(run, p, reply->result);
	if (!p->changed || run->o->dry_run)
		return;
	sr->changed = true;
	sr->restart |= reply->restart;
	if (reply->result == RESULT_ADDED)
		strv_push(&sr->added, p->host);
	if (audit_log(&run->au, &ad, "transport=%s server=%s host=%s port=%u result=%s", p->transport, p->server,
		      p->host, p->port, p->word) < 0 && run->ctx->verbose)
		ctx_error("%s", ad.msg);
}

/*
 * A transport on another machine reaches its server only where the server
 * listens: say loudly that a port is opened to the network, or that this
 * server adapter cannot open it.
 */
static void remote_note(const struct sync_run *run, struct pair *p, enum result r)
{
	const struct component *c = &p->t->comp;
	struct buf text = BUF_INIT;

	if (!c->server_address[0] || (r != RESULT_ADDED && r != RESULT_UPDATED && r != RESULT_UNCHANGED))
		return;
	if (!(p->s->a->caps & CAP_BIND_ADDRESS))
		buf_printf(&text,
			   "%s is a transport on another machine, connecting to %s port %u, but this adapter cannot make "
			   "the server listen there (no bind-address): open that port by hand\n",
			   p->host, c->server_address, c->port);
	else
		p->listens = c->server_address;
	if (p->listens && p->changed)
		buf_printf(&text, "port %u %s on %s for %s: a port open to the network (a transport on another machine)\n",
			   c->port, run->o->dry_run ? "would listen" : "listens", c->server_address, p->host);
	sync_relay("server", p->s->a->name, &text, &p->remarks);
	buf_free(&text);
}

static void apply_pair(struct sync_run *run, struct pair *p)
{
	struct adapter_call call = ctx_call(run->ctx);
	struct server_reply reply = SERVER_REPLY_INIT;
	struct diag d = DIAG_INIT;
	int rc;

	if (p->s->failed) {
		p->word = "error";
		p->reason = p->s->reason ? strdup(p->s->reason) : NULL;
		return;
	}
	rc = server_apply(&call, p->s->a, &p->t->comp, run->o->dry_run, &reply, &d);
	settle(run, p, rc, &reply, &d);
	if (rc == 0 && !run->o->list)
		remote_note(run, p, reply.result);
	server_reply_free(&reply);
}

static void settle_remove(struct sync_run *run, struct pair *p, int rc, struct server_reply *reply,
			  const struct diag *d);

/* Take out what a gone or renamed transport left, as far as the server adapter says it is ours. */
static void remove_pair(struct sync_run *run, struct pair *p)
{
	struct adapter_call call = ctx_call(run->ctx);
	struct server_reply reply = SERVER_REPLY_INIT;
	struct server_run *sr = p->s;
	struct diag d = DIAG_INIT;

	if (sr->failed || sr->absent) {
		p->hidden = true; /* nothing known of that server this time: it stays for the next run */
		return;
	}
	settle_remove(run, p, server_remove(&call, sr->a, p->host, run->o->dry_run, &reply, &d), &reply, &d);
	server_reply_free(&reply);
}

/* Take in what the server adapter answered for the removal of pair P (RC < 0: why in D). */
static void settle_remove(struct sync_run *run, struct pair *p, int rc, struct server_reply *reply, const struct diag *d)
{
	struct server_run *sr = p->s;

	if (rc == -ENODEV) {
		hide_server(run, sr, d);
		return;
	}
	if (rc < 0) {
		p->word = "error";
		p->reason = strdup(d->msg);
		ctx_error("%s (removing %s, left by transport %s)", d->msg, p->host, p->transport);
		sync_note_error(run, d, EXIT_UNAVAILABLE);
		return;
	}
	p->word = run->o->list ? "orphan" : protocol_result_word(reply->result);
	p->changed = reply->result == RESULT_REMOVED;
	p->diff = reply->text;
	reply->text = (struct buf)BUF_INIT;
	if (!run->o->list)
		sync_relay("server", sr->a->name, &reply->notes, &p->remarks);
	if (run->o->dry_run)
		return;
	if (p->changed) {
		sr->changed = true;
		strv_push(&sr->removed, p->host);
		audit_log(&run->au, NULL, "transport=%s server=%s host=%s result=removed (transport %s)", p->transport,
			  p->server, p->host, p->t && p->t->asked && !p->t->absent ? "renamed it" : "gone");
	}
	state_drop(&run->st, p->server, p->host);
}

/*
 * Whether pair P of server SR goes into its batch: not settled yet, and an
 * operation the adapter has.  A transport on another machine goes alone: a
 * record has no room for its bind address, and its pair has its own note.
 */
static bool batchable(const struct pair *p, const struct server_run *sr)
{
	return p->s == sr && !p->hidden && !p->word &&
	       ((p->action == PAIR_APPLY && !p->t->comp.server_address[0]) ||
		(p->action == PAIR_REMOVE && (sr->a->caps & CAP_REMOVE)));
}

/* One server's batch of the run: its pairs, their records, what it said. */
struct batch_job {
	struct server_run *sr;
	struct pair **ps;
	struct server_batch_item *items;
	struct buf notes;
	struct diag d;
};

/* Gather into J and B every pair of server SR that goes into its batch; -ENOMEM. */
static int batch_collect(struct sync_run *run, struct server_run *sr, struct batch_job *j, struct server_batch *b)
{
	*j = (struct batch_job){ .sr = sr, .notes = BUF_INIT, .d = DIAG_INIT };
	*b = (struct server_batch){ .a = sr->a, .notes = &j->notes, .d = &j->d };
	j->items = calloc(run->npairs + 1, sizeof(*j->items));
	j->ps = calloc(run->npairs + 1, sizeof(*j->ps));
	if (!j->items || !j->ps)
		return -ENOMEM;
	for (size_t i = 0; i < run->npairs; i++) {
		struct pair *p = &run->pairs[i];
		if (!batchable(p, sr))
			continue;
		j->ps[b->n] = p;
		j->items[b->n++] = (struct server_batch_item){ .comp = p->action == PAIR_APPLY ? &p->t->comp : NULL,
							       .host = p->host, .reply = SERVER_REPLY_INIT };
	}
	b->items = j->items;
	return 0;
}

/* What server SR's batch (J, B) did, into its pairs. */
static void batch_settle(struct sync_run *run, struct batch_job *j, const struct server_batch *b)
{
	struct server_run *sr = j->sr;

	if (b->rc == -ENODEV) {
		hide_server(run, sr, &j->d);
	} else if (b->rc < 0 && (j->d.exit_code == EXIT_DATAERR || j->d.exit_code == EXIT_USAGE)) {
		/* A config or a record refused: which component it concerns is said by the calls one by one. */
		if (run->ctx->verbose)
			ctx_error("%s; asking component by component", j->d.msg);
	} else {
		/* Done, or the adapter failed (killed, timed out, could not write): every pair says so. */
		for (size_t i = 0; i < b->n; i++) {
			if (j->ps[i]->action == PAIR_APPLY)
				settle(run, j->ps[i], b->rc, &j->items[i].reply, &j->d);
			else
				settle_remove(run, j->ps[i], b->rc, &j->items[i].reply, &j->d);
		}
	}
	if (b->rc == 0)
		sync_relay("server", sr->a->name, &j->notes, NULL);
}

/*
 * Every pair of each server in one call, when its adapter takes --batch (not
 * in a dry run: the diffs are per component), the servers side by side:
 * each adapter edits its own server's files only.  A batch is called with
 * no component too: it says whether the server is installed, for the lines
 * of the others.  Should a batch refuse a config or a record, nothing was
 * written, and its pairs are left to be done one by one, each with its own
 * message.  What they did is taken server by server, in their order.
 */
static void apply_batches(struct sync_run *run)
{
	struct adapter_call call = ctx_call(run->ctx);
	struct batch_job *jobs = calloc(run->nsr + 1, sizeof(*jobs));
	struct server_batch *b = calloc(run->nsr + 1, sizeof(*b));
	size_t n = 0;

	for (size_t s = 0; jobs && b && s < run->nsr; s++) {
		struct server_run *sr = &run->sr[s];
		if (!(sr->a->caps & CAP_BATCH) || run->o->dry_run || sr->failed || sr->absent)
			continue;
		if (batch_collect(run, sr, &jobs[n], &b[n]) == 0) {
			n++;
			continue;
		}
		free(jobs[n].items); /* out of memory: its pairs are done one by one */
		free(jobs[n].ps);
	}
	server_batch_all(&call, b, n);
	for (size_t i = 0; i < n; i++) {
		batch_settle(run, &jobs[i], &b[i]);
		for (size_t k = 0; k < b[i].n; k++)
			server_reply_free(&jobs[i].items[k].reply);
		buf_free(&jobs[i].notes);
		free(jobs[i].items);
		free(jobs[i].ps);
	}
	free(jobs);
	free(b);
}

/* A network step of the check after a reload waits no longer. */
#define SYNC_LIVE_TIMEOUT_MS 10000

/*
 * After a reload, prove on the running server that each pair it changed is
 * live, as `check` does: a reload that left it half-applied (Prosody's new
 * component not activated, ejabberd's listener closed) is an error, never
 * silent.  A change that needs a restart is not checked: the restart is due.
 */
static void live_check(struct sync_run *run, struct server_run *sr)
{
	struct adapter_call call = ctx_call(run->ctx);
	int timeout = run->ctx->timeout_ms < SYNC_LIVE_TIMEOUT_MS ? run->ctx->timeout_ms : SYNC_LIVE_TIMEOUT_MS;

	for (size_t i = 0; i < run->npairs; i++) {
		struct pair *p = &run->pairs[i];
		struct link_result r;
		struct diag d = DIAG_INIT;
		if (p->s != sr || p->hidden || !p->t || p->action != PAIR_APPLY || !p->changed || p->restart ||
		    linkcheck(&call, sr->a, &p->t->comp, timeout, &r) < 0)
			continue;
		p->live = linkcheck_word(r.status);
		p->live_text = strdup(r.text);
		/* A server that is not running (its adapter said so) reads the config when it starts. */
		if (!linkcheck_bad(r.status) || r.status == LINK_SERVER_DOWN)
			continue;
		diag_set(&d, EIO, EXIT_UNAVAILABLE, "server %s: %s is not live after the reload: %s (%s)", sr->a->name, p->host,
			 p->live, r.text);
		ctx_error("%s", d.msg);
		sync_note_error(run, &d, EXIT_UNAVAILABLE);
	}
}

static void reload_server(struct sync_run *run, struct server_run *sr)
{
	struct adapter_call call = ctx_call(run->ctx);
	struct server_reply reply = SERVER_REPLY_INIT;
	struct diag d = DIAG_INIT;
	int mode = run->o->reload;

	if (sr->restart)
		ctx_error("server %s: %s for the change to take effect", sr->a->name,
			  run->o->dry_run ? "would need a restart" : "restart it");
	if (!sr->changed || run->o->dry_run)
		return;
	/* Under another root the running services are not the ones whose configs we edited. */
	if (mode == RELOAD_NEVER || (mode == RELOAD_AUTO && !safefs_root_is_host(&run->ctx->root))) {
		if (run->ctx->verbose)
			ctx_error("server %s: config changed; not reloaded (%s)", sr->a->name,
				  mode == RELOAD_NEVER ? "--no-reload" : "--root is not /");
		return;
	}
	if (!(sr->a->caps & CAP_RELOAD)) {
		ctx_error("server %s: config changed; the adapter cannot reload it: reload %s by hand", sr->a->name,
			  sr->a->name);
		return;
	}
	if (server_reload(&call, sr->a, &sr->added, &sr->removed, &reply, &d) < 0) {
		ctx_error("%s", d.msg);
		sync_note_error(run, &d, EXIT_UNAVAILABLE);
		audit_log(&run->au, NULL, "server=%s reload=failed", sr->a->name);
	} else {
		audit_log(&run->au, NULL, "server=%s reload=done", sr->a->name);
		sync_relay("server", sr->a->name, &reply.text, NULL);
		sync_relay("server", sr->a->name, &reply.notes, NULL);
		live_check(run, sr);
	}
	server_reply_free(&reply);
}

void sync_apply(struct sync_run *run)
{
	struct diag d = DIAG_INIT;

	for (size_t s = 0; s < run->nsr; s++)
		if ((run->sr[s].a->caps & CAP_SHARED) && !run->sr[s].absent)
			apply_shared(run, &run->sr[s]);
	apply_batches(run);
	for (size_t i = 0; i < run->npairs; i++) {
		struct pair *p = &run->pairs[i];
		if (p->hidden || p->word) /* settled already: by the plan, the shared step or a batch */
			continue;
		if (p->action == PAIR_APPLY)
			apply_pair(run, p);
		else if (p->action == PAIR_REMOVE)
			remove_pair(run, p);
	}
	if (!run->o->dry_run && state_save(&run->st, &run->ctx->root, &d) < 0) {
		ctx_error("%s", d.msg);
		sync_note_error(run, &d, EXIT_CANTCREAT);
	}
	for (size_t s = 0; s < run->nsr; s++)
		if (!run->sr[s].absent)
			reload_server(run, &run->sr[s]);
	diag_clear(&d);
	if (audit_finish(&run->au, &d) < 0) { /* a change made but not logged is an error, not a footnote */
		ctx_error("%s", d.msg);
		sync_note_error(run, &d, EXIT_CANTCREAT);
	}
}
