/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/conf-lua: tokenizing Prosody configs, error messages, and lua_quote round trips. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "conf-lua.h"
#include "diag.h"

#define PATH "/etc/prosody/prosody.cfg.lua"

/* ------------------------------------------------------------------ helpers */

static const char *type_name(enum lua_tok t)
{
	switch (t) {
	case LUA_EOF: return "EOF";
	case LUA_NAME: return "NAME";
	case LUA_STRING: return "STRING";
	case LUA_NUMBER: return "NUMBER";
	case LUA_PUNCT: return "PUNCT";
	case LUA_COMMENT: return "COMMENT";
	}
	return "?";
}

/* Tokenize all of TEXT (LEN bytes) into TOKS; returns the count (EOF included). */
static size_t lex_all(const char *text, size_t len, struct lua_token *toks, size_t max)
{
	struct lua_lexer lx;
	struct diag d = DIAG_INIT;
	size_t n = 0;

	lua_lexer_init(&lx, PATH, text, len);
	for (;;) {
		int rc;
		if (n == max)
			fail_msg("more than %zu tokens", max);
		rc = lua_next(&lx, &toks[n], &d);
		if (rc != 0)
			fail_msg("lua_next failed at token %zu: %d %s", n, rc, d.msg);
		if (toks[n++].type == LUA_EOF)
			return n;
	}
}

/* The decoded value of a LUA_STRING token. */
static void assert_value(const char *text, const struct lua_token *tok, const char *want, size_t want_len)
{
	struct buf v = BUF_INIT;
	int rc = lua_string_value(text, tok, &v);
	if (rc != 0)
		fail_msg("lua_string_value(%.*s): %d", (int)(tok->end - tok->start), text + tok->start, rc);
	if (v.len != want_len || memcmp(buf_str(&v), want, want_len) != 0)
		fail_msg("%.*s decodes to %zu bytes \"%s\", expected %zu bytes", (int)(tok->end - tok->start),
			 text + tok->start, v.len, buf_str(&v), want_len);
	buf_free(&v);
}

/* Tokenize TEXT until it fails; the failure must be -EBADMSG with exactly WANT in the diag. */
static void lex_error_len(const char *text, size_t len, const char *want)
{
	struct lua_lexer lx;
	struct lua_token tok;
	struct diag d = DIAG_INIT;
	int rc;

	lua_lexer_init(&lx, PATH, text, len);
	for (int i = 0; i < 1000; i++) {
		rc = lua_next(&lx, &tok, &d);
		if (rc < 0)
			break;
		if (tok.type == LUA_EOF)
			fail_msg("tokenized without error: \"%.*s\" (expected \"%s\")", (int)len, text, want);
	}
	assert_int_equal(rc, -EBADMSG);
	assert_string_equal(d.msg, want);
}
#define lex_error(text, want) lex_error_len((text), strlen(text), (want))

/* ------------------------------------------------------------------ a realistic config */

static const char config[] =
	"-- Prosody config (excerpt)\n"                               /* 1 */
	"admins = { \"admin@example.org\" }\n"                        /* 2 */
	"modules_enabled = {\n"                                       /* 3 */
	"\t\"roster\"; -- Allow users to have a roster\n"             /* 4 */
	"\t'ping';\n"                                                 /* 5 */
	"}\n"                                                         /* 6 */
	"--[[ long\n"                                                 /* 7 */
	"comment ]] c2s_ports = { 5222 }\n"                           /* 8 */
	"--[=[ level one ]] still ]=]\n"                              /* 9 */
	"Component \"irc.example.org\" \"component\"\n"               /* 10 */
	"\tcomponent_secret = \"q\\\"b\\\\s\\n\\t\\a\\b\\f\\v\\r\\'\\65\\0499\\x41\\u{20AC}\\z\n" /* 11 */
	"\t   end\"\n"                                                /* 12 */
	"\tmotd = [[\n"                                               /* 13 */
	"first line\n"                                                /* 14 */
	"]]\n"                                                        /* 15 */
	"\tbanner = [==[\n"                                           /* 16 */
	"x]]y]=]z]==]\n"                                              /* 17 */
	"\tn = 0x1F + 1e3 + 3.5e-2 + .5 + 0xA.8p1 + 1E+10 + 0x1p-4 + 0xe-1\n" /* 18 */
	"t[1] = a.b:c(2, 3) ~= 4 # 5 --\n";                           /* 19 */

