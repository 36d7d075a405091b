/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of syntax-check: Prosody configs judged by the Lua compiler, changesets re-checked before a commit. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "syntax-check.h"

static int check(const char *text, struct diag *d)
{
	return lua_compile_check("/etc/prosody/prosody.cfg.lua", text, strlen(text), d);
}

static void test_compiles(void **state)
{
	const char *good[] = { "", "-- only a comment\n", "Component \"irc.example.org\"\n\tcomponent_secret = \"s\"\n",
			       "x = [[\nComponent \"evil.example.org\"\n]]\n", "modules_enabled = { \"a\", \"b\"; }\n",
			       "Include \"conf.d/*.cfg.lua\"\n" };
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		struct diag d = DIAG_INIT;
		assert_int_equal(check(good[i], &d), 0);
	}
}

static void test_refused_with_line(void **state)
{
	struct diag d = DIAG_INIT;
	(void)state;
	assert_int_equal(check("admins = { }\nmodules_enabled = {\n\t\"roster\"\n\t\"saslauth\";\n}\n", &d), -EBADMSG);
	assert_string_equal(d.msg, "/etc/prosody/prosody.cfg.lua:4: Lua does not compile it: '}' expected (to close '{' "
				   "at line 2)");
}

/* The compiler's "near" part quotes the token it stopped at: it may be a secret, so it is left out. */
static void test_secret_not_quoted(void **state)
{
	struct diag d = DIAG_INIT;
	(void)state;
	assert_int_equal(check("Component \"x.example.org\"\ncomponent_secret = \"topsecret\" \"more\"\n", &d), -EBADMSG);
	assert_null(strstr(d.msg, "topsecret"));
	assert_null(strstr(d.msg, "more"));
	assert_non_null(strstr(d.msg, "prosody.cfg.lua:2: "));
}

/* A precompiled chunk is not a config Prosody loads ("t" mode). */
static void test_binary_chunk_refused(void **state)
{
	struct diag d = DIAG_INIT;
	(void)state;
	assert_int_equal(lua_compile_check("/c", "\x1bLua\x54", 5, &d), -EBADMSG);
}

static void test_deep_nesting_refused(void **state)
{
	size_t n = 100000;
	char *t = malloc(2 * n + 8);
	struct diag d = DIAG_INIT;
	(void)state;
	assert_non_null(t);
	memcpy(t, "x = ", 4);
	memset(t + 4, '{', n);
	memset(t + 4 + n, '}', n);
	assert_int_equal(lua_compile_check("/c", t, 4 + 2 * n, &d), -EBADMSG);
	assert_string_equal(d.msg, "/c: Lua does not compile it: C stack overflow");
	free(t);
}

static void test_changeset_verified(void **state)
{
	struct changeset cs = CHANGESET_INIT;
	struct diag d = DIAG_INIT;
	const char *good = "Component \"a.example.org\"\n", *bad = "Component \"a.example.org\" = 1\n";
	(void)state;
	assert_int_equal(changeset_put(&cs, "/etc/prosody/conf.d/a.cfg.lua", NULL, good, strlen(good), 0640), 0);
	assert_int_equal(syntax_verify_changes(&cs, lua_compile_check, &d), 0);
	assert_int_equal(changeset_put(&cs, "/etc/prosody/prosody.cfg.lua", NULL, bad, strlen(bad), 0640), 0);
	assert_int_equal(syntax_verify_changes(&cs, lua_compile_check, &d), -EPROTO);
	assert_string_equal(d.msg, "/etc/prosody/prosody.cfg.lua: our edit would not be read by the server "
				   "(/etc/prosody/prosody.cfg.lua:1: Lua does not compile it: syntax error); nothing written");
	changeset_free(&cs);
}

UNIT_TESTS(cmocka_unit_test(test_compiles), cmocka_unit_test(test_refused_with_line),
	   cmocka_unit_test(test_secret_not_quoted), cmocka_unit_test(test_binary_chunk_refused),
	   cmocka_unit_test(test_deep_nesting_refused), cmocka_unit_test(test_changeset_verified))
