/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of descriptor: strict parsing, placeholders, reading and adopting values in each format. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit.h"

#include "descriptor.h"
#include "sandbox.h"

static int parse(const char *text, struct descriptor *dsc, struct diag *d)
{
	return descriptor_parse("/x/desc", text, strlen(text), dsc, d);
}

static void expect_refused(const char *text, const char *msg)
{
	struct descriptor dsc = DESCRIPTOR_INIT;
	struct diag d = DIAG_INIT;
	assert_int_equal(parse(text, &dsc, &d), -EBADMSG);
	assert_string_equal(d.msg, msg);
}

static void test_parse(void **state)
{
	struct descriptor dsc = DESCRIPTOR_INIT;
	struct diag d = DIAG_INIT;
	(void)state;

	assert_int_equal(parse("#!/usr/lib/jabber-dispatch/describe\nformat=ini\nini-dialect=boost\nconfig=/etc/s.cfg\n"
			       "host=service.jid\nport=service.port\nsecret=service.password\nexample-secret=a\n"
			       "example-secret=b\n",
			       &dsc, &d),
			 0);
	assert_string_equal(dsc.name, "desc");
	assert_int_equal(dsc.format, DESCRIPTOR_INI);
	assert_int_equal(dsc.dialect, INI_BOOST);
	assert_string_equal(dsc.config, "/etc/s.cfg");
	assert_int_equal(dsc.example_secrets.n, 2);
	assert_int_equal(dsc.secret_max, 0);
	descriptor_free(&dsc);
	assert_int_equal(parse("format=xml\nconfig=/c\nhost=/a\nport=/b\nsecret=/c\nsecret-max=15\n", &dsc, &d), 0);
	assert_int_equal(dsc.secret_max, 15);
	descriptor_free(&dsc);
}

static void test_refused(void **state)
{
	(void)state;
	expect_refused("format=kv\nconfig=/c\nhost=h\nport=p\nsecret=s\ncolour=blue\n", "/x/desc:6: unknown key \"colour\"");
	expect_refused("format=kv\nformat=kv\n", "/x/desc:2: format= given twice (first on line 1)");
	expect_refused("format=json\n", "/x/desc:1: format= takes kv, ini or xml");
	expect_refused("config=/c\nhost=h\nport=p\nsecret=s\n", "/x/desc: no format= line");
	expect_refused("format=kv\nconfig=/c\nport=p\nsecret=s\n", "/x/desc: no host= line");
	expect_refused("format=kv\nconfig=/c\nhost=h\nsecret=s\n", "/x/desc: no port= or default-port= line");
	expect_refused("format=kv\nconfig=/c\nhost=h\nport=p\n", "/x/desc: give exactly one of secret= and secret-file=");
	expect_refused("format=kv\nconfig=c\nhost=h\nport=p\nsecret=s\n", "/x/desc:2: config= takes an absolute path");
	expect_refused("format=xml\nconfig=/c\nhost=jcr/name\nport=/p\nsecret=/s\n",
		       "/x/desc:3: \"jcr/name\" is not a key of format xml (/element/path[@attribute])");
	expect_refused("format=xml\nconfig=/c\nhost=/a[b\nport=/p\nsecret=/s\n",
		       "/x/desc:3: \"/a[b\" is not a key of format xml (/element/path[@attribute])");
	expect_refused("format=kv\nconfig=/c\nhost=a.b\nport=p\nsecret=s\n", "/x/desc:3: \"a.b\" is not a key of format kv");
	expect_refused("format=kv\nconfig=/c\nhost= h\n", "/x/desc:3: host= has blanks around its value");
	expect_refused("format=kv\nconfig=/c\nhost=\n", "/x/desc:3: host= is empty");
	expect_refused("format=kv\nconfig=/c\nhost=h\ndefault-port=0\n", "/x/desc:4: default-port= is not a port number (1-65535)");
	expect_refused("format=kv\nconfig=/c\nhost=h\nport=p\nsecret=s\nini-dialect=boost\n",
		       "/x/desc:6: ini-dialect= goes with format=ini, and only there");
	expect_refused("format=kv\nconfig = /c\n", "/x/desc:2: no blank is allowed before '='");
	expect_refused("format=kv\nconfig=/c\nhost=h\nport=p\nsecret=s\nsecret-max=015\n",
		       "/x/desc:6: secret-max= takes a number of bytes from 1 to 1024");
	expect_refused("format=kv\nconfig=/c\nhost=h\nport=p\nsecret=s\nsecret-max=2000\n",
		       "/x/desc:6: secret-max= takes a number of bytes from 1 to 1024");
}

