/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/conf-hsqldb: HSQLDB .script string literals, line decoding, parsing and refusals. */
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf-hsqldb.h"
#include "diag.h"

#define PATH "/var/lib/openfire/embedded-db/openfire.script"

/* A small script in the shape HSQLDB 2.7 writes for Openfire (tables cut down). */
static const char small[] =
	"SET DATABASE UNIQUE NAME HSQLDB7EA04E2365\n"
	"SET DATABASE SQL NAMES FALSE\n"
	"CREATE USER SA PASSWORD DIGEST 'd41d8cd98f00b204e9800998ecf8427e'\n"
	"CREATE SCHEMA PUBLIC AUTHORIZATION DBA\n"
	"SET SCHEMA PUBLIC\n"
	"CREATE MEMORY TABLE PUBLIC.OFPROPERTY(NAME VARCHAR(100) NOT NULL,PROPVALUE VARCHAR(4000) NOT NULL,"
	"ENCRYPTED INTEGER,IV CHARACTER(24),CONSTRAINT OFPROPERTY_PK PRIMARY KEY(NAME))\n"
	"CREATE MEMORY TABLE PUBLIC.OFEXTCOMPONENTCONF(SUBDOMAIN VARCHAR(255) NOT NULL,WILDCARD INTEGER NOT NULL,"
	"SECRET VARCHAR(255),PERMISSION VARCHAR(10) NOT NULL,CONSTRAINT OFEXTCOMPONENTCONF_PK PRIMARY KEY(SUBDOMAIN))\n"
	"CREATE MEMORY TABLE PUBLIC.OFMUCROOMRETIREE(SERVICEID BIGINT NOT NULL,NAME VARCHAR(50) NOT NULL,"
	"RETIREDAT TIMESTAMP DEFAULT CURRENT_TIMESTAMP,CONSTRAINT OFMUCROOMRETIREE_PK PRIMARY KEY(SERVICEID,NAME))\n"
	"CREATE INDEX OFMUCCONVERSATIONLOG_ROOMTIME_IDX ON OFMUCCONVERSATIONLOG (ROOMID, LOGTIME);\n"
	"SET SCHEMA SYSTEM_LOBS\n"
	"INSERT INTO BLOCKS VALUES(0,2147483647,0)\n"
	"SET SCHEMA PUBLIC\n"
	"INSERT INTO OFPROPERTY VALUES('cache.MUCService''conference''Rooms.size','-1',0,NULL)\n"
	"INSERT INTO OFPROPERTY VALUES('xmpp.domain','example.org',0,NULL)\n"
	"INSERT INTO OFEXTCOMPONENTCONF VALUES('irc',0,'a''b\\u005cu\"c<&]]>#%\\x\\u00e9','allowed')\n"
	"INSERT INTO OFEXTCOMPONENTCONF VALUES('blk',0,NULL,'blocked')\n"
	"INSERT INTO OFMUCROOMRETIREE VALUES(1,'r','2024-01-01 00:00:00.000000')";

static const char *const keep[] = { "OFPROPERTY", "OFEXTCOMPONENTCONF", NULL };

static void quote_is(const char *in, const char *want)
{
	struct buf b = BUF_INIT;
	assert_int_equal(hsqldb_quote(in, strlen(in), &b), 0);
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
}

/* Written as HSQLDB 2.7.1 wrote the same values in a SHUTDOWN of a real database. */
static void test_quote(void **state)
{
	(void)state;
	quote_is("plain", "'plain'");
	quote_is("", "''");
	quote_is("a'b\\u\"c<&]]>#%\\x", "'a''b\\u005cu\"c<&]]>#%\\x'");
	quote_is("\\", "'\\'");
	quote_is("\\\\u", "'\\\\u005cu'");
	quote_is("\xc3\xa9\xe2\x82\xac", "'\\u00e9\\u20ac'");
	quote_is("\xf0\x9f\x98\x80", "'\\ud83d\\ude00'");
	quote_is("\x7f~ ", "'\x7f~ '");
	quote_is("\t", "'\\u0009'");
	struct buf b = BUF_INIT;
	assert_int_equal(hsqldb_quote("\xc3(", 2, &b), -EINVAL);
	assert_int_equal(hsqldb_quote("\xed\xa0\x80", 3, &b), -EINVAL); /* a surrogate in UTF-8 */
	buf_free(&b);
}

