/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/atomic: changesets committed inside a root, owners kept, symlinks and races refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "buf.h"
#include "diag.h"
#include "safefs.h"
#include "sandbox.h"

struct fixture {
	struct sandbox sb;
	struct changeset cs;
	mode_t old_umask;
};

static void assert_content(const struct fixture *f, const char *path, const char *want)
{
	struct buf b = BUF_INIT;
	sandbox_get(&f->sb, path, &b);
	assert_string_equal(buf_str(&b), want);
	assert_int_equal(b.len, strlen(want));
	buf_free(&b);
}

static void assert_absent(const struct fixture *f, const char *path)
{
	struct stat st;
	if (lstat(sandbox_path(&f->sb, path), &st) == 0 || errno != ENOENT)
		fail_msg("%s exists", path);
}

/* No ".NAME.XXXXXX" temp file (nor any dot file) left in directory PATH. */
static void assert_no_temps(const struct fixture *f, const char *path)
{
	DIR *dir = opendir(sandbox_path(&f->sb, path));
	struct dirent *de;
	if (!dir)
		fail_msg("cannot list %s: %s", path, strerror(errno));
	while ((de = readdir(dir)))
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			char name[256];
			snprintf(name, sizeof(name), "%s", de->d_name);
			closedir(dir);
			fail_msg("temp file %s/%s left behind", path, name);
		}
	closedir(dir);
}

/* A struct buf holding S, for the "old" argument. */
static struct buf old_of(const char *s)
{
	struct buf b = BUF_INIT;
	assert_int_equal(buf_puts(&b, s), 0);
	return b;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct diag d = DIAG_INIT;

	if (!f)
		return -1;
	f->old_umask = umask(022);
	strcpy(f->sb.top, "/tmp/ut-atomic.XXXXXX");
	if (!mkdtemp(f->sb.top)) {
		free(f);
		return -1;
	}
	f->sb.r = (struct root)ROOT_INIT;
	f->cs = (struct changeset)CHANGESET_INIT;
	*state = f;
	if (mkdir(sandbox_path(&f->sb, "/etc"), 0755) < 0 || mkdir(sandbox_path(&f->sb, "/etc/prosody"), 0755) < 0)
		return -1;
	if (safefs_root_open(f->sb.top, &f->sb.r, &d) < 0) {
		print_message("safefs_root_open: %s\n", d.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	changeset_free(&f->cs);
	safefs_root_close(&f->sb.r);
	nftw(f->sb.top, sandbox_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	umask(f->old_umask);
	free(f);
	return 0;
}

static void commit_ok(struct fixture *f)
{
	struct diag d = DIAG_INIT;
	int rc = changeset_commit(&f->cs, &f->sb.r, &d);
	if (rc != 0)
		fail_msg("changeset_commit: %d %s", rc, d.msg);
	assert_false(diag_is_set(&d));
}

/* Commit, expecting failure RC with a message containing WANT. */
static void commit_fails(struct fixture *f, int want_rc, const char *want)
{
	struct diag d = DIAG_INIT;
	int rc = changeset_commit(&f->cs, &f->sb.r, &d);
	if (rc != want_rc)
		fail_msg("changeset_commit returned %d (\"%s\"), expected %d", rc, d.msg, want_rc);
	if (!strstr(d.msg, want))
		fail_msg("message \"%s\" does not say \"%s\"", d.msg, want);
}

static void test_create(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	/* The new file gets the directory's group, as conf.d root:prosody wants. */
	assert_int_equal(chown(sandbox_path(&f->sb, "/etc/prosody"), 0, 5678), 0);
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/irc.cfg.lua", NULL, "Component \"irc\"\n", 16, 0640), 0);
	assert_false(changeset_empty(&f->cs));
	assert_non_null(changeset_find(&f->cs, "/etc/prosody/irc.cfg.lua"));
	assert_null(changeset_find(&f->cs, "/etc/prosody/other"));
	assert_absent(f, "/etc/prosody/irc.cfg.lua"); /* nothing before the commit */
	commit_ok(f);

	assert_content(f, "/etc/prosody/irc.cfg.lua", "Component \"irc\"\n");
	assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/prosody/irc.cfg.lua"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(st.st_gid, 5678);
	assert_no_temps(f, "/etc/prosody");

	/* A mode the umask would have cut is kept as given. */
	changeset_free(&f->cs);
	assert_int_equal(changeset_put(&f->cs, "/etc/open", NULL, "x", 1, 0666), 0);
	assert_int_equal(changeset_put(&f->cs, "/etc/empty", NULL, "", 0, 0600), 0);
	commit_ok(f);
	assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/open"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0666);
	assert_int_equal(st.st_gid, 0);
	assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/empty"), &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_no_temps(f, "/etc");
}

static void test_replace_keeps_owner_and_mode(void **state)
{
	struct fixture *f = *state;
	struct buf old = old_of("component_secret = \"old\"\n");
	struct stat before, after;

	sandbox_put(&f->sb, "/etc/prosody/prosody.cfg.lua", old.data, 0604);
	assert_int_equal(chown(sandbox_path(&f->sb, "/etc/prosody/prosody.cfg.lua"), 1234, 5678), 0);
	assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/prosody/prosody.cfg.lua"), &before), 0);

	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/prosody.cfg.lua", &old, "component_secret = \"new\"\n",
				       25, 0600 /* ignored for an existing file */),
			 0);
	commit_ok(f);
	assert_content(f, "/etc/prosody/prosody.cfg.lua", "component_secret = \"new\"\n");
	assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/prosody/prosody.cfg.lua"), &after), 0);
	assert_int_equal(after.st_uid, 1234);
	assert_int_equal(after.st_gid, 5678);
	assert_int_equal(after.st_mode & 07777, 0604);
	assert_true(after.st_ino != before.st_ino); /* a new file renamed over, not rewritten */
	assert_no_temps(f, "/etc/prosody");
	buf_free(&old);

	/* Special bits survive the owner change too. */
	changeset_free(&f->cs);
	old = old_of("#!/bin/sh\n");
	sandbox_put(&f->sb, "/etc/tool", old.data, 02750);
	assert_int_equal(chown(sandbox_path(&f->sb, "/etc/tool"), 1234, 5678), 0);
	assert_int_equal(chmod(sandbox_path(&f->sb, "/etc/tool"), 02750), 0);
	assert_int_equal(changeset_put(&f->cs, "/etc/tool", &old, "#!/bin/sh\nexit 0\n", 17, 0644), 0);
	commit_ok(f);
	assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/tool"), &after), 0);
	assert_int_equal(after.st_mode & 07777, 02750);
	assert_int_equal(after.st_uid, 1234);
	assert_int_equal(after.st_gid, 5678);
	buf_free(&old);
}