static void test_placeholders(void **state)
{
	const char *yes[] = { "$TRANSPORT_SECRET", "j2j.$DOMAIN_NAME", "${x}", "{{{{host}}}}", "@SECRET@",
			      "--PLUGIN--.example.com", "CHANGE-ME-TO-SOMETHING-SAFE", "SECRET", "SERVICE_DOMAIN",
			      "$protocol.example.com", "%(name)s" };
	const char *no[] = { "secret", "icq.example.org", "s3cr3t$", "a$1", "Passw0rd", "ABC", "k4m-s3cret", "x@y.z" };
	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++)
		assert_true(descriptor_placeholder(yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++)
		assert_false(descriptor_placeholder(no[i]));
}

/* The protocol allows '$' (and '@', '{', capitals) inside a secret: only a whole placeholder is refused. */
static void test_secret_placeholders(void **state)
{
	const char *yes[] = { "$TRANSPORT_SECRET", "${secret}", "$(pwgen 16 1)", "{{ secret }}", "@SECRET@",
			      "CHANGE-ME", "CHANGEME", "SECRET", "%(secret)s" };
	const char *no[] = { "pa$$word", "$ecret", "s3cr$t", "a$1", "$", "$$", "x${y", "p@ss@", "{{x",
			     "Secret$VAR", "j2j.$DOMAIN_NAME", "ABC" };
	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++)
		assert_true(descriptor_secret_placeholder(yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++)
		assert_false(descriptor_secret_placeholder(no[i]));
}

/* The text of REL inside the sandbox. */
static const char *text_of(struct sandbox *sb, const char *rel)
{
	static struct buf text = BUF_INIT;
	sandbox_get(sb, rel, &text);
	return buf_str(&text);
}

/* Read DESC_TEXT's config inside the sandbox; returns rc, fills C. */
static int read_with(struct sandbox *sb, const char *desc_text, struct component *c, struct diag *d)
{
	struct descriptor dsc = DESCRIPTOR_INIT;
	int rc;
	assert_int_equal(parse(desc_text, &dsc, d), 0);
	rc = descriptor_read(&dsc, &sb->r, dsc.config, c, d);
	descriptor_free(&dsc);
	return rc;
}

static int set_with(struct sandbox *sb, const char *desc_text, unsigned port, const char *secret, struct diag *d)
{
	struct descriptor dsc = DESCRIPTOR_INIT;
	struct changeset cs = CHANGESET_INIT;
	struct buf s = BUF_INIT_SENSITIVE;
	struct secret view;
	enum result result;
	int rc;
	assert_int_equal(parse(desc_text, &dsc, d), 0);
	if (secret)
		assert_int_equal(buf_puts(&s, secret), 0);
	view = secret_of(&s);
	rc = descriptor_set(&dsc, &sb->r, dsc.config, port, secret ? &view : NULL, &cs, &result, d);
	if (rc == 0)
		rc = changeset_commit(&cs, &sb->r, d);
	changeset_free(&cs);
	buf_free(&s);
	descriptor_free(&dsc);
	return rc;
}

#define MUC "format=xml\nconfig=/muc.xml\nhost=/jcr/name\nport=/jcr/port\nsecret=/jcr/secret\nexample-secret=secret\n"

