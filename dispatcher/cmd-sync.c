/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sync and list: every transport adapter's answer fed to every server adapter. */
#include "audit.h"
#include "state.h"
#include "ctx.h"
#include "exitcode.h"
#include "validate.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum reload_mode { RELOAD_AUTO, RELOAD_ALWAYS, RELOAD_NEVER };

struct sync_opts {
	const char *only_transport, *only_server;
	int reload; /* enum reload_mode */
	bool dry_run; /* --dry-run, or `list` */
	bool list; /* the `list` command: a dry run that reports states, no diffs */
};

/* One transport x server pair. */
struct pair {
	const char *transport, *server;
	const char *host; /* "-" when the transport gave none */
	unsigned port;
	const char *word; /* result word, "unconfigured" or "error" */
	bool restart;
	struct buf diff;
};

/* One server's changes in this run, for its reload. */
struct server_run {
	struct adapter *a;
	struct strv added, removed;
	bool changed, restart;
	bool failed; /* its shared values could not be had: no pair with it is tried */
	bool absent; /* its adapter says the server is not installed here: left out */
};

/* Append S as a JSON string; bytes that are not UTF-8 (an odd file name) become U+FFFD. */
static int json_str(struct buf *out, const char *s)
{
	size_t len = strlen(s);
	int rc = buf_putc(out, '"');
	for (size_t i = 0; i < len && rc == 0;) {
		unsigned char c = (unsigned char)s[i];
		size_t n = validate_utf8_char(s + i, len - i);
		if (n == 0) {
			rc = buf_puts(out, "\\ufffd");
			i++;
			continue;
		}
		if (c == '"' || c == '\\')
			rc = buf_printf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			rc = buf_printf(out, "\\u%04x", c);
		else
			rc = buf_append(out, s + i, n);
		i += n;
	}
	return rc ? rc : buf_putc(out, '"');
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

static void print_pairs(const struct ctx *ctx, const struct sync_opts *o, const struct audit *au,
			struct pair *pairs, size_t n, int code)
{
	struct buf out = BUF_INIT;

	if (ctx->json) {
		buf_puts(&out, "{\"run\":");
		json_str(&out, au->run_id);
		buf_printf(&out, ",\"dry_run\":%s,\"pairs\":[", o->dry_run ? "true" : "false");
		for (size_t i = 0; i < n; i++) {
			buf_puts(&out, i ? ",{\"transport\":" : "{\"transport\":");
			json_str(&out, pairs[i].transport);
			buf_puts(&out, ",\"server\":");
			json_str(&out, pairs[i].server);
			buf_puts(&out, ",\"host\":");
			json_str(&out, pairs[i].host);
			buf_printf(&out, ",\"port\":%u,\"result\":", pairs[i].port);
			json_str(&out, pairs[i].word);
			buf_printf(&out, ",\"restart\":%s", pairs[i].restart ? "true" : "false");
			if (pairs[i].diff.len && !o->list) {
				buf_puts(&out, ",\"diff\":");
				json_str(&out, buf_str(&pairs[i].diff));
			}
			buf_putc(&out, '}');
		}
		buf_printf(&out, "],\"exit\":%d}\n", code);
	} else {
		for (size_t i = 0; i < n; i++) {
			buf_printf(&out, "%-16s %-12s %-32s %s%s\n", pairs[i].transport, pairs[i].server, pairs[i].host,
				   pairs[i].word, pairs[i].restart ? " (restart needed)" : "");
			if (!o->list)
				buf_append(&out, buf_str(&pairs[i].diff), pairs[i].diff.len);
		}
	}
	fwrite(buf_str(&out), 1, out.len, stdout);
	buf_free(&out);
}

/*
 * Pass on, line by line, what an adapter had to say (a remark on stderr, or
 * what a reload did): "jabber-dispatch: server NAME: LINE".  Control
 * characters are shown as '?': an adapter must not drive the terminal.
 */
static void relay(const char *kind, const char *name, const struct buf *text)
{
	const char *p = buf_str(text);
	int lines = 0;

	while (*p && lines++ < 20) {
		size_t n = strcspn(p, "\n");
		char line[300];
		size_t k;
		for (k = 0; k < n && k < sizeof(line) - 1; k++)
			line[k] = ((unsigned char)p[k] < 0x20 || p[k] == 0x7f) ? '?' : p[k];
		line[k] = '\0';
		if (k)
			ctx_error("%s %s: %s", kind, name, line);
		p += n + (p[n] == '\n');
	}
}

/* Keep the first error's exit status. */
static void note_error(int *code, const struct diag *d, int fallback)
{
	if (*code == EXIT_OK)
		*code = d->exit_code ? d->exit_code : fallback;
}

static bool has_usable(const struct adapter_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0 && adapter_usable(&l->v[i]))
			return true;
	return false;
}

