/* SPDX-License-Identifier: GPL-2.0-or-later */
/* atomic: the one way files are written — a set of changes committed all-or-nothing as far as POSIX allows. */
#include "grow.h"
#include "atomic.h"
#include "diff.h"
#include "exitcode.h"
#include "secmem.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

static struct change *changeset_add(struct changeset *cs, const char *path)
{
	struct change *v, *c = changeset_find(cs, path);
	if (c)
		return c;
	v = grow_one(cs->v, cs->n, sizeof(*v));
	if (!v)
		return NULL;
	cs->v = v;
	c = &cs->v[cs->n];
	*c = (struct change){ .path = strdup(path), .old = BUF_INIT, .data = BUF_INIT };
	if (!c->path)
		return NULL;
	cs->n++;
	return c;
}

static void change_free(struct change *c)
{
	free(c->path);
	buf_free(&c->old);
	buf_free(&c->data);
}

static void changeset_drop(struct changeset *cs, struct change *c)
{
	size_t i = (size_t)(c - cs->v);
	change_free(c);
	memmove(c, c + 1, (cs->n - i - 1) * sizeof(*c));
	cs->n--;
}

struct change *changeset_find(struct changeset *cs, const char *path)
{
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i].path, path) == 0)
			return &cs->v[i];
	return NULL;
}

int changeset_put_mkdir(struct changeset *cs, const char *path, const struct buf *old, const char *data,
			size_t len, mode_t mode, mode_t mkdir_mode)
{
	struct change *c;
	bool fresh = !changeset_find(cs, path);

	c = changeset_add(cs, path);
	if (!c)
		return -ENOMEM;
	if (fresh) {
		c->existed = old != NULL;
		if (old && buf_append(&c->old, old->data, old->len) < 0)
			goto nomem;
	}
	c->remove = false;
	c->mode = mode;
	c->mkdir_mode = mkdir_mode;
	c->verified_by = NULL;
	buf_truncate(&c->data, 0);
	if (buf_append(&c->data, data, len) < 0)
		goto nomem;
	if (c->existed && buf_equal(&c->old, &c->data))
		changeset_drop(cs, c); /* unchanged: keep the file and its mtime */
	return cs->view ? safefs_view_set(cs->view, path, data, len, false) : 0;
nomem:
	changeset_drop(cs, c);
	return -ENOMEM;
}

int changeset_put(struct changeset *cs, const char *path, const struct buf *old, const char *data,
		  size_t len, mode_t mode)
{
	return changeset_put_mkdir(cs, path, old, data, len, mode, 0);
}

int changeset_set_owner(struct changeset *cs, const char *path, uid_t uid, gid_t gid)
{
	struct change *c = changeset_find(cs, path);
	if (!c || c->existed || c->remove)
		return -ENOENT;
	c->own = true;
	c->uid = uid;
	c->gid = gid;
	return 0;
}

int changeset_mark_secret(struct changeset *cs, const char *path, gid_t reader_gid)
{
	struct change *c = changeset_find(cs, path);
	if (!c || c->remove)
		return -ENOENT;
	c->secret = true;
	c->reader_gid = reader_gid;
	return 0;
}

/* The name of group GID for a message, or its number. */
static void group_name(gid_t gid, char *out, size_t size)
{
	struct group gr, *res = NULL;
	char scratch[1024];
	if (getgrgid_r(gid, &gr, scratch, sizeof(scratch), &res) == 0 && res)
		snprintf(out, size, "%s", res->gr_name);
	else
		snprintf(out, size, "%u", (unsigned)gid);
}

int changeset_secured_notes(const struct changeset *cs, struct buf *out)
{
	int rc = 0;
	for (size_t i = 0; i < cs->n && rc == 0; i++) {
		const struct change *c = &cs->v[i];
		char was[64], now[64];
		if (!c->secured)
			continue;
		group_name(c->was_gid, was, sizeof(was));
		group_name(c->now_gid, now, sizeof(now));
		rc = buf_printf(out, "%s: holds a secret: made unreadable by others (mode %04o group %s -> mode %04o group %s)\n",
				c->path, (unsigned)c->was_mode, was, (unsigned)c->now_mode, now);
	}
	return rc;
}

int changeset_remove(struct changeset *cs, const char *path, const struct buf *old)
{
	bool fresh = !changeset_find(cs, path);
	struct change *c = changeset_add(cs, path);

	if (!c)
		return -ENOMEM;
	if (fresh) {
		c->existed = true;
		if (buf_append(&c->old, old->data, old->len) < 0) {
			changeset_drop(cs, c);
			return -ENOMEM;
		}
	}
	if (!c->existed)
		changeset_drop(cs, c); /* created then removed in one go: nothing to do */
	else {
		c->remove = true;
		buf_truncate(&c->data, 0);
	}
	return cs->view ? safefs_view_set(cs->view, path, NULL, 0, true) : 0;
}

int changeset_redact_span(struct changeset *cs, const char *s, size_t len, const char *shown)
{
	char *copy;
	int rc;

	len = strnlen(s, len);
	if (cs->diffless)
		return 0;
	for (size_t i = 0; i < cs->redact.n; i += 2)
		if (strlen(cs->redact.v[i]) == len && memcmp(cs->redact.v[i], s, len) == 0)
			return 0;
	if (len == 0)
		return 0;
	/* The hidden text is a secret: kept in secmem memory, freed by redact_free(). */
	copy = secmem_alloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, s, len);
	copy[len] = '\0';
	rc = strv_push(&cs->redact, "");
	if (rc == 0) {
		free(cs->redact.v[cs->redact.n - 1]);
		cs->redact.v[cs->redact.n - 1] = copy;
		copy = NULL;
		rc = strv_push(&cs->redact, shown);
		if (rc < 0) {
			cs->redact.n--;
			copy = cs->redact.v[cs->redact.n];
			cs->redact.v[cs->redact.n] = NULL;
		}
	}
	if (copy)
		secmem_free(copy, len + 1);
	return rc;
}

int changeset_redact(struct changeset *cs, const char *s, const char *shown)
{
	return changeset_redact_span(cs, s, strlen(s), shown);
}

/* The redactions: each hidden text back to secmem (which wipes it), each label to free(). */
static void redact_free(struct strv *redact)
{
	for (size_t i = 0; i + 1 < redact->n; i += 2) {
		secmem_free(redact->v[i], strlen(redact->v[i]) + 1);
		redact->v[i] = NULL;
	}
	for (size_t i = 1; i < redact->n; i += 2)
		free(redact->v[i]);
	free(redact->v);
	*redact = (struct strv)STRV_INIT;
}

bool changeset_empty(const struct changeset *cs)
{
	return cs->n == 0;
}

void changeset_free(struct changeset *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		change_free(&cs->v[i]);
	free(cs->v);
	cs->v = NULL;
	cs->n = 0;
	redact_free(&cs->redact);
}

/* Copy IN to OUT with every redacted string replaced. */
static int redact_into(const struct strv *redact, const struct buf *in, struct buf *out)
{
	size_t i = 0;
	while (i < in->len) {
		bool hit = false;
		for (size_t k = 0; k + 1 < redact->n && !hit; k += 2) {
			size_t n = strlen(redact->v[k]);
			if (n <= in->len - i && memcmp(in->data + i, redact->v[k], n) == 0) {
				if (buf_puts(out, redact->v[k + 1]) < 0)
					return -ENOMEM;
				i += n;
				hit = true;
			}
		}
		if (!hit && buf_putc(out, in->data[i++]) < 0)
			return -ENOMEM;
	}
	return 0;
}

