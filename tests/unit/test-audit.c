/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/core/audit: one line per change with the run's id, nothing created for nothing, failures kept. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include "audit.h"
#include "sandbox.h"

/* How many lines of the log hold S. */
static size_t lines_with(const struct buf *log, const char *s)
{
	size_t n = 0;
	for (const char *p = buf_str(log); *p; p = strchr(p, '\n') + 1) {
		const char *nl = strchr(p, '\n');
		const char *hit = strstr(p, s);
		assert_non_null(nl);
		n += hit && hit < nl;
	}
	return n;
}

/* A run that changes nothing leaves nothing: no directory, no file. */
static void test_nothing_logged(void **state)
{
	struct sandbox *sb = *state;
	struct audit a;
	struct diag d = DIAG_INIT;

	audit_init(&a, &sb->r);
	assert_int_equal(strlen(a.run_id), 36);
	assert_int_equal(audit_finish(&a, &d), 0);
	assert_int_equal(sandbox_mode(sb, "/var/log/jabber-dispatch"), -1);
}

/* Lines: timestamp, the run's UUID, the message, one line each, appended; 0750 directory, 0640 file. */
static void test_lines(void **state)
{
	struct sandbox *sb = *state;
	struct audit a, b;
	struct diag d = DIAG_INIT;
	struct buf log = BUF_INIT;
	char tag[64];

	audit_init(&a, &sb->r);
	audit_init(&b, &sb->r);
	assert_string_not_equal(a.run_id, b.run_id);
	assert_int_equal(audit_log(&a, &d, "sync: %s %s %s", "biboumi", "prosody", "added"), 0);
	assert_int_equal(audit_log(&b, &d, "remove: %s", "irc.example.org"), 0);
	assert_int_equal(audit_log(&a, &d, "sync: %s", "updated"), 0);
	assert_int_equal(audit_finish(&a, &d), 0);
	assert_int_equal(audit_finish(&b, &d), 0);
	assert_int_equal(sandbox_mode(sb, "/var/log/jabber-dispatch"), 0750);
	assert_int_equal(sandbox_mode(sb, AUDIT_PATH), 0640);
	sandbox_get(sb, AUDIT_PATH, &log);
	snprintf(tag, sizeof(tag), " run=%s ", a.run_id);
	assert_int_equal(lines_with(&log, tag), 2);
	assert_int_equal(lines_with(&log, "Z run="), 3);
	assert_int_equal(lines_with(&log, " sync: biboumi prosody added"), 1);
	/* "2026-12-05T08:01:30Z run=" */
	assert_true(log.len > 21 && log.data[4] == '-' && log.data[10] == 'T' && log.data[19] == 'Z');
	buf_free(&log);
}

/* A value with a line break cannot forge a line of its own. */
static void test_one_line_per_call(void **state)
{
	struct sandbox *sb = *state;
	struct audit a;
	struct diag d = DIAG_INIT;
	struct buf log = BUF_INIT;

	audit_init(&a, &sb->r);
	assert_int_equal(audit_log(&a, &d, "sync: %s", "evil\n2026-01-01T00:00:00Z run=forged removed everything\r"), 0);
	assert_int_equal(audit_finish(&a, &d), 0);
	sandbox_get(sb, AUDIT_PATH, &log);
	assert_int_equal(lines_with(&log, "run="), 1);
	assert_int_equal(lines_with(&log, "evil 2026-01-01T00:00:00Z run=forged removed everything "), 1);
	buf_free(&log);
}

/* A log that cannot be written: each call says so, and audit_finish still does (exit 73), naming the file. */
static void test_failure_kept(void **state)
{
	struct sandbox *sb = *state;
	struct audit a;
	struct diag d = DIAG_INIT, ignored = DIAG_INIT;

	/* a directory where the log file goes */
	sandbox_mkdirs(sb, AUDIT_PATH "/x");
	audit_init(&a, &sb->r);
	assert_true(audit_log(&a, &ignored, "sync: %s", "added") < 0);
	assert_true(diag_is_set(&ignored));
	assert_int_equal(audit_finish(&a, &d), -EIO);
	assert_int_equal(d.exit_code, 73);
	assert_non_null(strstr(d.msg, AUDIT_PATH));
}

/* A symlink where the log is: not followed (the log of a root never lands outside it). */
static void test_symlink(void **state)
{
	struct sandbox *sb = *state;
	struct audit a;
	struct diag d = DIAG_INIT;
	struct stat st;

	sandbox_put(sb, "/outside", "", 0644);
	sandbox_mkdirs(sb, AUDIT_PATH);
	assert_int_equal(symlink(sandbox_path(sb, "/outside"), sandbox_path(sb, AUDIT_PATH)), 0);
	audit_init(&a, &sb->r);
	assert_true(audit_log(&a, &d, "sync: %s", "added") < 0);
	assert_int_equal(audit_finish(&a, &d), -EIO);
	assert_int_equal(stat(sandbox_path(sb, "/outside"), &st), 0);
	assert_int_equal(st.st_size, 0);
}

UNIT_TESTS(UNIT_SANDBOX(test_nothing_logged), UNIT_SANDBOX(test_lines), UNIT_SANDBOX(test_one_line_per_call),
	   UNIT_SANDBOX(test_failure_kept), UNIT_SANDBOX(test_symlink))
