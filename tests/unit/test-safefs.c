/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/safefs: reading inside a root, refusing escapes, symlinks and special files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "safefs.h"
#include "strv.h"

/* One temporary tree per test: TOP/root is the root, TOP/outside is beside it. */
struct fixture {
	char top[64];
	char root_dir[96];
	char outside[96];
	struct root r;
};

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Create TOP/REL (a path under the temp tree) with CONTENT. */
static void put_file(const struct fixture *f, const char *rel, const char *content)
{
	char path[512];
	FILE *fp;
	snprintf(path, sizeof(path), "%s/%s", f->top, rel);
	fp = fopen(path, "w");
	if (!fp)
		fail_msg("cannot create %s: %s", path, strerror(errno));
	fputs(content, fp);
	fclose(fp);
}

static void put_dir(const struct fixture *f, const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", f->top, rel);
	if (mkdir(path, 0755) < 0)
		fail_msg("cannot create %s: %s", path, strerror(errno));
}

static void put_link(const struct fixture *f, const char *target, const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", f->top, rel);
	if (symlink(target, path) < 0)
		fail_msg("cannot create %s: %s", path, strerror(errno));
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct diag d = DIAG_INIT;

	if (!f)
		return -1;
	strcpy(f->top, "/tmp/ut-safefs.XXXXXX");
	if (!mkdtemp(f->top)) {
		free(f);
		return -1;
	}
	snprintf(f->root_dir, sizeof(f->root_dir), "%s/root", f->top);
	snprintf(f->outside, sizeof(f->outside), "%s/outside", f->top);
	f->r = (struct root)ROOT_INIT;
	*state = f;
	put_dir(f, "root");
	put_dir(f, "outside");
	put_file(f, "outside/secret", "host file, outside the root\n");
	put_dir(f, "root/etc");
	put_file(f, "root/etc/passwd", "root:x:0:0:inside the root:/root:/bin/sh\n");
	put_dir(f, "root/etc/prosody");
	put_file(f, "root/etc/prosody/prosody.cfg.lua", "admins = { }\n");
	put_dir(f, "root/etc/prosody/conf.avail");
	put_file(f, "root/etc/prosody/conf.avail/localhost.cfg.lua", "VirtualHost \"localhost\"\n");
	if (safefs_root_open(f->root_dir, &f->r, &d) < 0) {
		print_message("safefs_root_open: %s\n", d.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	safefs_root_close(&f->r);
	rm_rf(f->top);
	free(f);
	return 0;
}

/* Read PATH inside the root: the return code, and the content into OUT. */
static int read_in(const struct fixture *f, const char *path, struct buf *out, struct diag *d)
{
	buf_truncate(out, 0);
	return safefs_read_file(&f->r, path, out, d);
}

static void test_root_open(void **state)
{
	struct fixture *f = *state;
	struct root r = ROOT_INIT, slash = ROOT_INIT;
	struct diag d = DIAG_INIT;
	char with_slashes[128], missing[128];
	char *s;

	assert_true(f->r.fd >= 0);
	assert_string_equal(f->r.path, f->root_dir);
	assert_false(safefs_root_is_host(&f->r));

	snprintf(with_slashes, sizeof(with_slashes), "%s///", f->root_dir);
	assert_int_equal(safefs_root_open(with_slashes, &r, &d), 0);
	assert_string_equal(r.path, f->root_dir);
	safefs_root_close(&r);
	assert_int_equal(r.fd, -1);
	assert_null(r.path);
	safefs_root_close(&r); /* twice is safe */

	assert_int_equal(safefs_root_open("/", &slash, &d), 0);
	assert_string_equal(slash.path, "");
	assert_true(safefs_root_is_host(&slash));
	s = safefs_host_path(&slash, "/etc/prosody/prosody.cfg.lua");
	assert_string_equal(s, "/etc/prosody/prosody.cfg.lua");
	free(s);
	safefs_root_close(&slash);
	assert_int_equal(safefs_root_open("//", &slash, &d), 0);
	assert_true(safefs_root_is_host(&slash));
	safefs_root_close(&slash);
	assert_false(diag_is_set(&d));

	s = safefs_host_path(&f->r, "/etc/passwd");
	assert_non_null(s);
	assert_true(strncmp(s, f->root_dir, strlen(f->root_dir)) == 0);
	assert_string_equal(s + strlen(f->root_dir), "/etc/passwd");
	free(s);

	assert_int_equal(safefs_root_open("relative/dir", &r, &d), -EINVAL);
	assert_string_equal(d.msg, "root \"relative/dir\": must be an absolute path");
	diag_clear(&d);
	assert_int_equal(safefs_root_open("", &r, &d), -EINVAL);
	diag_clear(&d);
	snprintf(missing, sizeof(missing), "%s/missing", f->top);
	assert_int_equal(safefs_root_open(missing, &r, &d), -ENOENT);
	assert_non_null(strstr(d.msg, "No such file or directory"));
	diag_clear(&d);
	snprintf(missing, sizeof(missing), "%s/etc/passwd", f->root_dir);
	assert_int_equal(safefs_root_open(missing, &r, &d), -ENOTDIR);
	assert_int_equal(r.fd, -1);
}

static void test_read_inside(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;
	struct diag d = DIAG_INIT;

	assert_int_equal(read_in(f, "/etc/prosody/prosody.cfg.lua", &b, &d), 0);
	assert_string_equal(buf_str(&b), "admins = { }\n");
	/* Appends after what the buffer holds. */
	assert_int_equal(safefs_read_file(&f->r, "/etc/passwd", &b, &d), 0);
	assert_string_equal(buf_str(&b), "admins = { }\nroot:x:0:0:inside the root:/root:/bin/sh\n");
	/* Redundant slashes and "." are fine. */
	assert_int_equal(read_in(f, "//etc/./prosody//prosody.cfg.lua", &b, &d), 0);
	assert_string_equal(buf_str(&b), "admins = { }\n");
	/* An empty file. */
	put_file(f, "root/etc/empty", "");
	assert_int_equal(read_in(f, "/etc/empty", &b, &d), 0);
	assert_int_equal(b.len, 0);
	assert_false(diag_is_set(&d));
	buf_free(&b);

	/* Sized by fstat: a small file costs a small buffer (no fixed reservation); a big one is read whole. */
	assert_int_equal(read_in(f, "/etc/prosody/prosody.cfg.lua", &b, &d), 0);
	assert_true(b.cap <= 64);
	buf_free(&b);
	{
		char big[200000];
		for (size_t i = 0; i < sizeof(big) - 1; i++)
			big[i] = (char)('a' + i % 26);
		big[sizeof(big) - 1] = '\0';
		put_file(f, "root/etc/big", big);
		assert_int_equal(read_in(f, "/etc/big", &b, &d), 0);
		assert_int_equal(b.len, sizeof(big) - 1);
		assert_string_equal(buf_str(&b), big);
		assert_true(b.cap < 2 * sizeof(big));
		buf_free(&b);
	}
}

static void test_symlink_stays_inside(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;
	struct diag d = DIAG_INIT;
	char outside_secret[160];

	/* An absolute link to /etc/passwd means the root's /etc/passwd, not the host's. */
	put_link(f, "/etc/passwd", "root/etc/link-passwd");
	assert_int_equal(read_in(f, "/etc/link-passwd", &b, &d), 0);
	assert_string_equal(buf_str(&b), "root:x:0:0:inside the root:/root:/bin/sh\n");

	/* Debian's conf.d -> conf.avail relative links work. */
	put_dir(f, "root/etc/prosody/conf.d");
	put_link(f, "../conf.avail/localhost.cfg.lua", "root/etc/prosody/conf.d/localhost.cfg.lua");
	assert_int_equal(read_in(f, "/etc/prosody/conf.d/localhost.cfg.lua", &b, &d), 0);
	assert_string_equal(buf_str(&b), "VirtualHost \"localhost\"\n");

	/*
	 * A link to a host path outside the root finds nothing (that path does
	 * not exist inside), and says so: the link is named, not called absent.
	 */
	snprintf(outside_secret, sizeof(outside_secret), "%s/secret", f->outside);
	put_link(f, outside_secret, "root/etc/escape-abs");
	assert_int_equal(read_in(f, "/etc/escape-abs", &b, &d), -ENOLINK);
	assert_int_equal(b.len, 0);
	assert_non_null(strstr(d.msg, "/etc/escape-abs: is a symlink to \""));
	assert_non_null(strstr(d.msg, "/secret\", which does not exist inside the root \""));
	assert_non_null(strstr(d.msg, f->root_dir));
	diag_clear(&d);
	/* Relative links climbing above the root stop at the root. */
	put_link(f, "../../../../../../../../outside/secret", "root/etc/escape-rel");
	assert_int_equal(read_in(f, "/etc/escape-rel", &b, &d), -ENOLINK);
	diag_clear(&d);
	put_link(f, "../../../../../../../etc/passwd", "root/etc/up-passwd");
	assert_int_equal(read_in(f, "/etc/up-passwd", &b, &d), 0);
	assert_string_equal(buf_str(&b), "root:x:0:0:inside the root:/root:/bin/sh\n");
	/* A directory link leading out is contained too, and named. */
	put_link(f, f->outside, "root/etc/outdir");
	assert_int_equal(read_in(f, "/etc/outdir/secret", &b, &d), -ENOLINK);
	assert_non_null(strstr(d.msg, "/etc/outdir/secret: /etc/outdir is a symlink to \""));
	diag_clear(&d);
	/* Through a link that resolves, a missing file is just missing. */
	put_link(f, "/etc/prosody/conf.d", "root/etc/confd-link");
	assert_int_equal(read_in(f, "/etc/confd-link/none.cfg.lua", &b, &d), -ENOENT);
	assert_false(diag_is_set(&d));
	buf_free(&b);
}

static void test_dotdot_cannot_escape(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;
	struct diag d = DIAG_INIT;

	assert_int_equal(read_in(f, "/../../../../etc/passwd", &b, &d), 0);
	assert_string_equal(buf_str(&b), "root:x:0:0:inside the root:/root:/bin/sh\n");
	assert_int_equal(read_in(f, "/etc/prosody/../../../etc/passwd", &b, &d), 0);
	assert_string_equal(buf_str(&b), "root:x:0:0:inside the root:/root:/bin/sh\n");
	assert_int_equal(read_in(f, "../outside/secret", &b, &d), -ENOENT);
	assert_int_equal(read_in(f, "/../outside/secret", &b, &d), -ENOENT);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void test_read_refusals(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;
	struct diag d = DIAG_INIT;

	/* A missing file: -ENOENT and no message. */
	assert_int_equal(read_in(f, "/etc/prosody/missing.cfg.lua", &b, &d), -ENOENT);
	assert_false(diag_is_set(&d));
	assert_int_equal(read_in(f, "/nowhere/at/all", &b, &d), -ENOENT);
	assert_false(diag_is_set(&d));
	/* A dangling link is not "missing": it is refused, naming the link and where it points. */
	put_link(f, "/etc/nothing", "root/etc/dangling");
	assert_int_equal(read_in(f, "/etc/dangling", &b, &d), -ENOLINK);
	assert_non_null(strstr(d.msg, "/etc/dangling: is a symlink to \"/etc/nothing\", which does not exist"));
	diag_clear(&d);
	/* ... also with O_PATH, as presence checks use it. */
	{
		int fd = -1;
		assert_int_equal(safefs_open_read(&f->r, "/etc/dangling", O_PATH, &fd, &d), -ENOLINK);
		assert_true(diag_is_set(&d));
		diag_clear(&d);
		/* ... and a dangling directory link on the way. */
		put_link(f, "/srv/gone", "root/etc/gone");
		assert_int_equal(safefs_open_read(&f->r, "/etc/gone/x/y.cfg", O_RDONLY, &fd, &d), -ENOLINK);
		assert_non_null(strstr(d.msg, "/etc/gone/x/y.cfg: /etc/gone is a symlink to \"/srv/gone\""));
		diag_clear(&d);
	}

	/* A directory is refused with a message, and the buffer keeps what it had. */
	assert_int_equal(buf_puts(&b, "kept"), 0);
	assert_int_equal(safefs_read_file(&f->r, "/etc/prosody", &b, &d), -EINVAL);
	assert_string_equal(d.msg, "/etc/prosody: a directory, not a regular file");
	assert_string_equal(buf_str(&b), "kept");
	diag_clear(&d);

	/* A file below a regular file. */
	assert_int_equal(read_in(f, "/etc/passwd/x", &b, &d), -ENOTDIR);
	assert_true(diag_is_set(&d));
	diag_clear(&d);

	/* Larger than SAFEFS_MAX_FILE: refused, not truncated. */
	{
		char path[200];
		int fd;
		snprintf(path, sizeof(path), "%s/etc/huge", f->root_dir);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		assert_true(fd >= 0);
		assert_int_equal(ftruncate(fd, SAFEFS_MAX_FILE + 1), 0);
		close(fd);
		buf_truncate(&b, 0);
		assert_int_equal(safefs_read_file(&f->r, "/etc/huge", &b, &d), -EFBIG);
		assert_non_null(strstr(d.msg, "/etc/huge: larger than"));
		assert_int_equal(b.len, 0);
		diag_clear(&d);
		/* Exactly the limit is fine. */
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(ftruncate(fd, SAFEFS_MAX_FILE), 0);
		close(fd);
		assert_int_equal(safefs_read_file(&f->r, "/etc/huge", &b, &d), 0);
		assert_int_equal(b.len, SAFEFS_MAX_FILE);
	}
	buf_free(&b);
}

/*
 * A FIFO is not a regular file: refused with a message, at once.  Run in a
 * child so that a read blocking on the FIFO (no writer ever comes) fails the
 * test instead of hanging it.
 */
static void test_read_fifo(void **state)
{
	struct fixture *f = *state;
	char fifo[200];
	pid_t pid;
	int status = 0;
	struct timespec t0, t1;

	snprintf(fifo, sizeof(fifo), "%s/etc/prosody/fifo.cfg.lua", f->root_dir);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct buf b = BUF_INIT;
		struct diag d = DIAG_INIT;
		int rc;
		alarm(10); /* never outlive the test */
		rc = safefs_read_file(&f->r, "/etc/prosody/fifo.cfg.lua", &b, &d);
		if (rc == -EINVAL && strcmp(d.msg, "/etc/prosody/fifo.cfg.lua: a FIFO, not a regular file") == 0)
			_exit(0);
		fprintf(stderr, "safefs_read_file on a FIFO: rc %d, \"%s\"\n", rc, d.msg);
		_exit(1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		assert_true(w >= 0);
		if (w == pid)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 3000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fail_msg("safefs_read_file blocked on a FIFO (no writer) for 3 s instead of refusing it");
		}
		usleep(10000);
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * Where a config should be, a FIFO, a socket or a device is refused by name
 * without being opened, also by a plain open for reading (the one adapters
 * use before parsing).  alarm(): a regression blocks on the FIFO and dies.
 */
static void test_open_special(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct diag d = DIAG_INIT;
	char path[200];
	int fd = -1, sock;

	alarm(10);
	snprintf(path, sizeof(path), "%s/etc/fifo.yml", f->root_dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(safefs_open_read(&f->r, "/etc/fifo.yml", O_RDONLY, &fd, &d), -EINVAL);
	assert_string_equal(d.msg, "/etc/fifo.yml: a FIFO, not a regular file");
	diag_clear(&d);
	/* Through a symlink too. */
	put_link(f, "fifo.yml", "root/etc/link.yml");
	assert_int_equal(safefs_open_read(&f->r, "/etc/link.yml", O_RDONLY, &fd, &d), -EINVAL);
	assert_string_equal(d.msg, "/etc/link.yml: a FIFO, not a regular file");
	diag_clear(&d);
	/* O_PATH (a presence check) still finds it: it opens nothing. */
	assert_int_equal(safefs_open_read(&f->r, "/etc/fifo.yml", O_PATH, &fd, &d), 0);
	close(fd);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/etc/sock", f->root_dir);
	sock = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(sock >= 0);
	assert_int_equal(bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(safefs_open_read(&f->r, "/etc/sock", O_RDONLY, &fd, &d), -EINVAL);
	assert_string_equal(d.msg, "/etc/sock: a socket, not a regular file");
	diag_clear(&d);
	close(sock);

	snprintf(path, sizeof(path), "%s/etc/null", f->root_dir);
	if (mknod(path, S_IFCHR | 0666, makedev(1, 3)) == 0) {
		assert_int_equal(safefs_open_read(&f->r, "/etc/null", O_RDONLY, &fd, &d), -EINVAL);
		assert_string_equal(d.msg, "/etc/null: a character device, not a regular file");
		diag_clear(&d);
	} else {
		print_message("no mknod here (%s): the device case is not tested\n", strerror(errno));
	}
	/* A regular file opened for reading stays blocking, as asked. */
	assert_int_equal(safefs_open_read(&f->r, "/etc/passwd", O_RDONLY, &fd, &d), 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	alarm(0);
}

/*
 * openat2(RESOLVE_IN_ROOT) fails with EAGAIN when a rename anywhere races a
 * ".." step.  With a process renaming all the time, raw openat2 of a path
 * with ".." sees EAGAIN now and then; safefs_open_read must never fail.
 */
static void test_openat2_eagain_retried(void **state)
{
	struct fixture *f = *state;
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	const char *path = "/etc/prosody/conf.avail/../../passwd";
	unsigned raw_eagain = 0, failed = 0;
	char a[200], b[200];
	pid_t pid;

	snprintf(a, sizeof(a), "%s/var-a", f->root_dir);
	snprintf(b, sizeof(b), "%s/var-b", f->root_dir);
	assert_int_equal(mkdir(a, 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(60);
		for (;;) {
			(void)!rename(a, b);
			(void)!rename(b, a);
		}
	}
	for (int i = 0; i < 100000; i++) {
		struct diag d = DIAG_INIT;
		int fd = (int)syscall(SYS_openat2, f->r.fd, path, &how, sizeof(how));
		if (fd >= 0)
			close(fd);
		else if (errno == EAGAIN)
			raw_eagain++;
		if (safefs_open_read(&f->r, path, O_PATH, &fd, &d) == 0)
			close(fd);
		else if (failed++ == 0)
			print_message("safefs_open_read failed: %s\n", d.msg);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	print_message("raw openat2: %u EAGAIN in 100000 opens during renames; safefs_open_read: %u failures\n",
		      raw_eagain, failed);
	assert_int_equal(failed, 0);
}

static void test_list_dir(void **state)
{
	struct fixture *f = *state;
	struct strv names = STRV_INIT;
	struct diag d = DIAG_INIT;
	static const char *const files[] = { "b", "a", "B", "_x", "\xc3\xa4", "10", "9", ".hidden", "a.cfg.lua" };
	static const char *const sorted[] = { ".hidden", "10", "9", "B", "_x", "a", "a.cfg.lua", "b", "sub", "\xc3\xa4" };

	put_dir(f, "root/etc/list");
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "root/etc/list/%s", files[i]);
		put_file(f, rel, "x");
	}
	put_dir(f, "root/etc/list/sub");
	assert_int_equal(safefs_list_dir(&f->r, "/etc/list", &names, &d), 0);
	assert_int_equal(names.n, sizeof(sorted) / sizeof(*sorted));
	for (size_t i = 0; i < names.n; i++)
		assert_string_equal(names.v[i], sorted[i]);
	assert_null(names.v[names.n]);
	strv_free(&names);

	/* Empty directory: no names (and no "." or ".."). */
	put_dir(f, "root/etc/emptydir");
	assert_int_equal(safefs_list_dir(&f->r, "/etc/emptydir", &names, &d), 0);
	assert_int_equal(names.n, 0);
	strv_free(&names);

	/* Through a directory symlink that stays inside. */
	put_link(f, "/etc/list", "root/etc/list-link");
	assert_int_equal(safefs_list_dir(&f->r, "/etc/list-link", &names, &d), 0);
	assert_int_equal(names.n, sizeof(sorted) / sizeof(*sorted));
	strv_free(&names);
	assert_false(diag_is_set(&d));

	assert_int_equal(safefs_list_dir(&f->r, "/etc/missing", &names, &d), -ENOENT);
	assert_false(diag_is_set(&d));
	assert_int_equal(safefs_list_dir(&f->r, "/etc/passwd", &names, &d), -ENOTDIR);
	assert_true(diag_is_set(&d));
	assert_int_equal(names.n, 0);
}

/* A view: each file read from the disk once, edits queued seen by later reads and listings, every path looked at told. */
static void test_view(void **state)
{
	struct fixture *f = *state;
	struct safefs_view *v = NULL;
	struct strv names = STRV_INIT, paths = STRV_INIT;
	struct buf b = BUF_INIT;
	struct diag d = DIAG_INIT;
	static const char *const seen[] = { "/etc/v", "/etc/v/a", "/etc/v/gone", "/etc/v/new", "/etc/v/none" };

	put_dir(f, "root/etc/v");
	put_file(f, "root/etc/v/a", "one");
	put_file(f, "root/etc/v/gone", "x");
	assert_int_equal(safefs_view_new(&v), 0);
	f->r.view = v;
	assert_int_equal(safefs_read_file(&f->r, "/etc/v/a", &b, &d), 0);
	assert_string_equal(buf_str(&b), "one");
	/* changed on the disk behind it: the view answers what was read */
	put_file(f, "root/etc/v/a", "two");
	buf_truncate(&b, 0);
	assert_int_equal(safefs_read_file(&f->r, "/etc/v/a", &b, &d), 0);
	assert_string_equal(buf_str(&b), "one");
	assert_int_equal(safefs_read_file(&f->r, "/etc/v/none", &b, &d), -ENOENT);
	assert_int_equal(safefs_list_dir(&f->r, "/etc/v", &names, &d), 0);
	assert_int_equal(names.n, 2);
	strv_free(&names);
	/* queued edits: a new file, a deleted one */
	assert_int_equal(safefs_view_set(v, "/etc/v/new", "n", 1, false), 0);
	assert_int_equal(safefs_view_set(v, "/etc/v/gone", NULL, 0, true), 0);
	assert_int_equal(safefs_list_dir(&f->r, "/etc/v", &names, &d), 0);
	assert_int_equal(names.n, 2);
	assert_string_equal(names.v[0], "a");
	assert_string_equal(names.v[1], "new");
	strv_free(&names);
	buf_truncate(&b, 0);
	assert_int_equal(safefs_read_file(&f->r, "/etc/v/new", &b, &d), 0);
	assert_string_equal(buf_str(&b), "n");
	assert_int_equal(safefs_read_file(&f->r, "/etc/v/gone", &b, &d), -ENOENT);
	assert_false(diag_is_set(&d));
	assert_int_equal(safefs_view_paths(v, &paths), 0);
	assert_int_equal(paths.n, sizeof(seen) / sizeof(*seen));
	for (size_t i = 0; i < paths.n; i++)
		assert_string_equal(paths.v[i], seen[i]);
	strv_free(&paths);
	f->r.view = NULL;
	safefs_view_free(v);
	buf_free(&b);
}

static void test_open_parent(void **state)
{
	struct fixture *f = *state;
	struct diag d = DIAG_INIT;
	const char *name = NULL;
	const char *path = "/etc/prosody/conf.d/irc.cfg.lua";
	struct stat a, b;
	char host[200];
	int dirfd = -1;

	/* Success: the fd is the directory inside the root, NAME points into PATH. */
	assert_int_equal(safefs_open_parent(&f->r, "/etc/prosody/prosody.cfg.lua", 0, &dirfd, &name, &d), 0);
	assert_string_equal(name, "prosody.cfg.lua");
	assert_int_equal(fstat(dirfd, &a), 0);
	snprintf(host, sizeof(host), "%s/etc/prosody", f->root_dir);
	assert_int_equal(stat(host, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_dev, b.st_dev);
	close(dirfd);
	/* A file right under the root. */
	assert_int_equal(safefs_open_parent(&f->r, "/top.cfg", 0, &dirfd, &name, &d), 0);
	assert_string_equal(name, "top.cfg");
	assert_int_equal(fstat(dirfd, &a), 0);
	assert_int_equal(stat(f->root_dir, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	close(dirfd);
	assert_false(diag_is_set(&d));

	/* A missing directory without mkdir_mode is an error... */
	assert_int_equal(safefs_open_parent(&f->r, path, 0, &dirfd, &name, &d), -ENOENT);
	assert_string_equal(d.msg, "/etc/prosody/conf.d: No such file or directory");
	diag_clear(&d);
	/* ...and with it, the directories are created. */
	assert_int_equal(safefs_open_parent(&f->r, "/var/lib/jd/x", 0750, &dirfd, &name, &d), 0);
	close(dirfd);
	snprintf(host, sizeof(host), "%s/var/lib/jd", f->root_dir);
	assert_int_equal(lstat(host, &a), 0);
	assert_true(S_ISDIR(a.st_mode));

	/* ".." is never allowed on the way to a file to write. */
	assert_int_equal(safefs_open_parent(&f->r, "/etc/prosody/../passwd", 0, &dirfd, &name, &d), -EINVAL);
	assert_string_equal(d.msg, "/etc/prosody/../passwd: \"..\" is not allowed in a path to write");
	diag_clear(&d);
	assert_int_equal(safefs_open_parent(&f->r, "/../outside/secret", 0, &dirfd, &name, &d), -EINVAL);
	diag_clear(&d);
	assert_int_equal(safefs_open_parent(&f->r, "/etc/..", 0, &dirfd, &name, &d), -EINVAL);
	assert_string_equal(d.msg, "/etc/..: not a file name");
	diag_clear(&d);
	assert_int_equal(safefs_open_parent(&f->r, "/etc/prosody/", 0, &dirfd, &name, &d), -EINVAL);
	diag_clear(&d);
	assert_int_equal(safefs_open_parent(&f->r, "etc/passwd", 0, &dirfd, &name, &d), -EINVAL);
	assert_string_equal(d.msg, "etc/passwd: not an absolute path");
	diag_clear(&d);

	/* A symlinked directory on the way is refused, relative or absolute, even with mkdir_mode. */
	put_link(f, "conf.avail", "root/etc/prosody/conf.d");
	assert_int_equal(safefs_open_parent(&f->r, path, 0755, &dirfd, &name, &d), -ELOOP);
	assert_string_equal(d.msg, "/etc/prosody/conf.d: is a symlink where a directory is expected; refusing to follow it");
	diag_clear(&d);
	put_link(f, "/etc", "root/etc2");
	assert_int_equal(safefs_open_parent(&f->r, "/etc2/prosody/x", 0, &dirfd, &name, &d), -ELOOP);
	assert_string_equal(d.msg, "/etc2: is a symlink where a directory is expected; refusing to follow it");
	diag_clear(&d);
	put_link(f, f->outside, "root/etc/out");
	assert_int_equal(safefs_open_parent(&f->r, "/etc/out/secret", 0, &dirfd, &name, &d), -ELOOP);
	diag_clear(&d);
	/* A regular file where a directory should be. */
	assert_int_equal(safefs_open_parent(&f->r, "/etc/passwd/x", 0755, &dirfd, &name, &d), -ENOTDIR);
	assert_string_equal(d.msg, "/etc/passwd: not a directory");
}

static void test_path_helpers(void **state)
{
	static const struct {
		const char *in, *out;
	} dirs[] = {
		{ "/etc/prosody/x", "/etc/prosody" }, { "/x", "/" }, { "x", "." }, { "a/b", "a" }, { "/", "/" },
	};
	char *s;
	(void)state;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		s = safefs_dirname(dirs[i].in);
		assert_string_equal(s, dirs[i].out);
		free(s);
	}
	s = safefs_join("/etc/prosody", "conf.d");
	assert_string_equal(s, "/etc/prosody/conf.d");
	free(s);
	s = safefs_join("/etc/prosody/", "conf.d");
	assert_string_equal(s, "/etc/prosody/conf.d");
	free(s);
	s = safefs_join("/", "etc");
	assert_string_equal(s, "/etc");
	free(s);
	s = safefs_join("", "etc");
	assert_string_equal(s, "/etc");
	free(s);
}

UNIT_TESTS(UNIT_FIXTURE(test_root_open), UNIT_FIXTURE(test_read_inside),
	   UNIT_FIXTURE(test_symlink_stays_inside), UNIT_FIXTURE(test_dotdot_cannot_escape),
	   UNIT_FIXTURE(test_read_refusals), UNIT_FIXTURE(test_read_fifo), UNIT_FIXTURE(test_open_special),
	   UNIT_FIXTURE(test_openat2_eagain_retried), UNIT_FIXTURE(test_list_dir), UNIT_FIXTURE(test_view),
	   UNIT_FIXTURE(test_open_parent),
	   cmocka_unit_test(test_path_helpers))
