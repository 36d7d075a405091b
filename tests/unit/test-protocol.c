/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/protocol: result/state words and the --capabilities line, both ways. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <string.h>

#include "protocol.h"

static const struct {
	enum result r;
	const char *word;
	bool changed;
} results[] = {
	{ RESULT_ADDED, "added", true },         { RESULT_UPDATED, "updated", true },
	{ RESULT_UNCHANGED, "unchanged", false }, { RESULT_EXCLUDED, "excluded", false },
	{ RESULT_MANUAL, "manual", false },       { RESULT_REMOVED, "removed", true },
	{ RESULT_ABSENT, "absent", false },
};

static void test_result_words(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(results) / sizeof(*results); i++) {
		assert_string_equal(protocol_result_word(results[i].r), results[i].word);
		assert_int_equal(protocol_result_parse(results[i].word), results[i].r);
		assert_int_equal(protocol_result_parse(protocol_result_word(results[i].r)), results[i].r);
		assert_int_equal(protocol_result_changed(results[i].r), results[i].changed);
	}
	assert_string_equal(protocol_result_word(RESULT_INVALID), "invalid");
	assert_string_equal(protocol_result_word((enum result)7), "invalid");
	assert_string_equal(protocol_result_word((enum result)1000), "invalid");
	assert_false(protocol_result_changed(RESULT_INVALID));

	assert_int_equal(protocol_result_parse(""), RESULT_INVALID);
	assert_int_equal(protocol_result_parse("invalid"), RESULT_INVALID);
	assert_int_equal(protocol_result_parse("Added"), RESULT_INVALID);
	assert_int_equal(protocol_result_parse("added "), RESULT_INVALID);
	assert_int_equal(protocol_result_parse(" added"), RESULT_INVALID);
	assert_int_equal(protocol_result_parse("add"), RESULT_INVALID);
	assert_int_equal(protocol_result_parse("addedx"), RESULT_INVALID);
	assert_int_equal(protocol_result_parse("managed"), RESULT_INVALID);
}

static void test_state_words(void **state)
{
	static const struct {
		enum state s;
		const char *word;
	} states[] = {
		{ STATE_MANAGED, "managed" },
		{ STATE_EXCLUDED, "excluded" },
		{ STATE_MANUAL, "manual" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(states) / sizeof(*states); i++) {
		assert_string_equal(protocol_state_word(states[i].s), states[i].word);
		assert_int_equal(protocol_state_parse(states[i].word), states[i].s);
	}
	assert_string_equal(protocol_state_word(STATE_INVALID), "invalid");
	assert_string_equal(protocol_state_word((enum state)3), "invalid");
	assert_int_equal(protocol_state_parse(""), STATE_INVALID);
	assert_int_equal(protocol_state_parse("added"), STATE_INVALID);
	assert_int_equal(protocol_state_parse("Managed"), STATE_INVALID);
	assert_int_equal(protocol_state_parse("manual\n"), STATE_INVALID);
}

static const struct {
	unsigned cap;
	const char *word;
} caps[] = {
	{ CAP_PROTOCOL1, "protocol=1" },       { CAP_PASSWORD_STDIN, "password-stdin" },
	{ CAP_REMOVE, "remove" },              { CAP_LIST, "list" },
	{ CAP_RELOAD, "reload" },              { CAP_DRY_RUN, "dry-run" },
	{ CAP_SET_PASSWORD, "set-password" }, { CAP_SET_PORT, "set-port" },
	{ CAP_SHARED, "shared" },              { CAP_FILL, "fill" },
	{ CAP_LISTEN, "listen" },
	{ CAP_SECRET_MAX, "secret-max" },
	{ CAP_BATCH, "batch" },
	{ CAP_SERVER_ADDRESS, "server-address" },
	{ CAP_BIND_ADDRESS, "bind-address" },
	{ CAP_INPUTS, "inputs" },
};
#define N_CAPS (sizeof(caps) / sizeof(*caps))
#define ALL_CAPS ((1u << N_CAPS) - 1)

static void test_listen_modes(void **state)
{
	const char *words[] = { "kick-new", "any-name", "connected", "not-connected", "unknown" };
	(void)state;

	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++) {
		assert_string_equal(protocol_listen_mode_word((enum listen_mode)i), words[i]);
		assert_int_equal(protocol_listen_mode_parse(words[i]), (enum listen_mode)i);
	}
	assert_int_equal(protocol_listen_mode_parse("Kick-new"), LISTEN_INVALID);
	assert_int_equal(protocol_listen_mode_parse(""), LISTEN_INVALID);
	assert_string_equal(protocol_listen_mode_word(LISTEN_INVALID), "invalid");
}

static void test_secret_max(void **state)
{
	(void)state;
	assert_int_equal(protocol_caps_secret_max("protocol=1 set-password secret-max=15\n"), 15);
	assert_int_equal(protocol_caps_secret_max("secret-max=1024"), 1024);
	assert_int_equal(protocol_caps_secret_max("protocol=1 secret-max"), 0);
	assert_int_equal(protocol_caps_secret_max("secret-max=1025 secret-max=0 secret-max=015 secret-max=1x"), 0);
	assert_int_equal(protocol_caps_secret_max("xsecret-max=15"), 0);
	/* The bare word is the server's: it takes --secret-max. */
	assert_int_equal(protocol_caps_parse("protocol=1 secret-max=15") & CAP_SECRET_MAX, 0);
	assert_true(protocol_caps_parse("protocol=1 secret-max") & CAP_SECRET_MAX);
}

