/* SPDX-License-Identifier: GPL-2.0-or-later */
/* adapter-discover: finding adapters in the vendor and admin directories and deciding which may run. */
#include "grow.h"
#include "adapter.h"
#include "adapter-run.h"
#include "exitcode.h"
#include "validate.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *adapter_kind_dir(enum adapter_kind kind)
{
	return kind == ADAPTER_SERVER ? "servers" : "transports";
}

const char *adapter_kind_word(enum adapter_kind kind)
{
	return kind == ADAPTER_SERVER ? "server" : "transport";
}

/* Names a package manager or an editor leaves behind, never adapters. */
static bool adapter_name_ignored(const char *name)
{
	static const char *const patterns[] = { ".*", "*~", "*.dpkg-*", "*.rpm*", "#*#", "*.ucf-*", "*.swp" };
	for (size_t i = 0; i < sizeof(patterns) / sizeof(*patterns); i++)
		if (fnmatch(patterns[i], name, 0) == 0)
			return true;
	return false;
}

/* Free *ANSWER, a child's result kept on its own (a->answer, a batch's), and forget it. */
void answer_free(struct child **answer)
{
	if (*answer)
		child_free(*answer);
	free(*answer);
	*answer = NULL;
}

static void adapter_free(struct adapter *a)
{
	free(a->name);
	free(a->path);
	free(a->exec_path);
	free(a->script_path);
	free(a->skipped);
	free(a->caps_text);
	answer_free(&a->answer);
	if (a->inputs)
		strv_free(&a->inputs->paths);
	free(a->inputs);
}

