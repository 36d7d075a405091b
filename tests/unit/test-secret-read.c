/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/adapter/secret-read: the one reader of a secret handed to an adapter on stdin. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exitcode.h"
#include "secret-read.h"
#include "secret.h"
#include "validate.h"

/*
 * Feed LEN bytes at S to secret_read() through a pipe, in pieces of at most
 * PIECE bytes written by a child (short reads, and end of file wherever the
 * writer stops).  Returns what secret_read() returned; SECRET and D as it left them.
 */
static int feed(const char *s, size_t len, size_t piece, struct buf *secret, struct diag *d)
{
	int fds[2], status, rc;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		for (size_t off = 0; off < len;) {
			size_t n = len - off < piece ? len - off : piece;
			ssize_t w = write(fds[1], s + off, n);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
			usleep(1000);
		}
		_exit(0);
	}
	close(fds[1]);
	rc = secret_read(fds[0], secret, d);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return rc;
}

static void expect_secret(const char *input, size_t len, const char *want)
{
	struct buf s = BUF_INIT_SENSITIVE;
	struct diag d = DIAG_INIT;
	struct secret v;

	assert_int_equal(feed(input, len, 3, &s, &d), 0);
	assert_false(diag_is_set(&d));
	assert_true(s.sensitive);
	v = secret_of(&s);
	assert_int_equal(v.len, strlen(want));
	assert_memory_equal(v.data, want, v.len);
	assert_true(secret_equal_str(&v, want));
	buf_free(&s);
}

static void expect_refused(const char *input, size_t len, int err, const char *msg)
{
	struct buf s = BUF_INIT_SENSITIVE;
	struct diag d = DIAG_INIT;

	assert_int_equal(feed(input, len, 7, &s, &d), -err);
	assert_int_equal(d.exit_code, EXIT_USAGE);
	assert_string_equal(d.msg, msg);
	/* Nothing of a refused secret stays behind. */
	assert_null(s.data);
	assert_int_equal(s.len, 0);
}

static void test_line(void **state)
{
	(void)state;
	expect_secret("s3cr3t\n", 7, "s3cr3t");
	/* Only the one final newline is the terminator: a secret may end in other bytes. */
	expect_secret("ré€😀 x\n", strlen("ré€😀 x\n"), "ré€😀 x");
}

static void test_no_trailing_newline(void **state)
{
	(void)state;
	/* End of file without a newline: the protocol says what remains is the secret. */
	expect_secret("s3cr3t", 6, "s3cr3t");
}

static void test_empty(void **state)
{
	(void)state;
	expect_refused("", 0, EINVAL, "the secret on stdin is unusable: empty");
	expect_refused("\n", 1, EINVAL, "the secret on stdin is unusable: empty");
}

static void test_newline_inside(void **state)
{
	(void)state;
	/* Two lines: the second would become a line of its own in the server's config. */
	expect_refused("one\ntwo\n", 8, EINVAL, "the secret on stdin is unusable: contains a control character");
	expect_refused("one\n\n", 5, EINVAL, "the secret on stdin is unusable: contains a control character");
}

static void test_nul(void **state)
{
	(void)state;
	/* A C string would end at the NUL, and the secret with it. */
	expect_refused("ab\0cd\n", 6, EINVAL, "the secret on stdin is unusable: contains a control character");
}

static void test_eof_mid_character(void **state)
{
	(void)state;
	/* The writer died half way through a UTF-8 character: not a secret anyone meant. */
	expect_refused("abc\xe2\x82", 5, EINVAL, "the secret on stdin is unusable: not valid UTF-8");
}

static void test_too_long(void **state)
{
	static char big[VALIDATE_SECRET_MAX + 64];
	(void)state;

	memset(big, 'x', sizeof(big));
	/* The longest accepted, with and without its newline. */
	big[VALIDATE_SECRET_MAX] = '\n';
	{
		struct buf s = BUF_INIT_SENSITIVE;
		struct diag d = DIAG_INIT;
		assert_int_equal(feed(big, VALIDATE_SECRET_MAX + 1, 100, &s, &d), 0);
		assert_int_equal(s.len, VALIDATE_SECRET_MAX);
		buf_free(&s);
		assert_int_equal(feed(big, VALIDATE_SECRET_MAX, 100, &s, &d), 0);
		assert_int_equal(s.len, VALIDATE_SECRET_MAX);
		buf_free(&s);
	}
	big[VALIDATE_SECRET_MAX] = 'x';
	expect_refused(big, VALIDATE_SECRET_MAX + 1, E2BIG, "the secret on stdin is longer than 1024 bytes");
	/* Far longer: refused without reading it all (the writer gets EPIPE and goes). */
	expect_refused(big, sizeof(big), E2BIG, "the secret on stdin is longer than 1024 bytes");
}

static void test_read_error(void **state)
{
	struct buf s = BUF_INIT_SENSITIVE;
	struct diag d = DIAG_INIT;
	(void)state;

	assert_int_equal(secret_read(-1, &s, &d), -EBADF);
	assert_int_equal(d.exit_code, EXIT_OSERR);
	assert_null(s.data);
}

static void test_accept(void **state)
{
	struct buf s = BUF_INIT_SENSITIVE;
	struct diag d = DIAG_INIT;
	(void)state;

	assert_int_equal(buf_puts(&s, " padded"), 0);
	assert_int_equal(secret_accept(&s, "given by --password=", &d), -EINVAL);
	assert_string_equal(d.msg, "the secret given by --password= is unusable: starts or ends with a blank");
	assert_null(s.data);
	assert_int_equal(buf_puts(&s, "fine"), 0);
	assert_int_equal(secret_accept(&s, "given by --password=", &d), 0);
	buf_free(&s);
}

UNIT_TESTS(cmocka_unit_test(test_line), cmocka_unit_test(test_no_trailing_newline),
	   cmocka_unit_test(test_empty), cmocka_unit_test(test_newline_inside), cmocka_unit_test(test_nul),
	   cmocka_unit_test(test_eof_mid_character), cmocka_unit_test(test_too_long),
	   cmocka_unit_test(test_read_error), cmocka_unit_test(test_accept))
