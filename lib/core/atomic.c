/* SPDX-License-Identifier: GPL-2.0-or-later */
/* atomic: the one way files are written — a set of changes committed all-or-nothing as far as POSIX allows. */
#include "atomic.h"
#include "diff.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

static struct change *changeset_add(struct changeset *cs, const char *path)
{
	struct change *v, *c = changeset_find(cs, path);
	if (c)
		return c;
	v = realloc(cs->v, (cs->n + 1) * sizeof(*v));
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
	buf_truncate(&c->data, 0);
	if (buf_append(&c->data, data, len) < 0)
		goto nomem;
	if (c->existed && buf_equal(&c->old, &c->data))
		changeset_drop(cs, c); /* unchanged: keep the file and its mtime */
	return 0;
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
	if (!c->existed) {
		changeset_drop(cs, c); /* created then removed in one go: nothing to do */
		return 0;
	}
	c->remove = true;
	buf_truncate(&c->data, 0);
	return 0;
}

int changeset_redact(struct changeset *cs, const char *s, const char *shown)
{
	int rc;
	for (size_t i = 0; i < cs->redact.n; i += 2)
		if (strcmp(cs->redact.v[i], s) == 0)
			return 0;
	if (!*s)
		return 0;
	rc = strv_push(&cs->redact, s);
	if (rc == 0 && (rc = strv_push(&cs->redact, shown)) < 0) {
		free(cs->redact.v[--cs->redact.n]);
		cs->redact.v[cs->redact.n] = NULL;
	}
	return rc;
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
	for (size_t i = 0; i < cs->redact.n; i++)
		sodium_memzero(cs->redact.v[i], strlen(cs->redact.v[i]));
	strv_free(&cs->redact);
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
	bool staged;
};

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
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

static int stage(const struct change *c, struct pending *p, const struct stat *st, struct diag *d)
{
	unsigned char rnd[6];
	int fd = -1, rc;
	uid_t uid;
	gid_t gid;
	mode_t mode;

	for (int tries = 0; fd < 0 && tries < 16; tries++) {
		randombytes_buf(rnd, sizeof(rnd));
		snprintf(p->tmp, sizeof(p->tmp), ".%.200s.%02x%02x%02x%02x%02x%02x", p->name, rnd[0], rnd[1],
			 rnd[2], rnd[3], rnd[4], rnd[5]);
		fd = openat(p->dirfd, p->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return diag_set(d, errno, EXIT_CANTCREAT, "%s: cannot create a temporary file: %s",
					c->path, strerror(errno));
	}
	if (fd < 0)
		return diag_set(d, EEXIST, EXIT_CANTCREAT, "%s: cannot create a temporary file", c->path);
	p->staged = true;
	if (c->existed) {
		uid = st->st_uid;
		gid = st->st_gid;
		mode = st->st_mode & 07777;
	} else {
		struct stat dst;
		if (fstat(p->dirfd, &dst) < 0) {
			rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", c->path, strerror(errno));
			goto out;
		}
		uid = c->own ? c->uid : geteuid();
		gid = c->own ? c->gid : dst.st_gid; /* e.g. conf.d root:prosody gives a file prosody can read */
		mode = c->mode;
	}
	rc = write_all(fd, c->data.data ? c->data.data : "", c->data.len);
	if (rc < 0) {
		rc = diag_set(d, -rc, EXIT_CANTCREAT, "%s: %s", c->path, strerror(-rc));
		goto out;
	}
	/* Owner first: fchown clears set-id bits, fchmod then sets the final mode. */
	if (fchown(fd, uid, gid) < 0 && !(errno == EPERM && uid == geteuid())) {
		rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: cannot keep owner %u:%u: %s", c->path,
			      (unsigned)uid, (unsigned)gid, strerror(errno));
		goto out;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", c->path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (close(fd) < 0 && rc == 0)
		rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", c->path, strerror(errno));
	return rc;
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
		p[i].dirfd = -1;

	/* Phase 1: check every target and write every temp file. */
	for (i = 0; i < cs->n && rc == 0; i++) {
		struct change *c = &cs->v[i];
		struct stat st;
		rc = safefs_open_parent(r, c->path, c->mkdir_mode, &p[i].dirfd, &p[i].name, d);
		if (rc == 0)
			rc = check_target(c, p[i].dirfd, p[i].name, &st, d);
		if (rc == 0 && !c->remove)
			rc = stage(c, &p[i], &st, d);
	}
	if (rc < 0)
		goto out;

	/* Phase 2: put everything in place, then make the directory entries durable. */
	for (i = 0; i < cs->n && rc == 0; i++) {
		struct change *c = &cs->v[i];
		if (c->remove) {
			if (unlinkat(p[i].dirfd, p[i].name, 0) < 0)
				rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", c->path, strerror(errno));
		} else if (renameat(p[i].dirfd, p[i].tmp, p[i].dirfd, p[i].name) < 0) {
			rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", c->path, strerror(errno));
		} else {
			p[i].staged = false;
		}
	}
	for (i = 0; i < cs->n; i++)
		if (p[i].dirfd >= 0 && fsync(p[i].dirfd) < 0 && rc == 0)
			rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", cs->v[i].path, strerror(errno));
out:
	for (i = 0; i < cs->n; i++) {
		if (p[i].staged)
			unlinkat(p[i].dirfd, p[i].tmp, 0);
		if (p[i].dirfd >= 0)
			close(p[i].dirfd);
	}
	free(p);
	return rc;
}
