/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/spawn: input/output, exit status, timeouts, floods, exec errors, environment and fds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "spawn.h"

#define FIXED_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* PATH when it is executable here; otherwise the test is skipped. */
static const char *need(const char *path)
{
	if (access(path, X_OK) != 0) {
		print_message("%s is not on this machine: test skipped\n", path);
		skip();
	}
	return path;
}

static void run(struct child *c)
{
	int rc = spawn_run(c);
	if (rc != 0)
		fail_msg("spawn_run(%s): %d", c->path, rc);
}

static void test_cat_echo(void **state)
{
	static const char input[] = "hello\0world\n\xff\x01";
	char *argv[] = { "cat", NULL };
	struct child c = CHILD_INIT;
	char scratch[64];
	(void)state;

	c.path = need("/bin/cat");
	c.argv = argv;
	c.input = input;
	c.input_len = sizeof(input) - 1;
	run(&c);
	assert_int_equal(c.out.len, sizeof(input) - 1);
	assert_memory_equal(c.out.data, input, sizeof(input) - 1);
	assert_int_equal(c.err.len, 0);
	assert_true(WIFEXITED(c.status));
	assert_int_equal(WEXITSTATUS(c.status), 0);
	assert_false(c.timed_out);
	assert_false(c.overflow);
	assert_int_equal(c.exec_errno, 0);
	assert_true(spawn_succeeded(&c));
	assert_string_equal(spawn_describe(&c, scratch, sizeof(scratch)), "exit status 0");
	child_free(&c);
	assert_null(c.out.data);

	/* No input: stdin is at EOF at once. */
	c = (struct child)CHILD_INIT;
	c.path = "/bin/cat";
	c.argv = argv;
	c.timeout_ms = 5000;
	run(&c);
	assert_int_equal(c.out.len, 0);
	assert_false(c.timed_out);
	assert_true(spawn_succeeded(&c));
	child_free(&c);
}

/* More than a pipe holds, both ways at once: no deadlock, every byte back. */
static void test_cat_large(void **state)
{
	char *argv[] = { "cat", NULL };
	struct child c = CHILD_INIT;
	size_t len = 3u << 20;
	char *input = malloc(len);
	(void)state;

	assert_non_null(input);
	for (size_t i = 0; i < len; i++)
		input[i] = (char)(i * 7 + i / 4096);
	c.path = need("/bin/cat");
	c.argv = argv;
	c.input = input;
	c.input_len = len;
	c.max_output = 4u << 20;
	c.out = (struct buf)BUF_INIT_SENSITIVE; /* as for a secret */
	run(&c);
	assert_true(spawn_succeeded(&c));
	assert_int_equal(c.out.len, len);
	assert_memory_equal(c.out.data, input, len);
	child_free(&c);
	free(input);
}

static void test_exit_status_and_stderr(void **state)
{
	char *argv[] = { "sh", "-c", "echo out; echo oops >&2; exit 3", NULL };
	struct child c = CHILD_INIT;
	char scratch[64];
	(void)state;

	c.path = need("/bin/sh");
	c.argv = argv;
	run(&c);
	assert_true(WIFEXITED(c.status));
	assert_int_equal(WEXITSTATUS(c.status), 3);
	assert_string_equal(buf_str(&c.out), "out\n");
	assert_string_equal(buf_str(&c.err), "oops\n");
	assert_false(spawn_succeeded(&c));
	assert_string_equal(spawn_describe(&c, scratch, sizeof(scratch)), "exit status 3");
	child_free(&c);

	/* argv[0] is passed as given, and arguments are not split. */
	{
		char *argv2[] = { "custom-name", "-c", "printf '%s|' \"$0\" \"$@\"; tr '\\000' '^' </proc/$$/cmdline",
				  "zero", "a b", "", "c", NULL };
		c = (struct child)CHILD_INIT;
		c.path = "/bin/sh";
		c.argv = argv2;
		run(&c);
		assert_true(spawn_succeeded(&c));
		assert_true(strncmp(buf_str(&c.out), "zero|a b||c|custom-name^-c^", 27) == 0);
		child_free(&c);
	}
}