struct want_tok {
	enum lua_tok type;
	const char *text;
	unsigned line, end_line;
};

#define N(s, l) { LUA_NAME, s, l, l }
#define P(s, l) { LUA_PUNCT, s, l, l }
#define S(s, l, e) { LUA_STRING, s, l, e }
#define D(s, l) { LUA_NUMBER, s, l, l }
#define C(s, l, e) { LUA_COMMENT, s, l, e }

static const struct want_tok config_tokens[] = {
	C("-- Prosody config (excerpt)", 1, 1),
	N("admins", 2), P("=", 2), P("{", 2), S("\"admin@example.org\"", 2, 2), P("}", 2),
	N("modules_enabled", 3), P("=", 3), P("{", 3),
	S("\"roster\"", 4, 4), P(";", 4), C("-- Allow users to have a roster", 4, 4),
	S("'ping'", 5, 5), P(";", 5),
	P("}", 6),
	C("--[[ long\ncomment ]]", 7, 8),
	N("c2s_ports", 8), P("=", 8), P("{", 8), D("5222", 8), P("}", 8),
	C("--[=[ level one ]] still ]=]", 9, 9),
	N("Component", 10), S("\"irc.example.org\"", 10, 10), S("\"component\"", 10, 10),
	N("component_secret", 11), P("=", 11),
	S("\"q\\\"b\\\\s\\n\\t\\a\\b\\f\\v\\r\\'\\65\\0499\\x41\\u{20AC}\\z\n\t   end\"", 11, 12),
	N("motd", 13), P("=", 13), S("[[\nfirst line\n]]", 13, 15),
	N("banner", 16), P("=", 16), S("[==[\nx]]y]=]z]==]", 16, 17),
	N("n", 18), P("=", 18), D("0x1F", 18), P("+", 18), D("1e3", 18), P("+", 18), D("3.5e-2", 18),
	P("+", 18), D(".5", 18), P("+", 18), D("0xA.8p1", 18), P("+", 18), D("1E+10", 18), P("+", 18),
	D("0x1p-4", 18), P("+", 18), D("0xe", 18), P("-", 18), D("1", 18),
	N("t", 19), P("[", 19), D("1", 19), P("]", 19), P("=", 19), N("a", 19), P(".", 19), N("b", 19),
	P(":", 19), N("c", 19), P("(", 19), D("2", 19), P(",", 19), D("3", 19), P(")", 19), P("~", 19),
	P("=", 19), D("4", 19), P("#", 19), D("5", 19), C("--", 19, 19),
	{ LUA_EOF, "", 20, 20 },
};

