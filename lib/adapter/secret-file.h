/* SPDX-License-Identifier: GPL-2.0-or-later */
/* secret-file: a config that receives a secret ends up unreadable by others, and the adapter says so. */
#ifndef JD_SECRET_FILE_H
#define JD_SECRET_FILE_H

#include <sys/types.h>

#include "atomic.h"
#include "safefs.h"

/*
 * The gid of group NAME in the root's /etc/group, or (gid_t)-1.  A root
 * without one (a bare sandbox) has its files owned by the host's ids: the
 * host's group database answers then.
 */
gid_t secret_file_group(const struct root *r, const char *name);

/*
 * PATH, queued in CS, receives a secret: mark it (changeset_mark_secret), the
 * daemon's GROUP reading it instead of others.  Without that group in the
 * root the file is left as it is, and ADAPTER says so on stderr: taking
 * "others" away could cut the daemon off its own config.  0, -ENOENT when
 * PATH is not queued.
 */
int secret_file_mark(const char *adapter, const struct root *r, struct changeset *cs, const char *path,
		     const char *group);

/* After a commit: ADAPTER says on stderr, one line each, which files were made unreadable by others. */
void secret_file_say(const char *adapter, const struct changeset *cs);

#endif