static void unescape_is(const char *raw, const char *want, bool want_lossy)
{
	struct buf b = BUF_INIT;
	const char *why = NULL;
	bool lossy = false;
	assert_int_equal(hsqldb_unescape(raw, strlen(raw), &b, &lossy, &why), 0);
	assert_string_equal(buf_str(&b), want);
	assert_int_equal(lossy, want_lossy);
	buf_free(&b);
}

static void test_unescape(void **state)
{
	struct buf b = BUF_INIT;
	const char *why = NULL;
	bool lossy = false;

	(void)state;
	unescape_is("abc", "abc", false);
	unescape_is("\\u00e9x", "\xc3\xa9x", false);
	unescape_is("\\u00E9x", "\xc3\xa9x", false);         /* HSQLDB reads either case */
	unescape_is("\\ud83d\\ude00x", "\xf0\x9f\x98\x80x", false);
	unescape_is("\\u0027x", "'x", false);                /* before SQL parsing: it is a quote */
	unescape_is("x\\u00e", "x\\u00e", false);           /* fewer than 4 characters after it: literal */
	unescape_is("x\\u00e9", "x\xc3\xa9", false);
	unescape_is("x\\u00e9 ", "x\xc3\xa9 ", false);
	unescape_is("\\ud83dx ", "\xef\xbf\xbdx ", true);    /* lone high surrogate */
	unescape_is("\\ude00x ", "\xef\xbf\xbdx ", true);    /* lone low surrogate */
	unescape_is("\xe9", "\xc3\xa9", false);              /* ISO-8859-1 byte */
	unescape_is("\\x\\\\", "\\x\\\\", false);
	assert_int_equal(hsqldb_unescape("\\uzz00 ", 7, &b, &lossy, &why), -EBADMSG);
	assert_non_null(why);
	buf_free(&b);
}

/* quote then parse back as a row: every secret must come back byte for byte. */
static void test_round_trip(void **state)
{
	static const char *const secrets[] = {
		"a", "'", "''", "\\", "\\u", "\\u005c", "\\\\uu", "x\\u00e9", "<&]]>", "#%$=", "\xc3\xa9t\xc3\xa9",
		"\xe2\x82\xac\xf0\x9f\x98\x80", "a\x7f" "b", "sp ace", "\"", "--", "/*C1*/", "u", "\\uzzzz",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		struct buf text = BUF_INIT;
		struct hsqldb_script s = HSQLDB_SCRIPT_INIT;
		struct diag d = DIAG_INIT;
		buf_puts(&text, "SET DATABASE UNIQUE NAME HSQLDB1\nINSERT INTO OFEXTCOMPONENTCONF VALUES('x',0,");
		assert_int_equal(hsqldb_quote(secrets[i], strlen(secrets[i]), &text), 0);
		buf_puts(&text, ",'allowed')\n");
		if (hsqldb_parse(PATH, text.data, text.len, keep, &s, &d) != 0)
			fail_msg("%s: %s", text.data, d.msg);
		assert_int_equal(s.nrows, 1);
		assert_int_equal(s.rows[0].n, 4);
		assert_int_equal(s.rows[0].v[2].type, HSQLDB_STRING);
		assert_int_equal(s.rows[0].v[2].len, strlen(secrets[i]));
		assert_memory_equal(s.rows[0].v[2].text, secrets[i], strlen(secrets[i]));
		hsqldb_free(&s);
		buf_free(&text);
	}
}