static void test_config_tokens(void **state)
{
	struct lua_token toks[200];
	size_t n, pos = 0, want_n = sizeof(config_tokens) / sizeof(*config_tokens);
	(void)state;

	n = lex_all(config, sizeof(config) - 1, toks, 200);
	for (size_t i = 0; i < n && i < want_n; i++) {
		const struct want_tok *w = &config_tokens[i];
		const struct lua_token *t = &toks[i];
		size_t wlen = strlen(w->text);

		if (t->type != w->type || t->end - t->start != wlen ||
		    memcmp(config + t->start, w->text, wlen) != 0)
			fail_msg("token %zu: got %s \"%.*s\", expected %s \"%s\"", i, type_name(t->type),
				 (int)(t->end - t->start), config + t->start, type_name(w->type), w->text);
		/* Byte offsets: only blanks between the previous token and this one. */
		for (size_t k = pos; k < t->start; k++)
			if (!strchr(" \t\n", config[k]))
				fail_msg("token %zu (%s) starts at %zu, skipping byte '%c' at %zu", i, w->text,
					 t->start, config[k], k);
		pos = t->end;
		if (t->line != w->line || t->end_line != w->end_line)
			fail_msg("token %zu (%s): lines %u-%u, expected %u-%u", i, w->text, t->line, t->end_line,
				 w->line, w->end_line);
	}
	assert_int_equal(n, want_n);
	assert_int_equal(toks[n - 1].start, sizeof(config) - 1);

	/* A few absolute offsets, counted by hand. */
	assert_int_equal(toks[0].start, 0);
	assert_int_equal(toks[0].end, 27);
	assert_int_equal(toks[1].start, 28); /* admins */
	assert_int_equal(toks[4].start, 39); /* "admin@example.org" */
	assert_int_equal(toks[4].end, 58);
}

static void test_config_values(void **state)
{
	struct lua_token toks[200];
	size_t n;
	static const char secret[] = "q\"b\\s\n\t\a\b\f\v\r'A19A\xe2\x82\xac" "end";
	(void)state;

	n = lex_all(config, sizeof(config) - 1, toks, 200);
	assert_true(n > 40);
	assert_value(config, &toks[4], "admin@example.org", 17);
	assert_value(config, &toks[9], "roster", 6);
	assert_value(config, &toks[12], "ping", 4);
	assert_value(config, &toks[24], "component", 9);
	assert_value(config, &toks[27], secret, sizeof(secret) - 1);
	assert_value(config, &toks[30], "first line\n", 11); /* leading newline dropped */
	assert_value(config, &toks[33], "x]]y]=]z", 8);

	/* Comment bodies: without "--" and brackets (and the newline after an opening bracket). */
	assert_int_equal(toks[0].body_start, 2);
	assert_int_equal(toks[0].body_end, 27);
	assert_memory_equal(config + toks[11].body_start, " Allow users to have a roster", 29);
	assert_int_equal(toks[11].body_end - toks[11].body_start, 29);
	assert_int_equal(toks[15].body_end - toks[15].body_start, strlen(" long\ncomment "));
	assert_memory_equal(config + toks[15].body_start, " long\ncomment ", 14);
	assert_int_equal(toks[21].body_end - toks[21].body_start, strlen(" level one ]] still "));
	assert_memory_equal(config + toks[21].body_start, " level one ]] still ", 20);
	assert_int_equal(toks[n - 2].type, LUA_COMMENT); /* the empty "--" at the end */
	assert_int_equal(toks[n - 2].body_start, toks[n - 2].body_end);

	/* Names and punctuation helpers. */
	assert_true(lua_is_name(config, &toks[1], "admins"));
	assert_false(lua_is_name(config, &toks[1], "admin"));
	assert_false(lua_is_name(config, &toks[1], "adminsx"));
	assert_true(lua_is_name(config, &toks[22], "Component"));
	assert_false(lua_is_name(config, &toks[22], "component"));
	assert_false(lua_is_name(config, &toks[24], "component")); /* a string is not a name */
	assert_true(lua_is_punct(config, &toks[2], '='));
	assert_false(lua_is_punct(config, &toks[2], '{'));
	assert_false(lua_is_punct(config, &toks[1], 'a'));

	/* Only strings have a value. */
	{
		struct buf v = BUF_INIT;
		assert_int_equal(lua_string_value(config, &toks[1], &v), -EINVAL);
		assert_int_equal(lua_string_value(config, &toks[0], &v), -EINVAL);
		assert_int_equal(v.len, 0);
		/* The value is appended. */
		assert_int_equal(buf_puts(&v, ">"), 0);
		assert_int_equal(lua_string_value(config, &toks[12], &v), 0);
		assert_string_equal(buf_str(&v), ">ping");
		buf_free(&v);
	}
}

