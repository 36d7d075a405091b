/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf-hsqldb: HSQLDB 2.x .script files (Openfire's embedded database), read as HSQLDB reads them. */
#ifndef JD_CONF_HSQLDB_H
#define JD_CONF_HSQLDB_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "diag.h"
#include "safefs.h"

/*
 * HSQLDB writes a .script file from memory at every checkpoint and at
 * SHUTDOWN: one SQL statement per line, DDL first, then one
 * "INSERT INTO T VALUES(...)" line per row of every MEMORY table.  It reads
 * a line as ISO-8859-1 bytes, first turns every \uXXXX into that UTF-16 code
 * unit (in the whole line, strings included), and only then parses the SQL.
 * Its own writer emits printable ASCII only: ' doubled inside strings, any
 * other character outside 0x20..0x7f as \uXXXX (lower-case hex), and a
 * backslash that precedes 'u' as \u005c.  After the first INSERT it accepts
 * nothing but INSERT and SET SCHEMA lines.
 *
 * The parser below refuses, with "PATH:LINE: reason", whatever HSQLDB would
 * refuse or could read differently from what it looks like: NUL and other
 * control bytes, carriage returns, bytes above 0x7f (HSQLDB never writes
 * them; a UTF-8 editor did), broken \u escapes, empty lines, unterminated
 * strings, unbalanced parentheses, text after the closing parenthesis of a
 * row, a statement other than INSERT or SET SCHEMA among the rows, a
 * compressed (gzip) script, and a script without "SET DATABASE UNIQUE NAME"
 * (HSQLDB 1.8 files, not supported).  Edits are whole-line splices: every
 * other byte stays as it is.
 */

enum hsqldb_vtype {
	HSQLDB_NULL,   /* NULL */
	HSQLDB_STRING, /* '...': text holds the decoded value, UTF-8 */
	HSQLDB_OTHER,  /* a number, TRUE, X'..', ARRAY[...]: text holds it as written */
};

struct hsqldb_value {
	enum hsqldb_vtype type;
	char *text; /* NUL-terminated; may hold secrets: wiped when freed */
	size_t len;
};

/* One INSERT line. */
struct hsqldb_row {
	char *schema;        /* the schema in effect on that line ("PUBLIC") */
	char *table;         /* as written, quotes removed ("OFPROPERTY") */
	unsigned line;       /* 1-based */
	size_t start, end;   /* raw bytes of the line, its '\n' included when there is one */
	bool lossy;          /* a lone UTF-16 surrogate was replaced by U+FFFD while decoding */
	struct hsqldb_value *v; /* NULL unless the table was asked for (KEEP of hsqldb_parse) */
	size_t n;
};

/* One CREATE ... TABLE line. */
struct hsqldb_table {
	char *schema, *name; /* "PUBLIC", "OFEXTCOMPONENTCONF" */
	char *type;          /* the word after CREATE: "MEMORY", "CACHED", "TEXT"...; "" when none */
	char **columns;      /* column names in order; NULL when the list could not be read */
	size_t ncolumns;
	unsigned line;
};

struct hsqldb_script {
	const char *path;
	char *unique_name;            /* of SET DATABASE UNIQUE NAME: identifies this very database */
	struct hsqldb_table *tables;  /* in the order of their CREATE lines */
	size_t ntables;
	struct hsqldb_row *rows;      /* every INSERT line, in file order */
	size_t nrows;
	char *end_schema;             /* the schema in effect after the last line */
	unsigned nlines;
};

#define HSQLDB_SCRIPT_INIT { NULL, NULL, NULL, 0, NULL, 0, NULL, 0 }

/*
 * Parse TEXT (PATH names it in messages).  Rows of the tables named in KEEP
 * (a NULL-terminated list of upper-case names; NULL: none) get their values
 * decoded; every other row is checked and kept as a position only.
 * -EBADMSG with "PATH:LINE: reason" (exit 65) when the file is refused.
 */
int hsqldb_parse(const char *path, const char *text, size_t len, const char *const *keep, struct hsqldb_script *ret,
		 struct diag *d);
void hsqldb_free(struct hsqldb_script *s);
/* The table SCHEMA.NAME, or NULL. */
const struct hsqldb_table *hsqldb_table(const struct hsqldb_script *s, const char *schema, const char *name);
/* Index of the table in s->tables, or (size_t)-1. */
size_t hsqldb_table_index(const struct hsqldb_script *s, const char *schema, const char *name);

/*
 * Decode one raw line the way HSQLDB does before parsing it: ISO-8859-1
 * bytes, then \uXXXX escapes, into UTF-8 appended to OUT.  A lone surrogate
 * becomes U+FFFD and sets *LOSSY.  -EBADMSG with *WHY on a \u followed by a
 * non-hex digit.
 */
int hsqldb_unescape(const char *raw, size_t len, struct buf *out, bool *lossy, const char **why);
/*
 * Append the UTF-8 string S as a string literal exactly as HSQLDB writes it
 * in a .script file ('...', ASCII only).  -EINVAL when S is not valid UTF-8.
 */
int hsqldb_quote(const char *s, size_t len, struct buf *out);
/* The length of UTF-8 S in UTF-16 code units: what VARCHAR(n) counts.  (size_t)-1 if S is not UTF-8. */
size_t hsqldb_char_length(const char *s, size_t len);
/* SQL "S LIKE PATTERN" without ESCAPE: '%' any run, '_' any one character (code point). */
bool hsqldb_like(const char *s, const char *pattern);

/*
 * Whether the database of SCRIPT (".../NAME.script") may be edited now, as
 * HSQLDB's own files tell.  -EBUSY, exit 75: NAME.lck holds a heartbeat
 * younger than HSQLDB's 10.1 s, or an fcntl lock: the database is open, and
 * HSQLDB rewrites the script from memory at shutdown.  -EBADMSG, exit 65:
 * NAME.lck is not an HSQLDB lock file (HSQLDB refuses to open then too).
 * -EBUSY, exit 65: NAME.properties says modified= other than "no", or a
 * NAME.script.new waits, or there is no NAME.properties and NAME.log is not
 * empty: HSQLDB would replay its log, or install the new script, over an
 * edit.  OWNER names the program using the database in the advice given.
 */
int hsqldb_check_closed(const struct root *r, const char *script, const char *owner, struct diag *d);

#endif
