/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state: which component each transport got into each server, so a removed transport can be taken out again. */
#ifndef JD_STATE_H
#define JD_STATE_H

#include <stdbool.h>

#include "buf.h"
#include "diag.h"
#include "safefs.h"

#define STATE_PATH "/var/lib/jabber-dispatch/state"

/*
 * One line per pair that sync made or found in place: "SERVER HOST
 * TRANSPORT".  No secret is kept here: the transports' own configs hold
 * those.  Losing the file loses nothing but the ability to prune what a
 * transport left behind when it was uninstalled.
 */
struct state_entry {
	char *server, *host, *transport;
	bool dropped; /* kept in memory until freed, so callers may still point at its strings */
};

struct state_file {
	struct state_entry *v;
	size_t n;
	struct buf text; /* the file as read, for the atomic replace */
	bool existed;
};

#define STATE_INIT { NULL, 0, BUF_INIT, false }

/* A missing file is an empty state.  A malformed line: -EBADMSG, "PATH:LINE: reason". */
int state_load(const struct root *r, struct state_file *st, struct diag *d);
/* Record that SERVER holds HOST for TRANSPORT (replacing what TRANSPORT had there). */
int state_set(struct state_file *st, const char *server, const char *host, const char *transport);
/* Forget the pair: it is no longer written, but its strings stay valid until state_free. */
void state_drop(struct state_file *st, const char *server, const char *host);
/* Write it back atomically, sorted by server and host (0644, nothing written when unchanged). */
int state_save(const struct state_file *st, const struct root *r, struct diag *d);
void state_free(struct state_file *st);

#endif