static void test_eof_repeats(void **state)
{
	struct lua_lexer lx;
	struct lua_token tok;
	struct diag d = DIAG_INIT;
	(void)state;

	lua_lexer_init(&lx, PATH, "x", 1);
	assert_int_equal(lua_next(&lx, &tok, &d), 0);
	assert_int_equal(tok.type, LUA_NAME);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(lua_next(&lx, &tok, &d), 0);
		assert_int_equal(tok.type, LUA_EOF);
		assert_int_equal(tok.start, 1);
		assert_int_equal(tok.end, 1);
	}
	lua_lexer_init(&lx, PATH, "", 0);
	assert_int_equal(lua_next(&lx, &tok, &d), 0);
	assert_int_equal(tok.type, LUA_EOF);
	assert_int_equal(tok.line, 1);
	lua_lexer_init(&lx, PATH, " \n\t\r\n\f\v", 7);
	assert_int_equal(lua_next(&lx, &tok, &d), 0);
	assert_int_equal(tok.type, LUA_EOF);
	assert_int_equal(tok.line, 3);
	assert_false(diag_is_set(&d));
}

static void test_lines_and_crlf(void **state)
{
	struct lua_token toks[20];
	static const char text[] = "a = 1\r\nb = [[\r\nx\r\ny]]\r\n-- c\r\nc = 'z'\r\n";
	size_t n;
	(void)state;

	n = lex_all(text, sizeof(text) - 1, toks, 20);
	assert_int_equal(n, 11);
	assert_int_equal(toks[0].line, 1);
	assert_int_equal(toks[3].line, 2); /* b */
	assert_int_equal(toks[5].type, LUA_STRING);
	assert_int_equal(toks[5].line, 2);
	assert_int_equal(toks[5].end_line, 4);
	assert_value(text, &toks[5], "x\r\ny", 4); /* "\r\n" after the bracket dropped */
	assert_int_equal(toks[6].type, LUA_COMMENT);
	assert_int_equal(toks[6].line, 5);
	assert_int_equal(toks[7].line, 6); /* c */
	assert_int_equal(toks[10].line, 7); /* EOF */
}

