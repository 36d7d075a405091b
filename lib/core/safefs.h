/* SPDX-License-Identifier: GPL-2.0-or-later */
/* safefs: every path the tools touch, taken inside one root directory (--root). */
#ifndef JD_SAFEFS_H
#define JD_SAFEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "diag.h"
#include "strv.h"

/*
 * A root is the directory that stands for "/" (the real "/" by default).
 * Paths given to this module are absolute paths as the admin sees them
 * ("/etc/prosody/prosody.cfg.lua") and are always resolved inside the root:
 *  - reading follows symlinks, but a symlink never leads out of the root
 *    (openat2 RESOLVE_IN_ROOT), as Debian's conf.d links to conf.avail;
 *  - writing refuses any symlink on the way: a symlink where a directory or
 *    the file itself should be is an error, never followed.
 */
struct safefs_view;

struct root {
	int fd;
	char *path; /* as given, without trailing slashes; "" for "/" */
	struct safefs_view *view; /* NULL, or what reads answer from first (safefs_view_new) */
};

#define ROOT_INIT { -1, NULL, NULL }

/* Largest config file read whole; a larger one is refused, not truncated. */
#define SAFEFS_MAX_FILE (16u << 20)

int safefs_root_open(const char *path, struct root *ret, struct diag *d);
void safefs_root_close(struct root *r);
/* True when the root is the real "/", i.e. the running services are ours. */
int safefs_root_is_host(const struct root *r);
/* The host path of PATH for messages and exec: malloc'd, NULL on ENOMEM. */
char *safefs_host_path(const struct root *r, const char *path);

/*
 * openat2 with RESOLVE_IN_ROOT fails with EAGAIN when a rename anywhere races
 * its ".." check; it is retried this many times before giving up (exit 75).
 */
#define SAFEFS_OPENAT2_TRIES 64

/*
 * Open PATH read-only (O_CLOEXEC added).  -ENOENT, D untouched, when it does
 * not exist.  A symlink on the way that leads nowhere inside the root is not
 * "absent": -ENOLINK, D naming the link and its target.  Unless FLAGS hold
 * O_PATH or O_DIRECTORY, PATH must be a regular file: a FIFO, socket, device
 * or directory is refused (-EINVAL, D says what it is) without being opened.
 */
int safefs_open_read(const struct root *r, const char *path, int flags, int *ret_fd, struct diag *d);
/* Read a whole regular file into OUT (appended).  Errors as safefs_open_read. */
int safefs_read_file(const struct root *r, const char *path, struct buf *out, struct diag *d);
/* Names in directory PATH, sorted bytewise, without "." and "..".  -ENOENT when absent. */
int safefs_list_dir(const struct root *r, const char *path, struct strv *ret, struct diag *d);

/*
 * Open, for writing, the directory that holds PATH, refusing symlinks on the
 * way.  With mkdir_mode != 0 missing directories are created: the one that
 * holds PATH with MKDIR_MODE, those above it with 0755, whatever the umask.
 * On success *ret_dirfd is an O_RDONLY|O_DIRECTORY fd (fsync-able) and
 * *ret_name points into PATH at the last component.
 */
int safefs_open_parent(const struct root *r, const char *path, mode_t mkdir_mode, int *ret_dirfd,
		       const char **ret_name, struct diag *d);

/*
 * A view: what one adapter run has read, and what it has queued to write but
 * not written yet.  Attached to a root (root->view), safefs_read_file and
 * safefs_list_dir answer from it, so a run of many operations reads each file
 * from disk once, and each operation sees the edits of those before it.  What
 * it holds is wiped when freed (configs hold secrets).  Other calls (opens,
 * safefs_open_parent) still go to the disk.
 */
int safefs_view_new(struct safefs_view **ret);
void safefs_view_free(struct safefs_view *v);
/* PATH (absolute, inside the root) now holds DATA, or with GONE is deleted: an edit queued, not written. */
int safefs_view_set(struct safefs_view *v, const char *path, const char *data, size_t len, bool gone);
/* Count PATH among what was looked at (safefs_view_paths), where the caller looked by other means. */
void safefs_view_note(struct safefs_view *v, const char *path);
/* Every file and directory read or listed through V, found or not, sorted, into RET (appended). */
int safefs_view_paths(const struct safefs_view *v, struct strv *ret);

/* "a FIFO", "a directory", ...: what MODE's file type is, for messages. */
const char *safefs_type_name(mode_t mode);

/* The directory part of PATH ("/etc/prosody/x" -> "/etc/prosody"), malloc'd. */
char *safefs_dirname(const char *path);
/* PATH joined to NAME with one slash, malloc'd. */
char *safefs_join(const char *dir, const char *name);

#endif
