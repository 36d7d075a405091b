/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/buf: growth, printf, truncate, chomp, sensitive buffers, equality. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

/* The invariant every function must keep: data[len] == '\0' and len < cap. */
static void assert_terminated(const struct buf *b)
{
	assert_non_null(b->data);
	assert_true(b->len < b->cap);
	assert_int_equal(b->data[b->len], '\0');
}

static void test_fresh_buffer(void **state)
{
	struct buf b = BUF_INIT, s = BUF_INIT_SENSITIVE;
	(void)state;

	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_false(b.sensitive);
	assert_true(s.sensitive);
	assert_string_equal(buf_str(&b), "");
	assert_string_equal(buf_str(&s), "");
	/* Freeing a never-written buffer is safe, twice too. */
	buf_free(&b);
	buf_free(&b);
	buf_free(&s);
	assert_null(b.data);
}

static void test_append_puts_putc(void **state)
{
	struct buf b = BUF_INIT;
	(void)state;

	assert_int_equal(buf_append(&b, "", 0), 0);
	/* "data is never NULL after the first append", even an empty one. */
	assert_terminated(&b);
	assert_int_equal(b.len, 0);

	assert_int_equal(buf_puts(&b, "abc"), 0);
	assert_int_equal(buf_putc(&b, '-'), 0);
	assert_int_equal(buf_append(&b, "x\0y", 3), 0); /* embedded NUL kept */
	assert_int_equal(buf_puts(&b, ""), 0);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.data, "abc-x\0y", 8);
	assert_terminated(&b);
	/* buf_str stops at the embedded NUL, as a C string would. */
	assert_string_equal(buf_str(&b), "abc-x");
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

static void test_growth(void **state)
{
	struct buf b = BUF_INIT;
	(void)state;

	for (size_t i = 0; i < 100000; i++) {
		assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), 0);
		if (i % 9973 == 0)
			assert_terminated(&b);
	}
	assert_int_equal(b.len, 100000);
	assert_terminated(&b);
	for (size_t i = 0; i < 100000; i++)
		if (b.data[i] != (char)('a' + i % 26))
			fail_msg("byte %zu is %c", i, b.data[i]);

	/* One large append into a non-empty buffer. */
	{
		static char big[300000];
		memset(big, 'Z', sizeof(big));
		assert_int_equal(buf_append(&b, big, sizeof(big)), 0);
		assert_int_equal(b.len, 400000);
		assert_terminated(&b);
		assert_int_equal(b.data[99999], 'a' + 99999 % 26);
		assert_int_equal(b.data[100000], 'Z');
		assert_int_equal(b.data[399999], 'Z');
	}
	buf_free(&b);
}

static void test_reserve(void **state)
{
	struct buf b = BUF_INIT;
	size_t cap;
	char *data;
	(void)state;

	assert_int_equal(buf_reserve(&b, 1000), 0);
	assert_non_null(b.data);
	assert_int_equal(b.len, 0);
	assert_true(b.cap >= 1001);
	assert_string_equal(buf_str(&b), "");
	cap = b.cap;
	data = b.data;
	/* Enough room already: nothing moves. */
	assert_int_equal(buf_reserve(&b, 500), 0);
	assert_int_equal(b.cap, cap);
	assert_ptr_equal(b.data, data);

	assert_int_equal(buf_puts(&b, "keep"), 0);
	/* An impossible size fails cleanly and leaves the buffer as it was. */
	assert_int_equal(buf_reserve(&b, SIZE_MAX), -ENOMEM);
	assert_int_equal(buf_reserve(&b, SIZE_MAX - 4), -ENOMEM);
	assert_int_equal(buf_append(&b, "x", SIZE_MAX - 2), -ENOMEM);
	assert_int_equal(b.len, 4);
	assert_string_equal(b.data, "keep");
	buf_free(&b);
}

static int call_vprintf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int call_vprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;
	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

static void test_printf(void **state)
{
	struct buf b = BUF_INIT;
	char expect[2000];
	(void)state;

	/* An empty result still allocates and terminates. */
	assert_int_equal(buf_printf(&b, "%s", ""), 0);
	assert_terminated(&b);
	assert_int_equal(b.len, 0);

	assert_int_equal(buf_printf(&b, "%d-%s-%c-%05.1f", 42, "x", 'y', 3.14159), 0);
	assert_string_equal(b.data, "42-x-y-003.1");
	assert_int_equal(b.len, strlen("42-x-y-003.1"));

	/* Output longer than the current capacity forces growth mid-printf. */
	assert_int_equal(buf_printf(&b, "[%0900d]", 7), 0);
	assert_int_equal(call_vprintf(&b, "<%*s>", 600, "r"), 0);
	snprintf(expect, sizeof(expect), "42-x-y-003.1[%0900d]<%*s>", 7, 600, "r");
	assert_int_equal(b.len, strlen(expect));
	assert_string_equal(b.data, expect);
	assert_terminated(&b);
	buf_free(&b);
}

static void test_truncate(void **state)
{
	struct buf b = BUF_INIT;
	(void)state;

	buf_truncate(&b, 0); /* never written: no crash */
	assert_null(b.data);

	assert_int_equal(buf_puts(&b, "hello world"), 0);
	buf_truncate(&b, 20); /* beyond the end: unchanged */
	assert_string_equal(b.data, "hello world");
	buf_truncate(&b, b.len);
	assert_int_equal(b.len, 11);
	buf_truncate(&b, 5);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "hello");
	assert_terminated(&b);
	/* Appending after a truncate continues from the new end. */
	assert_int_equal(buf_puts(&b, "!"), 0);
	assert_string_equal(b.data, "hello!");
	buf_truncate(&b, 0);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	buf_free(&b);
}

