/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sync-plan: what a run of sync or list will do, pair by pair, before anything is written. */
#include "sync.h"
#include "exitcode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool wanted(const char *only, const char *name)
{
	return !only || strcmp(only, name) == 0;
}

static bool has_usable(const struct adapter_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0 && adapter_usable(&l->v[i]))
			return true;
	return false;
}

void sync_note_error(struct sync_run *run, const struct diag *d, int fallback)
{
	if (run->code == EXIT_OK)
		run->code = d && d->exit_code ? d->exit_code : fallback;
}

struct pair *sync_add_pair(struct sync_run *run)
{
	struct pair *p;

	if (run->npairs == run->cap) {
		size_t cap = run->cap ? 2 * run->cap : 16;
		struct pair *v = realloc(run->pairs, cap * sizeof(*v));
		if (!v)
			return NULL;
		run->pairs = v;
		run->cap = cap;
	}
	p = &run->pairs[run->npairs++];
	*p = (struct pair){ .host = "-", .diff = BUF_INIT, .remarks = BUF_INIT };
	return p;
}

static int discover(struct sync_run *run)
{
	const struct sync_opts *o = run->o;
	struct diag d = DIAG_INIT;
	const char *bad_kind = NULL, *bad_name = NULL;

	if (adapter_discover(&run->ctx->root, ADAPTER_TRANSPORT, &run->transports, &d) < 0 ||
	    adapter_discover(&run->ctx->root, ADAPTER_SERVER, &run->servers, &d) < 0) {
		ctx_error("%s", d.msg);
		return d.exit_code ? d.exit_code : EXIT_OSERR;
	}
	if (o->only_transport && !has_usable(&run->transports, o->only_transport))
		bad_kind = "transport", bad_name = o->only_transport;
	else if (o->only_server && !has_usable(&run->servers, o->only_server))
		bad_kind = "server", bad_name = o->only_server;
	if (bad_kind) {
		ctx_error("%s \"%.60s\": no such adapter (see `jabber-dispatch adapters`)", bad_kind, bad_name);
		return EXIT_USAGE;
	}
	sync_noop_caps(run);
	if (state_load(&run->ctx->root, &run->st, &d) < 0) {
		ctx_error("%s", d.msg);
		return d.exit_code ? d.exit_code : EXIT_DATAERR;
	}
	run->tr = calloc(run->transports.n + 1, sizeof(*run->tr));
	run->sr = calloc(run->servers.n + 1, sizeof(*run->sr));
	return run->tr && run->sr ? EXIT_OK : EXIT_OSERR;
}

/* Ask every transport once: its answer, or why there is none. */
static void ask_transports(struct sync_run *run)
{
	struct adapter_call call = ctx_call(run->ctx);

	transport_prefetch(&call, &run->transports, run->o->only_transport); /* the descriptors: one describe for all */
	for (size_t t = 0; t < run->transports.n; t++) {
		struct transport_run *tr = &run->tr[run->ntr++];
		struct diag d = DIAG_INIT;
		int rc;

		*tr = (struct transport_run){ .a = &run->transports.v[t], .comp = COMPONENT_INIT };
		if (!adapter_usable(tr->a) || !wanted(run->o->only_transport, tr->a->name))
			continue;
		tr->asked = true;
		/*
		 * A transport on another machine is the admin's entry (`import`):
		 * only those are asked for their capabilities here, one spawn each,
		 * to learn whether they connect from elsewhere (server-address).
		 * A descriptor run by describe never does: it is not asked.
		 */
		if (tr->a->admin && !tr->a->described)
			adapter_probe(&call, tr->a);
		rc = transport_query(&call, tr->a, &tr->comp, &d);
		if (rc == 0)
			continue;
		tr->reason = strdup(d.msg);
		if (rc == -ENOENT) {
			tr->absent = true; /* its package is not installed: as if it had no adapter */
			tr->word = "absent";
		} else if (rc == -ENODATA) {
			tr->word = "unconfigured";
		} else {
			tr->word = "error";
			ctx_error("%s", d.msg);
			sync_note_error(run, &d, EXIT_UNAVAILABLE);
		}
		if ((rc == -ENODATA || rc == -ENOENT) && run->ctx->verbose)
			ctx_error("%s", d.msg);
	}
}

