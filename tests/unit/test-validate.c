/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/validate: host names, port numbers, secrets and quoting of hostile values. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "validate.h"

/* validate_host works in place: give it a writable copy. */
static const char *host(const char *s, char *copy, size_t size)
{
	assert_true(strlen(s) < size);
	strcpy(copy, s);
	return validate_host(copy);
}

static void host_ok(const char *s, const char *folded)
{
	char copy[600];
	const char *why = host(s, copy, sizeof(copy));
	if (why)
		fail_msg("host \"%s\" refused: %s", s, why);
	assert_string_equal(copy, folded);
}

static void host_bad(const char *s)
{
	char copy[600];
	if (!host(s, copy, sizeof(copy)))
		fail_msg("host \"%s\" accepted", s);
}

static void test_host_ok(void **state)
{
	(void)state;
	host_ok("irc.localhost", "irc.localhost");
	host_ok("a-b.example.org", "a-b.example.org");
	host_ok("IRC.LocalHost", "irc.localhost");
	host_ok("Biboumi.EXAMPLE.ORG", "biboumi.example.org");
	host_ok("localhost", "localhost");
	host_ok("a", "a");
	host_ok("0.9", "0.9");
	host_ok("xn--caf-dma.example", "xn--caf-dma.example");
	host_ok("a--b.c", "a--b.c");
}

static void test_host_refused(void **state)
{
	(void)state;
	host_bad("");
	host_bad("-a.b");
	host_bad("a-.b");
	host_bad("a.-b");
	host_bad("a.b-");
	host_bad("a..b");
	host_bad(".a.b");
	host_bad("a.b.");
	host_bad(".");
	host_bad("a b");
	host_bad(" a.b");
	host_bad("a.b ");
	host_bad("a\"b");
	host_bad("a\nb");
	host_bad("a\tb");
	host_bad("a_b.c");
	host_bad("a/b");
	host_bad("a@b");
	host_bad("a:5347");
	host_bad("r\xc3\xa9.example"); /* ré: non-ASCII */
	host_bad("\xff");
	host_bad("-");
}

static void test_host_lengths(void **state)
{
	char s[300], copy[600];
	(void)state;

	/* A 63-byte label is fine, 64 is not. */
	memset(s, 'a', 63);
	strcpy(s + 63, ".org");
	host_ok(s, s);
	memset(s, 'a', 64);
	strcpy(s + 64, ".org");
	host_bad(s);
	/* Also as the last label. */
	strcpy(s, "x.");
	memset(s + 2, 'b', 64);
	s[66] = '\0';
	host_bad(s);

	/* 253 bytes in all is the most: 63.63.63.61 */
	memset(s, 'c', 253);
	s[63] = s[127] = s[191] = '.';
	s[253] = '\0';
	assert_int_equal(strlen(s), 253);
	host_ok(s, s);
	/* 254: one byte more in the last label (still <= 63). */
	memset(s, 'c', 254);
	s[63] = s[127] = s[191] = '.';
	s[254] = '\0';
	host_bad(s);
	/* Also upper case: the refusal must not depend on folding. */
	memset(s, 'D', 254);
	s[63] = s[127] = s[191] = '.';
	s[254] = '\0';
	assert_non_null(host(s, copy, sizeof(copy)));
}

static void port_ok(const char *s, unsigned want)
{
	unsigned port = 0;
	const char *why = validate_port(s, &port);
	if (why)
		fail_msg("port \"%s\" refused: %s", s, why);
	assert_int_equal(port, want);
}

static void port_bad(const char *s)
{
	unsigned port = 777;
	if (!validate_port(s, &port))
		fail_msg("port \"%s\" accepted as %u", s, port);
}