static void test_unchanged_is_not_written(void **state)
{
	struct fixture *f = *state;
	struct buf old = old_of("same\n");
	struct timespec past[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	struct stat before, after;

	sandbox_put(&f->sb, "/etc/prosody/same.cfg.lua", "same\n", 0644);
	assert_int_equal(utimensat(AT_FDCWD, sandbox_path(&f->sb, "/etc/prosody/same.cfg.lua"), past, 0), 0);
	assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/prosody/same.cfg.lua"), &before), 0);

	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/same.cfg.lua", &old, "same\n", 5, 0644), 0);
	assert_true(changeset_empty(&f->cs));
	assert_null(changeset_find(&f->cs, "/etc/prosody/same.cfg.lua"));
	/* Changed, then changed back: unchanged again. */
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/same.cfg.lua", &old, "other\n", 6, 0644), 0);
	assert_false(changeset_empty(&f->cs));
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/same.cfg.lua", &old, "same\n", 5, 0644), 0);
	assert_true(changeset_empty(&f->cs));
	commit_ok(f);

	assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/prosody/same.cfg.lua"), &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_int_equal(after.st_mtim.tv_sec, 1000000000);
	assert_int_equal(after.st_ctim.tv_sec, before.st_ctim.tv_sec);
	assert_int_equal(after.st_ctim.tv_nsec, before.st_ctim.tv_nsec);
	assert_no_temps(f, "/etc/prosody");
	buf_free(&old);
}

static void test_remove(void **state)
{
	struct fixture *f = *state;
	struct buf old = old_of("Component \"gone\"\n");
	struct buf diff = BUF_INIT;

	sandbox_put(&f->sb, "/etc/prosody/gone.cfg.lua", old.data, 0644);
	assert_int_equal(changeset_remove(&f->cs, "/etc/prosody/gone.cfg.lua", &old), 0);
	assert_true(changeset_find(&f->cs, "/etc/prosody/gone.cfg.lua")->remove);
	assert_int_equal(changeset_diff(&f->cs, &diff), 0);
	assert_string_equal(buf_str(&diff), "--- a/etc/prosody/gone.cfg.lua\n"
					    "+++ /dev/null\n"
					    "@@ -1 +0,0 @@\n"
					    "-Component \"gone\"\n");
	commit_ok(f);
	assert_absent(f, "/etc/prosody/gone.cfg.lua");
	assert_no_temps(f, "/etc/prosody");

	/* Created then removed in the same changeset: nothing at all. */
	changeset_free(&f->cs);
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/tmp.cfg.lua", NULL, "x", 1, 0644), 0);
	assert_int_equal(changeset_remove(&f->cs, "/etc/prosody/tmp.cfg.lua", &old), 0);
	assert_true(changeset_empty(&f->cs));
	commit_ok(f);
	assert_absent(f, "/etc/prosody/tmp.cfg.lua");

	/* Removing a file someone else edited meanwhile is refused. */
	changeset_free(&f->cs);
	sandbox_put(&f->sb, "/etc/prosody/edited.cfg.lua", "theirs\n", 0644);
	assert_int_equal(changeset_remove(&f->cs, "/etc/prosody/edited.cfg.lua", &old), 0);
	commit_fails(f, -ESTALE, "changed by someone else");
	assert_content(f, "/etc/prosody/edited.cfg.lua", "theirs\n");
	buf_free(&old);
	buf_free(&diff);
}

static void test_two_files(void **state)
{
	struct fixture *f = *state;
	struct buf old = old_of("old main\n");

	sandbox_put(&f->sb, "/etc/prosody/prosody.cfg.lua", old.data, 0644);
	sandbox_mkdir(&f->sb, "/etc/biboumi");
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/prosody.cfg.lua", &old, "new main\n", 9, 0644), 0);
	assert_int_equal(changeset_put(&f->cs, "/etc/biboumi/biboumi.cfg", NULL, "hostname=irc\n", 13, 0640), 0);
	commit_ok(f);
	assert_content(f, "/etc/prosody/prosody.cfg.lua", "new main\n");
	assert_content(f, "/etc/biboumi/biboumi.cfg", "hostname=irc\n");
	assert_no_temps(f, "/etc/prosody");
	assert_no_temps(f, "/etc/biboumi");
	buf_free(&old);
}

/* When the second change is refused, the first is not written either. */
static void test_all_or_nothing(void **state)
{
	struct fixture *f = *state;
	struct buf old_a = old_of("a1\n"), old_b = old_of("b1\n");

	sandbox_put(&f->sb, "/etc/prosody/a.cfg.lua", "a1\n", 0644);
	sandbox_put(&f->sb, "/etc/b.cfg", "b1\n", 0644);
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/a.cfg.lua", &old_a, "a2\n", 3, 0644), 0);
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/new.cfg.lua", NULL, "n\n", 2, 0644), 0);
	assert_int_equal(changeset_put(&f->cs, "/etc/b.cfg", &old_b, "b2\n", 3, 0644), 0);
	sandbox_put(&f->sb, "/etc/b.cfg", "b-theirs\n", 0644); /* someone else writes b */
	commit_fails(f, -ESTALE, "/etc/b.cfg: changed by someone else");
	assert_content(f, "/etc/prosody/a.cfg.lua", "a1\n");
	assert_absent(f, "/etc/prosody/new.cfg.lua");
	assert_content(f, "/etc/b.cfg", "b-theirs\n");
	assert_no_temps(f, "/etc/prosody");
	assert_no_temps(f, "/etc");
	buf_free(&old_a);
	buf_free(&old_b);
}

static void test_symlink_target_refused(void **state)
{
	struct fixture *f = *state;
	struct buf old = old_of("real content\n"), a = BUF_INIT, b = BUF_INIT;
	char link[64];
	ssize_t n;

	sandbox_put(&f->sb, "/etc/prosody/real.cfg.lua", "real content\n", 0644);
	assert_int_equal(symlink("real.cfg.lua", sandbox_path(&f->sb, "/etc/prosody/link.cfg.lua")), 0);

	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/link.cfg.lua", &old, "replaced\n", 9, 0644), 0);
	commit_fails(f, -ELOOP, "/etc/prosody/link.cfg.lua: is a symlink");
	n = readlink(sandbox_path(&f->sb, "/etc/prosody/link.cfg.lua"), link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_string_equal(link, "real.cfg.lua");
	sandbox_get(&f->sb, "/etc/prosody/link.cfg.lua", &a);
	sandbox_get(&f->sb, "/etc/prosody/real.cfg.lua", &b);
	assert_true(buf_equal(&a, &b));
	assert_string_equal(buf_str(&b), "real content\n");
	assert_no_temps(f, "/etc/prosody");

	/* A dangling link where a new file should go: refused, its target not created. */
	changeset_free(&f->cs);
	assert_int_equal(symlink("/etc/prosody/target.cfg.lua", sandbox_path(&f->sb, "/etc/prosody/dangling.cfg.lua")), 0);
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/dangling.cfg.lua", NULL, "x\n", 2, 0644), 0);
	commit_fails(f, -ELOOP, "is a symlink");
	assert_absent(f, "/etc/prosody/target.cfg.lua");
	assert_no_temps(f, "/etc/prosody");

	/* Removal through a link is refused too. */
	changeset_free(&f->cs);
	assert_int_equal(changeset_remove(&f->cs, "/etc/prosody/link.cfg.lua", &old), 0);
	commit_fails(f, -ELOOP, "is a symlink");
	assert_content(f, "/etc/prosody/real.cfg.lua", "real content\n");
	n = readlink(sandbox_path(&f->sb, "/etc/prosody/link.cfg.lua"), link, sizeof(link) - 1);
	assert_true(n > 0);
	buf_free(&old);
	buf_free(&a);
	buf_free(&b);
}

static void test_symlink_parent_refused(void **state)
{
	struct fixture *f = *state;

	sandbox_mkdir(&f->sb, "/etc/prosody/conf.avail");
	assert_int_equal(symlink("conf.avail", sandbox_path(&f->sb, "/etc/prosody/conf.d")), 0);
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/conf.d/irc.cfg.lua", NULL, "x\n", 2, 0644), 0);
	commit_fails(f, -ELOOP, "/etc/prosody/conf.d: is a symlink where a directory is expected");
	assert_absent(f, "/etc/prosody/conf.avail/irc.cfg.lua");
	assert_no_temps(f, "/etc/prosody/conf.avail");

	/* An absolute link, leading out of the root, with mkdir_mode: refused as well. */
	changeset_free(&f->cs);
	assert_int_equal(symlink("/tmp", sandbox_path(&f->sb, "/var")), 0);
	assert_int_equal(changeset_put_mkdir(&f->cs, "/var/ut-atomic-escape/x", NULL, "x", 1, 0644, 0755), 0);
	commit_fails(f, -ELOOP, "/var: is a symlink where a directory is expected");
	{
		struct stat st;
		assert_int_equal(lstat("/tmp/ut-atomic-escape", &st), -1);
	}
	/* ".." in a path to write is refused. */
	changeset_free(&f->cs);
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/../x", NULL, "x", 1, 0644), 0);
	commit_fails(f, -EINVAL, "\"..\" is not allowed");
	assert_absent(f, "/etc/x");
}

static void test_changed_by_someone_else(void **state)
{
	struct fixture *f = *state;
	struct buf old = old_of("version 1\n");

	sandbox_put(&f->sb, "/etc/prosody/prosody.cfg.lua", "version 1\n", 0644);
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/prosody.cfg.lua", &old, "mine\n", 5, 0644), 0);
	sandbox_put(&f->sb, "/etc/prosody/prosody.cfg.lua", "version 2, by the admin\n", 0644);
	commit_fails(f, -ESTALE, "/etc/prosody/prosody.cfg.lua: changed by someone else");
	assert_content(f, "/etc/prosody/prosody.cfg.lua", "version 2, by the admin\n");
	assert_no_temps(f, "/etc/prosody");

	/* Same length, different bytes. */
	changeset_free(&f->cs);
	sandbox_put(&f->sb, "/etc/prosody/prosody.cfg.lua", "version 1\n", 0644);
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/prosody.cfg.lua", &old, "mine\n", 5, 0644), 0);
	sandbox_put(&f->sb, "/etc/prosody/prosody.cfg.lua", "version 9\n", 0644);
	commit_fails(f, -ESTALE, "changed by someone else");
	assert_content(f, "/etc/prosody/prosody.cfg.lua", "version 9\n");

	/* Truncated by someone else. */
	changeset_free(&f->cs);
	sandbox_put(&f->sb, "/etc/prosody/prosody.cfg.lua", "version 1\n", 0644);
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/prosody.cfg.lua", &old, "mine\n", 5, 0644), 0);
	sandbox_put(&f->sb, "/etc/prosody/prosody.cfg.lua", "", 0644);
	commit_fails(f, -ESTALE, "changed by someone else");
	assert_content(f, "/etc/prosody/prosody.cfg.lua", "");

	/* Removed by someone else. */
	changeset_free(&f->cs);
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/prosody.cfg.lua", &old, "mine\n", 5, 0644), 0);
	assert_int_equal(unlink(sandbox_path(&f->sb, "/etc/prosody/prosody.cfg.lua")), 0);
	commit_fails(f, -ESTALE, "removed by someone else");
	assert_absent(f, "/etc/prosody/prosody.cfg.lua");

	/* Created by someone else while we meant to create it. */
	changeset_free(&f->cs);
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/new.cfg.lua", NULL, "mine\n", 5, 0644), 0);
	sandbox_put(&f->sb, "/etc/prosody/new.cfg.lua", "theirs\n", 0644);
	commit_fails(f, -EEXIST, "created by someone else");
	assert_content(f, "/etc/prosody/new.cfg.lua", "theirs\n");
	assert_no_temps(f, "/etc/prosody");

	/* A directory where the file was. */
	changeset_free(&f->cs);
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/dir.cfg.lua", &old, "mine\n", 5, 0644), 0);
	sandbox_mkdir(&f->sb, "/etc/prosody/dir.cfg.lua");
	commit_fails(f, -EINVAL, "not a regular file");
	assert_no_temps(f, "/etc/prosody");
	buf_free(&old);
}

static void test_put_twice_keeps_first_old(void **state)
{
	struct fixture *f = *state;
	struct buf old = old_of("v1\n"), other = old_of("unrelated\n");
	struct change *c;

	sandbox_put(&f->sb, "/etc/x.cfg", "v1\n", 0644);
	assert_int_equal(changeset_put(&f->cs, "/etc/x.cfg", &old, "v2\n", 3, 0644), 0);
	/* A second put of the same path replaces the data, keeps what was read first. */
	assert_int_equal(changeset_put(&f->cs, "/etc/x.cfg", &other, "v3\n", 3, 0644), 0);
	assert_int_equal(f->cs.n, 1);
	c = changeset_find(&f->cs, "/etc/x.cfg");
	assert_non_null(c);
	assert_true(c->existed);
	assert_string_equal(buf_str(&c->old), "v1\n");
	assert_string_equal(buf_str(&c->data), "v3\n");
	commit_ok(f);
	assert_content(f, "/etc/x.cfg", "v3\n");
	buf_free(&old);
	buf_free(&other);
}

static void test_diff_redacted(void **state)
{
	struct fixture *f = *state;
	struct buf old = old_of("port = 1\ncomponent_secret = \"hunter2\"\n"), diff = BUF_INIT;

	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/conf.d/irc.cfg.lua", NULL,
				       "Component \"irc\"\n\tcomponent_secret = \"s3cr3t\"\n", 45, 0640),
			 0);
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/prosody.cfg.lua", &old,
				       "port = 2\ncomponent_secret = \"hunter2\"\n", 38, 0640),
			 0);
	assert_int_equal(changeset_redact(&f->cs, "s3cr3t", "********"), 0);
	assert_int_equal(changeset_redact(&f->cs, "hunter2", "<old secret>"), 0);
	assert_int_equal(changeset_redact(&f->cs, "hunter2", "<other>"), 0); /* twice: the first stays */
	assert_int_equal(changeset_redact(&f->cs, "", "<empty>"), 0);       /* empty: ignored */

	assert_int_equal(buf_puts(&diff, "before\n"), 0);
	assert_int_equal(changeset_diff(&f->cs, &diff), 0);
	assert_string_equal(buf_str(&diff), "before\n"
					    "--- /dev/null\n"
					    "+++ b/etc/prosody/conf.d/irc.cfg.lua\n"
					    "@@ -0,0 +1,2 @@\n"
					    "+Component \"irc\"\n"
					    "+\tcomponent_secret = \"********\"\n"
					    "--- a/etc/prosody/prosody.cfg.lua\n"
					    "+++ b/etc/prosody/prosody.cfg.lua\n"
					    "@@ -1,2 +1,2 @@\n"
					    "-port = 1\n"
					    "+port = 2\n"
					    " component_secret = \"<old secret>\"\n");
	assert_null(strstr(diff.data, "s3cr3t"));
	assert_null(strstr(diff.data, "hunter2"));
	/* Diffing does not change what is written. */
	assert_non_null(strstr(buf_str(&changeset_find(&f->cs, "/etc/prosody/conf.d/irc.cfg.lua")->data), "s3cr3t"));

	/* A secret that changes shows as a changed line, both sides redacted. */
	changeset_free(&f->cs);
	buf_truncate(&diff, 0);
	assert_int_equal(changeset_put(&f->cs, "/etc/p.cfg", &old, "port = 1\ncomponent_secret = \"s3cr3t\"\n", 37, 0),
			 0);
	assert_int_equal(changeset_redact(&f->cs, "hunter2", "<old secret>"), 0);
	assert_int_equal(changeset_redact(&f->cs, "s3cr3t", "<secret>"), 0);
	assert_int_equal(changeset_diff(&f->cs, &diff), 0);
	assert_string_equal(buf_str(&diff), "--- a/etc/p.cfg\n"
					    "+++ b/etc/p.cfg\n"
					    "@@ -1,2 +1,2 @@\n"
					    " port = 1\n"
					    "-component_secret = \"<old secret>\"\n"
					    "+component_secret = \"<secret>\"\n");

	/* Every occurrence is hidden, also several on one line and at the very end without newline. */
	changeset_free(&f->cs);
	buf_truncate(&diff, 0);
	assert_int_equal(changeset_put(&f->cs, "/etc/q.cfg", NULL, "a=pw pw\nb=pwpw", 14, 0600), 0);
	assert_int_equal(changeset_redact(&f->cs, "pw", "*"), 0);
	assert_int_equal(changeset_diff(&f->cs, &diff), 0);
	assert_string_equal(buf_str(&diff), "--- /dev/null\n"
					    "+++ b/etc/q.cfg\n"
					    "@@ -0,0 +1,2 @@\n"
					    "+a=* *\n"
					    "+b=**\n"
					    "\\ No newline at end of file\n");

	/* An empty changeset diffs to nothing. */
	changeset_free(&f->cs);
	buf_truncate(&diff, 0);
	assert_int_equal(changeset_diff(&f->cs, &diff), 0);
	assert_int_equal(diff.len, 0);
	buf_free(&old);
	buf_free(&diff);
}

