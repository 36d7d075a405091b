/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prosody-conf: the model of a Prosody config (prosody.cfg.lua, its included files and drop-ins), as scanned. */
#ifndef JD_ADAPTER_PROSODY_CONF_H
#define JD_ADAPTER_PROSODY_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "server-adapter.h"

/*
 * What Prosody does (LAB_FACTS §3, §8): the wildcard `Include "conf.d/..."` loads the
 * drop-ins in readdir order, each starting at global scope; a Component
 * declared twice is won silently by whichever loads last.  So a host gets one
 * drop-in of ours, and none at all where the admin declared it elsewhere.
 * Without an Include we keep a marked block at the end of the main file.
 */
#define DROPIN_MARK "-- Managed by jabber-dispatch"
#define BLOCK_BEGIN "-- jabber-dispatch: begin "
#define BLOCK_END "-- jabber-dispatch: end "
#define PORTS_MARK "-- jabber-dispatch: component_ports"
#define IFACES_MARK "-- jabber-dispatch: component_interfaces"

struct pfile {
	char *path;
	struct buf text;
	bool dropin_managed; /* starts with DROPIN_MARK */
};

struct decl {
	size_t file;
	char host[254];
	bool component;       /* else VirtualHost */
	bool commented;
	bool ours;            /* in our drop-in, or in our block of the main file */
	unsigned line;
	size_t stmt_end;      /* end of the declaration's last token */
	bool has_secret;
	size_t secret_start, secret_end; /* the string token */
	unsigned secret_line;
};

struct block {
	char host[254];
	size_t begin, end; /* whole lines, [begin, end) of the main file */
};

/* A list of ports, grown as needed. */
struct portv {
	unsigned *v;
	size_t n, cap;
};

/* Whether P lists PORT. */
bool portv_has(const struct portv *p, unsigned port);
/* Append PORT to P, growing it; 0 or -ENOMEM. */
int portv_push(struct portv *p, unsigned port);

struct prosody_conf {
	struct pfile *files; /* [0] is the main file */
	size_t nfiles;
	struct decl *decls;
	size_t ndecls;
	struct block *blocks;
	size_t nblocks;
	char *dropin_dir;    /* from the first usable wildcard Include, NULL without one */
	char *dropin_prefix, *dropin_suffix;
	char *dropin_glob;
	size_t first_section; /* main file: start of the line of its first section or Include */
	/* component_ports at global scope of the main file */
	bool ports_set;
	bool ports_ours;
	unsigned ports_line;
	size_t ports_line_start, ports_line_end;
	struct portv ports; /* grown as needed: a server may serve hundreds of transports */
	/* for --listen: component_interface(s) at global scope, and a conflict policy other than kick_new */
	char iface[64];
	bool iface_unclear;
	bool kick_old;
	/* component_interface(s) at global scope of the main file: our marked line, or the admin's */
	bool ifaces_ours, ifaces_admin;
	size_t ifaces_line_start, ifaces_line_end;
};

struct host_state {
	struct decl *ours_active, *ours_commented;
	struct decl *other_active, *other_commented;
};

/* Load the config REQ names into C and mark our declarations; with CS on a dry run, hide every secret from diffs. */
int prosody_conf_load(const struct server_request *req, struct prosody_conf *c, struct changeset *cs, struct diag *d);
/* Free what C holds (not C itself). */
void prosody_conf_free(struct prosody_conf *c);
/* Which declarations of HOST there are: ours and others', active and commented out. */
struct host_state prosody_host_state(struct prosody_conf *c, const char *host);
/* The drop-in path of HOST, malloc'd; NULL where there is no drop-in directory. */
char *prosody_dropin_path(const struct prosody_conf *c, const char *host);

#endif