static void test_killed_by_signal(void **state)
{
	char *argv[] = { "sh", "-c", "kill -9 $$", NULL };
	struct child c = CHILD_INIT;
	char scratch[64];
	(void)state;

	c.path = need("/bin/sh");
	c.argv = argv;
	run(&c);
	assert_true(WIFSIGNALED(c.status));
	assert_int_equal(WTERMSIG(c.status), SIGKILL);
	assert_false(c.timed_out);
	assert_false(spawn_succeeded(&c));
	assert_string_equal(spawn_describe(&c, scratch, sizeof(scratch)), "killed by signal 9");
	child_free(&c);
}

static void test_timeout(void **state)
{
	char *argv[] = { "sleep", "30", NULL };
	struct child c = CHILD_INIT;
	char scratch[64];
	long long t0, elapsed;
	(void)state;

	c.path = need("/bin/sleep");
	c.argv = argv;
	c.timeout_ms = 300;
	t0 = now_ms();
	run(&c);
	elapsed = now_ms() - t0;
	if (elapsed > 3000)
		fail_msg("a 300 ms timeout took %lld ms", elapsed);
	assert_true(elapsed >= 250);
	assert_true(c.timed_out);
	assert_false(c.overflow);
	assert_true(WIFSIGNALED(c.status));
	assert_int_equal(WTERMSIG(c.status), SIGTERM);
	assert_false(spawn_succeeded(&c));
	assert_true(strncmp(spawn_describe(&c, scratch, sizeof(scratch)), "timed out after ", 16) == 0);
	child_free(&c);
}

/* A child that ignores SIGTERM is killed after the grace period. */
static void test_timeout_term_ignored(void **state)
{
	char *argv[] = { "sh", "-c", "trap '' TERM; echo ready; exec /bin/sleep 30", NULL };
	struct child c = CHILD_INIT;
	long long t0, elapsed;
	(void)state;

	c.path = need("/bin/sh");
	need("/bin/sleep");
	c.argv = argv;
	c.timeout_ms = 300;
	t0 = now_ms();
	run(&c);
	elapsed = now_ms() - t0;
	if (elapsed > 6000)
		fail_msg("a 300 ms timeout on a child ignoring SIGTERM took %lld ms", elapsed);
	assert_true(c.timed_out);
	assert_true(WIFSIGNALED(c.status));
	assert_int_equal(WTERMSIG(c.status), SIGKILL);
	assert_string_equal(buf_str(&c.out), "ready\n");
	child_free(&c);
}

/* A child that closes its pipes but keeps running is still bounded by the timeout. */
static void test_timeout_after_closing_pipes(void **state)
{
	char *argv[] = { "sh", "-c", "exec >&- 2>&- </dev/null; exec /bin/sleep 30", NULL };
	struct child c = CHILD_INIT;
	long long t0, elapsed;
	(void)state;

	c.path = need("/bin/sh");
	c.argv = argv;
	c.timeout_ms = 300;
	t0 = now_ms();
	run(&c);
	elapsed = now_ms() - t0;
	if (elapsed > 3000)
		fail_msg("took %lld ms", elapsed);
	assert_true(c.timed_out);
	assert_true(WIFSIGNALED(c.status));
	child_free(&c);
}

static void test_flood(void **state)
{
	char *argv[] = { "yes", NULL };
	struct child c = CHILD_INIT;
	char scratch[64];
	long long t0, elapsed;
	(void)state;

	c.path = need("/usr/bin/yes");
	c.argv = argv;
	c.max_output = 4096;
	c.timeout_ms = 20000;
	t0 = now_ms();
	run(&c);
	elapsed = now_ms() - t0;
	if (elapsed > 3000)
		fail_msg("a flood took %lld ms to stop", elapsed);
	assert_true(c.overflow);
	assert_false(c.timed_out);
	assert_true(c.out.len <= 4096);
	for (size_t i = 0; i < c.out.len; i += 2)
		assert_memory_equal(c.out.data + i, "y\n", c.out.len - i >= 2 ? 2 : 1);
	assert_true(WIFSIGNALED(c.status)); /* killed, not left running */
	assert_false(spawn_succeeded(&c));
	assert_string_equal(spawn_describe(&c, scratch, sizeof(scratch)), "printed more than 4096 bytes");
	child_free(&c);

	/* A flood on stderr counts too. */
	{
		char *argv2[] = { "sh", "-c", "exec /usr/bin/yes >&2", NULL };
		c = (struct child)CHILD_INIT;
		c.path = need("/bin/sh");
		c.argv = argv2;
		c.max_output = 4096;
		t0 = now_ms();
		run(&c);
		assert_true(now_ms() - t0 < 3000);
		assert_true(c.overflow);
		assert_true(c.err.len <= 4096);
		assert_false(spawn_succeeded(&c));
		child_free(&c);
	}
}

