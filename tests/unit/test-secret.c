/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/core/secret: the view of a secret, and its one comparison. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <string.h>

#include "secret.h"

static void test_equal(void **state)
{
	struct buf b = BUF_INIT_SENSITIVE;
	struct secret v;
	(void)state;

	v = secret_of(&b);
	assert_int_equal(v.len, 0);
	assert_string_equal(v.data, "");
	assert_true(secret_equal(&v, "", 0));
	assert_int_equal(buf_puts(&b, "abc"), 0);
	v = secret_of(&b);
	assert_true(secret_equal(&v, "abc", 3));
	assert_true(secret_equal_str(&v, "abc"));
	/* The length decides first: a prefix, or a longer string sharing it, is another secret. */
	assert_false(secret_equal(&v, "ab", 2));
	assert_false(secret_equal(&v, "abcd", 4));
	assert_false(secret_equal(&v, "abd", 3));
	assert_false(secret_equal(&v, "", 0));
	buf_free(&b);
}

/* Equal secrets compare equal wherever they live; a difference anywhere, in any byte, is found. */
static void test_every_byte(void **state)
{
	struct buf a = BUF_INIT_SENSITIVE;
	struct secret v;
	char other[64];
	(void)state;

	assert_int_equal(buf_puts(&a, "0123456789abcdef0123456789abcdef"), 0);
	v = secret_of(&a);
	for (size_t i = 0; i < a.len; i++) {
		memcpy(other, a.data, a.len);
		other[i] ^= 0x01;
		assert_false(secret_equal(&v, other, a.len));
		other[i] ^= 0x01;
		assert_true(secret_equal(&v, other, a.len));
	}
	buf_free(&a);
}

UNIT_TESTS(cmocka_unit_test(test_equal), cmocka_unit_test(test_every_byte))
