/* SPDX-License-Identifier: GPL-2.0-or-later */
/* adapter: finding adapters and talking protocol 1 to them (the dispatcher's side). */
#ifndef JD_ADAPTER_H
#define JD_ADAPTER_H

#include <stdbool.h>
#include <sys/types.h>

#include "buf.h"
#include "diag.h"
#include "protocol.h"
#include "safefs.h"
#include "spawn.h"
#include "strv.h"

enum adapter_kind { ADAPTER_TRANSPORT, ADAPTER_SERVER };

struct adapter {
	char *name;
	enum adapter_kind kind;
	const char *dir; /* while being discovered: the directory it is in */
	char *path;      /* inside the root: where it was found */
	char *exec_path; /* on the host: what is executed */
	char *script_path; /* on the host: a "#!" script run by our own interpreter (see adapter_discover) */
	bool admin;      /* found in PROTOCOL_ADMIN_DIR */
	bool overrides;  /* an admin entry hiding a vendor one of the same name */
	bool masked;     /* admin entry is a symlink to /dev/null */
	bool described;  /* a descriptor run by PROTOCOL_VENDOR_DIR/describe: never on another machine */
	char *skipped;   /* why it is not used, NULL when usable */
	unsigned caps;   /* CAP_*, valid once probed */
	unsigned secret_max; /* transport: its "secret-max=N", 0 for none; valid once probed */
	bool probed;
	char *caps_text;   /* its --capabilities answer once probed; set beforehand, it is taken instead of asking */
	struct adapter_inputs *inputs; /* what its answers in this run depended on */
	struct child *answer; /* its --host --port --password answer, asked with others (transport_prefetch) */
};

/*
 * The files an adapter's answers depended on (CAP_INPUTS), gathered over a
 * run: STATE is 0 before any answer, 1 while every answer said them whole,
 * -1 once one did not (or a call that does not say them was made).
 */
struct adapter_inputs {
	struct strv paths; /* inside the root, sorted, unique */
	int state;
};

struct adapter_list {
	struct adapter *v;
	size_t n;
};

#define ADAPTER_LIST_INIT { NULL, 0 }

/*
 * Whether HEAD (N bytes read from a file's start, room for one more) is a
 * "#!" line: then its first line is cut there and *INTERP points at what
 * follows "#!" and its blanks (the interpreter, then any argument).
 */
bool adapter_shebang(char *head, ssize_t n, char **interp);
const char *adapter_kind_dir(enum adapter_kind kind); /* "transports" or "servers" */

/*
 * Every adapter of KIND in the vendor and admin directories, sorted by name.
 * Masked and unusable entries are listed too, with masked/skipped set, so
 * `adapters` can tell why; callers of the protocol skip them.  Entries that
 * are never adapters (dotfiles, "*~", "*.dpkg-*", "*.rpm*", "*.ucf-*",
 * "*.swp", "#*#") are not listed.  A missing directory is not an error.
 *
 * A "#!" script whose interpreter lives under PROTOCOL_VENDOR_DIR (the
 * descriptor interpreter) is, under a --root other than "/", run with the
 * interpreter of that root, checked like an adapter: the kernel would take
 * the "#!" path on the host, where our interpreter may be another version
 * or absent.  exec_path is then the interpreter and script_path the script.
 */
int adapter_discover(const struct root *r, enum adapter_kind kind, struct adapter_list *ret,
		     struct diag *d);
void adapter_list_free(struct adapter_list *l);
/* Whether A takes part in a run: found, not masked, not skipped. */
bool adapter_usable(const struct adapter *a);

/* Options shared by every call. */
struct adapter_call {
	const struct root *root;
	int timeout_ms;
	size_t max_output; /* stdout allowed; 0: the default, enough for any one answer */
	bool inputs;       /* ask for the files the answer depends on (set by the calls that take them) */
};

/* Run `A --capabilities` once and remember the answer (0 caps: a bare seed-protocol adapter), or take a->caps_text. */
int adapter_probe(const struct adapter_call *call, struct adapter *a);

/* A component as a transport adapter describes it. */
struct component {
	char host[254];
	unsigned port;
	struct buf secret; /* sensitive */
	char server_address[64]; /* CAP_SERVER_ADDRESS: the numeric address the transport connects to; "" local */
};

#define COMPONENT_INIT { { 0 }, 0, BUF_INIT_SENSITIVE, { 0 } }

void component_free(struct component *c);

/*
 * Ask a transport adapter for host, port and secret, and validate them; an
 * adapter probed with CAP_SERVER_ADDRESS (a transport on another machine)
 * also for the address it connects to.
 * -ENODATA: the transport says it is not configured (exit 1), reason in D.
 * -ENOENT: it says its package is not installed here (exit 1, PROTOCOL_NOT_INSTALLED).
 * Other errors: D holds "transport NAME: ..." and d->exit_code the status.
 */
int transport_query(const struct adapter_call *call, struct adapter *a, struct component *ret, struct diag *d);

/*
 * Descriptors that one describe runs, asked all in one run of it
 * (`describe --batch`, their paths on stdin) rather than one process each:
 * transport_prefetch the --host --port --password of those among L's
 * usable adapters (only ONLY's, when not NULL), which transport_query then
 * takes; adapter_probe_prefetch the --capabilities of those among
 * V[0..N), for adapter_probe, and of the others among them, each a process
 * of its own, side by side.  Each answer is what a process of its own
 * would have given.  When the batch fails as a whole (a describe too old
 * to know it, a timeout), nothing is kept: each is asked alone as before.
 */
