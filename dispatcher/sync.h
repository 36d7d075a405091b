/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sync: the run of `sync` and `list` as plan -> apply -> report over one array of pairs. */
#ifndef JD_SYNC_H
#define JD_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "audit.h"
#include "ctx.h"
#include "state.h"

enum reload_mode { RELOAD_AUTO, RELOAD_ALWAYS, RELOAD_NEVER };

struct sync_opts {
	const char *only_transport, *only_server;
	int reload;   /* enum reload_mode */
	bool dry_run; /* --dry-run, or `list` */
	bool list;    /* the `list` command: a dry run that reports states, no diffs */
	int force;    /* --force: every adapter is run, even when nothing changed since the last run */
};

/* One transport adapter in this run: its answer, asked once whatever the number of servers. */
struct transport_run {
	struct adapter *a;
	bool asked;           /* usable and wanted: it was asked */
	bool absent;          /* its package is not installed here: no line, and it counts as gone */
	const char *word;     /* NULL when its answer is used; else the outcome of all its pairs */
	char *reason;         /* why WORD */
	struct component comp;
	const char *pinned;   /* the server (CAP_SHARED) whose port and secret it follows */
};

/* One server adapter in this run. */
struct server_run {
	struct adapter *a;
	bool absent;          /* its adapter says the server is not installed here: no line */
	bool failed;          /* its shared values could not be had: every pair with it fails */
	char *reason;         /* why it failed */
	bool changed;         /* its config was written: a reload is due */
	bool restart;         /* a change needs a restart of the server to take effect */
	bool shared_restart;  /* the shared step changed what every component needs: a restart */
	struct strv added, removed;
};

enum pair_action {
	PAIR_DECIDED, /* the outcome is known from the plan (unconfigured, error, conflict) */
	PAIR_APPLY,   /* declare the transport's component in the server */
	PAIR_REMOVE,  /* take out what a gone or renamed transport left behind */
};

/* One transport x server pair: built by the plan, done by apply, printed by the one reporter. */
struct pair {
	struct transport_run *t; /* NULL for a leftover whose transport adapter is gone */
	struct server_run *s;
	const char *transport, *server, *host; /* host "-" when the transport gave none */
	unsigned port;
	enum pair_action action;
	bool hidden;          /* its server turned out not to be installed: no line */
	const char *word;     /* the outcome: a result word, or unconfigured/conflict/error/orphan */
	bool changed;         /* the server's config was (or would be) changed for it */
	bool restart;         /* the change takes effect only after a restart of the server */
	char *reason;         /* why an error or a conflict, or a transport is unconfigured */
	struct buf diff;      /* with --dry-run: what the server adapter would change */
	struct buf remarks;   /* what the adapters said about it on stderr */
	const char *listens;  /* a transport on another machine: the address the server was told to listen on */
	const char *live;     /* after the reload: what `check` says of it (linkcheck_word), NULL when not checked */
	char *live_text;      /* and the server's words */
};

struct sync_run {
	struct ctx *ctx;
	const struct sync_opts *o;
	struct audit au;
	struct adapter_list transports, servers;
	struct transport_run *tr;
	struct server_run *sr;
	size_t ntr, nsr;
	struct pair *pairs;
	size_t npairs, cap;
	struct state_file st;
	int code; /* the first failure's exit status */
};

/* Discovery, the transports' answers, the servers present, and the pairs with what to do with each. */
int sync_plan(struct sync_run *run);
/* The shared values first, then each pair, the state, and the reloads. */
void sync_apply(struct sync_run *run);
/* The one reporter: text or JSON, the same fields in a dry run and a real one. */
void sync_report(const struct sync_run *run);
void sync_free(struct sync_run *run);

/*
 * When nothing a sync depends on changed since one that changed nothing
 * (NOOP_PATH), report what that one did, running no adapter: true, with the
 * exit status in *CODE.  False when there is any doubt: a full run is due.
 */
bool sync_noop_replay(struct ctx *ctx, const struct sync_opts *o, int *code);
/* Take the --capabilities answers recorded for adapters whose files are the same (not with --force). */
void sync_noop_caps(struct sync_run *run);
/* After a full run that began at AT: record what it depended on, and its outcome if it changed nothing. */
void sync_noop_record(struct sync_run *run, struct timespec at);

/* Keep the first failure's exit status (FALLBACK when D carries none). */
void sync_note_error(struct sync_run *run, const struct diag *d, int fallback);
/* A new pair, zeroed but for its buffers; NULL when out of memory. */
struct pair *sync_add_pair(struct sync_run *run);
/* Relay an adapter's remarks on stderr, one line each, and keep them in TO. */
void sync_relay(const char *kind, const char *name, const struct buf *text, struct buf *to);

#endif
