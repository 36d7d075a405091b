/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/core/ids: a user or group by number or by name; unknown names refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/types.h>

#include "ids.h"

static void test_numbers(void **state)
{
	uid_t uid;
	gid_t gid;
	(void)state;

	/* A number is the id itself, whether or not the system knows it. */
	assert_int_equal(ids_resolve_user("4242", &uid, &gid), 0);
	assert_int_equal(uid, 4242);
	assert_int_equal(ids_resolve_user("0", &uid, &gid), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(gid, getpwuid(0)->pw_gid);
	assert_int_equal(ids_resolve_group("4243", &gid), 0);
	assert_int_equal(gid, 4243);
	assert_int_equal(ids_resolve_user("7", &uid, NULL), 0);
}

static void test_names(void **state)
{
	uid_t uid;
	gid_t gid;
	(void)state;

	assert_int_equal(ids_resolve_user("root", &uid, &gid), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(gid, 0);
	assert_int_equal(ids_resolve_group("root", &gid), 0);
	assert_int_equal(gid, 0);
}

/* Not a number and not a name: -ENOENT, the outputs left alone. */
static void test_unknown(void **state)
{
	uid_t uid = 77;
	gid_t gid = 78;
	(void)state;

	assert_int_equal(ids_resolve_user("no-such-user-jd", &uid, &gid), -ENOENT);
	assert_int_equal(ids_resolve_group("no-such-group-jd", &gid), -ENOENT);
	/* "12x", "-1", " 1", "" and an id beyond uid_t are names, and no user has them */
	assert_int_equal(ids_resolve_user("12x", &uid, NULL), -ENOENT);
	assert_int_equal(ids_resolve_user("-1", &uid, NULL), -ENOENT);
	assert_int_equal(ids_resolve_user(" 1", &uid, NULL), -ENOENT);
	assert_int_equal(ids_resolve_user("", &uid, NULL), -ENOENT);
	assert_int_equal(ids_resolve_group("99999999999999999999", &gid), -ENOENT);
	assert_int_equal(uid, 77);
	assert_int_equal(gid, 78);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