static void test_parse(void **state)
{
	struct hsqldb_script s = HSQLDB_SCRIPT_INIT;
	struct diag d = DIAG_INIT;
	const struct hsqldb_table *t;

	(void)state;
	if (hsqldb_parse(PATH, small, strlen(small), keep, &s, &d) != 0)
		fail_msg("%s", d.msg);
	assert_string_equal(s.unique_name, "HSQLDB7EA04E2365");
	assert_int_equal(s.ntables, 3);
	t = hsqldb_table(&s, "PUBLIC", "OFEXTCOMPONENTCONF");
	assert_non_null(t);
	assert_string_equal(t->type, "MEMORY");
	assert_int_equal(t->ncolumns, 4);
	assert_string_equal(t->columns[0], "SUBDOMAIN");
	assert_string_equal(t->columns[3], "PERMISSION");
	assert_int_equal(t->line, 7);
	assert_int_equal(hsqldb_table_index(&s, "PUBLIC", "OFEXTCOMPONENTCONF"), 1);
	t = hsqldb_table(&s, "PUBLIC", "OFMUCROOMRETIREE");
	assert_int_equal(t->ncolumns, 3);
	assert_null(hsqldb_table(&s, "PUBLIC", "OFUSER"));

	assert_int_equal(s.nrows, 6);
	assert_string_equal(s.rows[0].schema, "SYSTEM_LOBS");
	assert_string_equal(s.rows[0].table, "BLOCKS");
	assert_null(s.rows[0].v);
	assert_string_equal(s.rows[1].schema, "PUBLIC");
	assert_string_equal(s.rows[1].v[0].text, "cache.MUCService'conference'Rooms.size");
	assert_int_equal(s.rows[1].v[2].type, HSQLDB_OTHER);
	assert_string_equal(s.rows[1].v[2].text, "0");
	assert_int_equal(s.rows[1].v[3].type, HSQLDB_NULL);
	assert_string_equal(s.rows[3].v[2].text, "a'b\\u\"c<&]]>#%\\x\xc3\xa9");
	assert_int_equal(s.rows[3].line, 15);
	assert_int_equal(s.rows[4].v[2].type, HSQLDB_NULL);
	assert_null(s.rows[5].v);
	/* Byte ranges cover whole lines; the last has no newline. */
	assert_memory_equal(small + s.rows[4].start, "INSERT INTO OFEXTCOMPONENTCONF VALUES('blk'", 43);
	assert_int_equal(small[s.rows[4].end - 1], '\n');
	assert_int_equal(s.rows[5].end, strlen(small));
	assert_string_equal(s.end_schema, "PUBLIC");
	assert_int_equal(s.nlines, 17);
	hsqldb_free(&s);
}

static void refused(const char *text, size_t len, const char *where, const char *why)
{
	struct hsqldb_script s = HSQLDB_SCRIPT_INIT;
	struct diag d = DIAG_INIT;
	assert_int_equal(hsqldb_parse(PATH, text, len, keep, &s, &d), -EBADMSG);
	if (!strstr(d.msg, where) || !strstr(d.msg, why))
		fail_msg("expected \"%s\" and \"%s\" in: %s", where, why, d.msg);
	assert_int_equal(d.exit_code, 65);
	assert_null(s.rows);
}

#define REFUSED(lit, where, why) refused(lit, sizeof(lit) - 1, where, why)
#define HEAD "SET DATABASE UNIQUE NAME HSQLDB1\nSET SCHEMA PUBLIC\n"

static void test_refused(void **state)
{
	(void)state;
	REFUSED(HEAD "INSERT INTO T VALUES('x,0)\n", PATH ":3: ", "unterminated string");
	REFUSED(HEAD "INSERT INTO T VALUES('x\0',0)\n", PATH ":3: ", "NUL byte");
	REFUSED(HEAD "INSERT INTO T VALUES('x',0)\r\n", PATH ":3: ", "carriage return");
	REFUSED(HEAD "INSERT INTO T VALUES('\xc3\xa9',0)\n", PATH ":3: ", "above 0x7f");
	REFUSED(HEAD "INSERT INTO T VALUES('\x01',0)\n", PATH ":3: ", "control character");
	REFUSED(HEAD "\nINSERT INTO T VALUES(1)\n", PATH ":3: ", "empty line");
	REFUSED(HEAD "INSERT INTO T VALUES(1)\nCOMMIT\n", PATH ":4: ", "nothing but INSERT");
	REFUSED(HEAD "INSERT INTO T VALUES(1) x\n", PATH ":3: ", "after the closing parenthesis");
	REFUSED(HEAD "INSERT INTO T VALUES(1,2\n", PATH ":3: ", "not closed");
	REFUSED(HEAD "INSERT INTO T VALUES(1,,2)\n", PATH ":3: ", "empty value");
	REFUSED(HEAD "INSERT INTO T VALUES('\\uq000')\n", PATH ":3: ", "not a hex digit");
	REFUSED(HEAD "INSERT T VALUES(1)\n", PATH ":3: ", "not an INSERT INTO");
	REFUSED(HEAD "INSERT INTO T VALUES 1\n", PATH ":3: ", "expected '('");
	REFUSED(HEAD "INSERT INTO \"T VALUES(1)\n", PATH ":3: ", "unterminated quoted name");
	REFUSED(HEAD "INSERT INTO T VALUES(1)\nSET SCHEMA\n", PATH ":4: ", "without a schema name");
	REFUSED("SET SCHEMA PUBLIC\nINSERT INTO T VALUES(1)\n", PATH ":1: ", "not an HSQLDB 2.x script");
	REFUSED("", PATH ":1: ", "not an HSQLDB 2.x script");
	REFUSED("\x1f\x8b\x08\x00", PATH ":1: ", "compressed");
}

