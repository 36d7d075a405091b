/* SPDX-License-Identifier: GPL-2.0-or-later */
/* layout: a service's own directories /var/{log,lib,spool}/PACKAGE, made or fixed without following a link. */
#include "layout.h"
#include "exitcode.h"
#include "strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const layout_bases[LAYOUT_NDIRS] = { "/var/log", "/var/lib", "/var/spool" };

/* A tree deeper than this under /var/lib/PACKAGE is refused rather than recursed into. */
#define LAYOUT_MAX_DEPTH 64

const char *layout_action_word(enum layout_action a)
{
	static const char *const words[] = { "unchanged", "created", "fixed", "absent", "removed", "kept" };
	return (unsigned)a < sizeof(words) / sizeof(*words) ? words[a] : "?";
}

const char *layout_check_name(const char *package)
{
	size_t len = strlen(package);

	if (len < 2 || len > 100)
		return "not 2 to 100 characters long";
	if (!((package[0] >= 'a' && package[0] <= 'z') || (package[0] >= '0' && package[0] <= '9')))
		return "not starting with a lowercase letter or a digit";
	for (size_t i = 1; i < len; i++) {
		char c = package[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
			return "not a package name (lowercase letters, digits, '+', '-', '.')";
	}
	return NULL;
}

/*
 * A directory we walk through must be root's or the caller's, and not
 * writable by others: whoever else can write in it could swap what we open
 * next.  Group-writable is tolerated (Ubuntu's /var/log is root:syslog 0775);
 * systemd-tmpfiles' rule only looks at the owner.
 */
static int layout_check_step(int fd, const char *shown, struct diag *d)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return diag_set(d, errno, EXIT_OSERR, "%s: %s", shown, strerror(errno));
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return diag_set(d, EPERM, EXIT_CANTCREAT,
				"%s: owned by uid %u, not root: refusing to go through it (unsafe ownership transition)",
				shown, (unsigned)st.st_uid);
	if (st.st_mode & S_IWOTH)
		return diag_set(d, EPERM, EXIT_CANTCREAT, "%s: writable by everyone: refusing to go through it",
				shown);
	return 0;
}

/* Describe why NAME under DIRFD is not a directory we may use. */
static int layout_refuse(int dirfd, const char *name, const char *shown, int err, struct diag *d)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return diag_set(d, ELOOP, EXIT_CANTCREAT, "%s: is a symlink; refusing to follow it", shown);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
		return diag_set(d, ENOTDIR, EXIT_CANTCREAT, "%s: exists and is not a directory", shown);
	return diag_set(d, err, EXIT_CANTCREAT, "%s: %s", shown, strerror(err));
}

/*
 * Open BASE ("/var/lib") from the root, one component at a time, never
 * following a link; missing components are made root-owned 0755 unless
 * CREATE is false, where -ENOENT is returned quietly.
 */
static int layout_open_base(const struct root *r, const char *base, bool create, int *ret_fd, struct diag *d)
{
	char shown[64] = "";
	const char *p = base;
	int fd, rc;

	fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return diag_set(d, errno, EXIT_OSERR, "%s: %s", base, strerror(errno));
	rc = layout_check_step(fd, "/", d);
	while (rc == 0 && *p) {
		char comp[32];
		size_t len;
		int next;

		p += strspn(p, "/");
		len = strcspn(p, "/");
		snprintf(comp, sizeof(comp), "%.*s", (int)len, p);
		snprintf(shown + strlen(shown), sizeof(shown) - strlen(shown), "/%s", comp);
		p += len;
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && !create) {
			rc = -ENOENT;
			break;
		}
		if (next < 0 && errno == ENOENT) {
			if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST) {
				rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", shown, strerror(errno));
				break;
			}
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			rc = layout_refuse(fd, comp, shown, errno, d);
			break;
		}
		close(fd);
		fd = next;
		rc = layout_check_step(fd, shown, d);
	}
	if (rc < 0) {
		close(fd);
		return rc;
	}
	*ret_fd = fd;
	return 0;
}

static int layout_create(int basefd, const char *name, const struct layout_spec *spec, struct layout_entry *e,
			 struct diag *d)
{
	int fd, rc = 0;