/* Every kind of escape, and long brackets, decoded. */
static void test_string_values(void **state)
{
	static const struct {
		const char *lit, *value;
		size_t value_len;
	} cases[] = {
		{ "'a\\tb'", "a\tb", 3 },
		{ "\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\'\"", "\a\b\f\n\r\t\v\\\"'", 10 },
		{ "'\\65\\066\\0677'", "ABC7", 4 },
		{ "'\\0'", "\0", 1 },
		{ "'\\0001'", "\0" "1", 2 },
		{ "'\\255\\2551'", "\xff\xff" "1", 3 },
		{ "'\\x00\\xff\\xFf\\x4A'", "\0\xff\xffJ", 4 },
		{ "'\\u{0}\\u{7F}\\u{80}'", "\0\x7f\xc2\x80", 4 },
		{ "'\\u{7FF}\\u{800}\\u{FFFF}'", "\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", 8 },
		{ "'\\u{10000}\\u{10FFFF}\\u{00000041}'", "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf" "A", 9 },
		{ "'a\\z   \n\t  b'", "ab", 2 },
		{ "'a\\z'", "a", 1 },
		{ "'a\\\nb'", "a\nb", 3 },
		{ "\"it's\"", "it's", 4 },
		{ "'say \"hi\"'", "say \"hi\"", 8 },
		{ "''", "", 0 },
		{ "[[]]", "", 0 },
		{ "[[\n]]", "", 0 },
		{ "[[\n\nx]]", "\nx", 2 }, /* only the first newline is dropped */
		{ "[[ \nx]]", " \nx", 3 },
		{ "[[a\\nb]]", "a\\nb", 4 }, /* no escapes in long strings */
		{ "[=[a]]b]=]", "a]]b", 4 },
		{ "[==[\n]=]]]==]", "]=]]", 4 },
		{ "[[\xc3\xa9\"']]", "\xc3\xa9\"'", 4 },
		{ "'r\xc3\xa9\xe2\x82\xac'", "r\xc3\xa9\xe2\x82\xac", 6 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct lua_token toks[3];
		size_t n = lex_all(cases[i].lit, strlen(cases[i].lit), toks, 3);
		if (n != 2 || toks[0].type != LUA_STRING || toks[0].end != strlen(cases[i].lit))
			fail_msg("%s: not one string token", cases[i].lit);
		assert_value(cases[i].lit, &toks[0], cases[i].value, cases[i].value_len);
	}
}

/* ------------------------------------------------------------------ errors */

static void test_errors(void **state)
{
	(void)state;
	/* unfinished strings */
	lex_error("a = 1\nb = 'abc\nc = 2\n", PATH ":2: unfinished string");
	lex_error("a = 1\n\nb = \"abc\r\nc = 2\n", PATH ":3: unfinished string");
	lex_error("x = \"abc", PATH ":1: unfinished string");
	lex_error("x = \"abc'", PATH ":1: unfinished string");
	lex_error("x = \"abc\\", PATH ":1: unfinished string");
	lex_error("Component \"x\"\n\tcomponent_secret = \"unterminated\n", PATH ":2: unfinished string");
	/* unfinished long strings and comments */
	lex_error("a = 1\nb = [[abc\n\n", PATH ":2: unfinished long string");
	lex_error("b = [==[abc]]\n]=]", PATH ":1: unfinished long string");
	lex_error("b = [[abc]", PATH ":1: unfinished long string");
	lex_error("\n\n--[==[ abc ]] ]=]\n", PATH ":3: unfinished long comment");
	lex_error("--[[ x", PATH ":1: unfinished long comment");
	lex_error("x = 1 --[=[\n\n]]", PATH ":1: unfinished long comment");
	/* bad escapes */
	lex_error("x = \"a\\qb\"", PATH ":1: invalid escape sequence in a string");
	lex_error("\nx = '\\c'", PATH ":2: invalid escape sequence in a string");
	lex_error("x = \"\\x4\"", PATH ":1: invalid \\x escape in a string");
	lex_error("x = \"\\x4", PATH ":1: invalid \\x escape in a string");
	lex_error("x = \"\\xg0\"", PATH ":1: invalid \\x escape in a string");
	lex_error("x = '\\x'", PATH ":1: invalid \\x escape in a string");
	lex_error("x = '\\256'", PATH ":1: decimal escape too large in a string");
	lex_error("x = '\\999'", PATH ":1: decimal escape too large in a string");
	lex_error("x = '\\u20AC'", PATH ":1: invalid \\u escape in a string");
	lex_error("x = '\\u{20AC'", PATH ":1: invalid \\u escape in a string");
	lex_error("x = '\\u{20G0}'", PATH ":1: invalid \\u escape in a string");
	/* stray bytes */
	lex_error("x = $", PATH ":1: unexpected symbol");
	lex_error("x = 1\n@include 'y'", PATH ":2: unexpected symbol");
	lex_error("x = `id`", PATH ":1: unexpected symbol");
	lex_error("x = 1 ! 2", PATH ":1: unexpected symbol");
	lex_error("x = \\n", PATH ":1: unexpected symbol");
	lex_error("x = \x01", PATH ":1: unexpected symbol");
	lex_error("x = \xc3\xa9", PATH ":1: unexpected non-ASCII byte outside a string");
	/* line numbers after multi-line tokens */
	lex_error("s = [[\na\nb]]\n$", PATH ":4: unexpected symbol");
	lex_error("--[[\n\n]] $", PATH ":3: unexpected symbol");
	lex_error("s = 'a\\\nb'\n@", PATH ":3: unexpected symbol");
	lex_error("s = 'a\\z\n\n  b'\n@", PATH ":4: unexpected symbol");
	lex_error("a = 1\r\nb = 2\r\n$", PATH ":3: unexpected symbol");
	lex_error("-- comment $ @ ok\n-- \xc3\xa9 ok\n$", PATH ":3: unexpected symbol");
}

/* "\u{}" has no hex digit: Lua refuses it ("hexadecimal digit expected"). */
static void test_error_empty_u_escape(void **state)
{
	(void)state;
	lex_error("x = \"\\u{}\"", PATH ":1: invalid \\u escape in a string");
}

/* A NUL byte outside a string is a stray byte: Lua says "unexpected symbol". */
static void test_error_nul_outside_string(void **state)
{
	static const char text[] = "x = 1\0\n";
	(void)state;
	lex_error_len(text, sizeof(text) - 1, PATH ":1: unexpected symbol");
}

/*
 * Lua takes a backslash before "\r\n" (as before "\n") as one escaped
 * newline: a CRLF config with a continued string is valid Lua.
 */
static void test_backslash_crlf_in_string(void **state)
{
	static const char text[] = "x = \"a\\\r\nb\"\r\ny = 2";
	struct lua_lexer lx;
	struct lua_token tok;
	struct diag d = DIAG_INIT;
	(void)state;

	lua_lexer_init(&lx, PATH, text, sizeof(text) - 1);
	assert_int_equal(lua_next(&lx, &tok, &d), 0);
	assert_int_equal(lua_next(&lx, &tok, &d), 0);
	if (lua_next(&lx, &tok, &d) != 0)
		fail_msg("\"a\\<CR><LF>b\" refused: %s", d.msg);
	assert_int_equal(tok.type, LUA_STRING);
	assert_int_equal(tok.end_line, 2);
	assert_value(text, &tok, "a\nb", 3);
	assert_int_equal(lua_next(&lx, &tok, &d), 0);
	assert_true(lua_is_name(text, &tok, "y"));
	assert_int_equal(tok.line, 3);
}

static void test_lenient(void **state)
{
	static const char *const bad[] = { "$", "'abc", "--[[ x", "\"\\q\"", "\xc3\xa9", "[[x" };
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct lua_lexer lx;
		struct lua_token tok;
		struct diag d = DIAG_INIT;
		lua_lexer_init(&lx, PATH, bad[i], strlen(bad[i]));
		lx.lenient = true;
		assert_int_equal(lua_next(&lx, &tok, &d), -EBADMSG);
		if (diag_is_set(&d))
			fail_msg("lenient mode set a message for \"%s\": %s", bad[i], d.msg);
	}
	/* Lenient changes nothing for valid text. */
	{
		static const char text[] = "Component \"x\" -- y";
		struct lua_lexer lx;
		struct lua_token tok;
		struct diag d = DIAG_INIT;
		lua_lexer_init(&lx, PATH, text, sizeof(text) - 1);
		lx.lenient = true;
		assert_int_equal(lua_next(&lx, &tok, &d), 0);
		assert_true(lua_is_name(text, &tok, "Component"));
		assert_int_equal(lua_next(&lx, &tok, &d), 0);
		assert_int_equal(tok.type, LUA_STRING);
		assert_int_equal(lua_next(&lx, &tok, &d), 0);
		assert_int_equal(tok.type, LUA_COMMENT);
		assert_int_equal(lua_next(&lx, &tok, &d), 0);
		assert_int_equal(tok.type, LUA_EOF);
	}
}

