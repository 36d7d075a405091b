/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/core/xmlstream: an XMPP stream read in any pieces, the XML XMPP forbids refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmlstream.h"

#define HEADER "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' " \
	       "xmlns:stream='http://etherx.jabber.org/streams' from='irc.example.org' id='a1b2'>"

/*
 * Feed TEXT to a reader CHUNK bytes at a time, as a socket would deliver it;
 * the units it gave, as "H" (header), "E:name" per element, "END", in OUT;
 * the error, if any, in ERR.  Returns the last xmlstream_next() result.
 */
static int read_all(const char *text, size_t chunk, char *out, size_t outlen, char *err, size_t errlen)
{
	struct xmlstream s = XMLSTREAM_INIT;
	size_t len = strlen(text), have = 0, pos = 0;
	int rc = XMLSTREAM_MORE;

	out[0] = '\0';
	err[0] = '\0';
	while (rc >= 0) {
		struct xmlstream_elem *e = NULL;
		rc = xmlstream_next(&s, text, have, &pos, &e, err, errlen);
		if (rc == XMLSTREAM_MORE) {
			if (have == len)
				break;
			have = have + chunk > len ? len : have + chunk;
			continue;
		}
		if (rc == XMLSTREAM_HEADER)
			strncat(out, "H ", outlen - strlen(out) - 1);
		else if (rc == XMLSTREAM_ELEMENT) {
			strncat(out, "E:", outlen - strlen(out) - 1);
			strncat(out, e->name, outlen - strlen(out) - 1);
			strncat(out, " ", outlen - strlen(out) - 1);
		} else if (rc == XMLSTREAM_END) {
			strncat(out, "END", outlen - strlen(out) - 1);
			xmlstream_elem_free(e);
			break;
		}
		xmlstream_elem_free(e);
	}
	xmlstream_free(&s);
	return rc;
}

/* The same stream, split at every possible size, reads the same. */
static void test_any_split(void **state)
{
	const char *text = HEADER "<handshake/><iq type='result' id='x'><query xmlns='http://jabber.org/protocol/disco#info'>"
			   "<identity category='conference' type='irc' name='Bib &amp; &#x4E2D;'/></query></iq></stream:stream>";
	char out[256], err[200];
	(void)state;

	for (size_t chunk = 1; chunk <= strlen(text); chunk++) {
		assert_int_equal(read_all(text, chunk, out, sizeof(out), err, sizeof(err)), XMLSTREAM_END);
		assert_string_equal(out, "H E:handshake E:iq END");
	}
}

/* Namespaces resolved, attributes and text decoded, children found. */
static void test_decoded(void **state)
{
	const char *text = HEADER "<iq type='error' id='jd'><error type='cancel'><item-not-found "
			   "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>"
			   "a &lt;b&gt; &quot;c&quot; &apos;d&apos; &#233;</text></error></iq>";
	struct xmlstream s = XMLSTREAM_INIT;
	struct xmlstream_elem *h = NULL, *e = NULL;
	const struct xmlstream_elem *err, *t;
	char why[200];
	size_t pos = 0;
	(void)state;

	assert_int_equal(xmlstream_next(&s, text, strlen(text), &pos, &h, why, sizeof(why)), XMLSTREAM_HEADER);
	assert_true(xmlstream_is(h, "http://etherx.jabber.org/streams", "stream"));
	assert_string_equal(xmlstream_attr_get(h, "id"), "a1b2");
	assert_int_equal(xmlstream_next(&s, text, strlen(text), &pos, &e, why, sizeof(why)), XMLSTREAM_ELEMENT);
	assert_true(xmlstream_is(e, "jabber:component:accept", "iq"));
	assert_string_equal(xmlstream_attr_get(e, "type"), "error");
	assert_null(xmlstream_attr_get(e, "from"));
	err = xmlstream_child(e, NULL, "error");
	assert_non_null(err);
	assert_non_null(xmlstream_child(err, "urn:ietf:params:xml:ns:xmpp-stanzas", "item-not-found"));
	assert_null(xmlstream_child(err, "jabber:client", "item-not-found"));
	t = xmlstream_child(err, NULL, "text");
	assert_string_equal(buf_str(&t->text), "a <b> \"c\" 'd' \xc3\xa9");
	/* Nothing more yet: MORE, nothing consumed. */
	assert_int_equal(xmlstream_next(&s, text, strlen(text), &pos, &e, why, sizeof(why)), XMLSTREAM_MORE);
	assert_int_equal(pos, strlen(text));
	xmlstream_elem_free(h);
	xmlstream_elem_free(e);
	xmlstream_free(&s);
}

static void expect_refused(const char *body, const char *why)
{
	char text[8192], out[256], err[200];
	snprintf(text, sizeof(text), "%s%s", HEADER, body);
	assert_int_equal(read_all(text, 7, out, sizeof(out), err, sizeof(err)), -EBADMSG);
	if (!strstr(err, why))
		fail_msg("expected \"%s\" in \"%s\"", why, err);
}

/* What RFC 6120 section 11 rules out, and what no server sends, refused with a reason. */
static void test_refused(void **state)
{
	char deep[2048] = "";
	char out[256], err[200];
	(void)state;

	expect_refused("<!DOCTYPE x [<!ENTITY a 'b'>]>", "a DTD or processing instruction inside the stream");
	expect_refused("<?pi x?>", "a DTD or processing instruction inside the stream");
	expect_refused("<iq>&xxe;</iq>", "an entity reference XMPP forbids (&xxe;)");
	expect_refused("<iq>&#0;</iq>", "a character reference to a character XML forbids");
	expect_refused("<iq a='1' a2=x/>", "attribute \"a2\" with an unquoted value");
	expect_refused("<iq a='<'/>", "a '<' inside an attribute value");
	expect_refused("<iq>\x01</iq>", "a control character (0x01)");
	expect_refused("<iq>\xff\xfe</iq>", "invalid UTF-8");
	expect_refused("<x:iq/>", "tag <x:iq> uses an undeclared prefix");
	expect_refused("<iq></query>", "</query> does not close <iq>");
	for (int i = 0; i <= XMLSTREAM_MAX_DEPTH; i++)
		strcat(deep, "<a>");
	expect_refused(deep, "elements nested deeper than 16");
	/* Not a stream at all. */
	assert_int_equal(read_all("HTTP/1.1 400 Bad Request\r\n", 5, out, sizeof(out), err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "not an XML stream"));
	assert_int_equal(read_all("<html><body>", 5, out, sizeof(out), err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "not an XMPP stream: the first tag is <html>"));
}

UNIT_TESTS(cmocka_unit_test(test_any_split), cmocka_unit_test(test_decoded), cmocka_unit_test(test_refused))
