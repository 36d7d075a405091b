/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/conf-kv: parsing biboumi.cfg-style key=value files and refusing mistakes. */
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

#include "conf-kv.h"
#include "diag.h"

#define PATH "/etc/biboumi/biboumi.cfg"

/* Debian's stock /etc/biboumi/biboumi.cfg (biboumi 9.0-5), byte for byte. */
static const char stock_biboumi[] =
	"# This is an example configuration for the biboumi component.\n"
	"# It only contains the default values.\n"
	"# You need to, at least, set the values for hostname and password, if you\n"
	"# want biboumi to be able to start\n"
	"\n"
	"hostname=\n"
	"password=\n"
	"xmpp_server_ip=127.0.0.1\n"
	"port=5347\n"
	"admin=\n"
	"realname_customization=true\n"
	"realname_from_jid=false\n"
	"log_file=\n"
	"ca_file=\n"
	"outgoing_bind=\n"
	"log_level=1\n";

static void parse_ok(const char *text, size_t len, struct kv_file *f)
{
	struct diag d = DIAG_INIT;
	int rc = kv_parse(PATH, text, len, f, &d);
	if (rc != 0)
		fail_msg("kv_parse: %d %s", rc, d.msg);
	assert_false(diag_is_set(&d));
}

static void assert_entry(const struct kv_file *f, const char *key, const char *value, unsigned line)
{
	const struct kv_entry *e = kv_get(f, key);
	if (!e)
		fail_msg("no key \"%s\"", key);
	assert_string_equal(e->key, key);
	assert_string_equal(e->value, value);
	assert_int_equal(e->line, line);
}

static void test_stock_biboumi(void **state)
{
	struct kv_file f = KV_FILE_INIT;
	static const char *const keys[] = { "hostname", "password", "xmpp_server_ip", "port", "admin",
					     "realname_customization", "realname_from_jid", "log_file",
					     "ca_file", "outgoing_bind", "log_level" };
	(void)state;

	parse_ok(stock_biboumi, strlen(stock_biboumi), &f);
	assert_int_equal(f.n, 11);
	for (size_t i = 0; i < f.n; i++) {
		assert_string_equal(f.v[i].key, keys[i]); /* in file order */
		assert_int_equal(f.v[i].line, 6 + i);
	}
	assert_entry(&f, "hostname", "", 6);
	assert_entry(&f, "password", "", 7);
	assert_entry(&f, "xmpp_server_ip", "127.0.0.1", 8);
	assert_entry(&f, "port", "5347", 9);
	assert_entry(&f, "realname_from_jid", "false", 12);
	assert_entry(&f, "log_level", "1", 16);
	assert_null(kv_get(&f, "This"));
	assert_null(kv_get(&f, "#"));
	assert_null(kv_get(&f, "Hostname"));
	assert_null(kv_get(&f, "host"));
	kv_free(&f);
	assert_null(f.v);
	assert_int_equal(f.n, 0);
	kv_free(&f); /* twice is safe */
}

static void test_comments_and_blank_lines(void **state)
{
	struct kv_file f = KV_FILE_INIT;
	const char text[] = "#hostname=commented.example.org\n"
			    "\n"
			    "# password = a comment may say anything\n"
			    "#\n"
			    "\n"
			    "hostname=irc.example.org\n"
			    "#port=1\n";
	(void)state;

	parse_ok(text, strlen(text), &f);
	assert_int_equal(f.n, 1);
	assert_entry(&f, "hostname", "irc.example.org", 6);
	assert_null(kv_get(&f, "port"));
	assert_null(kv_get(&f, "password"));
	kv_free(&f);

	/* Only comments, or nothing at all. */
	parse_ok("# nothing\n", 10, &f);
	assert_int_equal(f.n, 0);
	assert_null(kv_get(&f, "x"));
	kv_free(&f);
	parse_ok("", 0, &f);
	assert_int_equal(f.n, 0);
	kv_free(&f);
}

static void test_last_key_wins(void **state)
{
	struct kv_file f = KV_FILE_INIT;
	const char text[] = "port=1\nhostname=a.example\nport=2\n#port=4\nport=3\nhostname=b.example";
	(void)state;

	parse_ok(text, strlen(text), &f);
	assert_int_equal(f.n, 5); /* read without loss: every entry kept */
	assert_entry(&f, "port", "3", 5);
	assert_entry(&f, "hostname", "b.example", 6); /* no final newline */
	assert_string_equal(f.v[0].value, "1");
	assert_string_equal(f.v[2].value, "2");
	kv_free(&f);
}

static void test_crlf(void **state)
{
	struct kv_file f = KV_FILE_INIT;
	const char text[] = "# made on Windows\r\nhostname=irc.example.org\r\n\r\npassword=s3cr3t\r\nport=5347";
	(void)state;

	parse_ok(text, strlen(text), &f);
	assert_int_equal(f.n, 3);
	assert_entry(&f, "hostname", "irc.example.org", 2);
	assert_entry(&f, "password", "s3cr3t", 4);
	assert_entry(&f, "port", "5347", 5);
	kv_free(&f);
}