	/* 0700 until owner and mode are set: nobody else sees it half made. */
	if (mkdirat(basefd, name, 0700) < 0) {
		if (errno == EEXIST)
			return diag_set(d, EEXIST, EXIT_TEMPFAIL, "%s: appeared while being created; run again", e->path);
		return diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", e->path, strerror(errno));
	}
	fd = openat(basefd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return layout_refuse(basefd, name, e->path, errno, d);
	if (fchown(fd, spec->uid, spec->gid) < 0 || fchmod(fd, spec->mode) < 0 || fsync(basefd) < 0)
		rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", e->path, strerror(errno));
	close(fd);
	e->action = LAYOUT_CREATED;
	return rc;
}

static int layout_fix(int basefd, const char *name, const struct layout_spec *spec, bool dry_run,
		      struct layout_entry *e, struct diag *d)
{
	struct stat st;
	int fd, rc = 0;

	fd = openat(basefd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return layout_refuse(basefd, name, e->path, errno, d);
	/* What was opened is what is judged and changed: a swap after the open changes nothing. */
	if (fstat(fd, &st) < 0) {
		rc = diag_set(d, errno, EXIT_OSERR, "%s: %s", e->path, strerror(errno));
		goto out;
	}
	e->old_uid = st.st_uid;
	e->old_gid = st.st_gid;
	e->old_mode = st.st_mode & 07777;
	if (spec->keep_existing) {
		e->action = LAYOUT_UNCHANGED;
		goto out;
	}
	if (st.st_uid != spec->uid && st.st_uid != 0) {
		rc = diag_set(d, EPERM, EXIT_CANTCREAT,
			      "%s: owned by uid %u, not root nor uid %u: refusing to hand it over (change its owner by "
			      "hand if that is meant)",
			      e->path, (unsigned)st.st_uid, (unsigned)spec->uid);
		goto out;
	}
	if (st.st_uid == spec->uid && st.st_gid == spec->gid && (st.st_mode & 07777) == spec->mode) {
		e->action = LAYOUT_UNCHANGED;
		goto out;
	}
	e->action = LAYOUT_FIXED;
	if (dry_run)
		goto out;
	if ((st.st_uid != spec->uid || st.st_gid != spec->gid) && fchown(fd, spec->uid, spec->gid) < 0)
		rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", e->path, strerror(errno));
	/* After the chown, which may clear set-id bits. */
	else if (fchmod(fd, spec->mode) < 0)
		rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", e->path, strerror(errno));
out:
	close(fd);
	return rc;
}

int layout_apply(const struct root *r, const char *package, const struct layout_spec *spec, bool dry_run,
		 struct layout_report *ret, struct diag *d)
{
	const char *why = layout_check_name(package);