/* ------------------------------------------------------------------ lua_quote */

struct sample {
	char *s;
	size_t len;
};

static struct sample samples[1200];
static size_t n_samples;

static void add_sample(const char *s, size_t len)
{
	assert_true(n_samples < sizeof(samples) / sizeof(*samples));
	samples[n_samples].s = malloc(len + 1);
	assert_non_null(samples[n_samples].s);
	memcpy(samples[n_samples].s, s, len);
	samples[n_samples].s[len] = '\0';
	samples[n_samples].len = len;
	n_samples++;
}
#define add_str(s) add_sample((s), sizeof(s) - 1)

static int samples_setup(void **state)
{
	char b[600];
	unsigned seed = 12345;
	static const char special[] = "\"\\]=[-\n\r\t\0\x01\x1f\x7f" "0123456789xu{}z\xc3\xa9\xe2\x82\xac\xff";
	(void)state;

	n_samples = 0;
	add_sample("", 0);
	add_str("\"");
	add_str("\\");
	add_str("\\\\\"\"");
	add_str("]]");
	add_str("]==]");
	add_str("[[");
	add_str("[==[x]==]");
	add_str("--");
	add_str("'");
	add_str("r\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	add_str("\xff\xfe\x80"); /* bytes that are not UTF-8 are still bytes */
	add_str("a\r\nb");
	add_str("\0");
	add_str("\0001");
	add_str("\\z");
	add_str("\\x41\\u{20AC}\\65");
	add_str("hunter2 \"]]\" <&> #%");
	/* Every control byte, alone and followed by a digit (the \ddd trap). */
	for (int c = 1; c < 0x20; c++) {
		for (int digit = 0; digit < 3; digit++) {
			b[0] = (char)c;
			b[1] = (char)('0' + digit * 4);
			b[2] = '9';
			add_sample(b, 1);
			add_sample(b, 3);
		}
		b[0] = 'x';
		b[1] = (char)c;
		b[2] = '7';
		add_sample(b, 3);
	}
	add_str("\x7f");
	add_str("\x7f" "0");
	add_str("\x7f" "99");
	/* All 256 bytes in one string, both orders. */
	for (int i = 0; i < 256; i++)
		b[i] = (char)i;
	add_sample(b, 256);
	for (int i = 0; i < 256; i++)
		b[i] = (char)(255 - i);
	add_sample(b, 256);
	/* Random strings, mostly of the bytes that matter. */
	while (n_samples < 1100) {
		size_t len = (size_t)(rand_r(&seed) % 60);
		for (size_t i = 0; i < len; i++) {
			unsigned r = (unsigned)rand_r(&seed);
			b[i] = (r & 1) ? special[(r >> 1) % (sizeof(special) - 1)] : (char)((r >> 8) & 0xff);
		}
		add_sample(b, len);
	}
	return 0;
}

static int samples_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_samples; i++)
		free(samples[i].s);
	n_samples = 0;
	return 0;
}