static void test_quoted_names(void **state)
{
	static const char text[] = "SET DATABASE UNIQUE NAME HSQLDB1\n"
				   "CREATE CACHED TABLE \"my\"\"schema\".\"t\"(\"a b\" INTEGER,C VARCHAR(2) DEFAULT 'x,y')\n"
				   "SET SCHEMA \"my\"\"schema\"\n"
				   "INSERT INTO \"t\" VALUES(-1.5E-3,ARRAY['a',NULL],X'00ff')\n";
	static const char *const all[] = { "t", NULL };
	struct hsqldb_script s = HSQLDB_SCRIPT_INIT;
	struct diag d = DIAG_INIT;
	const struct hsqldb_table *t;

	(void)state;
	if (hsqldb_parse(PATH, text, strlen(text), all, &s, &d) != 0)
		fail_msg("%s", d.msg);
	t = hsqldb_table(&s, "my\"schema", "t");
	assert_non_null(t);
	assert_string_equal(t->type, "CACHED");
	assert_int_equal(t->ncolumns, 2);
	assert_string_equal(t->columns[0], "a b");
	assert_string_equal(s.rows[0].schema, "my\"schema");
	assert_int_equal(s.rows[0].n, 3);
	assert_string_equal(s.rows[0].v[0].text, "-1.5E-3");
	assert_string_equal(s.rows[0].v[1].text, "ARRAY['a',NULL]");
	assert_string_equal(s.rows[0].v[2].text, "X'00ff'");
	hsqldb_free(&s);
}

static void test_lossy(void **state)
{
	static const char text[] = "SET DATABASE UNIQUE NAME HSQLDB1\nINSERT INTO OFEXTCOMPONENTCONF VALUES('\\ud800',0,NULL,'allowed')\n";
	struct hsqldb_script s = HSQLDB_SCRIPT_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(hsqldb_parse(PATH, text, strlen(text), keep, &s, &d), 0);
	assert_true(s.rows[0].lossy);
	hsqldb_free(&s);
}

static void test_like(void **state)
{
	(void)state;
	assert_true(hsqldb_like("irc", "irc"));
	assert_true(hsqldb_like("irc", "ir%"));
	assert_true(hsqldb_like("irc", "%"));
	assert_true(hsqldb_like("", "%"));
	assert_true(hsqldb_like("irc", "_rc"));
	assert_true(hsqldb_like("irc", "i%c"));
	assert_true(hsqldb_like("abcbc", "a%bc"));
	assert_true(hsqldb_like("\xc3\xa9x", "_x"));
	assert_true(hsqldb_like("x\xc3\xa9", "%_"));
	assert_false(hsqldb_like("irc", "IRC"));
	assert_false(hsqldb_like("irc", "ir"));
	assert_false(hsqldb_like("irc", "irc_"));
	assert_false(hsqldb_like("", "_"));
	assert_false(hsqldb_like("abcbd", "a%bc"));
}

static void test_char_length(void **state)
{
	(void)state;
	assert_int_equal(hsqldb_char_length("abc", 3), 3);
	assert_int_equal(hsqldb_char_length("\xc3\xa9", 2), 1);
	assert_int_equal(hsqldb_char_length("\xf0\x9f\x98\x80", 4), 2);
	assert_int_equal(hsqldb_char_length("\xff", 1), (size_t)-1);
}

/* A root in a fresh directory, with embedded-db/ made. */
struct tmproot {
	char top[64];
	struct root r;
};