	if (why)
		return diag_set(d, EINVAL, EXIT_USAGE, "\"%.100s\": %s", package, why);
	for (size_t i = 0; i < LAYOUT_NDIRS; i++) {
		struct layout_entry *e = &ret->v[i];
		struct stat st;
		int basefd = -1, rc;

		snprintf(e->path, sizeof(e->path), "%s/%s", layout_bases[i], package);
		rc = layout_open_base(r, layout_bases[i], !dry_run, &basefd, d);
		if (rc == -ENOENT) { /* dry run: the base itself would be made */
			e->action = LAYOUT_CREATED;
			continue;
		}
		if (rc < 0) {
			e->path[0] = '\0';
			return rc;
		}
		if (fstatat(basefd, package, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			rc = dry_run ? (e->action = LAYOUT_CREATED, 0) : layout_create(basefd, package, spec, e, d);
		else
			rc = layout_fix(basefd, package, spec, dry_run, e, d);
		close(basefd);
		if (rc < 0) {
			e->path[0] = '\0'; /* not done: the caller reports D instead */
			return rc;
		}
	}
	return 0;
}

/* A new open file of directory FD: a dup() would share its read position with every other reader. */
static int layout_reopen(int fd)
{
	return openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Remove every entry of the open directory FD, then nothing is left to follow: entries are unlinked, not opened. */
static int layout_empty_tree(int fd, dev_t dev, const char *shown, unsigned depth, struct diag *d)
{
	struct strv names = STRV_INIT;
	struct dirent *de;
	DIR *dir;
	int dfd, rc = 0;

	if (depth > LAYOUT_MAX_DEPTH)
		return diag_set(d, ELOOP, EXIT_CANTCREAT, "%s: more than %d levels deep; remove it by hand", shown,
				LAYOUT_MAX_DEPTH);
	dfd = layout_reopen(fd);
	if (dfd < 0 || !(dir = fdopendir(dfd))) {
		rc = diag_set(d, errno, EXIT_OSERR, "%s: %s", shown, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return rc;
	}
	while (rc == 0 && (errno = 0, de = readdir(dir)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			rc = strv_push(&names, de->d_name);
	closedir(dir);
	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		const char *name = names.v[i];
		struct stat st;
		int sub;

		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = diag_set(d, errno, EXIT_CANTCREAT, "%s/%s: %s", shown, name, strerror(errno));
			break;
		}
		if (!S_ISDIR(st.st_mode)) { /* files, and links themselves, never their targets */
			if (unlinkat(fd, name, 0) < 0)
				rc = diag_set(d, errno, EXIT_CANTCREAT, "%s/%s: %s", shown, name, strerror(errno));
			continue;
		}
		if (st.st_dev != dev) {
			rc = diag_set(d, EXDEV, EXIT_CANTCREAT, "%s/%s: a mount point; refusing to remove across it",
				      shown, name);
			break;
		}
		sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			rc = layout_refuse(fd, name, shown, errno, d);
			break;
		}
		rc = layout_empty_tree(sub, dev, shown, depth + 1, d);
		close(sub);
		if (rc == 0 && unlinkat(fd, name, AT_REMOVEDIR) < 0)
			rc = diag_set(d, errno, EXIT_CANTCREAT, "%s/%s: %s", shown, name, strerror(errno));
	}
	strv_free(&names);
	return rc;
}

static bool layout_is_empty(int fd)
{
	int dfd = layout_reopen(fd);
	struct dirent *de;
	bool empty = true;
	DIR *dir;

	if (dfd < 0 || !(dir = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return false;
	}
	while (empty && (de = readdir(dir)))
		empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
	closedir(dir);
	return empty;
}

static int layout_remove_one(int basefd, const char *name, bool force, bool dry_run, struct layout_entry *e,
			     struct diag *d)
{
	struct stat st;
	bool empty;
	int fd, rc = 0;

	fd = openat(basefd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		e->action = LAYOUT_ABSENT;
		return 0;
	}
	if (fd < 0)
		return layout_refuse(basefd, name, e->path, errno, d);
	if (fstat(fd, &st) < 0) {
		rc = diag_set(d, errno, EXIT_OSERR, "%s: %s", e->path, strerror(errno));
		goto out;
	}
	empty = layout_is_empty(fd);
	e->action = empty || force ? LAYOUT_REMOVED : LAYOUT_KEPT;
	if (dry_run || e->action == LAYOUT_KEPT)
		goto out;
	if (!empty)
		rc = layout_empty_tree(fd, st.st_dev, e->path, 0, d);
	if (rc == 0 && unlinkat(basefd, name, AT_REMOVEDIR) < 0) {
		if (errno == ENOTEMPTY && !force)
			e->action = LAYOUT_KEPT; /* filled in the meantime */
		else
			rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", e->path, strerror(errno));
	}
out:
	close(fd);
	return rc;
}

int layout_remove(const struct root *r, const char *package, bool force, bool dry_run, struct layout_report *ret,
		  struct diag *d)
{
	const char *why = layout_check_name(package);

	if (why)
		return diag_set(d, EINVAL, EXIT_USAGE, "\"%.100s\": %s", package, why);
	for (size_t i = 0; i < LAYOUT_NDIRS; i++) {
		struct layout_entry *e = &ret->v[i];
		int basefd = -1, rc;

		snprintf(e->path, sizeof(e->path), "%s/%s", layout_bases[i], package);
		rc = layout_open_base(r, layout_bases[i], false, &basefd, d);
		if (rc == -ENOENT) {
			e->action = LAYOUT_ABSENT;
			continue;
		}
		if (rc < 0) {
			e->path[0] = '\0';
			return rc;
		}
		rc = layout_remove_one(basefd, package, force, dry_run, e, d);
		if (rc == 0 && !dry_run && e->action == LAYOUT_REMOVED && fsync(basefd) < 0)
			rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", layout_bases[i], strerror(errno));
		close(basefd);
		if (rc < 0) {
			e->path[0] = '\0'; /* not done: the caller reports D instead */
			return rc;
		}
	}
	return 0;
}

int layout_tmpfiles(const char *package, const char *user, const char *group, mode_t mode, struct buf *out)
{
	for (size_t i = 0; i < LAYOUT_NDIRS; i++) {
		int rc = buf_printf(out, "d %s/%s %04o %s %s -\n", layout_bases[i], package, (unsigned)mode, user, group);
		if (rc < 0)
			return rc;
	}
	return 0;
}
