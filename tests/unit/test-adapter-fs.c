/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/adapter/adapter-fs: "absent" told from "there, but unreachable"; a FIFO never hangs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include "adapter-fs.h"
#include "sandbox.h"

/* The sandbox of the test, with a server's main config in it. */
static struct sandbox *given(void **state)
{
	struct sandbox *sb = *state;
	sandbox_put(sb, "/etc/s/main.cfg", "x\n", 0644);
	return sb;
}

static void test_exists(void **state)
{
	struct sandbox *sb = given(state);

	assert_true(adapter_entry_exists(&sb->r, "/etc/s/main.cfg"));
	assert_false(adapter_entry_exists(&sb->r, "/etc/s/none.cfg"));
	assert_false(adapter_entry_exists(&sb->r, "/etc/none/none.cfg"));
	/* a dangling symlink is something standing there */
	assert_int_equal(symlink("/nowhere", sandbox_path(sb, "/etc/s/dangling.cfg")), 0);
	assert_true(adapter_entry_exists(&sb->r, "/etc/s/dangling.cfg"));
}

static void test_probe(void **state)
{
	struct sandbox *sb = given(state);
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
	struct sandbox *sb = given(state);
	struct diag d = DIAG_INIT;
	int rc;

	assert_int_equal(mkfifo(sandbox_path(sb, "/etc/s/fifo.cfg"), 0644), 0);
	alarm(10);
	rc = adapter_fs_probe(&sb->r, "/etc/s/fifo.cfg", O_RDONLY, "the drop-ins", &d);
	alarm(0);
	assert_true(rc == 0 || diag_is_set(&d));
}

UNIT_TESTS(UNIT_SANDBOX(test_exists), UNIT_SANDBOX(test_probe), UNIT_SANDBOX(test_fifo))
