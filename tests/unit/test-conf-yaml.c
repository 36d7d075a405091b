/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of conf-yaml: byte offsets, comments, refusals, and quoting that libyaml reads back exactly. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "conf-yaml.h"

/* The text of node N, as a NUL-terminated copy in BUF. */
static const char *text_of(const struct yconf *y, const struct yconf_node *n, char *buf, size_t len)
{
	size_t k = n->end - n->start;
	assert_true(n->end >= n->start && n->end <= y->len);
	assert_true(k < len);
	memcpy(buf, y->text + n->start, k);
	buf[k] = '\0';
	return buf;
}

static void parse_ok(const char *text, struct yconf *y)
{
	struct diag d = DIAG_INIT;
	int rc = yconf_parse("t.yml", text, strlen(text), y, &d);
	if (rc != 0)
		fail_msg("parse failed: %d %s", rc, d.msg);
}

static void parse_bad(const char *text, size_t len, const char *want_msg)
{
	struct yconf y = YCONF_INIT;
	struct diag d = DIAG_INIT;
	int rc = yconf_parse("bad.yml", text, len, &y, &d);
	assert_int_equal(rc, -EBADMSG);
	assert_null(y.root);
	if (!strstr(d.msg, want_msg))
		fail_msg("expected \"%s\" in \"%s\"", want_msg, d.msg);
}

static void test_listen_offsets(void **state)
{
	static const char text[] = "# head\n"
				   "listen:\n"
				   "  -\n"
				   "    port: 5347   # the port\n"
				   "    module: ejabberd_service\n"
				   "    hosts:\n"
				   "      irc.example.org:\n"
				   "        password: \"s#3\"\n"
				   "\n"
				   "  # trailing\n"
				   "modules: {}\n";
	struct yconf y = YCONF_INIT;
	char b[256];
	(void)state;

	parse_ok(text, &y);
	assert_non_null(y.root);
	assert_int_equal(y.root->kind, YCONF_MAP);
	const struct yconf_node *listen = yconf_map_get(y.root, "listen");
	assert_non_null(listen);
	assert_int_equal(listen->kind, YCONF_SEQ);
	assert_int_equal(listen->style, YCONF_BLOCK);
	assert_int_equal(listen->line, 3);
	assert_int_equal(listen->col, 2);
	assert_int_equal(listen->nkids, 1);
	const struct yconf_node *item = listen->kids[0];
	assert_int_equal(item->kind, YCONF_MAP);
	assert_int_equal(item->line, 4);
	assert_int_equal(item->col, 4);
	/* a block collection ends with its last value, not at the comment after it */
	assert_int_equal(item->end_line, 8);
	const char *itext = text_of(&y, item, b, sizeof(b));
	assert_string_equal(itext + strlen(itext) - 5, "\"s#3\"");
	unsigned long port;
	assert_true(yconf_uint(yconf_map_get(item, "port"), &port));
	assert_int_equal(port, 5347);
	assert_true(yconf_is(yconf_map_get(item, "module"), "ejabberd_service"));
	const struct yconf_node *hosts = yconf_map_get(item, "hosts");
	assert_non_null(hosts);
	assert_int_equal(hosts->kids[0]->col, 6);
	assert_string_equal(text_of(&y, hosts->kids[0], b, sizeof(b)), "irc.example.org");
	const struct yconf_node *pw = yconf_map_get(hosts->kids[1], "password");
	assert_int_equal(pw->style, YCONF_DOUBLE);
	assert_string_equal(pw->value, "s#3");
	assert_string_equal(text_of(&y, pw, b, sizeof(b)), "\"s#3\"");
	assert_int_equal(pw->line, 8);
	assert_null(yconf_map_get(item, "nope"));
	assert_null(yconf_map_get(NULL, "nope"));

	/* comments: the '#' inside the quoted password is none */
	assert_int_equal(y.ncomments, 3);
	assert_true(y.comments[0].whole_line);
	assert_int_equal(y.comments[0].line, 1);
	assert_false(y.comments[1].whole_line);
	assert_int_equal(y.comments[1].line, 4);
	assert_memory_equal(text + y.comments[1].start, "# the port", 10);
	assert_int_equal(y.comments[1].end, y.comments[1].start + 10);
	assert_true(y.comments[2].whole_line);
	const struct yconf_comment *c = yconf_comment_after(&y, yconf_map_get(item, "port")->start);
	assert_ptr_equal(c, &y.comments[1]);
	assert_null(yconf_comment_after(&y, pw->start));
	yconf_free(&y);
}

