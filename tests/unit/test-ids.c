/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/core/ids: a user or group by number or by name; unknown names refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/types.h>

#include "ids.h"

/* A number is the id itself, whether or not the system knows it; a name is looked up. */
static void test_found(void **state)
{
	static const struct {
		const char *name;
		uid_t uid;
		gid_t gid; /* the user's primary group, or the group */
	} users[] = { { "4242", 4242, 4242 }, { "0", 0, 0 }, { "root", 0, 0 } }, groups[] = { { "4243", 0, 4243 }, { "root", 0, 0 } };
	uid_t uid;
	gid_t gid;
	(void)state;

	for (size_t i = 0; i < sizeof(users) / sizeof(*users); i++) {
		assert_int_equal(ids_resolve_user(users[i].name, &uid, &gid), 0);
		assert_int_equal(uid, users[i].uid);
		assert_int_equal(gid, users[i].gid);
		assert_int_equal(ids_resolve_user(users[i].name, &uid, NULL), 0);
	}
	for (size_t i = 0; i < sizeof(groups) / sizeof(*groups); i++) {
		assert_int_equal(ids_resolve_group(groups[i].name, &gid), 0);
		assert_int_equal(gid, groups[i].gid);
	}
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

UNIT_TESTS(cmocka_unit_test(test_found), cmocka_unit_test(test_unknown))