void transport_prefetch(const struct adapter_call *call, struct adapter_list *l, const char *only);
void adapter_probe_prefetch(const struct adapter_call *call, struct adapter *const *v, size_t n);

struct server_reply {
	enum result result;
	bool restart;   /* the change takes effect only after a restart of the server */
	struct buf text; /* with --dry-run: the diff; with --reload: what was done */
	struct buf notes; /* what a successful adapter said on stderr: remarks for the admin */
};

#define SERVER_REPLY_INIT { RESULT_INVALID, false, BUF_INIT, BUF_INIT }

void server_reply_free(struct server_reply *r);

/*
 * Server calls return -ENODEV (D says why, exit_code 0) when the adapter
 * exits 1: its server is not installed here.  That is no error: the
 * dispatcher leaves that server out of the run.
 */
/*
 * Make sure component C is declared in server A's config (or say what would
 * change, DRY_RUN); with C->server_address, an adapter announcing
 * CAP_BIND_ADDRESS is told to make the component port listen there too.
 */
int server_apply(const struct adapter_call *call, const struct adapter *a, const struct component *c,
		 bool dry_run, struct server_reply *ret, struct diag *d);
/*
 * Ask a server that imposes one port and one secret on every component
 * (CAP_SHARED, e.g. jabberd2) for them.  The adapter may first make its
 * config safe (replace a well-known default secret): REPLY says whether it
 * did (updated, with restart) or would (DRY_RUN).  RET gets port and secret.
 * SECRET_MAX (when not 0, and A announced CAP_SECRET_MAX): a secret it
 * generates must not be longer, for the transports that say so.
 */
int server_shared(const struct adapter_call *call, const struct adapter *a, bool dry_run, unsigned secret_max,
		  struct component *ret, struct server_reply *reply, struct diag *d);
/*
 * Make a transport adopt PORT (when not 0) and SECRET (when not NULL) in its
 * own config (CAP_SET_PORT, CAP_SET_PASSWORD).  REPLY: updated/unchanged, restart.
 */
int transport_set(const struct adapter_call *call, const struct adapter *a, unsigned port,
		  const struct buf *secret, struct server_reply *reply, struct diag *d);
/*
 * transport_set for each of V[0..N) (a NULL entry skipped) with the same
 * PORT and SECRET, the descriptors among them in one process of describe
 * (see transport_prefetch): REPLIES[i], DIAGS[i] and RCS[i] for V[i].
 */
void transport_set_all(const struct adapter_call *call, struct adapter *const *v, size_t n, unsigned port,
		       const struct buf *secret, struct server_reply *replies, struct diag *diags, int *rcs);
/*
 * Complete the config transport A's package ships unfinished (CAP_FILL):
 * HOST, PORT (when not 0) and SECRET are set only where it leaves them unset.
 */
int transport_fill(const struct adapter_call *call, const struct adapter *a, const char *host, unsigned port,
		   const struct buf *secret, struct server_reply *reply, struct diag *d);
/* -ENODEV when server A says its server is not installed here; 0 otherwise (failures show later). */
int server_present(const struct adapter_call *call, const struct adapter *a, struct diag *d);
/* Take HOST out of server A's config (only what the adapter added there). */
int server_remove(const struct adapter_call *call, const struct adapter *a, const char *host, bool dry_run,
		  struct server_reply *ret, struct diag *d);
/* One component of a --batch call (CAP_BATCH): declare COMP, or with COMP NULL take out HOST. */
struct server_batch_item {
	const struct component *comp;
	const char *host;
	struct server_reply reply; /* result and restart; filled by server_batch */
};

/*
 * Every item in one call of server A (CAP_BATCH), in their order, secrets on
 * stdin; what it said on stderr goes to NOTES.  All or nothing: on failure
 * no reply is set and nothing was written; -ENODEV as for the other calls.
 */
int server_batch(const struct adapter_call *call, const struct adapter *a, struct server_batch_item *items, size_t n,
		 struct buf *notes, struct diag *d);
/* One server's call among several of server_batch_all: its arguments, and RC what server_batch returns. */
struct server_batch {
	const struct adapter *a;
	struct server_batch_item *items;
	size_t n;
	struct buf *notes;
	struct diag *d;
	int rc;
};
/*
 * The batches of several servers side by side (each adapter edits only its
 * own server's files), each as server_batch does it.
 */
void server_batch_all(const struct adapter_call *call, struct server_batch *v, size_t n);
/* Apply the written changes to the running server; ADDED/REMOVED name the hosts that came and went. */
int server_reload(const struct adapter_call *call, const struct adapter *a, const struct strv *added,
		  const struct strv *removed, struct server_reply *ret, struct diag *d);

/* Where a running server takes a component, and how it may be checked there (CAP_LISTEN). */
struct server_listener {
	char ip[64]; /* numeric IPv4 or IPv6 */
	unsigned port;
	enum listen_mode mode;
};

#define SERVER_MAX_LISTENERS JD_LISTEN_LINES_MAX

/*
 * Ask server A where it takes component HOST: up to SERVER_MAX_LISTENERS
 * entries in RET, their number in *N, 0 when its config does not declare
 * HOST.  -ENODEV when its server is not installed here.
 */
int server_listen(const struct adapter_call *call, const struct adapter *a, const char *host,
		  struct server_listener *ret, size_t *n, struct diag *d);

#endif