static void test_caps_format(void **state)
{
	char out[160];
	(void)state;

	protocol_caps_format(0, out, sizeof(out));
	assert_string_equal(out, "");
	for (size_t i = 0; i < sizeof(caps) / sizeof(*caps); i++) {
		protocol_caps_format(caps[i].cap, out, sizeof(out));
		assert_string_equal(out, caps[i].word);
	}
	protocol_caps_format(CAP_PROTOCOL1 | CAP_REMOVE | CAP_LIST, out, sizeof(out));
	assert_string_equal(out, "protocol=1 remove list");
	protocol_caps_format(ALL_CAPS, out, sizeof(out));
	assert_string_equal(out, "protocol=1 password-stdin remove list reload dry-run set-password set-port shared fill listen secret-max "
				 "batch server-address bind-address inputs");
	/* Bits with no word are not printed (and this test knows every word). */
	protocol_caps_format(CAP_LIST | (1u << 20), out, sizeof(out));
	assert_string_equal(out, "list");
	{
		char all[160];
		protocol_caps_format(~0u, all, sizeof(all));
		protocol_caps_format(ALL_CAPS, out, sizeof(out));
		assert_string_equal(all, out);
	}
	/* An exact fit. */
	protocol_caps_format(CAP_PROTOCOL1 | CAP_LIST, out, sizeof("protocol=1 list"));
	assert_string_equal(out, "protocol=1 list");
}

/*
 * "The words of CAPS, space-separated": a buffer too small for all of them
 * must hold whole words only (a cut "passw" is a word no reader knows, and a
 * cut word could one day be another capability's name).
 */
static void test_caps_format_small_buffer(void **state)
{
	char out[160];
	(void)state;

	for (size_t len = 1; len <= 100; len++) {
		char *p;
		memset(out, 'X', sizeof(out));
		protocol_caps_format(ALL_CAPS, out, len);
		assert_true(strlen(out) < len);  /* terminated inside the buffer */
		assert_int_equal(out[len], 'X'); /* nothing written beyond LEN */
		for (p = strtok(out, " "); p; p = strtok(NULL, " ")) {
			bool known = false;
			for (size_t i = 0; i < sizeof(caps) / sizeof(*caps); i++)
				known = known || strcmp(p, caps[i].word) == 0;
			if (!known)
				fail_msg("buffer of %zu bytes: partial word \"%s\" in the output", len, p);
		}
	}
}

static void test_caps_parse(void **state)
{
	char out[160];
	(void)state;

	assert_int_equal(protocol_caps_parse(""), 0);
	assert_int_equal(protocol_caps_parse("   \n"), 0);
	assert_int_equal(protocol_caps_parse("protocol=1"), CAP_PROTOCOL1);
	assert_int_equal(protocol_caps_parse("protocol=1 list\n"), CAP_PROTOCOL1 | CAP_LIST);
	assert_int_equal(protocol_caps_parse("\tremove\r\n\r\nreload  dry-run "),
			 CAP_REMOVE | CAP_RELOAD | CAP_DRY_RUN);
	/* Unknown words are ignored, known ones around them still count. */
	assert_int_equal(protocol_caps_parse("protocol=1 teleport list frobnicate=3"), CAP_PROTOCOL1 | CAP_LIST);
	assert_int_equal(protocol_caps_parse("protocol=2"), 0);
	assert_int_equal(protocol_caps_parse("protocol=12 protocol"), 0);
	assert_int_equal(protocol_caps_parse("lists listing lis"), 0);
	assert_int_equal(protocol_caps_parse("set-password-v2 set"), 0);
	assert_int_equal(protocol_caps_parse("LIST Remove"), 0);
	assert_int_equal(protocol_caps_parse("list,remove"), 0);
	assert_int_equal(protocol_caps_parse("list list list"), CAP_LIST);
	assert_int_equal(protocol_caps_parse("set-port"), CAP_SET_PORT);
	assert_int_equal(protocol_caps_parse("set-password"), CAP_SET_PASSWORD);
	assert_int_equal(protocol_caps_parse("password-stdin"), CAP_PASSWORD_STDIN);
	assert_int_equal(protocol_caps_parse("protocol=1 shared\n"), CAP_PROTOCOL1 | CAP_SHARED);
	assert_int_equal(protocol_caps_parse("share shared-port"), 0);

	/* format then parse gives back every combination. */
	for (unsigned c = 0; c <= ALL_CAPS; c++) {
		protocol_caps_format(c, out, sizeof(out));
		if (protocol_caps_parse(out) != c)
			fail_msg("caps 0x%x formatted as \"%s\" parse back as 0x%x", c, out, protocol_caps_parse(out));
	}
}

UNIT_TESTS(cmocka_unit_test(test_result_words), cmocka_unit_test(test_state_words),
	   cmocka_unit_test(test_caps_format), cmocka_unit_test(test_listen_modes), cmocka_unit_test(test_secret_max),
	   cmocka_unit_test(test_caps_format_small_buffer), cmocka_unit_test(test_caps_parse))
