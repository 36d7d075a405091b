/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/adapter/adapter-fs: "absent" told from "there, but unreachable"; a FIFO never hangs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "adapter-fs.h"
#include "sandbox.h"

static int setup(void **state)
{
	struct sandbox *sb = calloc(1, sizeof(*sb));
	assert_non_null(sb);
	sandbox_open(sb, "adapter-fs");
	sandbox_put(sb, "/etc/s/main.cfg", "x\n", 0644);
	*state = sb;
	return 0;
}

static int teardown(void **state)
{
	sandbox_close(*state);
	free(*state);
	return 0;
}

static void test_exists(void **state)
{
	struct sandbox *sb = *state;

	assert_true(adapter_entry_exists(&sb->r, "/etc/s/main.cfg"));
	assert_false(adapter_entry_exists(&sb->r, "/etc/s/none.cfg"));
	assert_false(adapter_entry_exists(&sb->r, "/etc/none/none.cfg"));
	/* a dangling symlink is something standing there */
	assert_int_equal(symlink("/nowhere", sandbox_path(sb, "/etc/s/dangling.cfg")), 0);
	assert_true(adapter_entry_exists(&sb->r, "/etc/s/dangling.cfg"));
}

static void test_probe(void **state)
{
	struct sandbox *sb = *state;
	struct diag d = DIAG_INIT;

	assert_int_equal(adapter_fs_probe(&sb->r, "/etc/s/main.cfg", O_RDONLY, "the drop-ins", &d), 0);
	assert_int_equal(adapter_fs_probe(&sb->r, "/etc/s", O_PATH | O_DIRECTORY, "the drop-ins", &d), 0);
	/* nothing there at all: absent, no reason needed */
	assert_int_equal(adapter_fs_probe(&sb->r, "/etc/s/none.cfg", O_RDONLY, "the drop-ins", &d), -ENOENT);
	assert_false(diag_is_set(&d));
	/* there, but leading nowhere: a guess would be wrong, so a reason and exit 65 */
	assert_int_equal(symlink("/nowhere", sandbox_path(sb, "/etc/s/dangling.cfg")), 0);
	assert_true(adapter_fs_probe(&sb->r, "/etc/s/dangling.cfg", O_RDONLY, "the drop-ins", &d) < 0);
	assert_int_equal(d.exit_code, 65);
	assert_non_null(strstr(d.msg, "/etc/s/dangling.cfg"));
	assert_non_null(strstr(d.msg, "cannot tell the drop-ins"));
}

/* A FIFO where a config should be: answered at once, not after a writer shows up. */
static void test_fifo(void **state)
{
	struct sandbox *sb = *state;
	struct diag d = DIAG_INIT;
	int rc;

	assert_int_equal(mkfifo(sandbox_path(sb, "/etc/s/fifo.cfg"), 0644), 0);
	alarm(10);
	rc = adapter_fs_probe(&sb->r, "/etc/s/fifo.cfg", O_RDONLY, "the drop-ins", &d);
	alarm(0);
	assert_true(rc == 0 || diag_is_set(&d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