static void test_values_as_they_are(void **state)
{
	struct kv_file f = KV_FILE_INIT;
	const char text[] = "password=a=b==\n"
			    "realname=Foo Bar # not a comment\n"
			    "admin= spaced \n"
			    "log_file=/var/log/biboumi/biboumi.log\n"
			    "ca_file=\"quoted\"\n"
			    "policy_directory=\xc3\xa9t\xc3\xa9\n"
			    "a.b-c_D9=\tx\n"
			    "x=\r\r\n";
	(void)state;

	parse_ok(text, strlen(text), &f);
	assert_int_equal(f.n, 8);
	assert_entry(&f, "password", "a=b==", 1);
	assert_entry(&f, "realname", "Foo Bar # not a comment", 2);
	assert_entry(&f, "admin", " spaced ", 3);
	assert_entry(&f, "log_file", "/var/log/biboumi/biboumi.log", 4);
	assert_entry(&f, "ca_file", "\"quoted\"", 5);
	assert_entry(&f, "policy_directory", "\xc3\xa9t\xc3\xa9", 6);
	assert_entry(&f, "a.b-c_D9", "\tx", 7);
	assert_entry(&f, "x", "\r", 8); /* only the one '\r' of the line end is dropped */
	kv_free(&f);
}

/* Parse TEXT (LEN bytes), expect a refusal with exactly WANT as the message. */
static void refused_len(const char *text, size_t len, const char *want)
{
	struct kv_file f = KV_FILE_INIT;
	struct diag d = DIAG_INIT;
	int rc = kv_parse(PATH, text, len, &f, &d);
	if (rc == 0) {
		kv_free(&f);
		fail_msg("accepted: \"%.*s\" (expected \"%s\")", (int)len, text, want);
	}
	assert_int_equal(rc, -EBADMSG);
	assert_string_equal(d.msg, want);
	assert_null(f.v); /* the caller's struct is left alone */
}
#define refused(text, want) refused_len((text), strlen(text), (want))

static void test_refusals(void **state)
{
	(void)state;
	refused("hostname = x\n", PATH ":1: no blank is allowed before '='");
	refused("port=5347\n\nhostname =x\n", PATH ":3: no blank is allowed before '='");
	refused("hostname\t=x\n", PATH ":1: no blank is allowed before '='");
	refused(" hostname=x\n", PATH ":1: a line may not start with a blank");
	refused("port=1\n\thostname=x\n", PATH ":2: a line may not start with a blank");
	refused("# fine\n #not a comment\n", PATH ":2: a line may not start with a blank");
	refused("port=1\nhostname\n", PATH ":2: no '=' on this line");
	refused("port=1\r\nhostname\r\n", PATH ":2: no '=' on this line");
	refused("h\xc3\xb4te=x\n", PATH ":1: not a key=value line");
	refused("host/name=x\n", PATH ":1: not a key=value line");
	refused("[section]\n", PATH ":1: no '=' on this line");
	/* The first error is the one reported. */
	refused("a b\nc d\n", PATH ":1: no '=' on this line");
}

/* A line with no '=' at all must not be told "no blank is allowed before '='". */
static void test_refusal_just_words(void **state)
{
	struct kv_file f = KV_FILE_INIT;
	struct diag d = DIAG_INIT;
	const char text[] = "port=5347\njust words\n";
	(void)state;

	assert_int_equal(kv_parse(PATH, text, strlen(text), &f, &d), -EBADMSG);
	if (strcmp(d.msg, PATH ":2: no '=' on this line") != 0 && strcmp(d.msg, PATH ":2: not a key=value line") != 0)
		fail_msg("\"just words\" refused with \"%s\"; expected \"%s:2: no '=' on this line\" "
			 "(or \"not a key=value line\")",
			 d.msg, PATH);
}

/* "KEY=VALUE with a key of letters, digits, ..." : an empty key is no key. */
static void test_refusal_empty_key(void **state)
{
	struct kv_file f = KV_FILE_INIT;
	struct diag d = DIAG_INIT;
	const char text[] = "port=5347\n=irc.example.org\n";
	int rc;
	(void)state;

	rc = kv_parse(PATH, text, strlen(text), &f, &d);
	if (rc == 0) {
		const struct kv_entry *e = kv_get(&f, "");
		kv_free(&f);
		fail_msg("\"=irc.example.org\" accepted (empty key%s)", e ? ", kv_get(\"\") finds it" : "");
	}
	assert_int_equal(rc, -EBADMSG);
	assert_true(strncmp(d.msg, PATH ":2: ", strlen(PATH ":2: ")) == 0);
}