static bool wanted(const char *only, const char *name)
{
	return !only || strcmp(only, name) == 0;
}

static void reload_servers(struct ctx *ctx, const struct sync_opts *o, struct audit *au, struct server_run *runs,
			   size_t n, int *code)
{
	struct adapter_call call = ctx_call(ctx);

	for (size_t s = 0; s < n; s++) {
		struct server_run *sr = &runs[s];
		struct server_reply reply = SERVER_REPLY_INIT;
		struct diag d = DIAG_INIT;

		if (sr->restart)
			ctx_error("server %s: %s for the change to take effect", sr->a->name,
				  o->dry_run ? "would need a restart" : "restart it");
		if (!sr->changed || o->dry_run)
			continue;
		/* Under another root the running services are not the ones whose configs we edited. */
		if (o->reload == RELOAD_NEVER || (o->reload == RELOAD_AUTO && !safefs_root_is_host(&ctx->root))) {
			if (ctx->verbose)
				ctx_error("server %s: config changed; not reloaded (%s)", sr->a->name,
					  o->reload == RELOAD_NEVER ? "--no-reload" : "--root is not /");
			continue;
		}
		if (!(sr->a->caps & CAP_RELOAD)) {
			ctx_error("server %s: config changed; the adapter cannot reload it: reload %s by hand",
				  sr->a->name, sr->a->name);
			continue;
		}
		if (server_reload(&call, sr->a, &sr->added, &sr->removed, &reply, &d) < 0) {
			ctx_error("%s", d.msg);
			note_error(code, &d, EXIT_UNAVAILABLE);
			audit_log(au, NULL, "server=%s reload=failed", sr->a->name);
		} else {
			audit_log(au, NULL, "server=%s reload=done", sr->a->name);
			relay("server", sr->a->name, &reply.text);
			relay("server", sr->a->name, &reply.notes);
		}
		server_reply_free(&reply);
	}
}

/*
 * A server that imposes one port and one secret on every component (jabberd2)
 * is served first: each transport adopts its values through --set-port and
 * --set-password, so that every server then gets the same, working values.
 * A transport that cannot adopt them, or that already follows another such
 * server with other values, is a conflict for that pair.
 */
