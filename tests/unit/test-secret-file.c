/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/adapter/secret-file: a config that receives a secret is no one else's to read, and that is said. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include "sandbox.h"
#include "secret-file.h"

/* The group is looked up in the root's /etc/group, not the host's; the host's only for a root without one. */
static void test_group(void **state)
{
	struct sandbox *sb = *state;

	assert_int_equal(secret_file_group(&sb->r, "root"), 0);
	sandbox_put(sb, "/etc/group", "root:x:0:\njabberx:x:4711:\njabber:x:105:\nbroken:x::\n", 0644);
	assert_int_equal(secret_file_group(&sb->r, "jabber"), 105);
	assert_int_equal(secret_file_group(&sb->r, "jabberx"), 4711);
	assert_int_equal(secret_file_group(&sb->r, "jab"), (gid_t)-1);
	assert_int_equal(secret_file_group(&sb->r, "broken"), (gid_t)-1);
	assert_int_equal(secret_file_group(&sb->r, "nobody-here"), (gid_t)-1);
}

/* Commit a change of PATH (0644 root:root before) marked for GROUP; the notes it left. */
static void commit_marked(struct sandbox *sb, const char *group, struct buf *notes)
{
	struct changeset cs = CHANGESET_INIT;
	struct buf old = BUF_INIT;
	struct diag d = DIAG_INIT;

	sandbox_put(sb, "/etc/x/x.cfg", "password=old\n", 0644);
	assert_int_equal(chown(sandbox_path(sb, "/etc/x/x.cfg"), 0, 0), 0);
	sandbox_get(sb, "/etc/x/x.cfg", &old);
	assert_int_equal(changeset_put(&cs, "/etc/x/x.cfg", &old, "password=new\n", 13, 0644), 0);
	assert_int_equal(secret_file_mark("x", &sb->r, &cs, "/etc/x/x.cfg", group), 0);
	assert_int_equal(secret_file_mark("x", &sb->r, &cs, "/etc/x/other.cfg", group), -ENOENT);
	assert_int_equal(changeset_commit(&cs, &sb->r, &d), 0);
	assert_int_equal(changeset_secured_notes(&cs, notes), 0);
	changeset_free(&cs);
	buf_free(&old);
}

static void test_mark(void **state)
{
	struct sandbox *sb = *state;
	struct buf notes = BUF_INIT;
	struct stat st;

	sandbox_put(sb, "/etc/group", "root:x:0:\nxd:x:4711:\n", 0644);
	commit_marked(sb, "xd", &notes);
	assert_int_equal(stat(sandbox_path(sb, "/etc/x/x.cfg"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_gid, 4711);
	assert_string_equal(buf_str(&notes),
			    "/etc/x/x.cfg: holds a secret: made unreadable by others (mode 0644 group root -> mode 0640 group 4711)\n");
	buf_free(&notes);
}

/* Without the daemon's group, the mode is left as it is: cutting others off could cut the daemon off. */
static void test_no_group(void **state)
{
	struct sandbox *sb = *state;
	struct buf notes = BUF_INIT;

	sandbox_put(sb, "/etc/group", "root:x:0:\n", 0644);
	commit_marked(sb, "xd", &notes);
	assert_int_equal(sandbox_mode(sb, "/etc/x/x.cfg"), 0644);
	assert_string_equal(buf_str(&notes), "");
	buf_free(&notes);
}

UNIT_TESTS(UNIT_SANDBOX(test_group), UNIT_SANDBOX(test_mark), UNIT_SANDBOX(test_no_group))