static void test_port(void **state)
{
	(void)state;
	port_ok("1", 1);
	port_ok("5347", 5347);
	port_ok("65535", 65535);
	port_ok("10000", 10000);
	port_bad("0");
	port_bad("00");
	port_bad("65536");
	port_bad("99999");
	port_bad("100000");
	port_bad("4294967297"); /* would wrap a 32-bit accumulator to 1 */
	port_bad("-1");
	port_bad("+1");
	port_bad("1a");
	port_bad("0x10");
	port_bad(" 1");
	port_bad("1 ");
	port_bad("1\n");
	port_bad("");
	port_bad("05347");
	port_bad("1.0");
}

static void secret_ok_n(const char *s, size_t len)
{
	const char *why = validate_secret(s, len);
	if (why)
		fail_msg("secret \"%.*s\" refused: %s", (int)len, s, why);
}

static void secret_bad_n(const char *s, size_t len, const char *label)
{
	if (!validate_secret(s, len))
		fail_msg("secret %s accepted", label);
}

#define secret_ok(s) secret_ok_n((s), strlen(s))
#define secret_bad(s) secret_bad_n((s), sizeof(s) - 1, #s)

static void test_secret_ok(void **state)
{
	(void)state;
	secret_ok("x");
	secret_ok("hunter2");
	secret_ok("with \"quotes\" and 'single'");
	secret_ok("back\\slash\\");
	secret_ok("]]");
	secret_ok("]==]");
	secret_ok("<&>");
	secret_ok("#%");
	secret_ok("a b c"); /* inner blanks are fine */
	secret_ok("$(rm -rf /)`id`;|");
	secret_ok("r\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"); /* ré€😀 */
	secret_ok("\xc2\xa0x");                              /* U+00A0 is not a control character */
	secret_ok("\xf4\x8f\xbf\xbf");                       /* U+10FFFF, the last code point */
	secret_ok("\xee\x80\x80");                           /* U+E000, right after the surrogates */
	secret_ok("~");
}

static void test_secret_refused(void **state)
{
	(void)state;
	secret_bad_n("", 0, "\"\"");
	secret_bad(" x");
	secret_bad("x ");
	secret_bad(" ");
	secret_bad("\n");
	secret_bad("a\nb");
	secret_bad("x\n");
	secret_bad("\t");
	secret_bad("a\tb");
	secret_bad("a\rb");
	secret_bad("\x1b[31m");
	secret_bad("\x7f");
	secret_bad("a\x7f");
	secret_bad("a\0b");
	secret_bad("\xc2\x85");             /* U+0085 NEL, a C1 control */
	secret_bad("\xc2\x80");             /* U+0080 */
	secret_bad("\xc2\x9f");             /* U+009F */
	secret_bad("\xff");                 /* never valid */
	secret_bad("\xfe");
	secret_bad("\x80");                 /* lone continuation byte */
	secret_bad("a\xc3");                /* truncated sequence at the end */
	secret_bad("\xe2\x82");             /* truncated 3-byte sequence */
	secret_bad("\xe2\x82x");            /* bad continuation byte */
	secret_bad("\xc3\x28");
	secret_bad("\xc0\xaf");             /* overlong '/' */
	secret_bad("\xc1\xbf");             /* overlong */
	secret_bad("\xe0\x80\xaf");         /* overlong '/' in 3 bytes */
	secret_bad("\xe0\x9f\xbf");         /* overlong U+07FF */
	secret_bad("\xf0\x80\x80\xaf");     /* overlong '/' in 4 bytes */
	secret_bad("\xf0\x8f\xbf\xbf");     /* overlong U+FFFF */
	secret_bad("\xed\xa0\x80");         /* U+D800, a surrogate */
	secret_bad("\xed\xbf\xbf");         /* U+DFFF */
	secret_bad("\xf4\x90\x80\x80");     /* U+110000, beyond Unicode */
	secret_bad("\xf5\x80\x80\x80");
	secret_bad("\xf8\x88\x80\x80\x80"); /* 5-byte form */
}

