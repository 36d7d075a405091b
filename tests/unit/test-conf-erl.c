/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of conf-erl: terms with offsets, comments, refusals, and string quoting that reads back exactly. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "conf-erl.h"

static void parse_ok(const char *text, struct erl_file *f)
{
	struct diag d = DIAG_INIT;
	int rc = erl_parse("t.cfg", text, strlen(text), f, &d);
	if (rc != 0)
		fail_msg("parse failed: %d %s", rc, d.msg);
}

static void parse_bad(const char *text, const char *want)
{
	struct erl_file f = ERL_FILE_INIT;
	struct diag d = DIAG_INIT;
	assert_int_equal(erl_parse("bad.cfg", text, strlen(text), &f, &d), -EBADMSG);
	assert_int_equal(f.nterms, 0);
	if (!strstr(d.msg, want))
		fail_msg("expected \"%s\" in \"%s\"", want, d.msg);
}

static void test_listen(void **state)
{
	static const char text[] = "%% ejabberd.cfg\n"
				   "{hosts, [\"example.org\"]}.\n"
				   "{listen,\n"
				   " [\n"
				   "  {5222, ejabberd_c2s, [{access, c2s}, {shaper, c2s_shaper}]},\n"
				   "  %%{8888, ejabberd_service, [{hosts, [\"icq.example.org\"], [{password, \"x\"}]}]},\n"
				   "  {{5347, {127,0,0,1}}, ejabberd_service, [{hosts, [\"irc.example.org\", \"b\" \"c\"],\r\n"
				   "     [{password, \"s\\\"e\\303\\251\\x41\\x{20AC}\"}]}]}\n"
				   " ]}. % trailing\n"
				   "{welcome_message, none}.\n"
				   "{n, -5, 1.5e3, 16#ff, $a, $\\n, 'Quoted atom', <<\"bin\">>, [a | b]}.\n";
	struct erl_file f = ERL_FILE_INIT;
	(void)state;

	parse_ok(text, &f);
	assert_int_equal(f.nterms, 4);
	const struct erl_term *listen = f.terms[1];
	assert_true(erl_is_atom(listen->kids[0], "listen"));
	assert_int_equal(listen->line, 3);
	assert_int_equal(text[f.dots[1]], '.');
	const struct erl_term *list = listen->kids[1];
	assert_int_equal(list->kind, ERL_LIST);
	assert_int_equal(list->nkids, 2);
	unsigned long port;
	assert_true(erl_uint(list->kids[0]->kids[0], &port));
	assert_int_equal(port, 5222);
	const struct erl_term *svc = list->kids[1];
	assert_int_equal(svc->line, 7);
	assert_memory_equal(text + svc->start, "{{5347", 6);
	assert_memory_equal(text + svc->end - 2, "]}", 2);
	const struct erl_term *hosts = erl_lookup(svc->kids[2], "hosts");
	assert_non_null(hosts);
	assert_string_equal(hosts->kids[1]->kids[0]->value, "irc.example.org");
	assert_string_equal(hosts->kids[1]->kids[1]->value, "bc");
	const struct erl_term *pw = erl_lookup(hosts->kids[2], "password")->kids[1];
	assert_int_equal(pw->kind, ERL_STRING);
	assert_string_equal(pw->value, "s\"e\xc3\xa9" "A\xe2\x82\xac");
	assert_int_equal(pw->line, 8);
	assert_null(erl_lookup(svc->kids[2], "nope"));

	assert_int_equal(f.ncomments, 3);
	assert_true(f.comments[0].whole_line);
	assert_true(f.comments[1].whole_line);
	assert_int_equal(f.comments[1].line, 6);
	assert_false(f.comments[2].whole_line);
	assert_memory_equal(text + f.comments[2].start, "% trailing", 10);

	const struct erl_term *n = f.terms[3];
	assert_int_equal(n->nkids, 9);
	assert_string_equal(n->kids[1]->value, "-5");
	assert_string_equal(n->kids[4]->value, "$a");
	assert_string_equal(n->kids[6]->value, "Quoted atom");
	assert_int_equal(n->kids[7]->kind, ERL_BINARY);
	assert_true(n->kids[8]->improper);
	erl_file_free(&f);
}

static void test_refusals(void **state)
{
	char deep[300];
	(void)state;

	parse_bad("{listen, [{5222, ejabberd_c2s, []}]}\n", "bad.cfg:2: expected the dot");
	parse_bad("{listen, [{5222, ejabberd_c2s, []}]\n", "bad.cfg:2: expected ',' or '}' in the tuple opened at line 1, found the end");
	parse_bad("{listen, [{5222, ejabberd_c2s, []]}.\n", "bad.cfg:1: expected ',' or '}'");
	parse_bad("{a, \"open}.\n{b, c}.\n", "bad.cfg:1: a string that never ends");
	parse_bad("{a, X}.\n", "variable");
	parse_bad("{a, b} {c}.\n", "bad.cfg:1: expected the dot");
	parse_bad("{a, 1 + 2}.\n", "expected ',' or '}'");
	parse_bad("{a, b}.\n{c, \"\\x{zz}\"}.\n", "bad.cfg:2: a bad escape");
	parse_bad("{a, <<\"x\"}.\n", "never ends");
	parse_bad("{a, \xc3\xa9}.\n", "starts no Erlang token");
	parse_bad("{a, [b,]}.\n", "expected a term, found ']'");
	struct erl_file f = ERL_FILE_INIT;
	struct diag d = DIAG_INIT;
	assert_int_equal(erl_parse("nul.cfg", "{a}.\n\0", 6, &f, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "nul.cfg:2: contains a NUL byte"));
	size_t k = 0;
	for (int i = 0; i < ERL_MAX_DEPTH + 5; i++)
		deep[k++] = '{';
	deep[k] = '\0';
	parse_bad(deep, "nested too deep");
	parse_ok("", &f);
	assert_int_equal(f.nterms, 0);
	erl_file_free(&f);
}

/* A secret written with erl_quote() must read back as the same bytes. */
static void test_quote_roundtrip(void **state)
{
	static const char *const secrets[] = {
		"plain", "with \"quotes\" and 'single'", "back\\slash\\", "<tag>&amp;]]>", "%not-a-comment",
		"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\\101 \\x41 ~n", "tab\tand\x7f", "1234567",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		struct buf doc = BUF_INIT;
		struct erl_file f = ERL_FILE_INIT;
		assert_int_equal(buf_puts(&doc, "{password, "), 0);
		assert_int_equal(erl_quote(secrets[i], strlen(secrets[i]), &doc), 0);
		assert_int_equal(buf_puts(&doc, "}. % jabber-dispatch\n"), 0);
		/* nothing but printable ASCII: the same bytes under Latin-1 and UTF-8 readers */
		for (size_t k = 0; k < doc.len; k++)
			assert_true(doc.data[k] == '\n' || (doc.data[k] >= 0x20 && doc.data[k] < 0x7f));
		parse_ok(buf_str(&doc), &f);
		const struct erl_term *pw = f.terms[0]->kids[1];
		assert_int_equal(pw->len, strlen(secrets[i]));
		assert_memory_equal(pw->value, secrets[i], pw->len);
		assert_int_equal(f.ncomments, 1);
		erl_file_free(&f);
		buf_free(&doc);
	}
}

UNIT_TESTS(cmocka_unit_test(test_listen), cmocka_unit_test(test_refusals),
	   cmocka_unit_test(test_quote_roundtrip))