static void test_xml(void **state)
{
	struct sandbox *sb = *state;
	struct component c = COMPONENT_INIT;
	struct diag d = DIAG_INIT;

	sandbox_put(sb, "/muc.xml", "<jcr>\n  <name> muc.example.org\n</name> <!-- x -->\n  <port>5242</port>\n"
				    "  <secret>a&amp;b</secret>\n</jcr>\n", 0644);
	assert_int_equal(read_with(sb, MUC, &c, &d), 0);
	assert_string_equal(c.host, "muc.example.org");
	assert_int_equal(c.port, 5242);
	assert_string_equal(buf_str(&c.secret), "a&b");
	assert_int_equal(set_with(sb, MUC, 5347, "x<y", &d), 0);
	assert_string_equal(text_of(sb, "/muc.xml"), "<jcr>\n  <name> muc.example.org\n</name> <!-- x -->\n"
							 "  <port>5347</port>\n  <secret>x&lt;y</secret>\n</jcr>\n");
	/* the example secret means "not configured" */
	sandbox_put(sb, "/muc.xml", "<jcr><name>m.example.org</name><port>5347</port><secret>secret</secret></jcr>", 0644);
	diag_clear(&d);
	assert_int_equal(read_with(sb, MUC, &c, &d), -ENODATA);
	/* an attribute, and a step with a predicate */
	sandbox_put(sb, "/jit.xml", "<jabber><service id='icq.example.org'/><service id='l'><uplink/>"
				    "<connect><port>5240</port><secret>s3</secret></connect></service></jabber>", 0644);
	diag_clear(&d);
	assert_int_equal(read_with(sb, "format=xml\nconfig=/jit.xml\nhost=/jabber/service[!uplink]@id\n"
				       "port=/jabber/service[uplink]/connect/port\nsecret=/jabber/service[uplink]/connect/secret\n",
				   &c, &d),
			 0);
	assert_string_equal(c.host, "icq.example.org");
	assert_int_equal(c.port, 5240);
	component_free(&c);
}

static void test_ini_fallback_and_secret_file(void **state)
{
	struct sandbox *sb = *state;
	struct component c = COMPONENT_INIT;
	struct diag d = DIAG_INIT;
	const char *slidge = "format=ini\nini-dialect=configargparse\nconfig=/gw.conf\nfallback-config=/common.conf\n"
			     "host=jid\nport=port\ndefault-port=5347\nsecret=secret\n";
	const char *sms = "format=ini\nini-dialect=configparser\nconfig=/s.ini\nhost=XMPP.component_jid\n"
			  "default-host=sms4you.localhost\nport=XMPP.port\ndefault-port=5347\n"
			  "secret-file=XMPP.component_password_file\nsecret-file-default=/pw\n";

	sandbox_put(sb, "/gw.conf", "jid=wa.example.org\nsecret=abc\n", 0644);
	sandbox_put(sb, "/common.conf", "server=localhost\nport=5246\n", 0644);
	assert_int_equal(read_with(sb, slidge, &c, &d), 0);
	assert_int_equal(c.port, 5246);
	/* the adopted port goes to the gateway's own file, which then wins */
	assert_int_equal(set_with(sb, slidge, 5999, NULL, &d), 0);
	assert_string_equal(text_of(sb, "/gw.conf"), "jid=wa.example.org\nsecret=abc\nport=5999\n");
	assert_string_equal(text_of(sb, "/common.conf"), "server=localhost\nport=5246\n");

	sandbox_put(sb, "/s.ini", "[XMPP]\n#component_jid = x\n", 0644);
	diag_clear(&d);
	assert_int_equal(read_with(sb, sms, &c, &d), -ENODATA);
	assert_string_equal(d.msg, "/pw: no such file (it holds the secret)");
	assert_int_equal(set_with(sb, sms, 0, "n3w", &d), 0);
	assert_string_equal(text_of(sb, "/pw"), "n3w\n");
	assert_string_equal(text_of(sb, "/s.ini"), "[XMPP]\n#component_jid = x\n");
	diag_clear(&d);
	assert_int_equal(read_with(sb, sms, &c, &d), 0);
	assert_string_equal(c.host, "sms4you.localhost");
	assert_string_equal(buf_str(&c.secret), "n3w");
	component_free(&c);
}

UNIT_TESTS(cmocka_unit_test(test_parse), cmocka_unit_test(test_refused), cmocka_unit_test(test_placeholders),
	   cmocka_unit_test(test_secret_placeholders), UNIT_SANDBOX(test_xml),
	   UNIT_SANDBOX(test_ini_fallback_and_secret_file))
