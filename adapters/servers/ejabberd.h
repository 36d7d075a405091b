/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ejabberd: what the parts of the ejabberd server adapter share (YAML config, legacy Erlang-terms config, reload). */
#ifndef JD_ADAPTER_EJABBERD_H
#define JD_ADAPTER_EJABBERD_H

#include <stdbool.h>
#include <stddef.h>

#include "server-adapter.h"

/* Ends every line we add to a file that is not ours, so --remove and --list know them. */
#define EJABBERD_MARK "jabber-dispatch"
/* Transports connect on loopback; every listener we create listens there only. */
#define EJABBERD_IP "127.0.0.1"
/* The most listeners a reload checks. */
#define EJABBERD_MAX_PORTS 64

/* A TCP endpoint the reload checks: the address to connect to and its port. */
struct ejabberd_endpoint {
	char ip[64];
	unsigned port;
};

/* ejabberd.yml and the files ejabberd merges with it (ejabberd-yml.c). */
int ejyml_apply(const struct server_request *req, const char *path, struct changeset *cs,
		struct server_outcome *ret, struct diag *d);
int ejyml_remove(const struct server_request *req, const char *path, struct changeset *cs,
		 struct server_outcome *ret, struct diag *d);
int ejyml_list(const struct server_request *req, const char *path, struct buf *out, struct diag *d);
/*
 * The ejabberd_service listeners that carry HOST (whoever declared it), or
 * with HOST NULL every one that carries a component of ours, for the check
 * after a reload.
 */
int ejyml_endpoints(const struct server_request *req, const char *path, const char *host,
		    struct ejabberd_endpoint *ret, size_t max, size_t *n, struct diag *d);

/*
 * Whether libyaml reads TEXT, the new content of PATH (yconf_parse); the
 * tree is kept for the next ejyml_load of that very text (a --batch).
 */
int ejyml_parse_check(const char *path, const char *text, size_t len, struct diag *d);
/* Drop and wipe the trees kept for later reads: at the end of a call. */
void ejyml_forget(void);

/* The ejabberd 2.x ejabberd.cfg, Erlang terms (ejabberd-cfg.c). */
int ejcfg_apply(const struct server_request *req, const char *path, struct changeset *cs,
		struct server_outcome *ret, struct diag *d);
int ejcfg_remove(const struct server_request *req, const char *path, struct changeset *cs,
		 struct server_outcome *ret, struct diag *d);
int ejcfg_list(const struct server_request *req, const char *path, struct buf *out, struct diag *d);

#endif