static void test_quote_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_samples; i++) {
		struct buf q = BUF_INIT;
		struct lua_token toks[3];
		size_t n;

		assert_int_equal(lua_quote(samples[i].s, samples[i].len, &q), 0);
		/* One double-quoted literal on one line, no raw control byte in it. */
		assert_true(q.len >= 2);
		assert_int_equal(q.data[0], '"');
		assert_int_equal(q.data[q.len - 1], '"');
		for (size_t k = 0; k < q.len; k++) {
			unsigned char c = (unsigned char)q.data[k];
			if (c < 0x20 || c == 0x7f)
				fail_msg("sample %zu: raw byte 0x%02x in the quoted form", i, c);
		}
		n = lex_all(q.data, q.len, toks, 3);
		if (n != 2 || toks[0].type != LUA_STRING || toks[0].start != 0 || toks[0].end != q.len)
			fail_msg("sample %zu: %s is not one string token", i, q.data);
		assert_value(q.data, &toks[0], samples[i].s, samples[i].len);
		buf_free(&q);
	}

	/* Appends to what OUT holds. */
	{
		struct buf q = BUF_INIT;
		assert_int_equal(buf_puts(&q, "component_secret = "), 0);
		assert_int_equal(lua_quote("a\"b\n1", 5, &q), 0);
		assert_string_equal(q.data, "component_secret = \"a\\\"b\\0101\"");
		buf_free(&q);
	}
}

