/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-noop: the record of what a sync depended on, written and read back; identities and the racy rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "noop.h"

struct fixture {
	char top[64];
	struct root r;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct diag d = DIAG_INIT;

	snprintf(f->top, sizeof(f->top), "/tmp/jd-noop.XXXXXX");
	f->r = (struct root)ROOT_INIT;
	if (!mkdtemp(f->top) || safefs_root_open(f->top, &f->r, &d) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	safefs_root_close(&f->r);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->top);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct noop n = NOOP_INIT, back = NOOP_INIT;
	struct diag d = DIAG_INIT;
	const char *was = NULL;
	char path[128];
	struct stat st;

	assert_int_equal(noop_load(&f->r, &back, true, &d), -ENOENT);
	n.at = (struct timespec){ 1700000000, 123456789 };
	assert_int_equal(strv_push(&n.ids, "file host /proc/self/exe 1:2:3:4.000000005:6.000000007"), 0);
	assert_int_equal(strv_push(&n.ids, "file root /etc/a b -"), 0);
	/* the answers, sorted by adapter: each with the identities of the adapter that gave it */
	assert_int_equal(strv_push(&n.caps, "servers ejabberd"), 0);
	assert_int_equal(strv_push(&n.caps, "usable 1:2:3:4.5:6.7 - - -"), 0);
	assert_int_equal(strv_push(&n.caps, "protocol=1 batch"), 0);
	assert_int_equal(strv_push(&n.caps, "servers prosody"), 0);
	assert_int_equal(strv_push(&n.caps, "usable 8:9:3:4.5:6.7 - - -"), 0);
	assert_int_equal(strv_push(&n.caps, "protocol=1 batch\ninputs"), 0);
	assert_int_equal(strv_push(&n.caps, "transports t1"), 0);
	assert_int_equal(strv_push(&n.caps, "usable - - - -"), 0);
	assert_int_equal(strv_push(&n.caps, "protocol=1"), 0);
	/* a reason with a tab and a newline stays one field */
	assert_int_equal(noop_add_pair(&n, &(struct noop_pair){ "t1", "prosody", "t1.example.org", "unconfigured",
							       "why\tnot\nhere", 5347 }),
			 0);
	n.outcome = true;
	assert_int_equal(noop_save(&n, &f->r, &d), 0);
	snprintf(path, sizeof(path), "%s%s", f->top, NOOP_PATH);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	assert_int_equal(noop_load(&f->r, &back, true, &d), 0);
	assert_int_equal(back.at.tv_sec, 1700000000);
	assert_int_equal(back.at.tv_nsec, 123456789);
	assert_int_equal(back.ids.n, 2);
	assert_string_equal(back.ids.v[1], "file root /etc/a b -");
	assert_string_equal(noop_caps(&back, "servers prosody", &was), "protocol=1 batch inputs");
	assert_string_equal(was, "usable 8:9:3:4.5:6.7 - - -");
	assert_string_equal(noop_caps(&back, "servers ejabberd", &was), "protocol=1 batch");
	assert_string_equal(noop_caps(&back, "transports t1", &was), "protocol=1");
	assert_null(noop_caps(&back, "servers openfire", &was));
	assert_null(noop_caps(&back, "transports t2", &was));
	assert_int_equal(back.npairs, 1);
	assert_string_equal(back.pairs[0].word, "unconfigured");
	assert_string_equal(back.pairs[0].reason, "why not here");
	assert_int_equal(back.pairs[0].port, 5347);
	assert_true(back.outcome);
	noop_free(&back);
	/* without the answers: the rest all the same */
	assert_int_equal(noop_load(&f->r, &back, false, &d), 0);
	assert_int_equal(back.caps.n, 0);
	assert_int_equal(back.ids.n, 2);
	assert_int_equal(back.npairs, 1);
	noop_free(&back);

	/* cut short, or not a record: refused, and nothing half-read is left */
	assert_int_equal(truncate(path, 60), 0);
	assert_int_equal(noop_load(&f->r, &back, true, &d), -EBADMSG);
	assert_int_equal(back.ids.n, 0);
	noop_free(&n);
}