/* Whether transport T is ready to be connected, or already refused here for its host. */
static bool claims_host(const struct transport_run *t)
{
	return t->asked && (!t->word || strcmp(t->word, "conflict") == 0);
}

/*
 * Two transports naming one host would each rewrite the other's component
 * on every run: neither gets it, and both keep what they had.
 */
static void refuse_shared_hosts(struct sync_run *run)
{
	for (size_t i = 0; i < run->ntr; i++) {
		struct transport_run *a = &run->tr[i];
		const struct transport_run *other = NULL;
		struct diag d = DIAG_INIT;

		for (size_t j = 0; j < run->ntr && !other && claims_host(a); j++)
			if (j != i && claims_host(&run->tr[j]) && strcmp(a->comp.host, run->tr[j].comp.host) == 0)
				other = &run->tr[j];
		if (!other)
			continue;
		diag_set(&d, EEXIST, EXIT_DATAERR, "transport %s: claims the host %s, as transport %s does: neither is "
			 "connected until one of them names another", a->a->name, a->comp.host, other->a->name);
		ctx_error("%s", d.msg);
		sync_note_error(run, &d, EXIT_DATAERR);
		free(a->reason);
		a->reason = strdup(d.msg);
		a->word = "conflict";
	}
}

/*
 * -ENODEV when server SA is not installed here.  An adapter that takes
 * --batch says so in the batch of the run itself; in a dry run, where there
 * is none, in an empty one (which reads no config).  Others are asked --list.
 */
static int server_here(const struct sync_run *run, const struct adapter_call *call, const struct adapter *sa,
		       struct diag *d)
{
	struct buf notes = BUF_INIT;
	int rc;

	if (!(sa->caps & CAP_BATCH))
		return server_present(call, sa, d);
	if (!run->o->dry_run)
		return 0;
	rc = server_batch(call, sa, NULL, 0, &notes, d);
	buf_free(&notes);
	return rc == -ENODEV ? rc : 0;
}

/* Which servers take part; one that is not installed here gets no line at all. */
static void find_servers(struct sync_run *run)
{
	struct adapter_call call = ctx_call(run->ctx);
	struct adapter **ask = calloc(run->servers.n + 1, sizeof(*ask));

	for (size_t s = 0; s < run->servers.n; s++) {
		struct adapter *sa = &run->servers.v[s];
		if (adapter_usable(sa) && wanted(run->o->only_server, sa->name))
			run->sr[run->nsr++] = (struct server_run){ .a = sa, .added = STRV_INIT, .removed = STRV_INIT };
	}
	/* Their --capabilities side by side first: each is a process of its own. */
	for (size_t s = 0; ask && s < run->nsr; s++)
		ask[s] = run->sr[s].a;
	if (ask)
		adapter_probe_prefetch(&call, ask, run->nsr);
	free(ask);
	for (size_t s = 0; s < run->nsr; s++) {
		struct server_run *sr = &run->sr[s];
		struct diag d = DIAG_INIT;

		adapter_probe(&call, sr->a);
		if (server_here(run, &call, sr->a, &d) == -ENODEV) {
			sr->absent = true;
			if (run->ctx->verbose)
				ctx_error("%s", d.msg);
		}
	}
}

/* Every transport x server pair, by server then transport, with what to do with it. */
static int plan_pairs(struct sync_run *run)
{
	for (size_t s = 0; s < run->nsr; s++) {
		struct server_run *sr = &run->sr[s];
		for (size_t t = 0; t < run->ntr && !sr->absent; t++) {
			struct transport_run *tr = &run->tr[t];
			struct pair *p;
			if (!tr->asked || tr->absent)
				continue;
			if (!(p = sync_add_pair(run)))
				return EXIT_OSERR;
			p->t = tr;
			p->s = sr;
			p->transport = tr->a->name;
			p->server = sr->a->name;
			p->action = tr->word ? PAIR_DECIDED : PAIR_APPLY;
			p->word = tr->word;
			p->reason = tr->reason ? strdup(tr->reason) : NULL;
			if (!tr->word || strcmp(tr->word, "conflict") == 0) {
				p->host = tr->comp.host;
				p->port = tr->comp.port;
			}
		}
	}
	return EXIT_OK;
}

static struct transport_run *find_transport(struct sync_run *run, const char *name)
{
	for (size_t t = 0; t < run->ntr; t++)
		if (strcmp(run->tr[t].a->name, name) == 0)
			return &run->tr[t];
	return NULL;
}