int changeset_diff(const struct changeset *cs, struct buf *out)
{
	int rc = 0;
	for (size_t i = 0; i < cs->n && rc == 0; i++) {
		const struct change *c = &cs->v[i];
		struct buf a = BUF_INIT, b = BUF_INIT, la = BUF_INIT, lb = BUF_INIT;

		rc = redact_into(&cs->redact, &c->old, &a);
		if (!rc)
			rc = redact_into(&cs->redact, &c->data, &b);
		if (!rc)
			rc = c->existed ? buf_printf(&la, "a%s", c->path) : buf_puts(&la, "/dev/null");
		if (!rc)
			rc = c->remove ? buf_puts(&lb, "/dev/null") : buf_printf(&lb, "b%s", c->path);
		if (!rc)
			rc = diff_unified(buf_str(&a), a.len, buf_str(&b), b.len, buf_str(&la), buf_str(&lb), out);
		buf_free(&a);
		buf_free(&b);
		buf_free(&la);
		buf_free(&lb);
	}
	return rc;
}

/* Per-change state while committing. */
struct pending {
	int dirfd;
	const char *name;
	char tmp[300];
	int fd; /* the temp file, open and flock'ed from creation to rename */
	uid_t uid;
	gid_t gid;
	mode_t mode; /* what the file gets just before the rename */
	dev_t dir_dev; /* the directory's identity: each directory cleaned and fsync'ed once */
	ino_t dir_ino;
	bool first_in_dir;
};

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Is the file at DIRFD/NAME still what we read?  Refuses symlinks and non-files. */
static int check_target(const struct change *c, int dirfd, const char *name, struct stat *st,
			struct diag *d)
{
	struct buf now = BUF_INIT;
	int fd, rc;

	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", c->path, strerror(errno));
		if (c->existed)
			return diag_set(d, ESTALE, EXIT_TEMPFAIL,
					"%s: removed by someone else while being edited; run again", c->path);
		return 0;
	}
	if (S_ISLNK(st->st_mode))
		return diag_set(d, ELOOP, EXIT_CANTCREAT, "%s: is a symlink; refusing to replace it", c->path);
	if (!S_ISREG(st->st_mode))
		return diag_set(d, EINVAL, EXIT_CANTCREAT, "%s: not a regular file", c->path);
	if (!c->existed)
		return diag_set(d, EEXIST, EXIT_TEMPFAIL,
				"%s: created by someone else while being edited; run again", c->path);
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", c->path, strerror(errno));
	for (;;) {
		ssize_t n;
		rc = buf_reserve(&now, 65536);
		if (rc < 0)
			break;
		n = read(fd, now.data + now.len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", c->path, strerror(errno)) : 0;
			break;
		}
		now.len += (size_t)n;
		if (now.len > c->old.len)
			break; /* already differs */
	}
	close(fd);
	if (rc == 0 && !buf_equal(&now, &c->old))
		rc = diag_set(d, ESTALE, EXIT_TEMPFAIL,
			      "%s: changed by someone else while being edited; run again", c->path);
	buf_free(&now);
	return rc;
}

