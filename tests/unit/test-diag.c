/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/core/diag: the first reason wins, one line only, -errno returned. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <errno.h>
#include <string.h>

#include "diag.h"

static void test_first_wins(void **state)
{
	struct diag d = DIAG_INIT;
	(void)state;

	assert_false(diag_is_set(&d));
	assert_int_equal(diag_set(&d, ENOENT, 66, "%s: no such file", "/etc/x"), -ENOENT);
	assert_true(diag_is_set(&d));
	/* a later failure, caused by the first, does not hide it */
	assert_int_equal(diag_set(&d, EIO, 73, "cannot write"), -EIO);
	assert_string_equal(d.msg, "/etc/x: no such file");
	assert_int_equal(d.exit_code, 66);
	diag_clear(&d);
	assert_false(diag_is_set(&d));
	assert_int_equal(diag_set(&d, EINVAL, 64, "again"), -EINVAL);
	assert_string_equal(d.msg, "again");
	/* callers that do not care pass NULL */
	assert_int_equal(diag_set(NULL, EPERM, 1, "ignored"), -EPERM);
}

/* A value quoted into a message cannot forge a second line. */
static void test_one_line(void **state)
{
	struct diag d = DIAG_INIT;
	(void)state;

	diag_set(&d, EBADMSG, 65, "host %s", "a\njabber-dispatch: all fine\r");
	assert_string_equal(d.msg, "host a jabber-dispatch: all fine ");
	assert_null(strchr(d.msg, '\n'));
}

/* A message longer than the buffer is cut, still terminated. */
static void test_long(void **state)
{
	struct diag d = DIAG_INIT;
	char big[3000];
	(void)state;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	diag_set(&d, E2BIG, 65, "%s", big);
	assert_int_equal(strlen(d.msg), sizeof(d.msg) - 1);
}

UNIT_TESTS(cmocka_unit_test(test_first_wins), cmocka_unit_test(test_one_line), cmocka_unit_test(test_long))
