/* SPDX-License-Identifier: GPL-2.0-or-later */
/* atomic: the one way files are written — a set of changes committed all-or-nothing as far as POSIX allows. */
#ifndef JD_ATOMIC_H
#define JD_ATOMIC_H

#include <stdbool.h>
#include <sys/types.h>

#include "buf.h"
#include "diag.h"
#include "safefs.h"
#include "strv.h"

/*
 * A changeset collects the new contents of files (and files to delete), then
 * commits them like dpkg does: every new content is first written to a temp
 * file ".NAME.jdtmp.XXXXXXXXXXXX" (12 hex digits) beside its target
 * (O_EXCL|O_NOFOLLOW, mode 0600, flock'ed while it exists) and fsync'ed; only
 * when all temps exist are they, one after the other, given the target's
 * owner and mode and renamed over it, and each directory is fsync'ed.
 *
 * A writer killed before its rename leaves its temp file behind, at 0600:
 * the next commit into that directory removes every temp file of that
 * pattern whose lock it can take (its writer is gone), and no other file.
 *
 * Before replacing a file, its current bytes are compared with what the
 * caller read (the "old" content): a file edited by someone else in between
 * is never overwritten.  A change whose new bytes equal the old ones is
 * dropped at once, so an unchanged file keeps its mtime.
 */
struct change {
	char *path;      /* absolute, inside the root */
	bool existed;    /* false: the file is created */
	bool remove;     /* true: the file is deleted */
	struct buf old;  /* content when read (existed only) */
	struct buf data; /* new content (!remove only) */
	mode_t mode;     /* for a created file; an existing file keeps its own */
	mode_t mkdir_mode; /* != 0: create missing parent directories */
	bool own;        /* a created file gets uid:gid below, not the caller and the directory's group */
	uid_t uid;
	gid_t gid;
	bool secret;      /* the content holds a secret: see changeset_mark_secret */
	gid_t reader_gid; /* (gid_t)-1: unknown */
	/* Set by changeset_commit when the secret made it tighten an existing file's rights: */
	bool secured;
	mode_t was_mode, now_mode;
	gid_t was_gid, now_gid;
	void (*verified_by)(void); /* the syntax check this content last passed (syntax_verify_changes), or NULL */
};

struct changeset {
	struct change *v;
	size_t n;
	struct strv redact; /* pairs: a string hidden in diffs, then what is shown instead */
	/* NULL, or a view that every put and remove updates, so later reads see the edit (safefs_view_new). */
	struct safefs_view *view;
	bool diffless; /* never to be diffed: changeset_redact keeps nothing (a batch would pay for each) */
};

#define CHANGESET_INIT { NULL, 0, STRV_INIT, NULL, false }

/*
 * Queue PATH to hold DATA.  OLD is what the caller read (NULL: the file did
 * not exist, and is created with MODE, owned by the caller and by the group
 * of its directory).  Returns 0, also when nothing changed, or -ENOMEM.
 */
int changeset_put(struct changeset *cs, const char *path, const struct buf *old, const char *data,
		  size_t len, mode_t mode);
/* Like changeset_put, creating missing parent directories with MKDIR_MODE. */
int changeset_put_mkdir(struct changeset *cs, const char *path, const struct buf *old, const char *data,
			size_t len, mode_t mode, mode_t mkdir_mode);
/*
 * Give PATH, queued for creation, the owner UID:GID instead of the caller and
 * the group of its directory: a drop-in holding a secret is then made like
 * the config beside it, readable by the daemon and no one else.  Fails with
 * -ENOENT when PATH is not queued for creation (an existing file keeps its
 * own owner).  Committing as another user than root then fails with EPERM.
 */
int changeset_set_owner(struct changeset *cs, const char *path, uid_t uid, gid_t gid);
/*
 * PATH, queued with changeset_put, holds a secret: it must not stay readable
 * by others.  At commit the file loses every permission bit of "others"; its
 * owner is kept.  READER_GID is the group of the daemon that reads the file,
 * or (gid_t)-1: when others could read the file, that group gets read access
 * instead (it becomes the file's group), so the daemon still can.  Where an
 * existing file was tightened, its change has `secured` set after the commit
 * (see changeset_secured_notes).  -ENOENT when PATH is not queued.
 */
int changeset_mark_secret(struct changeset *cs, const char *path, gid_t reader_gid);
/* Append one line per file the commit made unreadable by others ("PATH: ..."), for the caller to say so. */
int changeset_secured_notes(const struct changeset *cs, struct buf *out);
/* Whether NAME is one of the temp files commits write (".NAME.jdtmp." and 12 hex digits). */
bool atomic_is_temp_name(const char *name);
#define ATOMIC_TEMP_MARK ".jdtmp."

/* Queue the deletion of PATH, whose content the caller read as OLD. */
int changeset_remove(struct changeset *cs, const char *path, const struct buf *old);
/*
 * Hide S (a secret as written in a config) from changeset_diff output, showing
 * SHOWN instead.  Old and new secrets need different SHOWN strings, or a
 * changed secret would make no visible difference at all.
 */
int changeset_redact(struct changeset *cs, const char *s, const char *shown);
/* changeset_redact() of the LEN bytes at S (up to a NUL), e.g. a literal inside a config's text: no copy to wipe. */
int changeset_redact_span(struct changeset *cs, const char *s, size_t len, const char *shown);

bool changeset_empty(const struct changeset *cs);
/* Find the queued change of PATH, or NULL. */
struct change *changeset_find(struct changeset *cs, const char *path);

/* Write everything.  On failure before the first rename nothing is changed. */
int changeset_commit(struct changeset *cs, const struct root *r, struct diag *d);
/* Append a unified diff of every change, with redactions applied. */
int changeset_diff(const struct changeset *cs, struct buf *out);
void changeset_free(struct changeset *cs);

#endif