static void test_mkdir_mode(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	/* Without mkdir_mode a missing directory is an error. */
	assert_int_equal(changeset_put(&f->cs, "/var/lib/jabber-dispatch/state", NULL, "s\n", 2, 0600), 0);
	commit_fails(f, -ENOENT, "/var: No such file or directory");
	assert_absent(f, "/var");

	changeset_free(&f->cs);
	assert_int_equal(changeset_put_mkdir(&f->cs, "/var/lib/jabber-dispatch/state", NULL, "s\n", 2, 0600, 0750), 0);
	commit_ok(f);
	assert_content(f, "/var/lib/jabber-dispatch/state", "s\n");
	assert_int_equal(lstat(sandbox_path(&f->sb, "/var"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0755); /* above the file's own directory: plain */
	assert_int_equal(lstat(sandbox_path(&f->sb, "/var/lib/jabber-dispatch"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(lstat(sandbox_path(&f->sb, "/var/lib/jabber-dispatch/state"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_no_temps(f, "/var/lib/jabber-dispatch");

	/* Existing directories are left as they are. */
	changeset_free(&f->cs);
	assert_int_equal(changeset_put_mkdir(&f->cs, "/etc/prosody/new/x", NULL, "x", 1, 0644, 0700), 0);
	commit_ok(f);
	assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/prosody"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/prosody/new"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
}

/*
 * "Missing directories are created with that mode" (safefs.h), as created
 * files get exactly their MODE whatever the umask: an admin's umask 077 must
 * not leave a new directory unreadable by the group the files are made for.
 */
static void test_mkdir_mode_ignores_umask(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	umask(077);
	assert_int_equal(changeset_put_mkdir(&f->cs, "/etc/prosody/conf.d/irc.cfg.lua", NULL, "x\n", 2, 0640, 0755), 0);
	commit_ok(f);
	umask(022);
	assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/prosody/conf.d/irc.cfg.lua"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640); /* the file: exact */
	assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/prosody/conf.d"), &st), 0);
	if ((st.st_mode & 07777) != 0755)
		fail_msg("directory created with mode %04o under umask 077, expected mkdir_mode 0755",
			 (unsigned)(st.st_mode & 07777));
}

/*
 * A writer killed before its rename leaves ".NAME.jdtmp.XXXXXXXXXXXX" (0600)
 * behind.  The next commit into that directory removes it, unless a live
 * writer still holds its lock; files of any other name are never touched.
 */
static void test_stale_temps_cleaned(void **state)
{
	struct fixture *f = *state;
	struct buf old = old_of("old\n");
	int held;

	assert_true(atomic_is_temp_name(".irc.cfg.lua.jdtmp.0123456789ab"));
	assert_false(atomic_is_temp_name(".irc.cfg.lua.jdtmp.0123456789aB"));
	assert_false(atomic_is_temp_name(".irc.cfg.lua.jdtmp.0123456789a"));
	assert_false(atomic_is_temp_name("irc.cfg.lua.jdtmp.0123456789ab"));
	assert_false(atomic_is_temp_name(".irc.cfg.lua.0123456789ab"));

	sandbox_put(&f->sb, "/etc/prosody/prosody.cfg.lua", old.data, 0644);
	sandbox_put(&f->sb, "/etc/prosody/.prosody.cfg.lua.jdtmp.00000000dead", "secret = 1\n", 0600);
	sandbox_put(&f->sb, "/etc/prosody/.other.jdtmp.00000000beef", "another file's\n", 0600);
	sandbox_put(&f->sb, "/etc/prosody/.live.jdtmp.000000000123", "being written\n", 0600);
	sandbox_put(&f->sb, "/etc/prosody/.admin.swp", "not ours\n", 0600);
	sandbox_put(&f->sb, "/etc/prosody/.kept.jdtmp.0000000000XY", "not our pattern\n", 0600);
	assert_int_equal(mkdir(sandbox_path(&f->sb, "/etc/prosody/.dir.jdtmp.000000000000"), 0700), 0);
	assert_int_equal(symlink("prosody.cfg.lua", sandbox_path(&f->sb, "/etc/prosody/.link.jdtmp.000000000000")), 0);
	/* A live writer: its lock is held. */
	held = open(sandbox_path(&f->sb, "/etc/prosody/.live.jdtmp.000000000123"), O_RDONLY | O_CLOEXEC);
	assert_true(held >= 0);
	assert_int_equal(flock(held, LOCK_EX), 0);
	/* A stale temp in a directory this commit does not write to stays. */
	sandbox_put(&f->sb, "/etc/.elsewhere.jdtmp.000000000000", "x", 0600);

	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/prosody.cfg.lua", &old, "new\n", 4, 0644), 0);
	commit_ok(f);
	assert_content(f, "/etc/prosody/prosody.cfg.lua", "new\n");
	assert_absent(f, "/etc/prosody/.prosody.cfg.lua.jdtmp.00000000dead");
	assert_absent(f, "/etc/prosody/.other.jdtmp.00000000beef");
	assert_content(f, "/etc/prosody/.live.jdtmp.000000000123", "being written\n");
	assert_content(f, "/etc/prosody/.admin.swp", "not ours\n");
	assert_content(f, "/etc/prosody/.kept.jdtmp.0000000000XY", "not our pattern\n");
	assert_content(f, "/etc/.elsewhere.jdtmp.000000000000", "x");
	{
		struct stat st;
		assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/prosody/.dir.jdtmp.000000000000"), &st), 0);
		assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/prosody/.link.jdtmp.000000000000"), &st), 0);
	}
	/* Once its writer is gone, the next commit takes it. */
	close(held);
	changeset_free(&f->cs);
	buf_free(&old);
	old = old_of("new\n");
	assert_int_equal(changeset_put(&f->cs, "/etc/prosody/prosody.cfg.lua", &old, "newer\n", 6, 0644), 0);
	commit_ok(f);
	assert_absent(f, "/etc/prosody/.live.jdtmp.000000000123");
	buf_free(&old);
}

/*
 * A file that receives a secret ends up unreadable by others, owner kept.
 * Debian's biboumi.cfg is root:root 0644 and read by _biboumi: with the
 * reader's group given, the file becomes root:READER 0640 and says so.
 */
static void test_secret_not_world_readable(void **state)
{
	struct fixture *f = *state;
	struct buf old = old_of("password=\n"), notes = BUF_INIT;
	struct stat st;

	sandbox_put(&f->sb, "/etc/biboumi.cfg", old.data, 0644);
	assert_int_equal(chown(sandbox_path(&f->sb, "/etc/biboumi.cfg"), 1234, 0), 0);
	assert_int_equal(changeset_put(&f->cs, "/etc/biboumi.cfg", &old, "password=s3cret\n", 16, 0644), 0);
	assert_int_equal(changeset_mark_secret(&f->cs, "/etc/biboumi.cfg", 4321), 0);
	assert_int_equal(changeset_mark_secret(&f->cs, "/etc/not-queued", 4321), -ENOENT);
	commit_ok(f);
	assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/biboumi.cfg"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_uid, 1234);
	assert_int_equal(st.st_gid, 4321);
	assert_int_equal(changeset_secured_notes(&f->cs, &notes), 0);
	assert_non_null(strstr(buf_str(&notes), "/etc/biboumi.cfg: holds a secret: made unreadable by others (mode 0644 group "));
	assert_non_null(strstr(buf_str(&notes), " -> mode 0640 group 4321)\n"));
	buf_free(&notes);
	buf_free(&old);
	changeset_free(&f->cs);

	/* Without a reader group: only the bits of others go, the group keeps its own. */
	old = old_of("a\n");
	sandbox_put(&f->sb, "/etc/router.xml", old.data, 0664);
	assert_int_equal(chown(sandbox_path(&f->sb, "/etc/router.xml"), 0, 5678), 0);
	assert_int_equal(changeset_put(&f->cs, "/etc/router.xml", &old, "b\n", 2, 0644), 0);
	assert_int_equal(changeset_mark_secret(&f->cs, "/etc/router.xml", (gid_t)-1), 0);
	commit_ok(f);
	assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/router.xml"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_int_equal(st.st_gid, 5678);
	buf_free(&old);
	changeset_free(&f->cs);

	/* Already private: nothing changes, nothing to say. */
	old = old_of("a\n");
	sandbox_put(&f->sb, "/etc/private", old.data, 0640);
	assert_int_equal(changeset_put(&f->cs, "/etc/private", &old, "b\n", 2, 0644), 0);
	assert_int_equal(changeset_mark_secret(&f->cs, "/etc/private", 4321), 0);
	commit_ok(f);
	assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/private"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_gid, 0);
	assert_int_equal(changeset_secured_notes(&f->cs, &notes), 0);
	assert_int_equal(notes.len, 0);
	buf_free(&old);
	changeset_free(&f->cs);

	/* A new file asked 0644 but holding a secret is created without the bits of others. */
	assert_int_equal(changeset_put(&f->cs, "/etc/new.cfg", NULL, "k=v\n", 4, 0644), 0);
	assert_int_equal(changeset_mark_secret(&f->cs, "/etc/new.cfg", (gid_t)-1), 0);
	commit_ok(f);
	assert_int_equal(lstat(sandbox_path(&f->sb, "/etc/new.cfg"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
}

UNIT_TESTS(UNIT_FIXTURE(test_create), UNIT_FIXTURE(test_replace_keeps_owner_and_mode),
	   UNIT_FIXTURE(test_unchanged_is_not_written), UNIT_FIXTURE(test_remove), UNIT_FIXTURE(test_two_files),
	   UNIT_FIXTURE(test_all_or_nothing), UNIT_FIXTURE(test_symlink_target_refused),
	   UNIT_FIXTURE(test_symlink_parent_refused), UNIT_FIXTURE(test_changed_by_someone_else),
	   UNIT_FIXTURE(test_put_twice_keeps_first_old), UNIT_FIXTURE(test_diff_redacted),
	   UNIT_FIXTURE(test_mkdir_mode), UNIT_FIXTURE(test_mkdir_mode_ignores_umask),
	   UNIT_FIXTURE(test_stale_temps_cleaned), UNIT_FIXTURE(test_secret_not_world_readable))
