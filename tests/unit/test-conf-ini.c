/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of conf-ini: each dialect reads what its program reads, refuses what it refuses, edits in place. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "conf-ini.h"

static int parse(const char *text, enum ini_dialect dialect, struct ini_file *f, struct diag *d)
{
	return ini_parse("t.cfg", text, strlen(text), dialect, f, d);
}

static void test_boost(void **state)
{
	const char *text = "# Spectrum\n[service]\njid = icq.example.org  # the JID\npassword = s3cret\n"
			   "port=5347\n\n[database]\npassword = other\n";
	struct ini_file f = INI_FILE_INIT;
	struct diag d = DIAG_INIT;
	const struct ini_entry *e;
	(void)state;

	assert_int_equal(parse(text, INI_BOOST, &f, &d), 0);
	e = ini_get(&f, "service", "jid");
	assert_non_null(e);
	assert_string_equal(e->value, "icq.example.org");
	assert_int_equal(e->line, 3);
	assert_string_equal(ini_get(&f, "service", "password")->value, "s3cret");
	assert_string_equal(ini_get(&f, "database", "password")->value, "other");
	assert_string_equal(ini_get(&f, "service", "port")->value, "5347");
	assert_null(ini_get(&f, "service", "server"));
	assert_non_null(ini_unwritable(&f, "a#b"));
	assert_null(ini_unwritable(&f, "a%b"));
	ini_free(&f);
}

static void test_boost_refusals(void **state)
{
	struct ini_file f = INI_FILE_INIT;
	struct diag d = DIAG_INIT;
	(void)state;

	assert_int_equal(parse("[service]\njid = a\njid = b\n", INI_BOOST, &f, &d), -EBADMSG);
	assert_string_equal(d.msg, "t.cfg:3: service.jid is set twice (first on line 2; boost refuses that)");
	diag_clear(&d);
	assert_int_equal(parse("[service]\njust words\n", INI_BOOST, &f, &d), -EBADMSG);
	assert_string_equal(d.msg, "t.cfg:2: not a \"key = value\" line (boost refuses the file)");
	diag_clear(&d);
	assert_int_equal(parse("[s]\nk = v\0x\n", INI_BOOST, &f, &d), 0); /* strlen stops at the NUL */
	ini_free(&f);
	assert_int_equal(ini_parse("t.cfg", "[s]\nk = v\0x\n", 10, INI_BOOST, &f, &d), -EBADMSG);
	assert_string_equal(d.msg, "t.cfg:2: contains a NUL byte");
}

static void test_configparser(void **state)
{
	const char *text = "[DEFAULT]\nport = 5347\n\n[main]\nName: mrim.example.org\npassword = 50%%off\n"
			   "; a comment\n  # indented comment\nref = %(name)s\nbad = 5%\nlong = one\n  two\n";
	struct ini_file f = INI_FILE_INIT;
	struct diag d = DIAG_INIT;
	const struct ini_entry *e;
	(void)state;

	assert_int_equal(parse(text, INI_CONFIGPARSER, &f, &d), 0);
	assert_string_equal(ini_get(&f, "main", "name")->value, "mrim.example.org");
	assert_string_equal(ini_get(&f, "main", "password")->value, "50%off");
	e = ini_get(&f, "main", "port");
	assert_non_null(e);
	assert_string_equal(e->section, "DEFAULT");
	assert_true(ini_get(&f, "main", "ref")->interpolated);
	assert_true(ini_get(&f, "main", "bad")->interpolated);
	assert_false(ini_get(&f, "main", "password")->interpolated);
	assert_true(ini_get(&f, "main", "long")->multiline);
	ini_free(&f);
}

static void test_configparser_refusals(void **state)
{
	struct ini_file f = INI_FILE_INIT;
	struct diag d = DIAG_INIT;
	(void)state;

	assert_int_equal(parse("name = x\n[main]\n", INI_CONFIGPARSER, &f, &d), -EBADMSG);
	assert_string_equal(d.msg, "t.cfg:1: a key before the first [section] (configparser refuses that)");
	diag_clear(&d);
	assert_int_equal(parse("[main]\nname = x\nNAME = y\n", INI_CONFIGPARSER, &f, &d), -EBADMSG);
	assert_string_equal(d.msg, "t.cfg:3: NAME is set twice in [main] (first on line 2; configparser refuses that)");
	diag_clear(&d);
	assert_int_equal(parse("[main]\n[main]\n", INI_CONFIGPARSER, &f, &d), -EBADMSG);
	assert_string_equal(d.msg, "t.cfg:2: section [main] appears twice (configparser refuses that)");
	diag_clear(&d);
	assert_int_equal(parse("[main]\nno delimiter\n", INI_CONFIGPARSER, &f, &d), -EBADMSG);
	assert_string_equal(d.msg, "t.cfg:2: not a \"key = value\" line");
}

