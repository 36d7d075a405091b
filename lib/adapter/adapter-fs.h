/* SPDX-License-Identifier: GPL-2.0-or-later */
/* adapter-fs: telling "absent" from "there, but unreachable" for the files that decide what a server reads. */
#ifndef JD_ADAPTER_FS_H
#define JD_ADAPTER_FS_H

#include <stdbool.h>

#include "diag.h"
#include "safefs.h"

/* Whether anything, even a dangling symlink, stands at PATH inside the root (its directory is followed). */
bool adapter_entry_exists(const struct root *r, const char *path);

/*
 * Whether PATH can be trusted to say what it says: 0 when it opens, -ENOENT
 * when nothing at all stands there.  Anything else (unreadable, a symlink
 * leading nowhere inside the root, a loop) is -errno with "PATH: REASON;
 * cannot tell WHAT" in D, exit 65: a guess there could make us edit the
 * wrong file.
 */
int adapter_fs_probe(const struct root *r, const char *path, int flags, const char *what, struct diag *d);

#endif
