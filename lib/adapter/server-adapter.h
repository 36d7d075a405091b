/* SPDX-License-Identifier: GPL-2.0-or-later */
/* server-adapter: the command line of protocol 1 for a server adapter, so each one only knows its syntax. */
#ifndef JD_SERVER_ADAPTER_H
#define JD_SERVER_ADAPTER_H

#include <stdbool.h>

#include "atomic.h"
#include "buf.h"
#include "diag.h"
#include "protocol.h"
#include "safefs.h"
#include "secret.h"
#include "strv.h"

enum server_op {
	SERVER_OP_APPLY,
	SERVER_OP_REMOVE,
	SERVER_OP_LIST,
	SERVER_OP_RELOAD,
	SERVER_OP_SHARED,
	SERVER_OP_LISTEN,
	SERVER_OP_BATCH,
};

/* One parsed and validated invocation. */
struct server_request {
	enum server_op op;
	struct root root;
	const char *config; /* --config, or the adapter's default */
	char host[254];     /* APPLY, REMOVE, LISTEN */
	unsigned port;      /* APPLY */
	struct secret secret; /* APPLY: read and validated by the framework */
	char bind_address[64]; /* APPLY: --bind-address, a numeric address the component port must listen on; "" none */
	bool dry_run;
	unsigned secret_max; /* SHARED: --secret-max=N, the longest secret every transport takes; 0 none */
	struct strv added;   /* RELOAD: hosts that came in this run */
	struct strv removed; /* RELOAD: hosts that went */
};

/* What an apply or remove decided. */
struct server_outcome {
	enum result result;
	bool restart; /* takes effect only after a restart of the server */
};

/*
 * A server adapter is a table of these; the framework parses the command
 * line, reads the secret from stdin, validates every value, runs the
 * operation, then either prints the diff (--dry-run) or commits the queued
 * changes atomically, and prints the result word.  An operation only reads
 * files (through req->root) and queues edits in CS: it never writes and
 * never prints.  Each returns 0 or -errno with D filled.
 */
struct server_ops {
	const char *name;           /* "prosody": names the adapter in messages */
	const char *default_config; /* "/etc/prosody/prosody.cfg.lua" */
	/* Optional: read instead when default_config is absent and --config was not given (ejabberd 2.x). */
	const char *legacy_config;
	int (*apply)(const struct server_request *req, struct changeset *cs, struct server_outcome *ret,
		     struct diag *d);
	int (*remove)(const struct server_request *req, struct changeset *cs, struct server_outcome *ret,
		      struct diag *d);
	/* Append "STATE HOST\n" lines (protocol_state_word) for every component the config declares. */
	int (*list)(const struct server_request *req, struct buf *out, struct diag *d);
	/* Apply the config to the running server; append one line per action taken to OUT. */
	int (*reload)(const struct server_request *req, struct buf *out, struct diag *d);
	/*
	 * Optional, for a server that imposes one port and one secret on every
	 * component (jabberd2): give them, first queueing in CS whatever makes
	 * them safe (a well-known default secret replaced), generating a secret
	 * of at most req->secret_max bytes when that is set.  Announces "shared
	 * secret-max".
	 */
	int (*shared)(const struct server_request *req, struct changeset *cs, struct server_outcome *ret,
		      unsigned *ret_port, struct buf *ret_secret, struct diag *d);
	/*
	 * Optional: where the server takes component req->host and how it may be
	 * checked without disturbing it; append "ADDRESS PORT MODE\n" lines
	 * (protocol_listen_mode_word), one per port, or "undeclared\n".
	 * Announces "listen".
	 */
	int (*listen)(const struct server_request *req, struct buf *out, struct diag *d);
	/*
	 * Whether apply() honours req->bind_address (a transport on another
	 * machine connects there): announces "bind-address".  Without it, the
	 * address is refused as an unknown option.
	 */
	bool bind_address;
	/*
	 * Announce "batch": --batch runs apply and remove for every record on
	 * stdin into one changeset, committed once.  The framework attaches a
	 * view to req->root and to CS (safefs_view_new), so each file is read
	 * once per call and each record sees the edits queued before it; set
	 * this only where every file apply and remove read goes through
	 * safefs_read_file and safefs_list_dir.
	 */
	bool batch;
	/* Optional: drop, wiped, whatever the operations kept across records (parsed files); called once at the end. */
	void (*forget)(void);
};

/*
 * Queue a note for the admin about a change an operation made (or, on a dry
 * run, would make): one line, without its newline.  Printed on stderr as
 * "NAME: NOTE" once the whole call succeeded, each distinct line once (a
 * batch would repeat it for every record); dropped when the call fails, as
 * its changes are.
 */
int server_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The line a --listen answer gives for a listener on IP (a wildcard becomes loopback) and PORT. */
int server_listen_line(struct buf *out, const char *ip, unsigned port, enum listen_mode mode);

/* The whole main() of a server adapter. */
int server_adapter_main(int argc, char **argv, const struct server_ops *ops);

#endif