/* libyaml counts characters and skips a BOM; offsets must still be bytes. */
static void test_utf8_bom_crlf(void **state)
{
	static const char text[] = "\xef\xbb\xbf"
				   "n\xc3\xa9: \"\xe2\x82\xac\xf0\x9f\x98\x80\"\r\n"
				   "k: v \xc3\xa9 # c\xc3\xa9\r\n"
				   "x: |\r\n"
				   "  # inside\r\n"
				   "  \xc3\xa9\r\n"
				   "\r\n"
				   "z: [a, {b: c}]\r\n";
	struct yconf y = YCONF_INIT;
	char b[256];
	(void)state;

	parse_ok(text, &y);
	assert_string_equal(text_of(&y, y.root->kids[0], b, sizeof(b)), "n\xc3\xa9");
	assert_string_equal(text_of(&y, y.root->kids[1], b, sizeof(b)), "\"\xe2\x82\xac\xf0\x9f\x98\x80\"");
	assert_string_equal(text_of(&y, y.root->kids[3], b, sizeof(b)), "v \xc3\xa9");
	assert_int_equal(y.root->kids[3]->col, 3);
	/* a block scalar ends at its last non-blank byte; "# inside" is its text */
	const struct yconf_node *x = y.root->kids[5];
	assert_int_equal(x->style, YCONF_LITERAL);
	assert_string_equal(x->value, "# inside\n\xc3\xa9\n");
	assert_int_equal(x->line, 3);
	assert_int_equal(x->end_line, 5);
	assert_memory_equal(y.text + x->end - 2, "\xc3\xa9", 2);
	const struct yconf_node *z = y.root->kids[7];
	assert_int_equal(z->style, YCONF_FLOW);
	assert_string_equal(text_of(&y, z, b, sizeof(b)), "[a, {b: c}]");
	assert_string_equal(text_of(&y, z->kids[1], b, sizeof(b)), "{b: c}");
	assert_int_equal(y.ncomments, 1);
	assert_memory_equal(y.text + y.comments[0].start, "# c\xc3\xa9", y.comments[0].end - y.comments[0].start);
	assert_int_equal(y.comments[0].end - y.comments[0].start, 5);
	yconf_free(&y);
}

static void test_empty_and_aliases(void **state)
{
	struct yconf y = YCONF_INIT;
	(void)state;

	parse_ok("", &y);
	assert_null(y.root);
	yconf_free(&y);
	parse_ok("# only a comment\n#   irc.example.org:\n", &y);
	assert_null(y.root);
	assert_int_equal(y.ncomments, 2);
	yconf_free(&y);

	/* aliases are kept, never expanded: a billion laughs stays a handful of nodes */
	parse_ok("a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\nd: !!str 5\n", &y);
	const struct yconf_node *c = yconf_map_get(y.root, "c");
	assert_int_equal(c->nkids, 3);
	assert_int_equal(c->kids[0]->kind, YCONF_ALIAS);
	assert_string_equal(c->kids[0]->value, "b");
	assert_true(yconf_map_get(y.root, "a")->decorated);
	assert_true(yconf_map_get(y.root, "d")->decorated);
	yconf_free(&y);

	/* an empty value sits right after its key */
	parse_ok("a:\n  b:\nc: 1\n", &y);
	const struct yconf_node *a = yconf_map_get(y.root, "a");
	assert_int_equal(a->end_line, 2);
	assert_int_equal(a->kids[1]->len, 0);
	unsigned long v;
	assert_false(yconf_uint(a->kids[1], &v));
	assert_true(yconf_uint(yconf_map_get(y.root, "c"), &v));
	yconf_free(&y);
}

