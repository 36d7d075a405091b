/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/lock: a bounded wait that names the holder, and a lock that dies with its holder. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "lock.h"
#include "safefs.h"

static char top[64];
static struct root r = ROOT_INIT;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct diag d = DIAG_INIT;
	(void)state;
	strcpy(top, "/tmp/ut-lock.XXXXXX");
	if (!mkdtemp(top) || safefs_root_open(top, &r, &d) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	safefs_root_close(&r);
	nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A child that takes the lock, says so on a pipe, and holds it until killed. */
static pid_t holder(void)
{
	int p[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct diag d = DIAG_INIT;
		int fd;
		alarm(30);
		if (lock_acquire(&r, 1000, &fd, &d) < 0)
			_exit(1);
		(void)!write(p[1], "x", 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

static void test_busy_names_holder_and_gives_up(void **state)
{
	struct diag d = DIAG_INIT;
	char want[64];
	pid_t pid = holder();
	long t0 = now_ms(), waited;
	int fd = -1, rc;

	(void)state;
	rc = lock_acquire(&r, 300, &fd, &d);
	waited = now_ms() - t0;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(rc, -EWOULDBLOCK);
	assert_int_equal(d.exit_code, 75);
	snprintf(want, sizeof(want), "another run (pid %ld) holds the lock", (long)pid);
	if (!strstr(d.msg, want))
		fail_msg("\"%s\" does not name the holder (%s)", d.msg, want);
	/* Bounded: at least the timeout, not much more. */
	assert_true(waited >= 300);
	assert_true(waited < 3000);
}

static void test_lock_dies_with_holder(void **state)
{
	struct diag d = DIAG_INIT;
	pid_t pid = holder();
	int fd = -1;

	(void)state;
	kill(pid, SIGKILL); /* kill -9: no unlock, no cleanup */
	waitpid(pid, NULL, 0);
	assert_int_equal(lock_acquire(&r, 1000, &fd, &d), 0);
	assert_false(diag_is_set(&d));
	lock_release(fd);
}

static void test_waiter_gets_it_when_released(void **state)
{
	struct diag d = DIAG_INIT;
	pid_t pid = holder(), killer;
	int fd = -1;

	(void)state;
	killer = fork();
	assert_true(killer >= 0);
	if (killer == 0) {
		usleep(200 * 1000);
		kill(pid, SIGKILL);
		_exit(0);
	}
	assert_int_equal(lock_acquire(&r, 5000, &fd, &d), 0);
	waitpid(killer, NULL, 0);
	waitpid(pid, NULL, 0);
	lock_release(fd);
}

UNIT_TESTS(UNIT_FIXTURE(test_busy_names_holder_and_gives_up), UNIT_FIXTURE(test_lock_dies_with_holder),
	   UNIT_FIXTURE(test_waiter_gets_it_when_released))
