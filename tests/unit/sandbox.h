/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sandbox: a scratch root for unit tests: a mkdtemp directory, files put and read directly, removed after. */
#ifndef JD_TEST_SANDBOX_H
#define JD_TEST_SANDBOX_H

/* Include after <cmocka.h>.  Everything here is static inline: a test uses what it needs. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "safefs.h"

struct sandbox {
	char top[64]; /* the root on the host */
	struct root r;
};

static inline int sandbox_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A fresh root /tmp/jd-NAME.XXXXXX, opened as a struct root. */
static inline void sandbox_open(struct sandbox *sb, const char *name)
{
	struct diag d = DIAG_INIT;
	snprintf(sb->top, sizeof(sb->top), "/tmp/jd-%s.XXXXXX", name);
	assert_non_null(mkdtemp(sb->top));
	assert_int_equal(chmod(sb->top, 0755), 0);
	sb->r = (struct root)ROOT_INIT;
	if (safefs_root_open(sb->top, &sb->r, &d) < 0)
		fail_msg("%s: %s", sb->top, d.msg);
}

static inline void sandbox_close(struct sandbox *sb)
{
	safefs_root_close(&sb->r);
	nftw(sb->top, sandbox_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* PATH inside the root, as a path on the host (one of four rotating buffers). */
static inline const char *sandbox_path(const struct sandbox *sb, const char *path)
{
	static char buf[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s%s", sb->top, path);
	return buf[i];
}

/* Make the directories of PATH (inside the root) that are missing, 0755. */
static inline void sandbox_mkdirs(const struct sandbox *sb, const char *path)
{
	char p[512];
	snprintf(p, sizeof(p), "%s", sandbox_path(sb, path));
	for (char *s = p + strlen(sb->top) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			fail_msg("cannot create %s: %s", p, strerror(errno));
		*s = '/';
	}
}

/* Make directory PATH inside the root, 0755; its parent must be there. */
static inline void sandbox_mkdir(const struct sandbox *sb, const char *path)
{
	if (mkdir(sandbox_path(sb, path), 0755) < 0)
		fail_msg("cannot create %s: %s", path, strerror(errno));
}

/* PATH inside the root holds CONTENT (LEN bytes) with MODE, its directories made as needed. */
static inline void sandbox_put_bytes(const struct sandbox *sb, const char *path, const char *content, size_t len,
				     mode_t mode)
{
	int fd;
	sandbox_mkdirs(sb, path);
	fd = open(sandbox_path(sb, path), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		fail_msg("cannot create %s: %s", path, strerror(errno));
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static inline void sandbox_put(const struct sandbox *sb, const char *path, const char *content, mode_t mode)
{
	sandbox_put_bytes(sb, path, content, strlen(content), mode);
}

/* The content of PATH inside the root, read directly (not through safefs), into OUT. */
static inline void sandbox_get(const struct sandbox *sb, const char *path, struct buf *out)
{
	char chunk[4096];
	ssize_t n;
	int fd = open(sandbox_path(sb, path), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("cannot read %s: %s", path, strerror(errno));
	buf_truncate(out, 0);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		assert_int_equal(buf_append(out, chunk, (size_t)n), 0);
	close(fd);
}

/* cmocka fixtures: *state is a fresh struct sandbox, removed after the test. */
static inline int sandbox_setup(void **state)
{
	struct sandbox *sb = calloc(1, sizeof(*sb));
	assert_non_null(sb);
	sandbox_open(sb, "unit");
	*state = sb;
	return 0;
}

static inline int sandbox_teardown(void **state)
{
	sandbox_close(*state);
	free(*state);
	return 0;
}

/* A test run in a fresh sandbox (its struct sandbox in *state). */
#define UNIT_SANDBOX(f) cmocka_unit_test_setup_teardown(f, sandbox_setup, sandbox_teardown)

/* The permission bits of PATH inside the root, -1 when it is not there. */
static inline int sandbox_mode(const struct sandbox *sb, const char *path)
{
	struct stat st;
	return lstat(sandbox_path(sb, path), &st) < 0 ? -1 : (int)(st.st_mode & 07777);
}

#endif