static void test_nul_byte(void **state)
{
	static const char t1[] = "hostname=a\nport=5347\npassword=x\0y\nadmin=\n";
	static const char t2[] = "\0";
	static const char t3[] = "#\n#\n#\n\n\n# comment with \0 in it\n";
	static const char t4[] = "a=1\r\nb=2\r\n\0";
	(void)state;

	refused_len(t1, sizeof(t1) - 1, PATH ":3: contains a NUL byte");
	refused_len(t2, 1, PATH ":1: contains a NUL byte");
	refused_len(t3, sizeof(t3) - 1, PATH ":6: contains a NUL byte"); /* even in a comment */
	refused_len(t4, sizeof(t4) - 1, PATH ":3: contains a NUL byte");
}

static void test_diag_first_wins(void **state)
{
	struct kv_file f = KV_FILE_INIT;
	struct diag d = DIAG_INIT;
	(void)state;

	/* An earlier message in D is kept: kv_parse reports through diag_set. */
	diag_set(&d, EINVAL, 0, "earlier");
	assert_int_equal(kv_parse(PATH, "a b=1", 5, &f, &d), -EBADMSG);
	assert_string_equal(d.msg, "earlier");
	/* A NULL diag is allowed by diag_set. */
	assert_int_equal(kv_parse(PATH, "a b=1", 5, &f, NULL), -EBADMSG);
}

/* value_start/value_end locate each value in the text, CR excluded. */
static void test_value_offsets(void **state)
{
	struct kv_file f = KV_FILE_INIT;
	const char text[] = "# c\nhostname=irc.example.org\r\npassword=\nport=5347";
	(void)state;

	parse_ok(text, strlen(text), &f);
	assert_int_equal(f.n, 3);
	for (size_t i = 0; i < f.n; i++) {
		const struct kv_entry *e = &f.v[i];
		assert_true(e->value_start <= e->value_end);
		assert_int_equal(e->value_end - e->value_start, strlen(e->value));
		assert_memory_equal(text + e->value_start, e->value, strlen(e->value));
		assert_int_equal(text[e->value_start - 1], '=');
	}
	assert_int_equal(f.v[0].value_start, 13);
	assert_int_equal(f.v[0].value_end, 28);
	assert_int_equal(f.v[1].value_start, f.v[1].value_end); /* empty value */
	assert_int_equal(f.v[2].value_end, strlen(text));
	kv_free(&f);
}

/* kv_set on TEXT, then parse the result: KEY must read back as VALUE. */
static void set_is(const char *text, const char *key, const char *value, const char *want)
{
	struct kv_file f = KV_FILE_INIT, g = KV_FILE_INIT;
	struct buf out = BUF_INIT;

	parse_ok(text, strlen(text), &f);
	assert_int_equal(kv_set(text, strlen(text), &f, key, value, &out), 0);
	assert_string_equal(buf_str(&out), want);
	parse_ok(out.data, out.len, &g);
	assert_string_equal(kv_get(&g, key)->value, value);
	kv_free(&f);
	kv_free(&g);
	buf_free(&out);
}

static void test_set(void **state)
{
	char *want;
	(void)state;

	/* In place, every other byte kept (comments, order, CRLF, other keys). */
	set_is("# biboumi\nhostname=\nport=5347\n", "hostname", "irc.example.org",
	       "# biboumi\nhostname=irc.example.org\nport=5347\n");
	set_is("a=1\r\npassword=old\r\n# end\r\n", "password", "n3w",
	       "a=1\r\npassword=n3w\r\n# end\r\n");
	set_is("port=1\nport=2\nx=y", "port", "5347", "port=1\nport=5347\nx=y"); /* the one that counts */
	set_is("password=a=b\n", "password", "", "password=\n");
	/* A missing key is appended as a new last line. */
	set_is("port=5347\n", "password", "s3cr3t", "port=5347\npassword=s3cr3t\n");
	set_is("port=5347", "password", "s3cr3t", "port=5347\npassword=s3cr3t\n");
	set_is("", "password", "s3cr3t", "password=s3cr3t\n");
	set_is("#password=commented\n", "password", "x", "#password=commented\npassword=x\n");

	/* The stock file: only the hostname line changes. */
	assert_int_equal(asprintf(&want, "%.*shostname=irc.localhost%s", (int)(strstr(stock_biboumi, "hostname=") - stock_biboumi),
				  stock_biboumi, strstr(stock_biboumi, "hostname=") + 9),
			 (int)strlen(stock_biboumi) + 13);
	set_is(stock_biboumi, "hostname", "irc.localhost", want);
	free(want);
}

UNIT_TESTS(cmocka_unit_test(test_stock_biboumi), cmocka_unit_test(test_comments_and_blank_lines),
	   cmocka_unit_test(test_last_key_wins), cmocka_unit_test(test_crlf),
	   cmocka_unit_test(test_values_as_they_are), cmocka_unit_test(test_refusals),
	   cmocka_unit_test(test_refusal_just_words), cmocka_unit_test(test_refusal_empty_key),
	   cmocka_unit_test(test_nul_byte), cmocka_unit_test(test_diag_first_wins),
	   cmocka_unit_test(test_value_offsets), cmocka_unit_test(test_set))