static void test_chomp(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "abc\r\n", "abc" },   { "abc\n\n\r\n", "abc" }, { "abc", "abc" },
		{ "a\nb", "a\nb" },     { "\n\r\n", "" },         { "", "" },
		{ "x \n", "x " },       { "\rx\r", "\rx" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct buf b = BUF_INIT;
		assert_int_equal(buf_puts(&b, cases[i].in), 0);
		buf_chomp(&b);
		assert_string_equal(b.data, cases[i].out);
		assert_int_equal(b.len, strlen(cases[i].out));
		buf_free(&b);
	}
	{
		struct buf b = BUF_INIT;
		buf_chomp(&b); /* never written: no crash */
		assert_int_equal(b.len, 0);
	}
}

static void test_sensitive(void **state)
{
	struct buf s = BUF_INIT_SENSITIVE, p = BUF_INIT;
	(void)state;

	for (int i = 0; i < 3000; i++) {
		assert_int_equal(buf_printf(&s, "%d,", i), 0);
		assert_int_equal(buf_printf(&p, "%d,", i), 0);
	}
	assert_true(s.sensitive);
	assert_int_equal(s.len, p.len);
	assert_terminated(&s);
	assert_memory_equal(s.data, p.data, p.len);
	assert_true(buf_equal(&s, &p));

	assert_int_equal(buf_append(&s, "\r\n", 2), 0);
	buf_chomp(&s);
	assert_true(buf_equal(&s, &p));
	buf_truncate(&s, 4);
	assert_string_equal(s.data, "0,1,");
	assert_terminated(&s);
	assert_int_equal(buf_append(&s, "s\0t", 3), 0);
	assert_memory_equal(s.data, "0,1,s\0t", 8);
	assert_true(buf_reserve(&s, SIZE_MAX) == -ENOMEM);
	assert_int_equal(s.len, 7);

	buf_free(&s);
	assert_null(s.data);
	assert_int_equal(s.len, 0);
	assert_true(s.sensitive); /* still a secret buffer, reusable */
	assert_int_equal(buf_puts(&s, "again"), 0);
	assert_string_equal(s.data, "again");
	buf_free(&s);
	buf_free(&p);
}

static void test_equal(void **state)
{
	struct buf a = BUF_INIT, b = BUF_INIT, e = BUF_INIT;
	(void)state;

	assert_true(buf_equal(&a, &b)); /* both never written */
	assert_int_equal(buf_append(&e, "", 0), 0);
	assert_true(buf_equal(&a, &e)); /* never written == allocated but empty */
	assert_true(buf_equal(&e, &a));

	assert_int_equal(buf_puts(&a, "abc"), 0);
	assert_false(buf_equal(&a, &b));
	assert_int_equal(buf_puts(&b, "abd"), 0);
	assert_false(buf_equal(&a, &b));
	buf_truncate(&b, 2);
	assert_false(buf_equal(&a, &b)); /* prefix is not equal */
	assert_int_equal(buf_putc(&b, 'c'), 0);
	assert_true(buf_equal(&a, &b));

	/* Bytes after an embedded NUL count. */
	assert_int_equal(buf_append(&a, "\0x", 2), 0);
	assert_int_equal(buf_append(&b, "\0y", 2), 0);
	assert_false(buf_equal(&a, &b));
	buf_free(&a);
	buf_free(&b);
	buf_free(&e);
}

/* A pipe holding LEN bytes of 'x', read with a cap of MAX. */
static int read_pipe(size_t len, size_t max, struct buf *b)
{
	int p[2], rc;
	char chunk[64];

	memset(chunk, 'x', sizeof(chunk));
	assert_int_equal(pipe(p), 0);
	for (size_t done = 0; done < len;) {
		size_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
		assert_int_equal(write(p[1], chunk, n), (ssize_t)n);
		done += n;
	}
	close(p[1]);
	rc = buf_read_fd(b, p[0], max);
	close(p[0]);
	return rc;
}

static void test_read_fd(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(buf_puts(&b, "ab"), 0);
	assert_int_equal(read_pipe(100, 100, &b), 0);
	assert_int_equal(b.len, 102); /* appended; the cap counts what is read */
	assert_int_equal(b.data[b.len], '\0');
	buf_truncate(&b, 0);
	assert_int_equal(read_pipe(0, 10, &b), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(read_pipe(101, 100, &b), -EFBIG);
	assert_int_equal(b.len, 101);
	buf_free(&b);
	assert_int_equal(buf_read_fd(&b, -1, 10), -EBADF);
	buf_free(&b);
}

UNIT_TESTS(cmocka_unit_test(test_fresh_buffer), cmocka_unit_test(test_append_puts_putc),
	   cmocka_unit_test(test_growth), cmocka_unit_test(test_reserve), cmocka_unit_test(test_printf),
	   cmocka_unit_test(test_truncate), cmocka_unit_test(test_chomp), cmocka_unit_test(test_sensitive),
	   cmocka_unit_test(test_equal), cmocka_unit_test(test_read_fd))
