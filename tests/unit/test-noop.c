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
	char path[128];
	struct stat st;

	assert_int_equal(noop_load(&f->r, &back, &d), -ENOENT);
	n.at = (struct timespec){ 1700000000, 123456789 };
	assert_int_equal(strv_push(&n.ids, "self 1:2:3:4.000000005:6.000000007"), 0);
	assert_int_equal(strv_push(&n.ids, "input - /etc/a b"), 0);
	assert_int_equal(strv_push(&n.caps, "servers prosody"), 0);
	assert_int_equal(strv_push(&n.caps, "protocol=1 batch\ninputs"), 0);
	/* a reason with a tab and a newline stays one field */
	assert_int_equal(noop_add_pair(&n, &(struct noop_pair){ "t1", "prosody", "t1.example.org", "unconfigured",
							       "why\tnot\nhere", 5347 }),
			 0);
	n.outcome = true;
	assert_int_equal(noop_save(&n, &f->r, &d), 0);
	snprintf(path, sizeof(path), "%s%s", f->top, NOOP_PATH);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	assert_int_equal(noop_load(&f->r, &back, &d), 0);
	assert_int_equal(back.at.tv_sec, 1700000000);
	assert_int_equal(back.at.tv_nsec, 123456789);
	assert_int_equal(back.ids.n, 2);
	assert_string_equal(back.ids.v[1], "input - /etc/a b");
	assert_string_equal(noop_caps(&back, "servers prosody"), "protocol=1 batch inputs");
	assert_null(noop_caps(&back, "servers ejabberd"));
	assert_int_equal(back.npairs, 1);
	assert_string_equal(back.pairs[0].word, "unconfigured");
	assert_string_equal(back.pairs[0].reason, "why not here");
	assert_int_equal(back.pairs[0].port, 5347);
	assert_true(back.outcome);
	noop_free(&back);

	/* cut short, or not a record: refused, and nothing half-read is left */
	assert_int_equal(truncate(path, 60), 0);
	assert_int_equal(noop_load(&f->r, &back, &d), -EBADMSG);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
