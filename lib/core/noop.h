/* SPDX-License-Identifier: GPL-2.0-or-later */
/* noop: what a sync that changed nothing depended on, so the next one can tell, like make, that nothing changed. */
#ifndef JD_NOOP_H
#define JD_NOOP_H

#include <stdbool.h>
#include <time.h>

#include "buf.h"
#include "diag.h"
#include "safefs.h"
#include "strv.h"

#define NOOP_PATH "/var/lib/jabber-dispatch/noop"

/* The identity of a file: "DEV:INO:SIZE:MTIME:CTIME" (times in ns), or "-" when absent. */
#define NOOP_ID_MAX 96

/* One pair of the outcome recorded. */
struct noop_pair {
	char *transport, *server, *host, *word, *reason; /* reason may be NULL */
	unsigned port;
};

/*
 * The record: when the run started; the identity lines "file WHERE PATH ID"
 * of every file the run depended on (all must be the same again for the
 * next run to be skipped); each adapter's --capabilities answer by "KIND
 * NAME", with the identities of the adapter it is valid for; and the
 * outcome when the run changed nothing.
 */
struct noop {
	struct timespec at;
	struct strv ids;  /* identity lines, in the order they are checked */
	struct strv caps; /* triples: "KIND NAME", the adapter's identities, its answer; sorted by the first */
	struct noop_pair *pairs;
	size_t npairs;
	bool outcome; /* pairs hold the outcome of a run that changed nothing */
};

#define NOOP_INIT { { 0, 0 }, STRV_INIT, STRV_INIT, NULL, 0, false }

/* The start of a run, as file times count it (the kernel's coarse clock). */
struct timespec noop_now(void);
/* The identity of PATH inside the root into ID; -errno (not -ENOENT: that is "-") when it cannot be told. */
int noop_id(const struct root *r, const char *path, char id[NOOP_ID_MAX]);
/* The identity of PATH on the host (an executable), likewise. */
int noop_id_host(const char *path, char id[NOOP_ID_MAX]);
/*
 * Where the path of a "file" line is looked at: inside the root, following
 * symlinks there (root) or not following the last one (link), or on the
 * host (an executable).
 */
enum noop_where { NOOP_ROOT, NOOP_LINK, NOOP_HOST };
const char *noop_where_word(enum noop_where w);
/* The word's value, or -1. */
int noop_where_parse(const char *word);

/*
 * The directory last looked into: the files of a record come sorted, so
 * those of one directory are told apart by one fstatat each rather than a
 * walk of the whole path from the root.
 */
struct noop_dir {
	char *path;
	int fd, err;
};
#define NOOP_DIR_INIT { NULL, -1, 0 }
void noop_dir_close(struct noop_dir *dir);
/* The identity of PATH as W says into ID, looking through DIR; errors as noop_id. */
int noop_file_id(const struct root *r, struct noop_dir *dir, enum noop_where w, const char *path,
		 char id[NOOP_ID_MAX]);

/* Whether the file of ID changed at or after AT: it may change again within the same tick, unseen. */
bool noop_id_racy(const char *id, struct timespec at);

/*
 * Read NOOP_PATH into N (empty), the --capabilities answers only WITH_CAPS;
 * -ENOENT when there is none, -EBADMSG when it is not one (N left empty).
 */
int noop_load(const struct root *r, struct noop *n, bool with_caps, struct diag *d);
/* Write it (0600 under /var/lib/jabber-dispatch; nothing written when unchanged). */
int noop_save(const struct noop *n, const struct root *r, struct diag *d);
int noop_add_pair(struct noop *n, const struct noop_pair *p);
/* The answer recorded for "KIND NAME", or NULL; *RET_ADAPTER: the identities of the adapter that gave it. */
const char *noop_caps(const struct noop *n, const char *key, const char **ret_adapter);
void noop_free(struct noop *n);

#endif