static void adopt_shared(struct ctx *ctx, const struct sync_opts *o, struct audit *au, struct adapter_list *transports,
			 struct component *comps, const char **tword, struct adapter *sa, struct server_run *sr,
			 char **conflict, const char **pinned, int *code)
{
	struct adapter_call call = ctx_call(ctx);
	struct component shared = COMPONENT_INIT;
	struct server_reply reply = SERVER_REPLY_INIT;
	struct diag d = DIAG_INIT;

	int rc = server_shared(&call, sa, o->dry_run, &shared, &reply, &d);
	if (rc == -ENODEV) {
		sr->absent = true;
		if (ctx->verbose)
			ctx_error("%s", d.msg);
		goto out;
	}
	if (rc < 0) {
		ctx_error("%s", d.msg);
		note_error(code, &d, EXIT_UNAVAILABLE);
		sr->failed = true;
		goto out;
	}
	relay("server", sa->name, &reply.notes);
	if (protocol_result_changed(reply.result)) {
		if (!o->dry_run) {
			sr->changed = true;
			audit_log(au, NULL, "server=%s shared-secret=%s", sa->name, protocol_result_word(reply.result));
		}
		sr->restart |= reply.restart;
		ctx_error("server %s: %s its shared component secret (stock or missing)", sa->name,
			  o->dry_run ? "would replace" : "replaced");
	}
	for (size_t t = 0; t < transports->n; t++) {
		struct adapter *ta = &transports->v[t];
		struct server_reply set = SERVER_REPLY_INIT;
		bool port_differs, secret_differs;
		unsigned need;

		if (tword[t] || !adapter_usable(ta) || !wanted(o->only_transport, ta->name))
			continue;
		port_differs = comps[t].port != shared.port;
		secret_differs = !buf_equal(&comps[t].secret, &shared.secret);
		if (!port_differs && !secret_differs)
			continue;
		need = (port_differs ? CAP_SET_PORT : 0) | (secret_differs ? CAP_SET_PASSWORD : 0);
		if (pinned[t]) {
			if (asprintf(&conflict[t], "transport %s: follows the port and secret of server %s; server %s imposes others",
				     ta->name, pinned[t], sa->name) < 0)
				conflict[t] = NULL;
			continue;
		}
		adapter_probe(&call, ta);
		if ((ta->caps & need) != need) {
			if (asprintf(&conflict[t], "transport %s: server %s imposes its own %s%s%s, and the adapter cannot adopt %s (no %s)",
				     ta->name, sa->name, port_differs ? "port" : "", need == (CAP_SET_PORT | CAP_SET_PASSWORD) ? " and " : "",
				     secret_differs ? "secret" : "", need == (CAP_SET_PORT | CAP_SET_PASSWORD) ? "them" : "it",
				     (need & ~ta->caps & CAP_SET_PASSWORD) ? "set-password" : "set-port") < 0)
				conflict[t] = NULL;
			continue;
		}
		pinned[t] = sa->name;
		if (o->dry_run) {
			/* Show what the other servers would get once the transport has adopted the values. */
			ctx_error("transport %s: would adopt the %s%s%s of server %s", ta->name, port_differs ? "port" : "",
				  need == (CAP_SET_PORT | CAP_SET_PASSWORD) ? " and " : "", secret_differs ? "secret" : "", sa->name);
		} else {
			diag_clear(&d);
			if (transport_set(&call, ta, port_differs ? shared.port : 0, secret_differs ? &shared.secret : NULL, &set,
					  &d) < 0) {
				ctx_error("%s", d.msg);
				note_error(code, &d, EXIT_UNAVAILABLE);
				tword[t] = "error";
				server_reply_free(&set);
				continue;
			}
			audit_log(au, NULL, "transport=%s adopted-from=%s port=%u result=%s", ta->name, sa->name, shared.port,
				  protocol_result_word(set.result));
			relay("transport", ta->name, &set.notes);
			ctx_error("transport %s: adopted the %s%s%s of server %s; restart it", ta->name, port_differs ? "port" : "",
				  need == (CAP_SET_PORT | CAP_SET_PASSWORD) ? " and " : "", secret_differs ? "secret" : "", sa->name);
			server_reply_free(&set);
		}
		comps[t].port = shared.port;
		buf_truncate(&comps[t].secret, 0);
		if (buf_append(&comps[t].secret, shared.secret.data, shared.secret.len) < 0)
			tword[t] = "error";
	}
out:
	server_reply_free(&reply);
	component_free(&shared);
}

/*
 * What a transport left behind: a component recorded in the state whose
 * transport adapter is gone (the package was removed, or the admin masked
 * it), or whose transport now names another host.  Each is removed from its
 * server again, as far as the server adapter says it is ours.
 */
static void prune(struct ctx *ctx, const struct sync_opts *o, struct audit *au, struct state_file *st,
		  const struct adapter_list *transports, const struct component *comps, const char **tword,
		  struct server_run *runs, size_t nruns, struct pair *pairs, size_t *npairs, int *code)
{
	struct adapter_call call = ctx_call(ctx);

	for (size_t i = 0; i < st->n; i++) {
		struct state_entry *e = &st->v[i];
		struct server_run *sr = NULL;
		struct server_reply reply = SERVER_REPLY_INIT;
		struct diag d = DIAG_INIT;
		const struct adapter *ta = NULL;
		size_t t;
		struct pair *p;

		for (size_t s = 0; s < nruns; s++)
			if (strcmp(runs[s].a->name, e->server) == 0)
				sr = &runs[s];
		for (t = 0; t < transports->n && !ta; t++)
			if (strcmp(transports->v[t].name, e->transport) == 0)
				ta = &transports->v[t];
		t--;
		if (e->dropped || !sr || sr->failed || sr->absent || !wanted(o->only_transport, e->transport))
			continue;
		/* Still there and still naming this host, or not answering now: keep it. */
		if (ta && !ta->masked && (tword[t] || strcmp(comps[t].host, e->host) == 0))
			continue;
		p = &pairs[(*npairs)++];
		*p = (struct pair){ .transport = e->transport, .server = e->server, .host = e->host, .diff = BUF_INIT };
		if (server_remove(&call, sr->a, e->host, o->dry_run, &reply, &d) < 0) {
			p->word = "error";
			ctx_error("%s (removing %s, left by transport %s)", d.msg, e->host, e->transport);
			note_error(code, &d, EXIT_UNAVAILABLE);
			server_reply_free(&reply);
			continue;
		}
		p->word = o->list ? "orphan" : protocol_result_word(reply.result);
		p->diff = reply.text;
		reply.text = (struct buf)BUF_INIT;
		if (!o->list)
			relay("server", sr->a->name, &reply.notes);
		if (o->dry_run)
			continue;
		if (reply.result == RESULT_REMOVED) {
			sr->changed = true;
			strv_push(&sr->removed, e->host);
			audit_log(au, NULL, "transport=%s server=%s host=%s result=removed (transport %s)", e->transport,
				  e->server, e->host, ta ? "renamed it" : "gone");
		}
		state_drop(st, e->server, e->host);
	}
}