static void test_secret_length(void **state)
{
	char *s = malloc(VALIDATE_SECRET_MAX + 2);
	(void)state;

	assert_non_null(s);
	memset(s, 'k', VALIDATE_SECRET_MAX + 1);
	secret_ok_n(s, VALIDATE_SECRET_MAX);
	secret_bad_n(s, VALIDATE_SECRET_MAX + 1, "of 1025 bytes");
	/* Multi-byte characters count in bytes: 341 x "€" = 1023 bytes + 1. */
	for (int i = 0; i < 341; i++)
		memcpy(s + 3 * i, "\xe2\x82\xac", 3);
	s[1023] = 'x';
	secret_ok_n(s, 1024);
	s[1024] = 'y';
	secret_bad_n(s, 1025, "of 1025 bytes of UTF-8");
	/* Only LEN bytes are looked at: a control byte beyond it does not matter. */
	memset(s, 'k', 10);
	s[10] = '\n';
	secret_ok_n(s, 10);
	free(s);
}

static void quote_is(const char *s, size_t len, size_t max, const char *want)
{
	struct buf out = BUF_INIT;
	assert_int_equal(validate_quote(&out, s, len, max), 0);
	assert_string_equal(buf_str(&out), want);
	assert_int_equal(out.len, strlen(want));
	buf_free(&out);
}

static void test_quote(void **state)
{
	struct buf out = BUF_INIT;
	(void)state;

	quote_is("", 0, 100, "\"\"");
	quote_is("irc.example.org", 15, 100, "\"irc.example.org\"");
	quote_is("a\"b", 3, 100, "\"a\\\"b\"");
	quote_is("a\\b", 3, 100, "\"a\\\\b\"");
	quote_is("a\nb", 3, 100, "\"a\\nb\"");
	quote_is("a\rb", 3, 100, "\"a\\x0db\"");
	quote_is("\x01\x1f\x7f", 3, 100, "\"\\x01\\x1f\\x7f\"");
	quote_is("a\0b", 3, 100, "\"a\\x00b\"");
	quote_is("r\xc3\xa9", 3, 100, "\"r\\xc3\\xa9\"");
	quote_is("\xff", 1, 100, "\"\\xff\"");
	quote_is("\x1b[2J", 4, 100, "\"\\x1b[2J\"");
	quote_is("it's <ok> & ~", 13, 100, "\"it's <ok> & ~\"");
	/* Cut at MAX input bytes. */
	quote_is("abcdef", 6, 3, "\"abc...\"");
	quote_is("abcdef", 6, 6, "\"abcdef\"");
	quote_is("abcdef", 6, 0, "\"...\"");
	quote_is("\n\n\n\n", 4, 2, "\"\\n\\n...\"");

	/* Appends to what OUT holds. */
	assert_int_equal(buf_puts(&out, "host "), 0);
	assert_int_equal(validate_quote(&out, "x\ny", 3, 80), 0);
	assert_int_equal(buf_puts(&out, ": not a domain name"), 0);
	assert_string_equal(out.data, "host \"x\\ny\": not a domain name");

	/* Whatever the input, the result is one line of printable ASCII. */
	{
		char all[256];
		for (int i = 0; i < 256; i++)
			all[i] = (char)i;
		buf_truncate(&out, 0);
		assert_int_equal(validate_quote(&out, all, sizeof(all), 1000), 0);
		for (size_t i = 0; i < out.len; i++) {
			unsigned char c = (unsigned char)out.data[i];
			if (c < 0x20 || c >= 0x7f)
				fail_msg("byte 0x%02x at %zu in the quoted form", c, i);
		}
		/* 93 plain printable bytes; '"', '\\' and '\n' take 2; the 160 other bytes take 4; plus quotes. */
		assert_int_equal(out.len, 2 + 93 + 2 * 2 + 1 * 2 + 160 * 4);
	}
	buf_free(&out);
}

UNIT_TESTS(cmocka_unit_test(test_host_ok), cmocka_unit_test(test_host_refused),
	   cmocka_unit_test(test_host_lengths), cmocka_unit_test(test_port), cmocka_unit_test(test_secret_ok),
	   cmocka_unit_test(test_secret_refused), cmocka_unit_test(test_secret_length), cmocka_unit_test(test_quote))