/* A lua interpreter on this machine, or NULL. */
static const char *find_lua(char *path, size_t size)
{
	static const char *const names[] = { "lua5.4", "lua5.3", "lua" };
	const char *env = getenv("PATH");
	char dirs[4096];

	snprintf(dirs, sizeof(dirs), "%s:/usr/bin:/usr/local/bin:/bin", env ? env : "");
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		char *save = NULL, copy[4096];
		strcpy(copy, dirs);
		for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
			snprintf(path, size, "%s/%s", d, names[i]);
			if (access(path, X_OK) == 0)
				return path;
		}
	}
	return NULL;
}

/* Run LUA on SCRIPT, stdout into OUT; returns the wait status. */
static int run_lua(const char *lua, const char *script, struct buf *out)
{
	int p[2], status;
	pid_t pid;
	char chunk[65536];
	ssize_t n;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl(lua, lua, script, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], chunk, sizeof(chunk))) > 0)
		assert_int_equal(buf_append(out, chunk, (size_t)n), 0);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_quote_real_lua(void **state)
{
	char lua_path[4200], dir[] = "/tmp/ut-conf-lua.XXXXXX", script[64];
	const char *lua = find_lua(lua_path, sizeof(lua_path));
	struct buf src = BUF_INIT, out = BUF_INIT;
	size_t pos = 0;
	int fd, status;
	(void)state;

	if (!lua) {
		print_message("no lua5.4, lua5.3 or lua binary on this machine: the real-Lua check is skipped\n");
		skip();
	}
	print_message("checking %zu quoted strings with %s\n", n_samples, lua);
	assert_non_null(mkdtemp(dir));
	snprintf(script, sizeof(script), "%s/q.lua", dir);

	assert_int_equal(buf_puts(&src, "local t = {\n"), 0);
	for (size_t i = 0; i < n_samples; i++) {
		assert_int_equal(lua_quote(samples[i].s, samples[i].len, &src), 0);
		assert_int_equal(buf_puts(&src, ",\n"), 0);
	}
	assert_int_equal(buf_puts(&src, "}\nfor i = 1, #t do io.write(#t[i], ':', t[i]) end\n"), 0);
	fd = open(script, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, src.data, src.len), (ssize_t)src.len);
	close(fd);

	status = run_lua(lua, script, &out);
	unlink(script);
	rmdir(dir);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s refused the quoted strings (status 0x%x)", lua, status);

	for (size_t i = 0; i < n_samples; i++) {
		char *colon;
		unsigned long len = strtoul(out.data + pos, &colon, 10);
		if (*colon != ':' || len != samples[i].len ||
		    memcmp(colon + 1, samples[i].s, samples[i].len) != 0)
			fail_msg("sample %zu (%zu bytes): Lua decodes its quoted form differently", i, samples[i].len);
		pos = (size_t)(colon + 1 - out.data) + len;
	}
	assert_int_equal(pos, out.len);
	buf_free(&src);
	buf_free(&out);
}

UNIT_TESTS(cmocka_unit_test(test_config_tokens), cmocka_unit_test(test_config_values),
	   cmocka_unit_test(test_eof_repeats), cmocka_unit_test(test_lines_and_crlf),
	   cmocka_unit_test(test_string_values), cmocka_unit_test(test_errors),
	   cmocka_unit_test(test_error_empty_u_escape), cmocka_unit_test(test_error_nul_outside_string),
	   cmocka_unit_test(test_backslash_crlf_in_string), cmocka_unit_test(test_lenient),
	   cmocka_unit_test_setup_teardown(test_quote_round_trip, samples_setup, samples_teardown),
	   cmocka_unit_test_setup_teardown(test_quote_real_lua, samples_setup, samples_teardown))
