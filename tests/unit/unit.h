/* SPDX-License-Identifier: GPL-2.0-or-later */
/* unit: what every cmocka unit test includes, and its main(). */
#ifndef JD_TEST_UNIT_H
#define JD_TEST_UNIT_H

/* cmocka.h needs these first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"

/* The test program's main(): run the tests given, e.g. UNIT_TESTS(cmocka_unit_test(test_a), ...). */
#define UNIT_TESTS(...) \
	int main(void) \
	{ \
		const struct CMUnitTest tests[] = { __VA_ARGS__ }; \
		return cmocka_run_group_tests(tests, NULL, NULL); \
	}

/* A test run between the file's own setup() and teardown(). */
#define UNIT_FIXTURE(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/*
 * Run CHILD(ARG) in a child process with INPUT on its stdin, as an adapter
 * is run; what it wrote to stdout and stderr into OUT and ERR; returns its
 * exit status (-1 when it died by a signal).  CHILD must end with _exit().
 */
static inline int unit_run(void (*child)(void *), void *arg, const char *input, struct buf *out, struct buf *err)
{
	int in[2], o[2], e[2], status;
	char chunk[4096];
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(o), 0);
	assert_int_equal(pipe(e), 0);
	/*
	 * Small inputs: the pipe holds them whole.  Written before the child
	 * exists, as a child refusing its arguments may exit without reading
	 * (a write after that would die of SIGPIPE).
	 */
	assert_int_equal(write(in[1], input, strlen(input)), (ssize_t)strlen(input));
	close(in[1]);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(o[1], 1);
		dup2(e[1], 2);
		close(o[0]);
		close(e[0]);
		child(arg);
		_exit(127);
	}
	close(in[0]);
	close(o[1]);
	close(e[1]);
	buf_truncate(out, 0);
	buf_truncate(err, 0);
	while ((n = read(o[0], chunk, sizeof(chunk))) > 0)
		assert_int_equal(buf_append(out, chunk, (size_t)n), 0);
	while ((n = read(e[0], chunk, sizeof(chunk))) > 0)
		assert_int_equal(buf_append(err, chunk, (size_t)n), 0);
	close(o[0]);
	close(e[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif
