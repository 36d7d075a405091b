/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-conf-xml: offsets, values, escaping round trips and refusals of the XML config module. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <errno.h>
#include <string.h>

#include "conf-xml.h"

static const char router[] =
	"<?xml version=\"1.0\"?>\n"
	"<!-- router configuration -->\n"
	"<router>\n"
	"  <id>router</id>\n"
	"  <local>\n"
	"    <ip>0.0.0.0</ip>\n"
	"    <port>5347</port>\n"
	"    <secret>a&amp;b&lt;c&#233;<![CDATA[]]]]></secret>\n"
	"    <!-- <secret>old</secret> -->\n"
	"    <empty attr='x &quot;y&quot;'/>\n"
	"  </local>\n"
	"</router>\n";

static void test_tree_and_offsets(void **state)
{
	struct xml_doc doc = XML_DOC_INIT;
	struct diag d = DIAG_INIT;
	struct xml_node *port, *local;
	struct buf v = BUF_INIT;
	(void)state;

	assert_int_equal(xml_parse("router.xml", router, strlen(router), &doc, &d), 0);
	assert_string_equal(doc.root->name, "router");
	assert_int_equal(doc.root->line, 3);
	assert_non_null(doc.prolog);
	local = xml_child(doc.root, "local");
	assert_non_null(local);
	assert_int_equal(local->line, 5);
	port = xml_path(doc.root, "local/port");
	assert_non_null(port);
	assert_int_equal(port->line, 7);
	assert_memory_equal(router + port->start, "<port>5347</port>", 17);
	assert_int_equal(port->end - port->start, 17);
	assert_memory_equal(router + port->open_end, "5347", 4);
	assert_int_equal(xml_text(&doc, port, &v), 0);
	assert_string_equal(buf_str(&v), "5347");
	buf_truncate(&v, 0);
	assert_int_equal(xml_text(&doc, xml_path(doc.root, "local/secret"), &v), 0);
	assert_string_equal(buf_str(&v), "a&b<c\xc3\xa9]]");
	buf_truncate(&v, 0);
	assert_int_equal(xml_text(&doc, local, &v), -EINVAL); /* not a simple value */
	buf_truncate(&v, 0);
	assert_int_equal(xml_attr_value(&doc, xml_attr(xml_path(doc.root, "local/empty"), "attr"), &v), 0);
	assert_string_equal(buf_str(&v), "x \"y\"");
	assert_null(xml_path(doc.root, "local/nothing"));
	assert_true(xml_path(doc.root, "local/empty")->empty);
	buf_free(&v);
	xml_free(&doc);
}

static void test_comment_fragment(void **state)
{
	struct xml_doc doc = XML_DOC_INIT, frag = XML_DOC_INIT;
	struct diag d = DIAG_INIT;
	struct xml_node *c;
	struct buf v = BUF_INIT;
	(void)state;

	assert_int_equal(xml_parse("router.xml", router, strlen(router), &doc, &d), 0);
	for (c = xml_child(doc.root, "local")->children; c && c->type != XML_COMMENT; c = c->next)
		;
	assert_non_null(c);
	assert_int_equal(c->line, 9);
	assert_int_equal(xml_parse_fragment(router, c->body_start, c->body_end, c->line, &frag), 0);
	assert_non_null(xml_next(frag.root, "secret") ? xml_next(frag.root, "secret") : frag.root);
	{
		struct xml_node *s = frag.root;
		while (s && s->type != XML_ELEMENT)
			s = s->next;
		assert_string_equal(s->name, "secret");
		assert_int_equal(xml_text(&frag, s, &v), 0);
		assert_string_equal(buf_str(&v), "old");
	}
	/* A comment that is not XML is not an error, just not a fragment. */
	assert_int_equal(xml_parse_fragment("<a>", 0, 3, 1, &(struct xml_doc)XML_DOC_INIT), -EBADMSG);
	/* Prose around a commented-out block: the block is still found. */
	{
		static const char prose[] = "was <this> on? <secret>old2</secret> & done";
		struct xml_doc pf = XML_DOC_INIT;
		struct buf t = BUF_INIT;
		assert_int_equal(xml_parse_fragment(prose, 0, strlen(prose), 1, &pf), 0);
		assert_non_null(pf.root);
		assert_string_equal(pf.root->name, "secret");
		assert_int_equal(xml_text(&pf, pf.root, &t), 0);
		assert_string_equal(buf_str(&t), "old2");
		buf_free(&t);
		xml_free(&pf);
	}
	buf_free(&v);
	xml_free(&frag);
	xml_free(&doc);
}

/* Every nasty secret set as element text must read back exactly, through Expat and through us. */
static void test_set_text_round_trip(void **state)
{
	static const char *const secrets[] = { "q\"uote", "lt<amp&gt>", "cdata]]>end", "#%'", "r\xc3\xa9\xe2\x82\xac",
					       "tab\tin", "]]]]>", "&amp;" };
	(void)state;
	for (size_t i = 0; i < sizeof(secrets) / sizeof(*secrets); i++) {
		struct xml_doc doc = XML_DOC_INIT, again = XML_DOC_INIT;
		struct diag d = DIAG_INIT;
		struct buf out = BUF_INIT, v = BUF_INIT;
		const char *names[] = { "local/secret", "local/empty" };
		for (size_t k = 0; k < 2; k++) {
			assert_int_equal(xml_parse("r.xml", router, strlen(router), &doc, &d), 0);
			assert_int_equal(xml_set_text(&doc, xml_path(doc.root, names[k]), secrets[i], strlen(secrets[i]), &out), 0);
			assert_int_equal(xml_parse("r.xml", out.data, out.len, &again, &d), 0);
			assert_int_equal(xml_text(&again, xml_path(again.root, names[k]), &v), 0);
			assert_string_equal(buf_str(&v), secrets[i]);
			/* Everything before the edited element is byte-identical. */
			assert_memory_equal(out.data, router, xml_path(doc.root, names[k])->start);
			xml_free(&doc);
			xml_free(&again);
			buf_truncate(&out, 0);
			buf_truncate(&v, 0);
		}
		buf_free(&out);
		buf_free(&v);
	}
}

static void expect_refused(const char *text, size_t len, const char *msg)
{
	struct xml_doc doc = XML_DOC_INIT;
	struct diag d = DIAG_INIT;
	assert_int_equal(xml_parse("bad.xml", text, len, &doc, &d), -EBADMSG);
	if (!strstr(d.msg, msg))
		fail_msg("message \"%s\" lacks \"%s\"", d.msg, msg);
	assert_null(doc.root);
}

static void test_refusals(void **state)
{
	static const char entity[] = "<!DOCTYPE r [<!ENTITY x \"boom\">]>\n<r>&x;</r>\n";
	static const char latin1[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<r>\xe9</r>\n";
	(void)state;
	expect_refused("<a>\n<b>\n</a>\n", 13, "bad.xml:3:");
	expect_refused("<a>&nope;</a>", 13, "bad.xml:1:");
	expect_refused(entity, strlen(entity), "bad.xml:1: has a <!DOCTYPE>");
	expect_refused("<a>\0</a>", 8, "contains a NUL byte");
	expect_refused(latin1, strlen(latin1), "only UTF-8 is edited");
	expect_refused("", 0, "bad.xml:");
	expect_refused("<a></a><b/>", 11, "bad.xml:1:");
}

static void test_escape_and_indent(void **state)
{
	struct buf b = BUF_INIT;
	const char *start;
	(void)state;
	assert_int_equal(xml_escape_text("a<&>\"'", 6, &b), 0);
	assert_string_equal(buf_str(&b), "a&lt;&amp;&gt;\"'");
	buf_truncate(&b, 0);
	assert_int_equal(xml_escape_attr("a\"<\n", 4, &b), 0);
	assert_string_equal(buf_str(&b), "a&quot;&lt;&#10;");
	assert_int_equal(xml_indent(router, (size_t)(strstr(router, "<port>") - router), &start), 4);
	assert_memory_equal(start, "    <port>", 10);
	buf_free(&b);
}

UNIT_TESTS(cmocka_unit_test(test_tree_and_offsets), cmocka_unit_test(test_comment_fragment),
	   cmocka_unit_test(test_set_text_round_trip), cmocka_unit_test(test_refusals),
	   cmocka_unit_test(test_escape_and_indent))