static int run_pairs(struct ctx *ctx, const struct sync_opts *o)
{
	struct adapter_list transports = ADAPTER_LIST_INIT, servers = ADAPTER_LIST_INIT;
	struct adapter_call call = ctx_call(ctx);
	struct pair *pairs = NULL;
	struct server_run *runs = NULL;
	struct component *comps = NULL;
	struct state_file st = STATE_INIT;
	const char **tword = NULL, **pinned = NULL;
	char **conflict = NULL; /* per transport x server: why the pair cannot be made */
	struct audit au;
	struct diag d = DIAG_INIT;
	size_t npairs = 0, nruns = 0;
	int code = EXIT_OK;

	audit_init(&au, &ctx->root);
	if (adapter_discover(&ctx->root, ADAPTER_TRANSPORT, &transports, &d) < 0 ||
	    adapter_discover(&ctx->root, ADAPTER_SERVER, &servers, &d) < 0) {
		ctx_error("%s", d.msg);
		code = d.exit_code ? d.exit_code : EXIT_OSERR;
		goto out;
	}
	if ((o->only_transport && !has_usable(&transports, o->only_transport)) ||
	    (o->only_server && !has_usable(&servers, o->only_server))) {
		ctx_error("%s \"%.60s\": no such adapter (see `jabber-dispatch adapters`)",
			  o->only_transport && !has_usable(&transports, o->only_transport) ? "transport" : "server",
			  o->only_transport && !has_usable(&transports, o->only_transport) ? o->only_transport
											    : o->only_server);
		code = EXIT_USAGE;
		goto out;
	}
	if (state_load(&ctx->root, &st, &d) < 0) {
		ctx_error("%s", d.msg);
		code = d.exit_code ? d.exit_code : EXIT_DATAERR;
		goto out;
	}
	comps = calloc(transports.n + 1, sizeof(*comps));
	tword = calloc(transports.n + 1, sizeof(*tword));
	pairs = calloc((transports.n + 1) * (servers.n + 1) + st.n, sizeof(*pairs));
	runs = calloc(servers.n + 1, sizeof(*runs));
	pinned = calloc(transports.n + 1, sizeof(*pinned));
	conflict = calloc((transports.n + 1) * (servers.n + 1), sizeof(*conflict));
	if (!comps || !tword || !pairs || !runs || !pinned || !conflict) {
		code = EXIT_OSERR;
		goto out;
	}

	/* Ask every transport first: one answer each, whatever the number of servers. */
	for (size_t t = 0; t < transports.n; t++) {
		struct adapter *ta = &transports.v[t];
		comps[t] = (struct component)COMPONENT_INIT;
		if (!adapter_usable(ta) || !wanted(o->only_transport, ta->name))
			continue;
		diag_clear(&d);
		int rc = transport_query(&call, ta, &comps[t], &d);
		if (rc == -ENODATA) {
			tword[t] = "unconfigured";
			if (ctx->verbose)
				ctx_error("%s", d.msg);
		} else if (rc < 0) {
			tword[t] = "error";
			ctx_error("%s", d.msg);
			note_error(&code, &d, EXIT_UNAVAILABLE);
		}
	}

	for (size_t s = 0; s < servers.n; s++) {
		struct adapter *sa = &servers.v[s];
		if (!adapter_usable(sa) || !wanted(o->only_server, sa->name))
			continue;
		runs[nruns].a = sa;
		adapter_probe(&call, sa);
		/* A server that is not installed here gets no line at all, not even for unconfigured transports. */
		diag_clear(&d);
		if (server_present(&call, sa, &d) == -ENODEV) {
			runs[nruns].absent = true;
			if (ctx->verbose)
				ctx_error("%s", d.msg);
		}
		nruns++;
	}
	for (size_t s = 0; s < nruns; s++)
		if ((runs[s].a->caps & CAP_SHARED) && !runs[s].absent)
			adopt_shared(ctx, o, &au, &transports, comps, tword, runs[s].a, &runs[s], conflict + s * transports.n,
				     pinned, &code);

	for (size_t s = 0; s < nruns; s++) {
		struct server_run *sr = &runs[s];
		struct adapter *sa = sr->a;
		for (size_t t = 0; t < transports.n; t++) {
			struct adapter *ta = &transports.v[t];
			struct server_reply reply = SERVER_REPLY_INIT;
			struct pair *p;
			if (!adapter_usable(ta) || !wanted(o->only_transport, ta->name))
				continue;
			p = &pairs[npairs++];
			*p = (struct pair){ .transport = ta->name, .server = sa->name, .host = "-", .diff = BUF_INIT };
			if (sr->absent) {
				npairs--;
				break;
			}
			if (tword[t]) {
				p->word = tword[t];
				continue;
			}
			if (sr->failed) {
				p->word = "error";
				continue;
			}
			if (conflict[s * transports.n + t]) {
				struct diag cd = DIAG_INIT;
				p->host = comps[t].host;
				p->port = comps[t].port;
				p->word = "conflict";
				ctx_error("%s", conflict[s * transports.n + t]);
				diag_set(&cd, EINVAL, EXIT_DATAERR, "conflict");
				note_error(&code, &cd, EXIT_DATAERR);
				continue;
			}
			p->host = comps[t].host;
			p->port = comps[t].port;
			diag_clear(&d);
			int applied = server_apply(&call, sa, &comps[t], o->dry_run, &reply, &d);
			if (applied == -ENODEV) {
				/* The server is not installed here: no line for it at all. */
				sr->absent = true;
				npairs--;
				if (ctx->verbose)
					ctx_error("%s", d.msg);
				break;
			}
			if (applied < 0) {
				p->word = "error";
				ctx_error("%s (for %s)", d.msg, comps[t].host);
				note_error(&code, &d, EXIT_UNAVAILABLE);
				if (!o->dry_run)
					audit_log(&au, NULL, "transport=%s server=%s host=%s result=error", ta->name,
						  sa->name, comps[t].host);
				server_reply_free(&reply);
				continue;
			}
			p->word = o->list ? list_word(reply.result) : protocol_result_word(reply.result);
			p->restart = reply.restart;
			if (!o->list)
				relay("server", sa->name, &reply.notes);
			p->diff = reply.text;
			reply.text = (struct buf)BUF_INIT;
			server_reply_free(&reply); /* the notes, relayed above */
			if (!o->dry_run && (reply.result == RESULT_EXCLUDED || reply.result == RESULT_MANUAL))
				state_drop(&st, sa->name, comps[t].host); /* not ours (any more) */
			else if (!o->dry_run && state_set(&st, sa->name, comps[t].host, ta->name) < 0)
				code = code ? code : EXIT_OSERR;
			if (o->dry_run || !protocol_result_changed(reply.result))
				continue;
			sr->changed = true;
			sr->restart |= reply.restart;
			if (reply.result == RESULT_ADDED)
				strv_push(&sr->added, comps[t].host);
			diag_clear(&d);
			if (audit_log(&au, &d, "transport=%s server=%s host=%s port=%u result=%s", ta->name, sa->name,
				      comps[t].host, comps[t].port, p->word) < 0 && ctx->verbose)
				ctx_error("%s", d.msg);
		}
	}
	prune(ctx, o, &au, &st, &transports, comps, tword, runs, nruns, pairs, &npairs, &code);
	if (!o->dry_run) {
		diag_clear(&d);
		if (state_save(&st, &ctx->root, &d) < 0) {
			ctx_error("%s", d.msg);
			note_error(&code, &d, EXIT_CANTCREAT);
		}
	}
	reload_servers(ctx, o, &au, runs, nruns, &code);
	diag_clear(&d);
	if (audit_finish(&au, &d) < 0) { /* a change made but not logged is an error, not a footnote */
		ctx_error("%s", d.msg);
		note_error(&code, &d, EXIT_CANTCREAT);
	}
	print_pairs(ctx, o, &au, pairs, npairs, code);
out:
	for (size_t i = 0; pairs && i < npairs; i++)
		buf_free(&pairs[i].diff);
	for (size_t i = 0; runs && i < nruns; i++) {
		strv_free(&runs[i].added);
		strv_free(&runs[i].removed);
	}
	for (size_t t = 0; comps && t < transports.n; t++)
		component_free(&comps[t]);
	for (size_t i = 0; conflict && i < transports.n * servers.n; i++)
		free(conflict[i]);
	free(conflict);
	free(pinned);
	state_free(&st);
	free(comps);
	free(tword);
	free(pairs);
	free(runs);
	adapter_list_free(&transports);
	adapter_list_free(&servers);
	audit_close(&au);
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