static void put(const struct tmproot *t, const char *name, const void *data, size_t len)
{
	char path[256];
	FILE *f;
	snprintf(path, sizeof(path), "%s/embedded-db/%s", t->top, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void drop(const struct tmproot *t, const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/embedded-db/%s", t->top, name);
	unlink(path);
}

static void heartbeat(const struct tmproot *t, long long offset_ms)
{
	struct timespec now;
	unsigned char b[16] = "HSQLLOCK";
	clock_gettime(CLOCK_REALTIME, &now);
	unsigned long long ms = (unsigned long long)((long long)now.tv_sec * 1000 + now.tv_nsec / 1000000 + offset_ms);
	for (int i = 15; i >= 8; i--, ms >>= 8)
		b[i] = (unsigned char)(ms & 0xff);
	put(t, "db.lck", b, sizeof(b));
}

static int closed(const struct tmproot *t, int want_exit)
{
	struct diag d = DIAG_INIT;
	int rc = hsqldb_check_closed(&t->r, "/embedded-db/db.script", "Openfire", &d);
	assert_int_equal(d.exit_code, want_exit);
	assert_int_equal(rc != 0, diag_is_set(&d));
	return rc;
}

static void test_check_closed(void **state)
{
	struct tmproot t = { "/tmp/jd-hsqldb.XXXXXX", ROOT_INIT };
	struct diag d = DIAG_INIT;
	char dir[128];

	(void)state;
	assert_non_null(mkdtemp(t.top));
	snprintf(dir, sizeof(dir), "%s/embedded-db", t.top);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(safefs_root_open(t.top, &t.r, &d), 0);

	assert_int_equal(closed(&t, 0), 0); /* nothing but the script: a closed database */
	heartbeat(&t, 0);
	assert_int_equal(closed(&t, 75), -EBUSY);
	heartbeat(&t, 5000); /* a clock a little behind the writer's */
	assert_int_equal(closed(&t, 75), -EBUSY);
	heartbeat(&t, -10200); /* older than HSQLDB's 10.1 s: stale, HSQLDB takes it over */
	assert_int_equal(closed(&t, 0), 0);
	put(&t, "db.lck", "", 0);
	assert_int_equal(closed(&t, 0), 0);
	put(&t, "db.lck", "HSQLLOCK", 8);
	assert_int_equal(closed(&t, 65), -EBADMSG);
	drop(&t, "db.lck");

	put(&t, "db.properties", "#HSQL Database Engine 2.7.1\nmodified=no\nversion=2.7.1\n", 54);
	assert_int_equal(closed(&t, 0), 0);
	put(&t, "db.log", "INSERT INTO T VALUES(1)\n", 24); /* HSQLDB deletes it when modified=no */
	assert_int_equal(closed(&t, 0), 0);
	put(&t, "db.properties", "modified=yes\n", 13);
	assert_int_equal(closed(&t, 65), -EBUSY);
	put(&t, "db.properties", "modified=yes-new-files\n", 23);
	assert_int_equal(closed(&t, 65), -EBUSY);
	put(&t, "db.properties", "version=2.7.1\n", 14);
	assert_int_equal(closed(&t, 65), -EBUSY); /* no modified= at all: unknown state */
	drop(&t, "db.properties");
	assert_int_equal(closed(&t, 65), -EBUSY); /* a log, and nothing to say it was replayed */
	drop(&t, "db.log");
	assert_int_equal(closed(&t, 0), 0);
	put(&t, "db.script.new", "x", 1);
	assert_int_equal(closed(&t, 65), -EBUSY);
	drop(&t, "db.script.new");

	diag_clear(&d);
	assert_int_equal(hsqldb_check_closed(&t.r, "/embedded-db/db.data", "Openfire", &d), -EINVAL);
	safefs_root_close(&t.r);
	rmdir(dir);
	rmdir(t.top);
}

UNIT_TESTS(cmocka_unit_test(test_quote), cmocka_unit_test(test_unescape), cmocka_unit_test(test_round_trip),
	   cmocka_unit_test(test_parse), cmocka_unit_test(test_refused), cmocka_unit_test(test_quoted_names),
	   cmocka_unit_test(test_lossy), cmocka_unit_test(test_like), cmocka_unit_test(test_char_length),
	   cmocka_unit_test(test_check_closed))