static void test_refusals(void **state)
{
	static const char nul[] = "a: 1\nb: \0\n";
	char deep[400];
	size_t n = 0;
	(void)state;

	parse_bad("a: 1\n b: 2\n", strlen("a: 1\n b: 2\n"), "bad.yml:2: not valid YAML");
	parse_bad("a:\n\t- 1\n", strlen("a:\n\t- 1\n"), "bad.yml:2: not valid YAML");
	parse_bad("a: \"open\nb: 2\n", strlen("a: \"open\nb: 2\n"), "bad.yml:1: not valid YAML: a quoted scalar that never ends");
	parse_bad("pw: ***\"\"\n", strlen("pw: ***\"\"\n"), "bad.yml:1:");
	parse_bad("x: 1\na: {b: 1\n", strlen("x: 1\na: {b: 1\n"), "(while parsing a flow mapping at line 2)");
	parse_bad(nul, sizeof(nul) - 1, "bad.yml:2: contains a NUL byte");
	parse_bad("\xff\xfe" "a\0:\0", 6, "UTF-16");
	parse_bad("a: 1\n---\nb: 2\n", strlen("a: 1\n---\nb: 2\n"), "bad.yml:2: a second YAML document");
	parse_bad("a: 1\rb: 2\n", strlen("a: 1\rb: 2\n"), "bad.yml:1: a carriage return");
	parse_bad("a: \"x\xe2\x80\xa8y\"\n", strlen("a: \"x\xe2\x80\xa8y\"\n"), "Unicode line break");
	parse_bad("a: \xc3\x28\n", strlen("a: \xc3\x28\n"), "bad.yml:1: not valid YAML");
	parse_bad("a: *nope\n  b\n", strlen("a: *nope\n  b\n"), "bad.yml:");
	for (int i = 0; i < YCONF_MAX_DEPTH + 5; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	parse_bad(deep, n, "nested deeper than");
}

/* Aliases are never expanded here, but ejabberd's loader does: a document that would blow up is refused. */
static void test_alias_bomb(void **state)
{
	struct buf t = BUF_INIT;
	struct yconf y = YCONF_INIT;
	(void)state;

	assert_int_equal(buf_puts(&t, "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"), 0);
	for (int i = 1; i <= 3; i++)
		assert_int_equal(buf_printf(&t, "l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i,
					    i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1), 0);
	/* l3 stands for 11,111 nodes: fine */
	parse_ok(t.data, &y);
	assert_true(y.root->weight > 11111 && y.root->weight < 13000);
	yconf_free(&y);
	assert_int_equal(buf_puts(&t, "l4: &l4 [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]\n"), 0);
	parse_bad(t.data, t.len, "bad.yml:5: aliases would expand to more than 100000 nodes (a YAML alias bomb)");
	parse_bad("a: *b\nb: &b 1\n", strlen("a: *b\nb: &b 1\n"), "bad.yml:1: alias *b names no anchor defined before it");
	parse_bad("a: &a [1, *a]\n", strlen("a: &a [1, *a]\n"), "bad.yml:1: alias *a names no anchor defined before it");
	buf_free(&t);
}

/* Every nasty secret must come back byte for byte when libyaml reads the quoted form. */
static void test_quote_roundtrip(void **state)
{
	static const char *const secrets[] = {
		"plain",
		"with \"quotes\" and 'single'",
		"back\\slash\\",
		"<tag>&amp;]]>",
		"#not-a-comment # either",
		"100% %s %n",
		"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c",
		": - ? | > * & ! { } [ ] , @ `",
		"--- ...",
		"tab\there",
		"\x01\x1f\x7f",
		"\xc2\x85nel \xe2\x80\xa8ls \xe2\x80\xa9ps \xef\xbb\xbf bom \xc2\xa0nbsp",
		"nonchars \xef\xbf\xbe \xef\xbf\xbf end",
		"  lead and trail  ",
		"\\x41 \\u0041 \\n",
		"yes",
		"~",
		"0x1F",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		struct buf doc = BUF_INIT;
		struct yconf y = YCONF_INIT;
		assert_int_equal(buf_puts(&doc, "password: "), 0);
		assert_int_equal(yconf_quote(secrets[i], strlen(secrets[i]), &doc), 0);
		assert_int_equal(buf_puts(&doc, "  # jabber-dispatch\n"), 0);
		parse_ok(buf_str(&doc), &y);
		const struct yconf_node *pw = yconf_map_get(y.root, "password");
		assert_non_null(pw);
		assert_int_equal(pw->style, YCONF_DOUBLE);
		assert_int_equal(pw->len, strlen(secrets[i]));
		assert_memory_equal(pw->value, secrets[i], pw->len);
		/* one line, and the marker is still a comment */
		assert_null(memchr(doc.data, '\n', doc.len - 1));
		assert_int_equal(y.ncomments, 1);
		yconf_free(&y);
		buf_free(&doc);
	}

	struct buf out = BUF_INIT;
	assert_int_equal(buf_puts(&out, "keep"), 0);
	assert_int_equal(yconf_quote("bad \xc3", 5, &out), -EINVAL);
	assert_string_equal(buf_str(&out), "keep");
	assert_int_equal(yconf_quote("a\"b", 3, &out), 0);
	assert_string_equal(buf_str(&out), "keep\"a\\\"b\"");
	buf_free(&out);
}

UNIT_TESTS(cmocka_unit_test(test_listen_offsets), cmocka_unit_test(test_utf8_bom_crlf),
	   cmocka_unit_test(test_empty_and_aliases), cmocka_unit_test(test_refusals),
	   cmocka_unit_test(test_alias_bomb), cmocka_unit_test(test_quote_roundtrip))
