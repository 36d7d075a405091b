/* SPDX-License-Identifier: GPL-2.0-or-later */
/* layout: a service's own directories /var/{log,lib,spool}/PACKAGE, made or fixed without following a link. */
#ifndef JD_LAYOUT_H
#define JD_LAYOUT_H

#include <stdbool.h>
#include <sys/types.h>

#include "buf.h"
#include "diag.h"
#include "safefs.h"

/*
 * Every path is walked from the root fd one component at a time with
 * openat(O_NOFOLLOW|O_DIRECTORY), and owner and mode are set on the opened
 * directory (fchown/fchmod), so a symlink planted anywhere on the way is
 * refused, never followed, and nothing outside the root is touched.
 *
 * Ownership rules (systemd-tmpfiles' "unsafe transition", made stricter):
 *  - every directory above PACKAGE's (/, /var, /var/lib, ...) must be owned
 *    by root or by the caller and not writable by group or others: a user
 *    who can write there could swap the directory under us;
 *  - an existing PACKAGE directory owned by root or already by the asked
 *    user is fixed to the asked owner and mode; one owned by some other
 *    user is refused: handing one account's files to another is the admin's
 *    decision, not a package script's.
 */
#define LAYOUT_NDIRS 3
extern const char *const layout_bases[LAYOUT_NDIRS]; /* "/var/log", "/var/lib", "/var/spool" */

struct layout_spec {
	uid_t uid;
	gid_t gid;
	mode_t mode;
	bool keep_existing; /* only create: an existing directory stays as it is (transport-init --dirs) */
};

enum layout_action {
	LAYOUT_UNCHANGED, /* there, with the owner and mode asked */
	LAYOUT_CREATED,
	LAYOUT_FIXED,     /* there; owner or mode changed */
	LAYOUT_ABSENT,    /* --remove: nothing there */
	LAYOUT_REMOVED,   /* --remove: gone */
	LAYOUT_KEPT,      /* --remove: not empty, left in place */
};

struct layout_entry {
	char path[300];
	enum layout_action action;
	uid_t old_uid;   /* FIXED: what it was */
	gid_t old_gid;
	mode_t old_mode;
};

struct layout_report {
	struct layout_entry v[LAYOUT_NDIRS];
};

/* NULL when PACKAGE may name a directory (a Debian package name), else why not. */
const char *layout_check_name(const char *package);

/*
 * Create or fix the three directories of PACKAGE inside R.  DRY_RUN: report
 * what would be done, change nothing.  Stops at the first refusal (D says
 * which path and why); the entries before it are reported and done.
 */
int layout_apply(const struct root *r, const char *package, const struct layout_spec *spec, bool dry_run,
		 struct layout_report *ret, struct diag *d);

/*
 * Remove the three directories of PACKAGE: an empty one always, one with
 * content only with FORCE (its tree is removed without following a link or
 * leaving its filesystem).  Without FORCE a non-empty one is KEPT, no error.
 */
int layout_remove(const struct root *r, const char *package, bool force, bool dry_run,
		  struct layout_report *ret, struct diag *d);

/* The tmpfiles.d(5) lines that make the same directories (USER and GROUP as names), appended to OUT. */
int layout_tmpfiles(const char *package, const char *user, const char *group, mode_t mode, struct buf *out);

const char *layout_action_word(enum layout_action a);

#endif