static void test_exec_failure(void **state)
{
	char *argv[] = { "missing", NULL };
	struct child c = CHILD_INIT;
	char scratch[128];
	(void)state;

	c.path = "/nonexistent/jabber-dispatch/adapter";
	c.argv = argv;
	c.input = "secret";
	c.input_len = 6;
	run(&c);
	assert_int_equal(c.exec_errno, ENOENT);
	assert_false(spawn_succeeded(&c));
	assert_false(c.timed_out);
	assert_string_equal(spawn_describe(&c, scratch, sizeof(scratch)), "cannot be run: No such file or directory");
	child_free(&c);

	/* Not executable. */
	c = (struct child)CHILD_INIT;
	c.path = "/etc/passwd";
	c.argv = argv;
	run(&c);
	assert_int_equal(c.exec_errno, EACCES);
	assert_false(spawn_succeeded(&c));
	child_free(&c);

	/* A directory. */
	c = (struct child)CHILD_INIT;
	c.path = "/";
	c.argv = argv;
	run(&c);
	assert_int_equal(c.exec_errno, EACCES);
	child_free(&c);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_fixed_environment(void **state)
{
	char *argv[] = { "env", NULL };
	char *extra[] = { "JD_HOST=irc.example.org", "JD_EMPTY=", NULL };
	struct child c = CHILD_INIT;
	char *lines[16], *save = NULL;
	size_t n = 0;
	(void)state;

	assert_int_equal(setenv("FOO", "bar", 1), 0);
	assert_int_equal(setenv("JD_SECRET", "hunter2", 1), 0);
	c.path = need("/usr/bin/env");
	c.argv = argv;
	c.extra_env = extra;
	run(&c);
	unsetenv("FOO");
	unsetenv("JD_SECRET");
	assert_true(spawn_succeeded(&c));
	assert_null(strstr(buf_str(&c.out), "FOO"));
	assert_null(strstr(buf_str(&c.out), "hunter2"));
	for (char *l = strtok_r(c.out.data, "\n", &save); l && n < 16; l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	qsort(lines, n, sizeof(*lines), cmp_str);
	assert_int_equal(n, 4);
	assert_string_equal(lines[0], "JD_EMPTY=");
	assert_string_equal(lines[1], "JD_HOST=irc.example.org");
	assert_string_equal(lines[2], "LC_ALL=C.UTF-8");
	assert_string_equal(lines[3], FIXED_PATH);
	child_free(&c);

	/* No extra_env: only the two fixed variables. */
	c = (struct child)CHILD_INIT;
	c.path = "/usr/bin/env";
	c.argv = argv;
	run(&c);
	assert_string_equal(buf_str(&c.out), FIXED_PATH "\nLC_ALL=C.UTF-8\n");
	child_free(&c);
}

static void test_too_many_env(void **state)
{
	char *argv[] = { "env", NULL };
	char *extra[64];
	struct child c = CHILD_INIT;
	(void)state;

	for (int i = 0; i < 63; i++)
		extra[i] = "X=1";
	extra[63] = NULL;
	c.path = "/usr/bin/env";
	c.argv = argv;
	c.extra_env = extra;
	assert_int_equal(spawn_run(&c), -E2BIG);
	child_free(&c);
}

/* Every fd >= 3 of ours is closed in the child, inheritable or not. */
static void test_fds_closed(void **state)
{
	char *argv[] = { "ls", "/proc/self/fd", NULL };
	struct child c = CHILD_INIT;
	int fd3 = -1, fd_low, fd_high;
	(void)state;

	need("/bin/ls");
	if (access("/proc/self/fd", R_OK) != 0)
		skip();
	fd_low = open("/etc/passwd", O_RDONLY); /* no O_CLOEXEC */
	assert_true(fd_low >= 0);
	fd_high = fcntl(fd_low, F_DUPFD, 200); /* no FD_CLOEXEC either */
	assert_true(fd_high >= 200);
	if (fcntl(3, F_GETFD) < 0) /* fd 3 free: take it, it is the report fd's slot */
		fd3 = dup2(fd_low, 3);

	c.path = "/bin/ls";
	c.argv = argv;
	run(&c);
	if (fd3 == 3)
		close(3);
	close(fd_low);
	close(fd_high);
	assert_true(spawn_succeeded(&c));
	/* 0, 1, 2, and 3: the directory ls itself opened to list. */
	assert_string_equal(buf_str(&c.out), "0\n1\n2\n3\n");
	child_free(&c);
}

/* The child's signal dispositions and mask are reset, whatever ours are. */
static void test_signals_reset(void **state)
{
	char *argv[] = { "sleep", "30", NULL };
	struct child c = CHILD_INIT;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_term;
	sigset_t block, old_mask;
	long long t0;
	(void)state;

	c.path = need("/bin/sleep");
	c.argv = argv;
	c.timeout_ms = 300;
	sigaction(SIGTERM, &ign, &old_term);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	t0 = now_ms();
	run(&c);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	/* SIGTERM was ignored here but not in the child: it ends at once, not after the grace. */
	assert_true(now_ms() - t0 < 1500);
	assert_true(WIFSIGNALED(c.status));
	assert_int_equal(WTERMSIG(c.status), SIGTERM);
	child_free(&c);

	/* A blocked SIGINT here is not blocked there. */
	{
		char *argv2[] = { "sh", "-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status", NULL };
		c = (struct child)CHILD_INIT;
		c.path = need("/bin/sh");
		c.argv = argv2;
		sigprocmask(SIG_BLOCK, &block, &old_mask);
		run(&c);
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		assert_non_null(strstr(buf_str(&c.out), "SigBlk:\t0000000000000000\n"));
		child_free(&c);
	}
}

/*
 * A child that exits without reading a large input must not kill us with
 * SIGPIPE.  Run in a fork: if it did, only that fork dies and we can say so.
 */
static void test_no_sigpipe(void **state)
{
	pid_t pid;
	int status;
	(void)state;

	need("/bin/true");
	need("/usr/bin/head");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		size_t len = 4u << 20;
		char *input = malloc(len);
		char *argv[] = { "true", NULL }, *argv2[] = { "head", "-c", "10", NULL };
		struct child c = CHILD_INIT;
		struct sigaction sa;
		alarm(20);
		signal(SIGPIPE, SIG_DFL);
		if (!input)
			_exit(10);
		memset(input, 's', len);
		c.path = "/bin/true";
		c.argv = argv;
		c.input = input;
		c.input_len = len;
		if (spawn_run(&c) != 0 || !spawn_succeeded(&c))
			_exit(11);
		child_free(&c);
		c = (struct child)CHILD_INIT;
		c.path = "/usr/bin/head";
		c.argv = argv2;
		c.input = input;
		c.input_len = len;
		if (spawn_run(&c) != 0 || c.out.len != 10 || !WIFEXITED(c.status))
			_exit(12);
		child_free(&c);
		/* Our own SIGPIPE disposition is given back. */
		sigaction(SIGPIPE, NULL, &sa);
		if (sa.sa_handler != SIG_DFL)
			_exit(13);
		free(input);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("the parent was killed by signal %d%s", WTERMSIG(status),
			 WTERMSIG(status) == SIGPIPE ? " (SIGPIPE)" : "");
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("check %d failed in the forked parent", WEXITSTATUS(status));
}

/*
 * A parent started with stdin closed (fd 0 free) must still feed the child
 * INPUT on its stdin: the pipe then lands on fd 0 in the parent, and dup2()
 * of an fd onto itself keeps its close-on-exec flag.
 */
static void test_parent_without_stdin(void **state)
{
	pid_t pid;
	int status;
	(void)state;

	need("/bin/cat");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[] = { "cat", NULL };
		struct child c = CHILD_INIT;
		alarm(20);
		close(0);
		c.path = "/bin/cat";
		c.argv = argv;
		c.input = "abc";
		c.input_len = 3;
		if (spawn_run(&c) != 0)
			_exit(10);
		if (c.out.len != 3 || memcmp(c.out.data, "abc", 3) != 0 || !spawn_succeeded(&c)) {
			fprintf(stderr, "cat got no input: out \"%s\", err \"%s\"\n", buf_str(&c.out), buf_str(&c.err));
			_exit(11);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("with fd 0 closed in the parent, the child did not get its input (check %d)",
			 WEXITSTATUS(status));
}

/* Whether process PID is gone (or a zombie nobody reaped yet): waits up to 3 s for it. */
static bool gone(pid_t pid)
{
	for (int i = 0; i < 300; i++) {
		char path[64], stat[512];
		FILE *f;
		size_t n;
		snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
		f = fopen(path, "r");
		if (!f)
			return true;
		n = fread(stat, 1, sizeof(stat) - 1, f);
		fclose(f);
		stat[n] = '\0';
		if (strstr(stat, ") Z ") || strstr(stat, ") X "))
			return true;
		usleep(10000);
	}
	return false;
}

/* The child leads a process group of its own. */
static void test_own_process_group(void **state)
{
	char *argv[] = { "sh", "-c", "echo $$; cut -d' ' -f5 /proc/$$/stat", NULL };
	struct child c = CHILD_INIT;
	long pid = 0, pgid = -1;
	(void)state;

	c.path = need("/bin/sh");
	c.argv = argv;
	run(&c);
	assert_true(spawn_succeeded(&c));
	assert_int_equal(sscanf(buf_str(&c.out), "%ld %ld", &pid, &pgid), 2);
	assert_int_equal(pid, pgid);
	assert_int_not_equal(pgid, (long)getpgrp());
	child_free(&c);
}

/*
 * A child that forks something holding its stdout open and exits: its
 * answer is complete when it exits, not thrown away as a timeout; the
 * leftover holding our pipe is killed.
 */
static void test_grandchild_holds_stdout(void **state)
{
	char *argv[] = { "sh", "-c", "/bin/sleep 30 & echo $!; echo answer; exit 0", NULL };
	struct child c = CHILD_INIT;
	long long t0;
	long leftover = 0;
	(void)state;

	c.path = need("/bin/sh");
	need("/bin/sleep");
	c.argv = argv;
	c.timeout_ms = 5000;
	t0 = now_ms();
	run(&c);
	if (now_ms() - t0 > 2000)
		fail_msg("an answer held open by a grandchild took %lld ms", now_ms() - t0);
	assert_false(c.timed_out);
	assert_true(spawn_succeeded(&c));
	assert_int_equal(sscanf(buf_str(&c.out), "%ld\nanswer\n", &leftover), 1);
	assert_non_null(strstr(buf_str(&c.out), "\nanswer\n"));
	assert_true(gone((pid_t)leftover));
	child_free(&c);
}

/* On a timeout the whole process group is killed, also what let go of our pipes. */
static void test_timeout_kills_group(void **state)
{
	char *argv[] = { "sh", "-c", "/bin/sleep 30 </dev/null >/dev/null 2>&1 & echo $!; exec /bin/sleep 30", NULL };
	struct child c = CHILD_INIT;
	long leftover = 0;
	(void)state;

	c.path = need("/bin/sh");
	need("/bin/sleep");
	c.argv = argv;
	c.timeout_ms = 300;
	run(&c);
	assert_true(c.timed_out);
	assert_int_equal(sscanf(buf_str(&c.out), "%ld", &leftover), 1);
	assert_true(gone((pid_t)leftover));
	child_free(&c);
}

/*
 * A caller killed with -9 takes its child along (PR_SET_PDEATHSIG): an
 * adapter must not go on writing after the dispatcher, and its lock, died.
 */
static void test_dies_with_caller(void **state)
{
	char pidfile[] = "/tmp/jd-spawn-test.XXXXXX";
	long adapter = 0;
	pid_t caller;
	int fd, status;
	FILE *f;
	(void)state;

	need("/bin/sh");
	need("/bin/sleep");
	fd = mkstemp(pidfile);
	assert_true(fd >= 0);
	close(fd);
	caller = fork();
	assert_true(caller >= 0);
	if (caller == 0) {
		char script[128];
		char *argv[] = { "sh", "-c", script, NULL };
		struct child c = CHILD_INIT;
		snprintf(script, sizeof(script), "echo $$ >%s.tmp && mv %s.tmp %s; exec /bin/sleep 30", pidfile,
			 pidfile, pidfile);
		c.path = "/bin/sh";
		c.argv = argv;
		c.timeout_ms = 20000;
		spawn_run(&c);
		_exit(0);
	}
	for (int i = 0; i < 500 && adapter <= 0; i++) {
		usleep(10000);
		f = fopen(pidfile, "r");
		if (f) {
			if (fscanf(f, "%ld", &adapter) != 1)
				adapter = 0;
			fclose(f);
		}
	}
	kill(caller, SIGKILL);
	assert_int_equal(waitpid(caller, &status, 0), caller);
	unlink(pidfile);
	assert_true(adapter > 0);
	if (!gone((pid_t)adapter)) {
		kill((pid_t)adapter, SIGKILL);
		fail_msg("the child outlived its caller, killed with -9");
	}
}

static void test_describe(void **state)
{
	struct child c = CHILD_INIT;
	char scratch[64], tiny[8];
	(void)state;

	c.status = 0;
	assert_string_equal(spawn_describe(&c, scratch, sizeof(scratch)), "exit status 0");
	c.status = 65 << 8;
	assert_string_equal(spawn_describe(&c, scratch, sizeof(scratch)), "exit status 65");
	assert_false(spawn_succeeded(&c));
	c.status = SIGSEGV; /* as waitpid encodes a death by signal */
	assert_string_equal(spawn_describe(&c, scratch, sizeof(scratch)), "killed by signal 11");
	c.status = SIGTERM;
	c.timed_out = true;
	c.timeout_ms = 10000;
	assert_string_equal(spawn_describe(&c, scratch, sizeof(scratch)), "timed out after 10 s");
	c.timeout_ms = 2000;
	assert_string_equal(spawn_describe(&c, scratch, sizeof(scratch)), "timed out after 2 s");
	c.timed_out = false;
	c.overflow = true;
	c.max_output = 1 << 20;
	assert_string_equal(spawn_describe(&c, scratch, sizeof(scratch)), "printed more than 1048576 bytes");
	c.exec_errno = EACCES;
	assert_string_equal(spawn_describe(&c, scratch, sizeof(scratch)), "cannot be run: Permission denied");
	/* Cut to the scratch size, still terminated; the scratch is what is returned. */
	assert_ptr_equal(spawn_describe(&c, tiny, sizeof(tiny)), tiny);
	assert_string_equal(tiny, "cannot ");

	c = (struct child)CHILD_INIT;
	assert_true(spawn_succeeded(&c)); /* status 0, nothing flagged */
	c.timed_out = true;
	assert_false(spawn_succeeded(&c));
}

/*
 * spawn_run_all runs its children side by side: each marks its start in a
 * directory, then waits (5 s at most) until all three have, so a run one
 * after the other would fail the first (exit 9).  Each gets its own input,
 * and the first waits for the last to have read all of its own (a big one)
 * first: a loop that fed one child at a time would stall there.
 */
static void test_run_all_side_by_side(void **state)
{
	char dir[] = "/tmp/jd-spawn-all.XXXXXX", script[512], out[3][32];
	static char big[256 << 10];
	const char *inputs[] = { "one\n", "two\n", big };
	char *argv[3][6];
	struct child c[3] = { CHILD_INIT, CHILD_INIT, CHILD_INIT }, *v[3] = { &c[0], &c[1], &c[2] };
	int rcs[3] = { -1, -1, -1 };
	(void)state;

	need("/bin/sh");
	assert_non_null(mkdtemp(dir));
	memset(big, 'x', sizeof(big) - 2);
	big[sizeof(big) - 2] = '\n';
	snprintf(script, sizeof(script),
		 "touch %s/$1; i=0; while [ $(ls %s | wc -l) -lt 3 ]; do sleep 0.01; i=$((i+1)); "
		 "[ $i -gt 500 ] && exit 9; done; "
		 "if [ $1 = c ]; then wc -c; touch %s/fed; else while [ ! -e %s/fed ]; do sleep 0.01; "
		 "i=$((i+1)); [ $i -gt 1000 ] && exit 8; done; cat; fi; echo done $1",
		 dir, dir, dir, dir);
	for (int i = 0; i < 3; i++) {
		char *args[] = { "sh", "-c", script, "sh", (char *)(i == 0 ? "a" : i == 1 ? "b" : "c"), NULL };
		memcpy(argv[i], args, sizeof(args));
		c[i].path = "/bin/sh";
		c[i].argv = argv[i];
		c[i].input = inputs[i];
		c[i].input_len = i == 2 ? sizeof(big) - 1 : strlen(inputs[i]);
	}
	assert_int_equal(spawn_run_all(v, 3, rcs), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(rcs[i], 0);
		assert_true(spawn_succeeded(&c[i]));
		snprintf(out[i], sizeof(out[i]), "%sdone %s\n", i == 2 ? "262143\n" : inputs[i], argv[i][4]);
		assert_string_equal(buf_str(&c[i].out), out[i]);
		child_free(&c[i]);
		snprintf(script, sizeof(script), "%s/%s", dir, argv[i][4]);
		unlink(script);
	}
	snprintf(script, sizeof(script), "%s/fed", dir);
	unlink(script);
	rmdir(dir);
}

/*
 * Side by side, each child's fate is its own: one that cannot be executed,
 * one that cannot be started at all (too big an environment), one that
 * times out, one that outlives that timeout and succeeds, and one whose
 * leftover goes on writing into its pipe after it exited, which is not
 * taken as its answer while the others still run.
 */
static void test_run_all_mixed(void **state)
{
	char *gone[] = { "gone", NULL }, *slow[] = { "sleep", "5", NULL }, *echo[] = { "echo", "ok", NULL };
	char *late[] = { "sh", "-c", "sleep 0.6; echo ok", NULL };
	char *leftover[] = { "sh", "-c", "(sleep 0.2; echo extra) & echo answer", NULL };
	static char *env[40];
	struct child c[5] = { CHILD_INIT, CHILD_INIT, CHILD_INIT, CHILD_INIT, CHILD_INIT };
	struct child *v[5] = { &c[0], &c[1], &c[2], &c[3], &c[4] };
	int rcs[5] = { -1, -1, -1, -1, -1 };
	long long t0 = now_ms();
	(void)state;

	for (size_t i = 0; i + 1 < sizeof(env) / sizeof(*env); i++)
		env[i] = "JD_TEST=1";
	c[0].path = "/nonexistent/jd-spawn-all";
	c[0].argv = gone;
	c[1].path = need("/bin/sleep");
	c[1].argv = slow;
	c[1].timeout_ms = 200;
	c[2].path = need("/bin/sh");
	c[2].argv = late;
	c[3].path = need("/bin/echo");
	c[3].argv = echo;
	c[3].extra_env = env;
	c[4].path = "/bin/sh";
	c[4].argv = leftover;
	assert_int_equal(spawn_run_all(v, 5, rcs), 0);
	assert_int_equal(rcs[0], 0);
	assert_int_equal(c[0].exec_errno, ENOENT);
	assert_int_equal(rcs[1], 0);
	assert_true(c[1].timed_out);
	assert_false(spawn_succeeded(&c[1]));
	assert_int_equal(rcs[2], 0);
	assert_true(spawn_succeeded(&c[2]));
	assert_string_equal(buf_str(&c[2].out), "ok\n");
	assert_int_equal(rcs[3], -E2BIG);
	assert_int_equal(rcs[4], 0);
	assert_true(spawn_succeeded(&c[4]));
	assert_string_equal(buf_str(&c[4].out), "answer\n");
	assert_true(now_ms() - t0 < 4000); /* the sleeper was killed, not waited for */
	for (int i = 0; i < 5; i++)
		child_free(&c[i]);
}

UNIT_TESTS(cmocka_unit_test(test_cat_echo), cmocka_unit_test(test_cat_large),
	   cmocka_unit_test(test_exit_status_and_stderr), cmocka_unit_test(test_killed_by_signal),
	   cmocka_unit_test(test_timeout), cmocka_unit_test(test_timeout_term_ignored),
	   cmocka_unit_test(test_timeout_after_closing_pipes), cmocka_unit_test(test_flood),
	   cmocka_unit_test(test_exec_failure), cmocka_unit_test(test_fixed_environment),
	   cmocka_unit_test(test_too_many_env), cmocka_unit_test(test_fds_closed),
	   cmocka_unit_test(test_signals_reset), cmocka_unit_test(test_no_sigpipe),
	   cmocka_unit_test(test_parent_without_stdin), cmocka_unit_test(test_own_process_group),
	   cmocka_unit_test(test_grandchild_holds_stdout), cmocka_unit_test(test_timeout_kills_group),
	   cmocka_unit_test(test_dies_with_caller), cmocka_unit_test(test_describe),
	   cmocka_unit_test(test_run_all_side_by_side), cmocka_unit_test(test_run_all_mixed))
