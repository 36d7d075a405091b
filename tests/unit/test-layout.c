/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/layout: /var/{log,lib,spool}/PACKAGE made, fixed, refused and removed inside a root. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "layout.h"
#include "safefs.h"
#include "sandbox.h"

struct fixture {
	struct sandbox sb;
	struct layout_spec spec; /* the caller: no privilege needed */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	sandbox_open(&f->sb, "layout");
	f->spec = (struct layout_spec){ .uid = geteuid(), .gid = getegid(), .mode = 0750 };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	sandbox_close(&f->sb);
	free(f);
	return 0;
}

static mode_t mode_of(const struct fixture *f, const char *path)
{
	struct stat st;
	if (lstat(sandbox_path(&f->sb, path), &st) < 0)
		return 0;
	return st.st_mode & 07777;
}

static void test_names(void **state)
{
	static const char *const good[] = { "biboumi", "jabber-muc", "x2", "g++.gw", "0ad" };
	static const char *const bad[] = { "", "a", "..", "../etc", "a/b", "Abc", "-x", ".x", "a b", "a\n" };
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_null(layout_check_name(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_non_null(layout_check_name(bad[i]));
}

static void test_create_then_unchanged(void **state)
{
	struct fixture *f = *state;
	struct layout_report rep;
	struct diag d = DIAG_INIT;

	/* No /var at all: made on the way, root-owned 0755 above PACKAGE's directories. */
	assert_int_equal(layout_apply(&f->sb.r, "foo-gw", &f->spec, false, &rep, &d), 0);
	for (size_t i = 0; i < LAYOUT_NDIRS; i++) {
		char path[300];
		assert_int_equal(rep.v[i].action, LAYOUT_CREATED);
		snprintf(path, sizeof(path), "%s/foo-gw", layout_bases[i]);
		assert_string_equal(rep.v[i].path, path);
		assert_int_equal(mode_of(f, path), 0750);
	}
	assert_int_equal(mode_of(f, "/var/lib"), 0755);
	assert_int_equal(layout_apply(&f->sb.r, "foo-gw", &f->spec, false, &rep, &d), 0);
	for (size_t i = 0; i < LAYOUT_NDIRS; i++)
		assert_int_equal(rep.v[i].action, LAYOUT_UNCHANGED);
	/* A mode changed by hand is fixed back; a dry run only says so. */
	assert_int_equal(chmod(sandbox_path(&f->sb, "/var/log/foo-gw"), 0777), 0);
	assert_int_equal(layout_apply(&f->sb.r, "foo-gw", &f->spec, true, &rep, &d), 0);
	assert_int_equal(rep.v[0].action, LAYOUT_FIXED);
	assert_int_equal(rep.v[0].old_mode, 0777);
	assert_int_equal(mode_of(f, "/var/log/foo-gw"), 0777);
	/* Only creating (transport-init --dirs): what exists stays as it is. */
	f->spec.keep_existing = true;
	assert_int_equal(layout_apply(&f->sb.r, "foo-gw", &f->spec, false, &rep, &d), 0);
	assert_int_equal(rep.v[0].action, LAYOUT_UNCHANGED);
	assert_int_equal(mode_of(f, "/var/log/foo-gw"), 0777);
	f->spec.keep_existing = false;
	assert_int_equal(layout_apply(&f->sb.r, "foo-gw", &f->spec, false, &rep, &d), 0);
	assert_int_equal(rep.v[0].action, LAYOUT_FIXED);
	assert_int_equal(mode_of(f, "/var/log/foo-gw"), 0750);
}

static void test_symlinks_refused(void **state)
{
	struct fixture *f = *state;
	struct layout_report rep;
	struct diag d = DIAG_INIT;
	char outside[80];

	snprintf(outside, sizeof(outside), "%s.outside", f->sb.top);
	assert_int_equal(mkdir(outside, 0755), 0);
	assert_int_equal(mkdir(sandbox_path(&f->sb, "/var"), 0755), 0);
	assert_int_equal(mkdir(sandbox_path(&f->sb, "/var/log"), 0755), 0);
	assert_int_equal(symlink(outside, sandbox_path(&f->sb, "/var/lib")), 0);
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(layout_apply(&f->sb.r, "foo-gw", &f->spec, false, &rep, &d), -ELOOP);
	assert_string_equal(d.msg, "/var/lib: is a symlink; refusing to follow it");
	assert_int_equal(d.exit_code, 73);
	/* What came before the refusal is done and reported; the refused one is not. */
	assert_int_equal(rep.v[0].action, LAYOUT_CREATED);
	assert_string_equal(rep.v[1].path, "");
	assert_int_equal(rmdir(outside), 0); /* still empty: nothing made through the link */

	diag_clear(&d);
	assert_int_equal(unlink(sandbox_path(&f->sb, "/var/lib")), 0);
	assert_int_equal(mkdir(sandbox_path(&f->sb, "/var/lib"), 0755), 0);
	assert_int_equal(symlink("/etc", sandbox_path(&f->sb, "/var/lib/bar-gw")), 0);
	assert_int_equal(layout_remove(&f->sb.r, "bar-gw", true, false, &rep, &d), -ELOOP);
	assert_string_equal(d.msg, "/var/lib/bar-gw: is a symlink; refusing to follow it");
}

static void test_remove(void **state)
{
	struct fixture *f = *state;
	struct layout_report rep;
	struct diag d = DIAG_INIT;
	FILE *fp;

	assert_int_equal(layout_apply(&f->sb.r, "foo-gw", &f->spec, false, &rep, &d), 0);
	assert_int_equal(mkdir(sandbox_path(&f->sb, "/var/lib/foo-gw/sub"), 0700), 0);
	fp = fopen(sandbox_path(&f->sb, "/var/lib/foo-gw/sub/state"), "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(symlink("/etc/passwd", sandbox_path(&f->sb, "/var/lib/foo-gw/link")), 0);
	assert_int_equal(layout_remove(&f->sb.r, "foo-gw", false, false, &rep, &d), 0);
	assert_int_equal(rep.v[0].action, LAYOUT_REMOVED);
	assert_int_equal(rep.v[1].action, LAYOUT_KEPT);
	assert_int_equal(mode_of(f, "/var/lib/foo-gw"), 0750);
	assert_int_equal(layout_remove(&f->sb.r, "foo-gw", true, true, &rep, &d), 0);
	assert_int_equal(rep.v[1].action, LAYOUT_REMOVED);
	assert_int_equal(mode_of(f, "/var/lib/foo-gw"), 0750); /* dry run */
	assert_int_equal(layout_remove(&f->sb.r, "foo-gw", true, false, &rep, &d), 0);
	assert_int_equal(rep.v[1].action, LAYOUT_REMOVED);
	assert_int_equal(mode_of(f, "/var/lib/foo-gw"), 0);
	assert_int_equal(layout_remove(&f->sb.r, "foo-gw", false, false, &rep, &d), 0);
	for (size_t i = 0; i < LAYOUT_NDIRS; i++)
		assert_int_equal(rep.v[i].action, LAYOUT_ABSENT);
}

static void test_tmpfiles(void **state)
{
	struct buf out = BUF_INIT;
	(void)state;
	assert_int_equal(layout_tmpfiles("foo-gw", "_foo", "adm", 0770, &out), 0);
	assert_string_equal(buf_str(&out), "d /var/log/foo-gw 0770 _foo adm -\n"
					   "d /var/lib/foo-gw 0770 _foo adm -\n"
					   "d /var/spool/foo-gw 0770 _foo adm -\n");
	buf_free(&out);
}

UNIT_TESTS(cmocka_unit_test(test_names), UNIT_FIXTURE(test_create_then_unchanged),
	   UNIT_FIXTURE(test_symlinks_refused), UNIT_FIXTURE(test_remove), cmocka_unit_test(test_tmpfiles))