void adapter_list_free(struct adapter_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		adapter_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

bool adapter_usable(const struct adapter *a)
{
	return !a->masked && !a->skipped;
}

static struct adapter *adapter_find(struct adapter_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

bool adapter_shebang(char *head, ssize_t n, char **interp)
{
	if (n < 2 || head[0] != '#' || head[1] != '!')
		return false;
	head[n] = '\0';
	head[strcspn(head, "\n")] = '\0';
	for (*interp = head + 2; **interp == ' ' || **interp == '\t'; (*interp)++)
		;
	return true;
}

/*
 * The "#!" line of adapter A when it names an interpreter of ours
 * (PROTOCOL_VENDOR_DIR/...): into HEAD, the interpreter at *INTERP (its
 * argument, if any, left after it); false for any other file.
 */
static bool adapter_own_shebang(const struct root *r, const struct adapter *a, char head[256], char **interp)
{
	ssize_t n;
	int fd;

	if (safefs_open_read(r, a->path, O_RDONLY, &fd, &(struct diag)DIAG_INIT) < 0)
		return false; /* inspected a moment ago; a failure to run will say more */
	n = read(fd, head, 255);
	close(fd);
	return adapter_shebang(head, n, interp) && strncmp(*interp, PROTOCOL_VENDOR_DIR "/", strlen(PROTOCOL_VENDOR_DIR) + 1) == 0;
}

/*
 * Under a --root: an adapter that is a "#!" script for an interpreter of
 * ours, INTERP, runs with the root's interpreter, which must pass the same
 * checks as an adapter.  Any other "#!" (/bin/sh) stays the kernel's
 * business, as on the host.
 */
static int adapter_own_interpreter(const struct root *r, struct adapter *a, char *interp)
{
	char proc[64], target[PATH_MAX], *end = interp + strcspn(interp, " \t");
	struct stat st;
	ssize_t n;
	int fd, rc;

	if (*end)
		return asprintf(&a->skipped, "its \"#!\" line passes an argument, which is not supported") < 0 ? -ENOMEM
														: 0;
	rc = safefs_open_read(r, interp, O_PATH, &fd, &(struct diag)DIAG_INIT);
	if (rc < 0)
		return asprintf(&a->skipped, "its interpreter %s is not in the root: %s", interp, strerror(-rc)) < 0
			       ? -ENOMEM
			       : 0;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = fstat(fd, &st) < 0 ? -1 : readlink(proc, target, sizeof(target) - 1);
	close(fd);
	if (n <= 0)
		return asprintf(&a->skipped, "its interpreter %s cannot be examined", interp) < 0 ? -ENOMEM : 0;
	target[n] = '\0';
	if (!S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))
		return asprintf(&a->skipped,
				"its interpreter %s is not a root-owned executable, unwritable by group and others",
				interp) < 0
			       ? -ENOMEM
			       : 0;
	a->script_path = a->exec_path;
	a->exec_path = strdup(target);
	return a->exec_path ? 0 : -ENOMEM;
}

/*
 * Look at one entry and decide whether it may be run: a regular executable,
 * owned by root (or by whoever runs us), not writable by group or others
 * (doas's rule: what runs as root must be changeable only by root).
 */
static int adapter_inspect(const struct root *r, struct adapter *a)
{
	char proc[64], target[PATH_MAX], head[256], *interp;
	struct stat st;
	ssize_t n;
	int fd, rc = 0;

	/* An admin symlink to /dev/null masks the vendor adapter (systemd's convention). */
	if (a->admin && safefs_open_read(r, a->dir, O_PATH | O_DIRECTORY, &fd, &(struct diag)DIAG_INIT) == 0) {
		n = readlinkat(fd, a->name, target, sizeof(target) - 1);
		close(fd);
		if (n > 0) {
			target[n] = '\0';
			if (strcmp(target, "/dev/null") == 0) {
				a->masked = true;
				return 0;
			}
		}
	}
	rc = safefs_open_read(r, a->path, O_PATH, &fd, &(struct diag)DIAG_INIT);
	if (rc < 0)
		return asprintf(&a->skipped, "cannot be opened: %s", strerror(-rc)) < 0 ? -ENOMEM : 0;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		close(fd);
		return asprintf(&a->skipped, "cannot be examined: %s", strerror(-rc)) < 0 ? -ENOMEM : 0;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, target, sizeof(target) - 1);
	close(fd);
	if (n <= 0)
		return asprintf(&a->skipped, "cannot be located on the host") < 0 ? -ENOMEM : 0;
	target[n] = '\0';
	if (!S_ISREG(st.st_mode))
		return asprintf(&a->skipped, "not a regular file") < 0 ? -ENOMEM : 0;
	if (!(st.st_mode & S_IXUSR))
		return asprintf(&a->skipped, "not executable") < 0 ? -ENOMEM : 0;
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return asprintf(&a->skipped, "owned by uid %u, not by root", (unsigned)st.st_uid) < 0 ? -ENOMEM
												       : 0;
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return asprintf(&a->skipped, "writable by group or others") < 0 ? -ENOMEM : 0;
	a->exec_path = strdup(target);
	if (!a->exec_path)
		return -ENOMEM;
	if (!adapter_own_shebang(r, a, head, &interp))
		return 0;
	a->described = strcmp(interp, PROTOCOL_VENDOR_DIR "/describe") == 0;
	return safefs_root_is_host(r) ? 0 : adapter_own_interpreter(r, a, interp);
}

enum adapter_dir_state { ADAPTER_DIR_LISTED, ADAPTER_DIR_ABSENT, ADAPTER_DIR_MASKED };

/*
 * What stands at adapter directory DIR: a directory to list, nothing, or
 * (admin directory only) a symlink to /dev/null, which masks every adapter
 * of its kind as systemd masks a unit.  Anything else where a directory of
 * programs run as root is expected (another symlink, a file, a FIFO) is
 * refused with its reason rather than ignored.
 */
static int adapter_dir_state(const struct root *r, const char *dir, bool admin, struct diag *d)
{
	char target[PATH_MAX];
	struct stat st;
	ssize_t n = -1;
	int fd, rc;

	rc = safefs_open_read(r, dir, O_PATH | O_NOFOLLOW, &fd, d);
	if (rc == -ENOENT)
		return ADAPTER_DIR_ABSENT;
	if (rc < 0)
		return rc;
	if (fstat(fd, &st) < 0) {
		rc = diag_set(d, errno, EXIT_OSERR, "%s: %s", dir, strerror(errno));
		close(fd);
		return rc;
	}
	if (S_ISLNK(st.st_mode))
		n = readlinkat(fd, "", target, sizeof(target) - 1);
	close(fd);
	if (S_ISDIR(st.st_mode))
		return ADAPTER_DIR_LISTED;
	if (n >= 0) {
		target[n] = '\0';
		if (admin && strcmp(target, "/dev/null") == 0)
			return ADAPTER_DIR_MASKED;
		return diag_set(d, ELOOP, EXIT_DATAERR,
				"%s: is a symlink to \"%s\" where a directory of adapters is expected; refusing it%s", dir,
				target, admin ? " (a symlink to /dev/null masks every adapter of its kind)" : "");
	}
	return diag_set(d, ENOTDIR, EXIT_DATAERR, "%s: %s, where a directory of adapters is expected", dir,
			safefs_type_name(st.st_mode));
}

