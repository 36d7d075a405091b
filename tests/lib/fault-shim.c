/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fault-shim: LD_PRELOAD library for the crash tests — counts write steps, and dies or fails at step N. */
/*
 * A write step is one call that changes a file: open with O_CREAT, write
 * or pwrite to a regular file, ftruncate, fsync, fdatasync, fchmod, fchown,
 * rename, renameat, unlink, unlinkat, mkdir, mkdirat.  Settings (environment):
 *
 *   JD_FAULT_TRACE=FILE  append "PID OP" for each step (to count the steps)
 *   JD_FAULT_AT=N        at the Nth step of this process (1-based) ...
 *   JD_FAULT_OPS=a,b     ... counting only these ops (write, fsync, rename,
 *                        chmod, chown, create, unlink, mkdir, truncate; default all)
 *   JD_FAULT_DO=kill     ... kill -9 ourselves before the call (the default), or
 *   JD_FAULT_DO=ENOSPC   ... fail the call with ENOSPC (or EIO, EDQUOT, EROFS)
 *   JD_FAULT_MARK=FILE   created when the fault fires, so the test knows it did
 *
 * Built by the tests themselves without sanitizers; calls the real functions
 * through dlsym(RTLD_NEXT).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static unsigned long steps;

/* Write to the trace without going through any function we wrap. */
static void trace(const char *op)
{
	const char *file = getenv("JD_FAULT_TRACE");
	char line[64];
	int fd, n;

	if (!file)
		return;
	fd = (int)syscall(SYS_openat, AT_FDCWD, file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%ld %s\n", (long)getpid(), op);
	(void)!syscall(SYS_write, fd, line, (size_t)n);
	close(fd);
}

static int counted(const char *op)
{
	const char *ops = getenv("JD_FAULT_OPS");
	size_t n = strlen(op);
	if (!ops || !*ops)
		return 1;
	for (const char *p = ops; (p = strstr(p, op)); p += n)
		if ((p == ops || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* 0: go on with the real call; -1 with errno set: fail it.  May not return (kill). */
static int step(const char *op)
{
	const char *at = getenv("JD_FAULT_AT"), *what = getenv("JD_FAULT_DO"), *mark = getenv("JD_FAULT_MARK");
	int err = 0;

	if (!counted(op))
		return 0;
	steps++;
	trace(op);
	if (!at || strtoul(at, NULL, 10) != steps)
		return 0;
	if (mark) {
		int fd = (int)syscall(SYS_openat, AT_FDCWD, mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
	}
	if (!what || strcmp(what, "kill") == 0) {
		kill(getpid(), SIGKILL);
		pause();
	}
	err = strcmp(what, "ENOSPC") == 0 ? ENOSPC : strcmp(what, "EDQUOT") == 0 ? EDQUOT
		: strcmp(what, "EROFS") == 0  ? EROFS
					      : EIO;
	errno = err;
	return -1;
}

static int regular(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

static int creates(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/* The mode argument exists only when the call creates a file. */
#define MODE_ARG(flags, mode)                                 \
	do {                                                  \
		va_list ap;                                   \
		va_start(ap, flags);                          \
		mode = creates(flags) ? (mode_t)va_arg(ap, int) : 0; \
		va_end(ap);                                   \
	} while (0)

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode;
	MODE_ARG(flags, mode);
	return creates(flags) && step("create") < 0 ? -1 : REAL(openat)(dirfd, path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	mode_t mode;
	MODE_ARG(flags, mode);
	return creates(flags) && step("create") < 0 ? -1 : REAL(open)(path, flags, mode);
}

ssize_t write(int fd, const void *p, size_t n)
{
	if (regular(fd) && step("write") < 0)
		return -1;
	return REAL(write)(fd, p, n);
}

ssize_t pwrite(int fd, const void *p, size_t n, off_t off)
{
	if (regular(fd) && step("write") < 0)
		return -1;
	return REAL(pwrite)(fd, p, n, off);
}

int ftruncate(int fd, off_t len)
{
	return step("truncate") < 0 ? -1 : REAL(ftruncate)(fd, len);
}

int fsync(int fd)
{
	return step("fsync") < 0 ? -1 : REAL(fsync)(fd);
}

int fdatasync(int fd)
{
	return step("fsync") < 0 ? -1 : REAL(fdatasync)(fd);
}

int fchmod(int fd, mode_t mode)
{
	return step("chmod") < 0 ? -1 : REAL(fchmod)(fd, mode);
}

int fchown(int fd, uid_t uid, gid_t gid)
{
	return step("chown") < 0 ? -1 : REAL(fchown)(fd, uid, gid);
}

int rename(const char *a, const char *b)
{
	return step("rename") < 0 ? -1 : REAL(rename)(a, b);
}

int renameat(int da, const char *a, int db, const char *b)
{
	return step("rename") < 0 ? -1 : REAL(renameat)(da, a, db, b);
}

int unlink(const char *path)
{
	return step("unlink") < 0 ? -1 : REAL(unlink)(path);
}

int unlinkat(int dirfd, const char *path, int flags)
{
	return step("unlink") < 0 ? -1 : REAL(unlinkat)(dirfd, path, flags);
}

int mkdir(const char *path, mode_t mode)
{
	return step("mkdir") < 0 ? -1 : REAL(mkdir)(path, mode);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	return step("mkdir") < 0 ? -1 : REAL(mkdirat)(dirfd, path, mode);
}