static struct server_run *find_server(struct sync_run *run, const char *name)
{
	for (size_t s = 0; s < run->nsr; s++)
		if (strcmp(run->sr[s].a->name, name) == 0)
			return &run->sr[s];
	return NULL;
}

/*
 * Whether the component HOST, recorded for transport TR, is a leftover to
 * take out: only when the transport is gone (no adapter any more, masked,
 * or its package not installed) or now names another host.  A transport
 * that failed, is unconfigured, or whose adapter is refused keeps it.
 */
static bool is_leftover(const struct sync_run *run, const struct transport_run *tr, const char *host)
{
	/* Another transport names it now: its pair takes the component over, nothing to remove. */
	for (size_t t = 0; t < run->ntr; t++)
		if (claims_host(&run->tr[t]) && strcmp(run->tr[t].comp.host, host) == 0)
			return false;
	if (!tr || tr->a->masked || tr->absent || tr->a->skipped)
		return true; /* skipped: not removed, but reported (plan_kept) */
	return tr->asked && !tr->word && strcmp(tr->comp.host, host) != 0;
}

/* A component kept because its transport adapter was refused: the run says so and fails. */
static int plan_kept(struct sync_run *run, const struct state_entry *e, struct transport_run *tr,
		     struct server_run *sr)
{
	struct pair *p = sync_add_pair(run);
	struct diag d = DIAG_INIT;

	if (!p)
		return EXIT_OSERR;
	diag_set(&d, EPERM, EXIT_UNAVAILABLE, "transport %s: adapter skipped (%s): its component %s in server %s is kept",
		 e->transport, tr->a->skipped, e->host, e->server);
	ctx_error("%s", d.msg);
	sync_note_error(run, &d, EXIT_UNAVAILABLE);
	*p = (struct pair){ .t = tr, .s = sr, .transport = e->transport, .server = e->server, .host = e->host,
			    .action = PAIR_DECIDED, .word = "error", .reason = strdup(d.msg), .diff = BUF_INIT,
			    .remarks = BUF_INIT };
	return EXIT_OK;
}

/* What transports left behind, from the state of the last runs. */
static int plan_leftovers(struct sync_run *run)
{
	for (size_t i = 0; i < run->st.n; i++) {
		struct state_entry *e = &run->st.v[i];
		struct server_run *sr = find_server(run, e->server);
		struct transport_run *tr = find_transport(run, e->transport);
		struct pair *p;

		if (e->dropped || !sr || sr->absent || !wanted(run->o->only_transport, e->transport))
			continue;
		if (!is_leftover(run, tr, e->host))
			continue;
		if (tr && !tr->a->masked && tr->a->skipped) {
			if (plan_kept(run, e, tr, sr) != EXIT_OK)
				return EXIT_OSERR;
			continue;
		}
		if (!(p = sync_add_pair(run)))
			return EXIT_OSERR;
		p->t = tr;
		p->s = sr;
		p->transport = e->transport;
		p->server = e->server;
		p->host = e->host;
		p->action = PAIR_REMOVE;
	}
	return EXIT_OK;
}

int sync_plan(struct sync_run *run)
{
	int code;

	audit_init(&run->au, &run->ctx->root);
	if ((code = discover(run)) != EXIT_OK)
		return code;
	ask_transports(run);
	refuse_shared_hosts(run);
	find_servers(run);
	if ((code = plan_pairs(run)) != EXIT_OK)
		return code;
	return plan_leftovers(run);
}

void sync_free(struct sync_run *run)
{
	for (size_t i = 0; i < run->npairs; i++) {
		buf_free(&run->pairs[i].diff);
		buf_free(&run->pairs[i].remarks);
		free(run->pairs[i].reason);
		free(run->pairs[i].live_text);
	}
	for (size_t s = 0; s < run->nsr; s++) {
		strv_free(&run->sr[s].added);
		strv_free(&run->sr[s].removed);
		free(run->sr[s].reason);
	}
	for (size_t t = 0; t < run->ntr; t++) {
		component_free(&run->tr[t].comp);
		free(run->tr[t].reason);
	}
	free(run->pairs);
	free(run->sr);
	free(run->tr);
	state_free(&run->st);
	adapter_list_free(&run->transports);
	adapter_list_free(&run->servers);
	audit_close(&run->au);
}