static void test_ids(void **state)
{
	struct fixture *f = *state;
	char id[NOOP_ID_MAX], path[128];
	struct timespec now = noop_now();
	FILE *fp;

	assert_int_equal(noop_id(&f->r, "/nothing", id), 0);
	assert_string_equal(id, "-");
	assert_false(noop_id_racy(id, now));
	snprintf(path, sizeof(path), "%s/file", f->top);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("x", fp);
	fclose(fp);
	assert_int_equal(noop_id(&f->r, "/file", id), 0);
	assert_int_equal(strncmp(id, "-", 2) != 0, 1);
	/* changed at or after the start of a run: it may change again unseen within the same tick */
	assert_true(noop_id_racy(id, now));
	assert_false(noop_id_racy(id, (struct timespec){ now.tv_sec + 10, 0 }));
	assert_true(noop_id_racy("garbage", now));
}

static void put(const struct fixture *f, const char *name, const char *text)
{
	char path[160];
	FILE *fp;

	snprintf(path, sizeof(path), "%s%s", f->top, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* One fstatat in the directory last entered tells what a walk from the root would, symlinks followed in the root. */
static void test_file_id(void **state)
{
	struct fixture *f = *state;
	struct noop_dir dir = NOOP_DIR_INIT;
	char id[NOOP_ID_MAX], walked[NOOP_ID_MAX], path[160];

	snprintf(path, sizeof(path), "%s/etc", f->top);
	assert_int_equal(mkdir(path, 0755), 0);
	put(f, "/etc/a.cfg", "a");
	put(f, "/etc/b.cfg", "bb");
	put(f, "/target", "t");
	snprintf(path, sizeof(path), "%s/etc/link", f->top);
	assert_int_equal(symlink("/target", path), 0); /* absolute: inside the root, not the host's /target */
	snprintf(path, sizeof(path), "%s/etc/dangling", f->top);
	assert_int_equal(symlink("/nowhere", path), 0);

	for (const char *const *p = (const char *const[]){ "/etc/a.cfg", "/etc/b.cfg", "/etc/link", "/target", NULL }; *p; p++) {
		assert_int_equal(noop_file_id(&f->r, &dir, NOOP_ROOT, *p, id), 0);
		assert_int_equal(noop_id(&f->r, *p, walked), 0);
		assert_string_equal(id, walked);
	}
	/* the link itself, not where it leads */
	assert_int_equal(noop_file_id(&f->r, &dir, NOOP_LINK, "/etc/link", id), 0);
	assert_int_equal(noop_file_id(&f->r, &dir, NOOP_ROOT, "/target", walked), 0);
	assert_string_not_equal(id, walked);
	/* absent: the file, or its directory */
	assert_int_equal(noop_file_id(&f->r, &dir, NOOP_ROOT, "/etc/none", id), 0);
	assert_string_equal(id, "-");
	assert_int_equal(noop_file_id(&f->r, &dir, NOOP_ROOT, "/none/x", id), 0);
	assert_string_equal(id, "-");
	/* a file where a directory is expected cannot be told: a doubt, not "absent" */
	assert_true(noop_file_id(&f->r, &dir, NOOP_ROOT, "/etc/a.cfg/x", id) < 0);
	/* a changed file is told apart though its directory stays open */
	assert_int_equal(noop_file_id(&f->r, &dir, NOOP_ROOT, "/etc/b.cfg", walked), 0);
	put(f, "/etc/b.cfg", "bbb");
	assert_int_equal(noop_file_id(&f->r, &dir, NOOP_ROOT, "/etc/b.cfg", id), 0);
	assert_string_not_equal(id, walked);
	/* the host's own files */
	assert_int_equal(noop_file_id(&f->r, &dir, NOOP_HOST, "/proc/self/exe", id), 0);
	assert_string_not_equal(id, "-");
	noop_dir_close(&dir);
	assert_int_equal(dir.fd, -1);
	assert_int_equal(noop_where_parse("link"), NOOP_LINK);
	assert_int_equal(noop_where_parse("lnk"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_id, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
