/* SPDX-License-Identifier: GPL-2.0-or-later */
/* safefs: every path the tools touch, taken inside one root directory (--root). */
#include "safefs.h"
#include "exitcode.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int sys_openat2(int dirfd, const char *path, int flags, unsigned long long resolve)
{
	struct open_how how = { .flags = (unsigned long long)flags, .resolve = resolve };
	int fd = -1;

	/*
	 * With RESOLVE_IN_ROOT the kernel answers EAGAIN when a rename or a mount
	 * anywhere raced its ".." check; openat2(2) says to retry.  Bounded, so a
	 * storm of renames ends in an error instead of a spin.
	 */
	for (int i = 0; i < SAFEFS_OPENAT2_TRIES; i++) {
		fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd;
}

#define SAFEFS_RESOLVE (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

/* What a file that is not a regular file is, for messages. */
const char *safefs_type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFLNK:
		return "a symlink";
	case S_IFIFO:
		return "a FIFO";
	case S_IFSOCK:
		return "a socket";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	default:
		return "of an unknown type";
	}
}

/*
 * PATH was not found.  Absent (-ENOENT, D untouched), or is there a symlink
 * on the way that leads nowhere?  That is an error worth its own message: a
 * config linked to a place that does not exist inside the root is not a
 * missing config, and the admin has to know which link and where it points.
 */
static int safefs_explain_missing(const struct root *r, const char *path, struct diag *d)
{
	char prefix[PATH_MAX], target[PATH_MAX];
	size_t len = strlen(path), end = 0;

	if (len >= sizeof(prefix))
		return -ENOENT;
	while (end < len) {
		struct stat st;
		ssize_t n;
		int fd;

		while (end < len && path[end] == '/')
			end++;
		while (end < len && path[end] != '/')
			end++;
		memcpy(prefix, path, end);
		prefix[end] = '\0';
		fd = sys_openat2(r->fd, prefix, O_PATH | O_NOFOLLOW | O_CLOEXEC, SAFEFS_RESOLVE);
		if (fd < 0)
			return -ENOENT; /* this step is simply absent (or unreachable: reported by the caller's open) */
		n = fstat(fd, &st) == 0 && S_ISLNK(st.st_mode) ? readlinkat(fd, "", target, sizeof(target) - 1) : -1;
		close(fd);
		if (n < 0)
			continue;
		target[n] = '\0';
		fd = sys_openat2(r->fd, prefix, O_PATH | O_CLOEXEC, SAFEFS_RESOLVE);
		if (fd >= 0) {
			close(fd);
			continue;
		}
		if (errno != ENOENT)
			return -ENOENT;
		return diag_set(d, ENOLINK, EXIT_NOINPUT, "%s: %s%sis a symlink to \"%s\", which does not exist%s%s%s",
				path, end < len ? prefix : "", end < len ? " " : "", target,
				safefs_root_is_host(r) ? "" : " inside the root \"", safefs_root_is_host(r) ? "" : r->path,
				safefs_root_is_host(r) ? "" : "\"");
	}
	return -ENOENT;
}

int safefs_root_open(const char *path, struct root *ret, struct diag *d)
{
	size_t len = strlen(path);
	int fd;

	if (len == 0 || path[0] != '/')
		return diag_set(d, EINVAL, EXIT_USAGE, "root \"%s\": must be an absolute path", path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return diag_set(d, errno, EXIT_NOINPUT, "root \"%s\": %s", path, strerror(errno));
	ret->fd = fd;
	ret->path = strndup(path, len == 1 ? 0 : len);
	if (!ret->path) {
		close(fd);
		ret->fd = -1;
		return -ENOMEM;
	}
	return 0;
}

void safefs_root_close(struct root *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->path);
	r->fd = -1;
	r->path = NULL;
}

int safefs_root_is_host(const struct root *r)
{
	return r->path && r->path[0] == '\0';
}

char *safefs_host_path(const struct root *r, const char *path)
{
	char *s;
	if (asprintf(&s, "%s%s", r->path ? r->path : "", path) < 0)
		return NULL;
	return s;
}

char *safefs_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

char *safefs_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *s;
	if (asprintf(&s, "%s%s%s", dir, (n && dir[n - 1] == '/') ? "" : "/", name) < 0)
		return NULL;
	return s;
}

/* Refuse FD unless it is a regular file, saying what it is instead. */
static int safefs_require_regular(int fd, const char *path, struct diag *d)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return diag_set(d, errno, EXIT_NOINPUT, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return diag_set(d, EINVAL, EXIT_DATAERR, "%s: %s, not a regular file", path, safefs_type_name(st.st_mode));
	return 0;
}