bool atomic_is_temp_name(const char *name)
{
	size_t n = strlen(name), mark = strlen(ATOMIC_TEMP_MARK);

	if (n < 2 + mark + 12 || name[0] != '.' || memcmp(name + n - 12 - mark, ATOMIC_TEMP_MARK, mark) != 0)
		return false;
	for (const char *p = name + n - 12; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/*
 * Remove the temp files that writers killed before their rename left in
 * DIRFD.  Only names of our pattern, only regular files, and only those no
 * live writer holds: a writer keeps an flock on its temp file from creation
 * to rename, so a lock we can take means its writer is gone.  The inode is
 * checked again before the unlink, so a name reused meanwhile is left alone.
 */
static void clean_stale_temps(int dirfd)
{
	struct dirent *de;
	DIR *dir;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(dir))) {
		struct stat held, now;
		int tfd;

		if (!atomic_is_temp_name(de->d_name))
			continue;
		tfd = openat(dirfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (tfd < 0)
			continue;
		if (fstat(tfd, &held) == 0 && S_ISREG(held.st_mode) && flock(tfd, LOCK_EX | LOCK_NB) == 0 &&
		    fstatat(dirfd, de->d_name, &now, AT_SYMLINK_NOFOLLOW) == 0 && now.st_ino == held.st_ino &&
		    now.st_dev == held.st_dev)
			(void)unlinkat(dirfd, de->d_name, 0);
		close(tfd);
	}
	closedir(dir);
}

/* Create P's temp file: mode 0600, never following a link, locked so no cleaner takes it for stale. */
static int create_temp(const struct change *c, struct pending *p, struct diag *d)
{
	unsigned char rnd[6];

	for (int tries = 0; tries < 16; tries++) {
		struct stat st;
		int fd;

		randombytes_buf(rnd, sizeof(rnd));
		snprintf(p->tmp, sizeof(p->tmp), ".%.200s" ATOMIC_TEMP_MARK "%02x%02x%02x%02x%02x%02x", p->name,
			 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
		fd = openat(p->dirfd, p->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0)
			return diag_set(d, errno, EXIT_CANTCREAT, "%s: cannot create a temporary file: %s", c->path,
					strerror(errno));
		/* A cleaner may have caught it between create and lock: then it is unlinked, take another. */
		if (flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0 || st.st_nlink == 0) {
			close(fd);
			continue;
		}
		p->fd = fd;
		return 0;
	}
	return diag_set(d, EEXIST, EXIT_CANTCREAT, "%s: cannot create a temporary file", c->path);
}

/*
 * The owner and mode the file gets: an existing file keeps its own, a new
 * one gets what the caller asked.  A file that receives a secret loses every
 * right of "others"; when the reading daemon's group is known and others
 * could read before, that group gets read access instead.
 */
static void final_owner(struct change *c, const struct stat *target, const struct stat *dir, struct pending *p)
{
	p->uid = c->existed ? target->st_uid : c->own ? c->uid : geteuid();
	/* e.g. conf.d root:prosody gives a new file prosody can read */
	p->gid = c->existed ? target->st_gid : c->own ? c->gid : dir->st_gid;
	p->mode = c->existed ? target->st_mode & 07777 : c->mode;
	c->was_mode = p->mode;
	c->was_gid = p->gid;
	c->secured = false;
	if (!c->secret || !(p->mode & S_IRWXO))
		return;
	if ((p->mode & S_IROTH) && c->reader_gid != (gid_t)-1 && p->gid != c->reader_gid) {
		p->gid = c->reader_gid;
		p->mode = (p->mode & ~(mode_t)S_IRWXG) | S_IRGRP;
	} else if ((p->mode & S_IROTH) && c->reader_gid != (gid_t)-1) {
		p->mode |= S_IRGRP;
	}
	p->mode &= ~(mode_t)S_IRWXO;
	c->secured = c->existed; /* a new file never was readable by others: nothing to say */
	c->now_mode = p->mode;
	c->now_gid = p->gid;
}

/* Phase 1 for one change: the new content in a locked 0600 temp file, on its way to the disk. */
static int stage(struct change *c, struct pending *p, const struct stat *st, struct diag *d)
{
	struct stat dst;
	int rc;

	if (!c->existed && fstat(p->dirfd, &dst) < 0)
		return diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", c->path, strerror(errno));
	final_owner(c, st, &dst, p);
	rc = create_temp(c, p, d);
	if (rc < 0)
		return rc;
	rc = write_all(p->fd, c->data.data ? c->data.data : "", c->data.len);
	if (rc < 0)
		return diag_set(d, -rc, EXIT_CANTCREAT, "%s: %s", c->path, strerror(-rc));
	/* Its writeback starts now, while the next files are written: the fsync below then waits less. */
	(void)sync_file_range(p->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	return 0;
}

/*
 * Phase 2 for one change: owner and mode only now, so a writer killed
 * earlier leaves a 0600 temp file whatever the target's mode; then the
 * rename.  The directory fsync that follows commits these metadata changes
 * with the rename on a journalling file system.
 */
static int put_in_place(const struct change *c, struct pending *p, struct diag *d)
{
	/* Owner first: fchown clears set-id bits, fchmod then sets the final mode. */
	if (fchown(p->fd, p->uid, p->gid) < 0 && !(errno == EPERM && p->uid == geteuid()))
		return diag_set(d, errno, EXIT_CANTCREAT, "%s: cannot keep owner %u:%u: %s", c->path,
				(unsigned)p->uid, (unsigned)p->gid, strerror(errno));
	if (fchmod(p->fd, p->mode) < 0)
		return diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", c->path, strerror(errno));
	if (renameat(p->dirfd, p->tmp, p->dirfd, p->name) < 0)
		return diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", c->path, strerror(errno));
	p->tmp[0] = '\0';
	return 0;
}

/* Note P's directory; whether it is the first of the N before it there (to clean, then to fsync). */
static bool first_in_dir(struct pending *all, size_t n, struct pending *p)
{
	struct stat st;

	if (fstat(p->dirfd, &st) < 0)
		return p->first_in_dir = true; /* fsync'ed for sure; cleaning it again is harmless */
	p->dir_dev = st.st_dev;
	p->dir_ino = st.st_ino;
	/* Usually all in one or two directories: the last ones are looked at first. */
	for (size_t i = n; i-- > 0;)
		if (all[i].dir_dev == st.st_dev && all[i].dir_ino == st.st_ino)
			return p->first_in_dir = false;
	return p->first_in_dir = true;
}

int changeset_commit(struct changeset *cs, const struct root *r, struct diag *d)
{
	struct pending *p;
	size_t i;
	int rc = 0;

	if (cs->n == 0)
		return 0;
	p = calloc(cs->n, sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (i = 0; i < cs->n; i++)
		p[i].dirfd = p[i].fd = -1;

	/* Phase 1: check every target and write every temp file. */
	for (i = 0; i < cs->n && rc == 0; i++) {
		struct change *c = &cs->v[i];
		struct stat st;
		rc = safefs_open_parent(r, c->path, c->mkdir_mode, &p[i].dirfd, &p[i].name, d);
		if (rc == 0 && first_in_dir(p, i, &p[i]))
			clean_stale_temps(p[i].dirfd);
		if (rc == 0)
			rc = check_target(c, p[i].dirfd, p[i].name, &st, d);
		if (rc == 0 && !c->remove)
			rc = stage(c, &p[i], &st, d);
	}
	/* Every temp file durable before any rename. */
	for (i = 0; i < cs->n && rc == 0; i++)
		if (p[i].fd >= 0 && fsync(p[i].fd) < 0)
			rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", cs->v[i].path, strerror(errno));
	if (rc < 0)
		goto out;

	/* Phase 2: put everything in place, then make the directory entries durable. */
	for (i = 0; i < cs->n && rc == 0; i++) {
		struct change *c = &cs->v[i];
		if (c->remove) {
			if (unlinkat(p[i].dirfd, p[i].name, 0) < 0)
				rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", c->path, strerror(errno));
		} else {
			rc = put_in_place(c, &p[i], d);
		}
	}
	for (i = 0; i < cs->n; i++)
		if (p[i].dirfd >= 0 && p[i].first_in_dir && fsync(p[i].dirfd) < 0 && rc == 0)
			rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", cs->v[i].path, strerror(errno));
out:
	for (i = 0; i < cs->n; i++) {
		if (p[i].fd >= 0 && p[i].tmp[0])
			unlinkat(p[i].dirfd, p[i].tmp, 0);
		if (p[i].fd >= 0)
			close(p[i].fd);
		if (p[i].dirfd >= 0)
			close(p[i].dirfd);
	}
	free(p);
	return rc;
}
