/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ejabberd-yml: the model of ejabberd.yml and the files ejabberd merges with it, and positional edits of them. */
#ifndef JD_ADAPTER_EJABBERD_YML_H
#define JD_ADAPTER_EJABBERD_YML_H

#include <stdbool.h>
#include <stddef.h>

#include "conf-yaml.h"
#include "ejabberd.h"

/* Our drop-in in ejabberd's module config directory, and the comment it starts with. */
#define EJYML_DROPIN_NAME "jabber-dispatch.yml"
#define EJYML_DROPIN_MARK "# Managed by jabber-dispatch"

struct ejyml_file {
	char *path;
	struct buf text;
	struct yconf y;
	bool ours;   /* our drop-in: starts with EJYML_DROPIN_MARK */
	bool listen; /* its listen: counts (include_config_file may keep it out) */
};

struct ejyml_listener {
	size_t file;
	const struct yconf_node *key;  /* "listen" */
	const struct yconf_node *seq;  /* its list */
	const struct yconf_node *item; /* this listener's mapping */
	bool port_known;
	unsigned long port;
	bool tcp;
	bool overlaps;       /* binds EJABBERD_IP:port too (a wildcard, loopback, or an address we cannot read) */
	char ip[64];         /* its address as written when numeric and no wildcard, else "" */
	char connect_ip[64]; /* where a reload check connects */
	const char *module;
	bool service; /* module: ejabberd_service */
	bool ours;    /* in our drop-in, or its first line carries our marker */
	const struct yconf_node *hosts, *global_routes;
};

struct ejyml_host {
	size_t listener;
	char name[254]; /* lower case */
	const struct yconf_node *key, *value, *password;
	bool ours; /* in our drop-in, or its key line carries our marker */
	bool cut;  /* queued for removal */
};

/* A host key in a whole-line comment: the admin commented a declaration out. */
struct ejyml_excl {
	size_t file;
	char name[254];
	unsigned line;
	bool ours; /* in our drop-in, or the commented line carries our marker */
};

struct ejyml_conf {
	struct ejyml_file *files; /* [0] the main file, then included files, then drop-ins */
	size_t nfiles;
	char *dropin_path; /* where our drop-in lives; NULL when ejabberd reads no drop-in directory */
	size_t dropin;     /* its index in files, SIZE_MAX when it does not exist */
	struct ejyml_listener *ls;
	size_t nls;
	struct ejyml_host *hs;
	size_t nhs;
	struct ejyml_excl *ex;
	size_t nex;
};

#define EJYML_CONF_INIT { NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0 }

/* Read the main file PATH and every file ejabberd merges with it; refuses what it cannot parse. */
int ejyml_load(const struct server_request *req, const char *path, struct ejyml_conf *c, struct diag *d);
void ejyml_free(struct ejyml_conf *c);
/* Whether the line holding OFF ends with our marker comment. */
bool ejyml_marked(const struct ejyml_file *f, size_t off);

/* A replacement of bytes [start, end) of one file; applied together, so offsets stay those read. */
struct ejyml_edit {
	size_t file;
	size_t start, end;
	size_t seq; /* order of queuing: two inserts at one offset keep it */
	struct buf text;
};

struct ejyml_edits {
	struct ejyml_edit *v;
	size_t n;
};

#define EJYML_EDITS_INIT { NULL, 0 }

int ejyml_edit(struct ejyml_edits *e, size_t file, size_t start, size_t end, const char *text, size_t len);
/* Remove the lines of [start, end) except whole-line comments, which may hold the admin's exclusions. */
int ejyml_cut_lines(struct ejyml_edits *e, const struct ejyml_file *f, size_t fi, size_t start, size_t end);
/* Append file FI's text with its edits applied to OUT; overlapping removals merge; -EINVAL for other overlaps. */
int ejyml_apply_edits(struct ejyml_edits *e, const struct ejyml_file *f, size_t fi, struct buf *out);
void ejyml_edits_free(struct ejyml_edits *e);

#endif