static void test_configargparse(void **state)
{
	const char *text = "# slidge\n[ignored]\njid=wa.example.org\nsecret: \"quoted value\" # comment\n"
			   "server localhost ; c\nflag\nempty=\n---\njid=later.example.org\n";
	struct ini_file f = INI_FILE_INIT;
	struct diag d = DIAG_INIT;
	(void)state;

	assert_int_equal(parse(text, INI_CONFIGARGPARSE, &f, &d), 0);
	assert_string_equal(ini_get(&f, "", "jid")->value, "later.example.org");
	assert_int_equal(ini_get(&f, "", "jid")->line, 9);
	assert_string_equal(ini_get(&f, "whatever", "secret")->value, "quoted value");
	assert_string_equal(ini_get(&f, "", "server")->value, "localhost");
	assert_string_equal(ini_get(&f, "", "flag")->value, "true");
	assert_string_equal(ini_get(&f, "", "empty")->value, "");
	assert_non_null(ini_unwritable(&f, "a #b"));
	assert_non_null(ini_unwritable(&f, "'q'"));
	assert_null(ini_unwritable(&f, "a#b"));
	ini_free(&f);
}

/* Set KEY in SECTION and return the new text (static buffer). */
static const char *set(const char *text, enum ini_dialect dialect, const char *section, const char *key,
		       const char *value)
{
	static char result[1024];
	struct ini_file f = INI_FILE_INIT;
	struct diag d = DIAG_INIT;
	struct buf out = BUF_INIT;

	assert_int_equal(parse(text, dialect, &f, &d), 0);
	assert_int_equal(ini_set(text, strlen(text), &f, section, key, value, &out), 0);
	snprintf(result, sizeof(result), "%s", buf_str(&out));
	buf_free(&out);
	ini_free(&f);
	return result;
}

static void test_set(void **state)
{
	(void)state;
	/* In place, comment and spacing kept. */
	assert_string_equal(set("[service]\npassword = old  # c\nport = 1\n", INI_BOOST, "service", "password", "new"),
			    "[service]\npassword = new  # c\nport = 1\n");
	/* Missing key: after the last line of its section, not at the end of the file. */
	assert_string_equal(set("[service]\njid = a\n\n[db]\nx = 1\n", INI_BOOST, "service", "port", "5242"),
			    "[service]\njid = a\nport = 5242\n\n[db]\nx = 1\n");
	/* Missing section: appended. */
	assert_string_equal(set("[db]\nx = 1", INI_BOOST, "service", "port", "5242"),
			    "[db]\nx = 1\n\n[service]\nport = 5242\n");
	/* configparser: '%' doubled, keys matched without case. */
	assert_string_equal(set("[main]\nPassword = a\n", INI_CONFIGPARSER, "main", "password", "5%"),
			    "[main]\nPassword = 5%%\n");
	/* configargparse: quotes replaced along with the value. */
	assert_string_equal(set("secret = 'old' # c\n", INI_CONFIGARGPARSE, "", "secret", "new"),
			    "secret = new # c\n");
	assert_string_equal(set("jid=a\n", INI_CONFIGARGPARSE, "", "port", "5246"), "jid=a\nport=5246\n");
}

static void test_set_refused(void **state)
{
	const char *text = "[main]\nlong = a\n  b\n";
	struct ini_file f = INI_FILE_INIT;
	struct diag d = DIAG_INIT;
	struct buf out = BUF_INIT;
	(void)state;

	assert_int_equal(parse(text, INI_CONFIGPARSER, &f, &d), 0);
	assert_int_equal(ini_set(text, strlen(text), &f, "main", "long", "x", &out), -EINVAL);
	assert_int_equal(ini_set(text, strlen(text), &f, "main", "k", "two\nlines", &out), -EINVAL);
	assert_int_equal(ini_set(text, strlen(text), &f, "main", "k", " blank", &out), -EINVAL);
	assert_int_equal(ini_set(text, strlen(text), &f, "", "k", "v", &out), -EINVAL);
	buf_free(&out);
	ini_free(&f);
}

UNIT_TESTS(cmocka_unit_test(test_boost), cmocka_unit_test(test_boost_refusals),
	   cmocka_unit_test(test_configparser), cmocka_unit_test(test_configparser_refusals),
	   cmocka_unit_test(test_configargparse), cmocka_unit_test(test_set), cmocka_unit_test(test_set_refused))