/* The admin directory of KIND is masked: so is every adapter of that kind found so far. */
static int adapter_mask_all(struct adapter_list *l, enum adapter_kind kind, const char *dir)
{
	for (size_t i = 0; i < l->n; i++) {
		struct adapter *a = &l->v[i];
		char *path;
		if (a->kind != kind)
			continue;
		path = strdup(dir);
		if (!path)
			return -ENOMEM;
		free(a->path);
		a->path = path;
		a->admin = a->masked = true;
	}
	return 0;
}

static int adapter_scan_dir(const struct root *r, enum adapter_kind kind, bool admin,
			    struct adapter_list *l, struct diag *d)
{
	struct strv names = STRV_INIT;
	char *dir = NULL;
	int rc;

	if (asprintf(&dir, "%s/%s", admin ? PROTOCOL_ADMIN_DIR : PROTOCOL_VENDOR_DIR,
		     adapter_kind_dir(kind)) < 0)
		return -ENOMEM;
	rc = adapter_dir_state(r, dir, admin, d);
	if (rc == ADAPTER_DIR_ABSENT)
		rc = 0;
	else if (rc == ADAPTER_DIR_MASKED)
		rc = adapter_mask_all(l, kind, dir);
	else if (rc == ADAPTER_DIR_LISTED)
		rc = safefs_list_dir(r, dir, &names, d);
	if (rc < 0 || names.n == 0)
		goto out;
	for (size_t i = 0; i < names.n; i++) {
		struct adapter *a, *v;
		bool overrides;
		if (adapter_name_ignored(names.v[i]))
			continue;
		a = adapter_find(l, names.v[i]);
		overrides = a != NULL;
		if (a) {
			/* The admin's entry of the same name wins over the vendor's. */
			adapter_free(a);
		} else {
			v = grow_one(l->v, l->n, sizeof(*v));
			if (!v) {
				rc = -ENOMEM;
				goto out;
			}
			l->v = v;
			a = &l->v[l->n++];
		}
		*a = (struct adapter){ .kind = kind, .admin = admin, .overrides = overrides, .dir = dir };
		a->name = strdup(names.v[i]);
		a->path = safefs_join(dir, names.v[i]);
		a->inputs = calloc(1, sizeof(*a->inputs));
		if (!a->name || !a->path || !a->inputs) {
			rc = -ENOMEM;
			goto out;
		}
		if (!validate_adapter_name(a->name))
			rc = asprintf(&a->skipped, "the name is not a package name") < 0 ? -ENOMEM : 0;
		else
			rc = adapter_inspect(r, a);
		a->dir = NULL;
		if (rc < 0)
			goto out;
	}
	rc = 0;
out:
	strv_free(&names);
	free(dir);
	return rc;
}

static int adapter_cmp(const void *x, const void *y)
{
	return strcmp(((const struct adapter *)x)->name, ((const struct adapter *)y)->name);
}

int adapter_discover(const struct root *r, enum adapter_kind kind, struct adapter_list *ret,
		     struct diag *d)
{
	struct adapter_list l = ADAPTER_LIST_INIT;
	int rc;

	rc = adapter_scan_dir(r, kind, false, &l, d);
	if (rc == 0)
		rc = adapter_scan_dir(r, kind, true, &l, d);
	if (rc < 0) {
		adapter_list_free(&l);
		return rc;
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), adapter_cmp);
	*ret = l;
	return 0;
}

void component_free(struct component *c)
{
	buf_free(&c->secret);
}
