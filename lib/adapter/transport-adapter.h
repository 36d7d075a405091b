/* SPDX-License-Identifier: GPL-2.0-or-later */
/* transport-adapter: the pkg-config style command line of protocol 1 for a transport adapter. */
#ifndef JD_TRANSPORT_ADAPTER_H
#define JD_TRANSPORT_ADAPTER_H

#include "adapter.h"
#include "atomic.h"
#include "diag.h"
#include "safefs.h"
#include "secret.h"

/*
 * A transport adapter is a table of these.  The framework handles
 * `--host --port --password` (one line per flag, in the order given),
 * `--capabilities`, `--root=DIR` and `--config=FILE`, and validates what
 * read() found before printing it: an adapter never prints a value the
 * dispatcher would refuse.
 *
 * read() returns 0 with RET filled, -ENODATA when the transport is not
 * configured yet (exit 1, reason in D), or another -errno with D filled.
 * It hands the secret it found to transport_secret(), the one check of a
 * secret read from a transport's config.
 */
struct transport_ops {
	const char *name;
	const char *default_config;
	int (*read)(const struct root *r, const char *config, struct component *ret, struct diag *d);
	/*
	 * Optional: adopt the port (when PORT is not 0) and the secret (when SECRET
	 * is not NULL) that a server imposes, by queueing edits of the transport's
	 * config in CS; set *ret_result to RESULT_UPDATED or RESULT_UNCHANGED.
	 * Announces "set-password set-port"; the framework commits CS atomically.
	 */
	int (*set)(const struct root *r, const char *config, unsigned port, const struct secret *secret,
		   struct changeset *cs, enum result *ret_result, struct diag *d);
	/*
	 * Optional: the group the transport's daemon runs as.  A config that
	 * receives a secret through set() is then made unreadable by others, that
	 * group reading it instead (see changeset_mark_secret), and the adapter
	 * says so on stderr.
	 */
	const char *reader_group;
	/*
	 * Optional: complete a config the transport's package ships unfinished
	 * (`--fill`, for `jabber-dispatch transport-init PACKAGE` without a
	 * template): set HOST, PORT (when not 0) and SECRET (when not NULL) only
	 * where the config leaves them unset (absent without a default of the
	 * transport, or empty); values already set are kept.  Announces "fill".
	 */
	int (*fill)(const struct root *r, const char *config, const char *host, unsigned port,
		    const struct secret *secret, struct changeset *cs, enum result *ret_result, struct diag *d);
	/* The longest secret the transport authenticates with, 0 for no limit: announced as "secret-max=N". */
	unsigned secret_max;
	/*
	 * Optional: the transport runs on another machine and connects to the
	 * server at this numeric address: announces "server-address" and
	 * answers --server-address with it, in the order of the flags.
	 */
	const char *server_address;
};

/*
 * Take VALUE, the secret read at WHERE:LINE (LINE 0: unknown) under KEY, into
 * RET->secret once it passes validate_secret(); otherwise -EINVAL with
 * "WHERE:LINE: KEY is unusable: REASON" in D (exit 65), the value never quoted.
 */
int transport_secret(struct component *ret, const char *value, size_t len, const char *where, unsigned line,
		     const char *key, struct diag *d);

int transport_adapter_main(int argc, char **argv, const struct transport_ops *ops);

#endif
