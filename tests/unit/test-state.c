/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/core/state: what sync recorded, read back; a corrupt file refused, never half-read. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include "sandbox.h"
#include "state.h"

/* No file: an empty state, and saving an empty state writes nothing. */
static void test_missing(void **state)
{
	struct sandbox *sb = *state;
	struct state_file st = STATE_INIT;
	struct diag d = DIAG_INIT;

	assert_int_equal(state_load(&sb->r, &st, &d), 0);
	assert_int_equal(st.n, 0);
	assert_false(st.existed);
	assert_int_equal(state_save(&st, &sb->r, &d), 0);
	assert_int_equal(sandbox_mode(sb, STATE_PATH), -1);
	state_free(&st);
}

/* Set, replace, drop, save, load: the file says exactly what is kept, sorted whatever the order of the run. */
static void test_round_trip(void **state)
{
	struct sandbox *sb = *state;
	struct state_file st = STATE_INIT, back = STATE_INIT;
	struct diag d = DIAG_INIT;
	struct buf text = BUF_INIT;

	assert_int_equal(state_set(&st, "prosody", "irc.example.org", "biboumi"), 0);
	assert_int_equal(state_set(&st, "ejabberd", "muc.example.org", "jabber-muc"), 0);
	assert_int_equal(state_set(&st, "prosody", "aim.example.org", "pyaim"), 0);
	assert_int_equal(state_set(&st, "prosody", "gone.example.org", "old"), 0);
	/* The same pair for another transport replaces, it does not add. */
	assert_int_equal(state_set(&st, "prosody", "irc.example.org", "biboumi2"), 0);
	assert_int_equal(st.n, 4);
	state_drop(&st, "prosody", "gone.example.org");
	/* A dropped entry's strings stay valid until state_free. */
	assert_string_equal(st.v[3].host, "gone.example.org");
	assert_int_equal(state_save(&st, &sb->r, &d), 0);
	assert_int_equal(sandbox_mode(sb, STATE_PATH), 0644);
	sandbox_get(sb, STATE_PATH, &text);
	assert_string_equal(buf_str(&text), "# jabber-dispatch: SERVER HOST TRANSPORT, one line per component it keeps\n"
					    "ejabberd muc.example.org jabber-muc\n"
					    "prosody aim.example.org pyaim\n"
					    "prosody irc.example.org biboumi2\n");

	assert_int_equal(state_load(&sb->r, &back, &d), 0);
	assert_true(back.existed);
	assert_int_equal(back.n, 3);
	assert_string_equal(back.v[2].server, "prosody");
	assert_string_equal(back.v[2].host, "irc.example.org");
	assert_string_equal(back.v[2].transport, "biboumi2");
	/* Set again what is there, and drop everything: the file stays, empty of entries. */
	assert_int_equal(state_set(&back, "prosody", "irc.example.org", "biboumi2"), 0);
	for (size_t i = 0; i < back.n; i++)
		state_drop(&back, back.v[i].server, back.v[i].host);
	assert_int_equal(state_save(&back, &sb->r, &d), 0);
	sandbox_get(sb, STATE_PATH, &text);
	assert_string_equal(buf_str(&text), "# jabber-dispatch: SERVER HOST TRANSPORT, one line per component it keeps\n");
	buf_free(&text);
	state_free(&st);
	state_free(&back);
}

/* Comments and blank lines are no entries; hosts are checked as hosts. */
static void test_comments(void **state)
{
	struct sandbox *sb = *state;
	struct state_file st = STATE_INIT;
	struct diag d = DIAG_INIT;

	sandbox_put(sb, STATE_PATH, "# mine\n\nprosody irc.example.org biboumi\n", 0644);
	assert_int_equal(state_load(&sb->r, &st, &d), 0);
	assert_int_equal(st.n, 1);
	state_free(&st);
}

static void expect_corrupt(struct sandbox *sb, const char *text, size_t len, const char *msg)
{
	struct state_file st = STATE_INIT;
	struct diag d = DIAG_INIT;

	sandbox_put_bytes(sb, STATE_PATH, text, len, 0644);
	assert_int_equal(state_load(&sb->r, &st, &d), -EBADMSG);
	assert_string_equal(d.msg, msg);
	assert_int_equal(d.exit_code, 65);
	state_free(&st);
}

/* A corrupt state is refused with its line: a half-read one could make sync prune what is not its own. */
static void test_corrupt(void **state)
{
	struct sandbox *sb = *state;
	(void)state;

	expect_corrupt(sb, "prosody irc.example.org\n", 24, STATE_PATH ":1: not \"SERVER HOST TRANSPORT\"");
	expect_corrupt(sb, "a b.example c\nprosody irc.example.org biboumi extra\n", 51,
		       STATE_PATH ":2: not \"SERVER HOST TRANSPORT\"");
	expect_corrupt(sb, "# x\nprosody irc..example.org biboumi\n", 37, STATE_PATH ":2: not \"SERVER HOST TRANSPORT\"");
	expect_corrupt(sb, "prosody irc\"x biboumi\n", 22, STATE_PATH ":1: not \"SERVER HOST TRANSPORT\"");
	expect_corrupt(sb, "prosody irc.example.org bib\0oumi\n", 33, STATE_PATH ": contains a NUL byte");
}

/* A symlink where the state is: refused by the path walk, not followed out of the root. */
static void test_symlink(void **state)
{
	struct sandbox *sb = *state;
	struct state_file st = STATE_INIT;
	struct diag d = DIAG_INIT;

	sandbox_mkdirs(sb, STATE_PATH);
	assert_int_equal(symlink("/etc/passwd", sandbox_path(sb, STATE_PATH)), 0);
	assert_true(state_load(&sb->r, &st, &d) < 0);
	assert_true(diag_is_set(&d));
	state_free(&st);
}

UNIT_TESTS(UNIT_SANDBOX(test_missing), UNIT_SANDBOX(test_round_trip), UNIT_SANDBOX(test_comments),
	   UNIT_SANDBOX(test_corrupt), UNIT_SANDBOX(test_symlink))
