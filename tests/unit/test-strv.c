/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/core/strv: owned copies, always NULL-terminated, a bytewise sort. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

static void test_push(void **state)
{
	struct strv sv = STRV_INIT;
	char word[] = "first";
	(void)state;

	assert_false(strv_contains(&sv, "first"));
	assert_int_equal(strv_push(&sv, word), 0);
	/* A copy: the caller's string may change or go. */
	word[0] = 'F';
	assert_string_equal(sv.v[0], "first");
	for (int i = 0; i < 100; i++) {
		char s[16];
		snprintf(s, sizeof(s), "s%d", i);
		assert_int_equal(strv_push(&sv, s), 0);
		/* NULL-terminated after every push, through every growth */
		assert_null(sv.v[sv.n]);
	}
	assert_int_equal(sv.n, 101);
	/* whole strings only: no prefix, no longer one */
	assert_true(strv_contains(&sv, "s99") && !strv_contains(&sv, "s100") && !strv_contains(&sv, "s"));
	strv_free(&sv);
	assert_true(sv.v == NULL && sv.n == 0);
	strv_free(&sv); /* freeing twice, or freeing an empty one, is fine */
}

static void test_owned(void **state)
{
	struct strv sv = STRV_INIT;
	char *s = strdup("taken");
	(void)state;

	assert_non_null(s);
	assert_int_equal(strv_push_owned(&sv, s), 0);
	assert_ptr_equal(sv.v[0], s);
	strv_free(&sv);
}

/* Bytewise, like dpkg's scandir in the C locale: upper case before lower, '-' before digits, shorter first. */
static void test_sort(void **state)
{
	struct strv sv = STRV_INIT;
	const char *in[] = { "prosody", "Prosody", "jabberd2", "jabberd14", "jabber-muc", "é", "jabber", "" };
	const char *want[] = { "", "Prosody", "jabber", "jabber-muc", "jabberd14", "jabberd2", "prosody", "é" };
	(void)state;

	for (size_t i = 0; i < sizeof(in) / sizeof(*in); i++)
		assert_int_equal(strv_push(&sv, in[i]), 0);
	strv_sort(&sv);
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++)
		assert_string_equal(sv.v[i], want[i]);
	assert_null(sv.v[sv.n]);
	strv_free(&sv);
	strv_sort(&sv); /* an empty vector sorts */
}

/* Sorted, each string once, still NULL-terminated. */
static void test_uniq(void **state)
{
	static const char *const in[] = { "b", "a", "b", "c", "a", "a" }, *const want[] = { "a", "b", "c" };
	struct strv sv = STRV_INIT;
	(void)state;

	strv_uniq(&sv); /* an empty vector too */
	assert_int_equal(sv.n, 0);
	for (size_t i = 0; i < sizeof(in) / sizeof(*in); i++)
		assert_int_equal(strv_push(&sv, in[i]), 0);
	strv_uniq(&sv);
	assert_int_equal(sv.n, 3);
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++)
		assert_string_equal(sv.v[i], want[i]);
	assert_null(sv.v[sv.n]);
	strv_free(&sv);
}

UNIT_TESTS(cmocka_unit_test(test_push), cmocka_unit_test(test_owned), cmocka_unit_test(test_sort),
	   cmocka_unit_test(test_uniq))