/* An open of PATH failed with ERR: absent (-ENOENT, D untouched) or an error that D explains. */
static int safefs_open_failed(const struct root *r, const char *path, int err, struct diag *d)
{
	if (err == ENOENT)
		return safefs_explain_missing(r, path, d);
	if (err == EAGAIN)
		return diag_set(d, EAGAIN, EXIT_TEMPFAIL, "%s: renamed again and again while being opened; run again",
				path);
	return diag_set(d, err, EXIT_NOINPUT, "%s: %s", path, strerror(err));
}

/* The open of the data, once safefs_open_read has seen a regular file there. */
static int safefs_open_data(const struct root *r, const char *path, int flags, int *ret_fd, struct diag *d)
{
	/* O_NONBLOCK: should a FIFO take the file's place in between, this open still returns. */
	int fd = sys_openat2(r->fd, path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, SAFEFS_RESOLVE);
	int rc;

	if (fd < 0)
		return safefs_open_failed(r, path, errno, d);
	rc = safefs_require_regular(fd, path, d);
	if (rc == 0 && !(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		rc = diag_set(d, errno, EXIT_NOINPUT, "%s: %s", path, strerror(errno));
	if (rc < 0) {
		close(fd);
		return rc;
	}
	*ret_fd = fd;
	return 0;
}

int safefs_open_read(const struct root *r, const char *path, int flags, int *ret_fd, struct diag *d)
{
	bool data = !(flags & (O_PATH | O_DIRECTORY));
	int fd, rc;

	/*
	 * Data is looked at first (O_PATH opens nothing), so a FIFO, a socket or
	 * a device where a file should be is refused without being opened:
	 * opening a FIFO blocks, opening a device may act.  O_PATH takes no
	 * other access flags (O_NOCTTY would make openat2 fail with EINVAL).
	 */
	fd = sys_openat2(r->fd, path,
			 data ? O_PATH | O_CLOEXEC | (flags & O_NOFOLLOW)
			      : flags | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY),
			 SAFEFS_RESOLVE);
	if (fd < 0)
		return safefs_open_failed(r, path, errno, d);
	if (data) {
		rc = safefs_require_regular(fd, path, d);
		close(fd);
		if (rc < 0)
			return rc;
		return safefs_open_data(r, path, flags, ret_fd, d);
	}
	*ret_fd = fd;
	return 0;
}

static int safefs_view_read(const struct root *r, const char *path, struct buf *out, struct diag *d);
static int safefs_view_list(const struct root *r, const char *path, struct strv *ret, struct diag *d);

/* Read PATH from the disk, whatever the view holds. */
static int safefs_read_disk(const struct root *r, const char *path, struct buf *out, struct diag *d)
{
	struct stat st;
	int fd = -1, rc;
	size_t start = out->len;

	rc = safefs_open_read(r, path, O_RDONLY | O_NONBLOCK, &fd, d);
	if (rc < 0)
		return rc;
	if (fstat(fd, &st) < 0) {
		rc = diag_set(d, errno, EXIT_NOINPUT, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((unsigned long long)st.st_size > SAFEFS_MAX_FILE) {
		rc = diag_set(d, EFBIG, EXIT_DATAERR, "%s: larger than %u bytes", path, SAFEFS_MAX_FILE);
		goto out;
	}
	/* Room for what fstat says plus a byte, so EOF is seen without growing; a file that grows meanwhile still fits. */
	rc = buf_reserve(out, (size_t)st.st_size + 1);
	if (rc < 0)
		goto out;
	for (;;) {
		ssize_t n;
		if (out->cap - out->len - 1 == 0 && (rc = buf_reserve(out, out->len - start + 4096)) < 0)
			goto out;
		n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = diag_set(d, errno, EXIT_NOINPUT, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		if (out->len - start > SAFEFS_MAX_FILE) {
			rc = diag_set(d, EFBIG, EXIT_DATAERR, "%s: larger than %u bytes", path,
				      SAFEFS_MAX_FILE);
			goto out;
		}
	}
	rc = 0;
out:
	if (rc < 0)
		buf_truncate(out, start);
	close(fd);
	return rc;
}

int safefs_read_file(const struct root *r, const char *path, struct buf *out, struct diag *d)
{
	return r->view ? safefs_view_read(r, path, out, d) : safefs_read_disk(r, path, out, d);
}

/* List PATH on the disk, whatever the view holds. */
static int safefs_list_disk(const struct root *r, const char *path, struct strv *ret, struct diag *d)
{
	struct strv names = STRV_INIT;
	struct dirent *de;
	DIR *dir;
	int fd = -1, rc;

	rc = safefs_open_read(r, path, O_RDONLY | O_DIRECTORY, &fd, d);
	if (rc < 0)
		return rc;
	dir = fdopendir(fd);
	if (!dir) {
		rc = diag_set(d, errno, EXIT_NOINPUT, "%s: %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	while ((errno = 0, de = readdir(dir))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		rc = strv_push(&names, de->d_name);
		if (rc < 0)
			goto out;
	}
	if (errno) {
		rc = diag_set(d, errno, EXIT_NOINPUT, "%s: %s", path, strerror(errno));
		goto out;
	}
	strv_sort(&names);
	*ret = names;
	names = (struct strv)STRV_INIT;
	rc = 0;
out:
	strv_free(&names);
	closedir(dir);
	return rc;
}

int safefs_list_dir(const struct root *r, const char *path, struct strv *ret, struct diag *d)
{
	return r->view ? safefs_view_list(r, path, ret, d) : safefs_list_disk(r, path, ret, d);
}

/* Describe why component NAME under DIRFD cannot be a directory we walk through. */
static int safefs_refuse_step(int dirfd, const char *name, const char *shown, int err, struct diag *d)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			return diag_set(d, ELOOP, EXIT_CANTCREAT,
					"%s: is a symlink where a directory is expected; refusing to follow it",
					shown);
		if (!S_ISDIR(st.st_mode))
			return diag_set(d, ENOTDIR, EXIT_CANTCREAT, "%s: not a directory", shown);
	}
	return diag_set(d, err, EXIT_CANTCREAT, "%s: %s", shown, strerror(err));
}

int safefs_open_parent(const struct root *r, const char *path, mode_t mkdir_mode, int *ret_dirfd,
		       const char **ret_name, struct diag *d)
{
	char shown[PATH_MAX];
	const char *p = path, *name;
	int fd = -1, rc;
	size_t shown_len = 0;

	if (path[0] != '/')
		return diag_set(d, EINVAL, EXIT_SOFTWARE, "%s: not an absolute path", path);
	name = strrchr(path, '/') + 1;
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return diag_set(d, EINVAL, EXIT_SOFTWARE, "%s: not a file name", path);

	fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return diag_set(d, errno, EXIT_OSERR, "%s: %s", path, strerror(errno));
	shown[0] = '\0';
	while (p < name) {
		const char *end;
		char comp[NAME_MAX + 1];
		size_t len;
		int next;

		while (*p == '/')
			p++;
		if (p >= name)
			break;
		end = strchr(p, '/');
		len = (size_t)(end - p);
		if (len > NAME_MAX || shown_len + len + 2 > sizeof(shown)) {
			rc = diag_set(d, ENAMETOOLONG, EXIT_CANTCREAT, "%s: name too long", path);
			goto fail;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		shown_len += (size_t)snprintf(shown + shown_len, sizeof(shown) - shown_len, "/%s", comp);
		if (strcmp(comp, ".") == 0) {
			p = end + 1;
			continue;
		}
		if (strcmp(comp, "..") == 0) {
			rc = diag_set(d, EINVAL, EXIT_CANTCREAT, "%s: \"..\" is not allowed in a path to write",
				      path);
			goto fail;
		}
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && mkdir_mode) {
			/* Only the directory that holds the file gets MKDIR_MODE; those above it are plain. */
			mode_t mode = end + 1 >= name ? mkdir_mode : 0755;
			if (mkdirat(fd, comp, mode) < 0 && errno != EEXIST) {
				rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", shown, strerror(errno));
				goto fail;
			}
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			/* The mode asked for, whatever the umask. */
			if (next >= 0 && fchmod(next, mode) < 0) {
				rc = diag_set(d, errno, EXIT_CANTCREAT, "%s: %s", shown, strerror(errno));
				close(next);
				goto fail;
			}
		}
		if (next < 0) {
			rc = safefs_refuse_step(fd, comp, shown, errno, d);
			goto fail;
		}
		close(fd);
		fd = next;
		p = end + 1;
	}
	*ret_dirfd = fd;
	*ret_name = name;
	return 0;
fail:
	close(fd);
	return rc;
}

/*
 * The view is a hash table keyed by path; a directory's listing is keyed by
 * its path with a final '/', which no file path has.  Only what was found
 * (a file's bytes, a listing) or found absent is kept: an error is asked
 * again, and says the same thing again.
 */
enum view_kind { VIEW_EMPTY, VIEW_FILE, VIEW_ABSENT, VIEW_DIR };

struct view_entry {
	char *key;
	enum view_kind kind;
	struct buf text;   /* VIEW_FILE */
	struct strv names; /* VIEW_DIR, sorted */
};

struct safefs_view {
	struct view_entry *v; /* open addressing; cap is a power of two, at most half full */
	size_t n, cap;
	bool short_of_one; /* a path looked at could not be kept: safefs_view_paths fails */
};

static size_t view_hash(const char *s)
{
	size_t h = 14695981039346656037ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct view_entry *view_slot(struct view_entry *v, size_t cap, const char *key)
{
	size_t i = view_hash(key) & (cap - 1);
	while (v[i].key && strcmp(v[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return &v[i];
}

int safefs_view_new(struct safefs_view **ret)
{
	struct safefs_view *v = calloc(1, sizeof(*v));
	if (!v || !(v->v = calloc(64, sizeof(*v->v)))) {
		free(v);
		return -ENOMEM;
	}
	v->cap = 64;
	*ret = v;
	return 0;
}

void safefs_view_free(struct safefs_view *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->cap; i++) {
		free(v->v[i].key);
		buf_free(&v->v[i].text);
		strv_free(&v->v[i].names);
	}
	free(v->v);
	free(v);
}

/* The entry of KEY, added empty (kind VIEW_EMPTY) when there is none; NULL on ENOMEM. */
static struct view_entry *view_get(struct safefs_view *v, const char *key)
{
	struct view_entry *e = view_slot(v->v, v->cap, key);

	if (e->key)
		return e;
	if (2 * (v->n + 1) > v->cap) {
		struct view_entry *nv = calloc(2 * v->cap, sizeof(*nv));
		if (!nv)
			return NULL;
		for (size_t i = 0; i < v->cap; i++)
			if (v->v[i].key)
				*view_slot(nv, 2 * v->cap, v->v[i].key) = v->v[i];
		free(v->v);
		v->v = nv;
		v->cap *= 2;
		e = view_slot(v->v, v->cap, key);
	}
	if (!(e->key = strdup(key)))
		return NULL;
	*e = (struct view_entry){ .key = e->key, .kind = VIEW_EMPTY, .text = BUF_INIT_SENSITIVE, .names = STRV_INIT };
	v->n++;
	return e;
}

static struct view_entry *view_find(const struct safefs_view *v, const char *key)
{
	struct view_entry *e = view_slot(v->v, v->cap, key);
	return e->key ? e : NULL;
}

/* "DIR/" for the listing of DIR, malloc'd. */
static char *view_dir_key(const char *dir)
{
	size_t n = strlen(dir);
	char *k = malloc(n + 2);
	if (k) {
		memcpy(k, dir, n);
		k[n] = '/';
		k[n + (n && dir[n - 1] == '/' ? 0 : 1)] = '\0';
	}
	return k;
}

static int safefs_view_read(const struct root *r, const char *path, struct buf *out, struct diag *d)
{
	struct view_entry *e = view_find(r->view, path);
	int rc;

	if (!e || e->kind == VIEW_EMPTY) {
		struct buf text = BUF_INIT_SENSITIVE;
		rc = safefs_read_disk(r, path, &text, d);
		/* What failed otherwise is asked again next time, but it was looked at: a key without a kind. */
		if ((e = view_get(r->view, path)) && (rc == 0 || rc == -ENOENT)) {
			e->kind = rc == 0 ? VIEW_FILE : VIEW_ABSENT;
			buf_free(&e->text);
			e->text = text;
			text = (struct buf)BUF_INIT_SENSITIVE;
		}
		buf_free(&text);
		if (!e || e->kind == VIEW_EMPTY)
			return rc < 0 ? rc : -ENOMEM;
	}
	if (e->kind == VIEW_ABSENT)
		return -ENOENT;
	return buf_append(out, e->text.data ? e->text.data : "", e->text.len);
}

/* Add NAME to the sorted NAMES, or with GONE take it out. */
static int view_names_set(struct strv *names, const char *name, bool gone)
{
	size_t i = 0;
	while (i < names->n && strcmp(names->v[i], name) < 0)
		i++;
	if (i < names->n && strcmp(names->v[i], name) == 0) {
		if (gone) {
			free(names->v[i]);
			memmove(&names->v[i], &names->v[i + 1], (names->n - i) * sizeof(*names->v)); /* with the NULL */
			names->n--;
		}
		return 0;
	}
	if (gone)
		return 0;
	int rc = strv_push(names, name);
	if (rc == 0 && i + 1 < names->n) {
		char *s = names->v[names->n - 1];
		memmove(&names->v[i + 1], &names->v[i], (names->n - 1 - i) * sizeof(*names->v));
		names->v[i] = s;
	}
	return rc;
}

/* Whether PATH lies directly in directory KEY ("DIR/"); its name then in *NAME. */
static bool view_in_dir(const char *path, const char *key, const char **name)
{
	size_t n = strlen(key);
	if (strncmp(path, key, n) != 0 || !path[n] || strchr(path + n, '/'))
		return false;
	*name = path + n;
	return true;
}

static int safefs_view_list(const struct root *r, const char *path, struct strv *ret, struct diag *d)
{
	struct safefs_view *v = r->view;
	struct strv names = STRV_INIT, copy = STRV_INIT;
	char *key = view_dir_key(path);
	struct view_entry *e = key ? view_find(v, key) : NULL;
	const char *name;
	int rc = key ? 0 : -ENOMEM;

	if (rc == 0 && e && e->kind == VIEW_ABSENT)
		rc = -ENOENT;
	if (rc == 0 && (!e || e->kind != VIEW_DIR)) {
		rc = safefs_list_disk(r, path, &names, d);
		if (rc < 0 && (e = view_get(v, key)) && rc == -ENOENT)
			e->kind = VIEW_ABSENT;
		/* Files queued or deleted in this directory before it was first listed. */
		for (size_t i = 0; rc == 0 && i < v->cap; i++)
			if (v->v[i].key && (v->v[i].kind == VIEW_FILE || v->v[i].kind == VIEW_ABSENT) &&
			    view_in_dir(v->v[i].key, key, &name))
				rc = view_names_set(&names, name, v->v[i].kind == VIEW_ABSENT);
		if (rc == 0 && !(e = view_get(v, key)))
			rc = -ENOMEM;
		if (rc == 0) {
			e->kind = VIEW_DIR;
			e->names = names;
			names = (struct strv)STRV_INIT;
		}
	}
	for (size_t i = 0; rc == 0 && i < e->names.n; i++)
		rc = strv_push(&copy, e->names.v[i]);
	if (rc == 0) {
		*ret = copy;
		copy = (struct strv)STRV_INIT;
	}
	strv_free(&copy);
	strv_free(&names);
	free(key);
	return rc;
}

int safefs_view_set(struct safefs_view *v, const char *path, const char *data, size_t len, bool gone)
{
	struct view_entry *e = view_get(v, path), *dir;
	char *parent = safefs_dirname(path), *key = parent ? view_dir_key(parent) : NULL;
	int rc = e && key ? 0 : -ENOMEM;

	if (rc == 0) {
		e->kind = gone ? VIEW_ABSENT : VIEW_FILE;
		buf_truncate(&e->text, 0);
		if (!gone)
			rc = buf_append(&e->text, data, len);
	}
	if (rc == 0 && (dir = view_find(v, key)) && dir->kind == VIEW_DIR)
		rc = view_names_set(&dir->names, strrchr(path, '/') + 1, gone);
	else if (rc == 0 && dir && dir->kind == VIEW_ABSENT)
		dir->kind = VIEW_EMPTY; /* created with the file: listed again, with what is queued in it */
	free(parent);
	free(key);
	return rc;
}

void safefs_view_note(struct safefs_view *v, const char *path)
{
	/* A key without a kind: never an answer, always a path looked at; no memory, and the list is short of it. */
	if (!view_get(v, path))
		v->short_of_one = true;
}

int safefs_view_paths(const struct safefs_view *v, struct strv *ret)
{
	struct strv paths = STRV_INIT;
	int rc = v->short_of_one ? -ENOMEM : 0;

	for (size_t i = 0; rc == 0 && i < v->cap; i++) {
		const char *k = v->v[i].key;
		size_t n = k ? strlen(k) : 0;
		if (n)
			rc = strv_push_owned(&paths, strndup(k, n > 1 && k[n - 1] == '/' ? n - 1 : n));
	}
	strv_sort(&paths);
	for (size_t i = 0; rc == 0 && i < paths.n; i++)
		if (i == 0 || strcmp(paths.v[i], paths.v[i - 1]) != 0)
			rc = strv_push(ret, paths.v[i]);
	strv_free(&paths);
	return rc;
}
