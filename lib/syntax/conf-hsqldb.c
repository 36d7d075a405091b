/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf-hsqldb: HSQLDB 2.x .script files (Openfire's embedded database), read as HSQLDB reads them. */
#include "grow.h"
#include "conf-hsqldb.h"
#include "exitcode.h"
#include "validate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#define HEARTBEAT_MS 10100 /* LockFile.HEARTBEAT_INTERVAL_PADDED */

enum tok_type { TOK_END, TOK_WORD, TOK_QIDENT, TOK_STRING, TOK_NUMBER, TOK_PUNCT };

struct tok {
	enum tok_type type;
	size_t start, end; /* bytes of the decoded line */
};

/* The decoded line being parsed, and its tokens. */
struct line {
	const char *s;
	size_t n;
	struct tok *t;
	size_t nt, cap;
};

static void value_free(struct hsqldb_value *v)
{
	if (v->text) {
		sodium_memzero(v->text, v->len);
		free(v->text);
	}
}

static void row_free(struct hsqldb_row *r)
{
	free(r->schema);
	free(r->table);
	for (size_t i = 0; r->v && i < r->n; i++)
		value_free(&r->v[i]);
	free(r->v);
}

static void table_free(struct hsqldb_table *t)
{
	free(t->schema);
	free(t->name);
	free(t->type);
	for (size_t i = 0; t->columns && i < t->ncolumns; i++)
		free(t->columns[i]);
	free(t->columns);
}

void hsqldb_free(struct hsqldb_script *s)
{
	for (size_t i = 0; i < s->nrows; i++)
		row_free(&s->rows[i]);
	for (size_t i = 0; i < s->ntables; i++)
		table_free(&s->tables[i]);
	free(s->rows);
	free(s->tables);
	free(s->unique_name);
	free(s->end_schema);
	*s = (struct hsqldb_script)HSQLDB_SCRIPT_INIT;
}


static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hsqldb_unescape(const char *raw, size_t len, struct buf *out, bool *lossy, const char **why)
{
	uint32_t high = 0; /* a high surrogate waiting for its low half */
	int rc = 0;

	for (size_t i = 0; i < len && rc == 0; i++) {
		uint32_t unit = (unsigned char)raw[i]; /* ISO-8859-1: a byte is the code unit */
		/* StringConverter.unicodeStringToString: only where 4 more characters follow the 'u'. */
		if (raw[i] == '\\' && i + 5 < len && raw[i + 1] == 'u') {
			int k = 0;
			for (size_t j = i + 2; j < i + 6; j++) {
				int nib = hex_nibble(raw[j]);
				if (nib < 0) {
					*why = "a \\u escape with a character that is not a hex digit";
					return -EBADMSG;
				}
				k = k << 4 | nib;
			}
			unit = (uint32_t)k;
			i += 5;
		}
		if (high && !(unit >= 0xdc00 && unit <= 0xdfff)) {
			rc = buf_put_utf8(out, 0xfffd);
			*lossy = true;
			high = 0;
		}
		if (rc)
			break;
		if (unit >= 0xd800 && unit <= 0xdbff)
			high = unit;
		else if (unit >= 0xdc00 && unit <= 0xdfff && high) {
			rc = buf_put_utf8(out, 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00));
			high = 0;
		} else if (unit >= 0xdc00 && unit <= 0xdfff) {
			rc = buf_put_utf8(out, 0xfffd);
			*lossy = true;
		} else
			rc = buf_put_utf8(out, unit);
	}
	if (rc == 0 && high) {
		rc = buf_put_utf8(out, 0xfffd);
		*lossy = true;
	}
	return rc;
}

/* Decode S (valid UTF-8) to UTF-16 units; *N receives the count. */
static uint16_t *utf16_units(const char *s, size_t len, size_t *n)
{
	uint16_t *u = malloc((len * 2 + 1) * sizeof(*u));
	size_t k = 0;

	if (!u)
		return NULL;
	for (size_t i = 0; i < len;) {
		const unsigned char *p = (const unsigned char *)s + i;
		size_t l = validate_utf8_char(s + i, len - i);
		uint32_t cp;
		if (l == 0) {
			sodium_memzero(u, (len * 2 + 1) * sizeof(*u));
			free(u);
			return NULL;
		}
		cp = l == 1 ? p[0]
		     : l == 2 ? (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f)
		     : l == 3 ? (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f)
			      : (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
				  (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
		if (cp >= 0x10000) {
			u[k++] = (uint16_t)(0xd800 + ((cp - 0x10000) >> 10));
			u[k++] = (uint16_t)(0xdc00 + ((cp - 0x10000) & 0x3ff));
		} else
			u[k++] = (uint16_t)cp;
		i += l;
	}
	*n = k;
	return u;
}

size_t hsqldb_char_length(const char *s, size_t len)
{
	size_t n;
	uint16_t *u = utf16_units(s, len, &n);
	if (!u)
		return (size_t)-1;
	sodium_memzero(u, n * sizeof(*u));
	free(u);
	return n;
}

int hsqldb_quote(const char *s, size_t len, struct buf *out)
{
	size_t n = 0;
	uint16_t *u = utf16_units(s, len, &n);
	int rc;

	if (!u)
		return -EINVAL;
	rc = buf_putc(out, '\'');
	/* StringConverter.stringToUnicodeBytes with doubled single quotes, code unit by code unit. */
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (u[i] == '\\' && i + 1 < n && u[i + 1] == 'u')
			rc = buf_puts(out, "\\u005c");
		else if (u[i] >= 0x20 && u[i] <= 0x7f)
			rc = u[i] == '\'' ? buf_puts(out, "''") : buf_putc(out, (char)u[i]);
		else
			rc = buf_printf(out, "\\u%04x", u[i]);
	}
	if (rc == 0)
		rc = buf_putc(out, '\'');
	sodium_memzero(u, (len * 2 + 1) * sizeof(*u));
	free(u);
	return rc;
}

/* Bytes of the character at S: a whole UTF-8 sequence, or 1 for a stray byte. */
static size_t char_len(const char *s)
{
	size_t l = validate_utf8_char(s, strnlen(s, 4));
	return l ? l : 1;
}

bool hsqldb_like(const char *s, const char *p)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*p == '%') {
			star = ++p;
			resume = s;
		} else if (*p == '_') {
			s += char_len(s);
			p++;
		} else if (*p && *p == *s) {
			s++;
			p++;
		} else if (star) {
			/* Let the last '%' swallow one more character, and try again after it. */
			resume += char_len(resume);
			s = resume;
			p = star;
		} else
			return false;
	}
	while (*p == '%')
		p++;
	return *p == '\0';
}

static bool word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
	       c >= 0x80;
}

/* Split the decoded line into tokens; *WHY on an unterminated string or quoted name. */
static int tokenize(struct line *l, const char **why)
{
	size_t i = 0;
	for (;;) {
		struct tok t = { TOK_END, 0, 0 };
		unsigned char c;

		while (i < l->n && (l->s[i] == ' ' || l->s[i] == '\t'))
			i++;
		t.start = i;
		if (i < l->n) {
			c = (unsigned char)l->s[i];
			if (c == '\'' || c == '"') {
				t.type = c == '\'' ? TOK_STRING : TOK_QIDENT;
				for (i++;; i++) {
					if (i >= l->n) {
						*why = c == '\'' ? "unterminated string" : "unterminated quoted name";
						return -EBADMSG;
					}
					if ((unsigned char)l->s[i] == c) {
						if (i + 1 < l->n && (unsigned char)l->s[i + 1] == c)
							i++; /* doubled: the quote itself */
						else
							break;
					}
				}
				i++;
			} else if ((c >= '0' && c <= '9') ||
				   (c == '-' && i + 1 < l->n && ((l->s[i + 1] >= '0' && l->s[i + 1] <= '9') || l->s[i + 1] == '.'))) {
				t.type = TOK_NUMBER;
				i++;
				while (i < l->n && ((l->s[i] >= '0' && l->s[i] <= '9') || l->s[i] == '.' || l->s[i] == 'E' ||
						    l->s[i] == 'e' ||
						    ((l->s[i] == '-' || l->s[i] == '+') && (l->s[i - 1] == 'E' || l->s[i - 1] == 'e'))))
					i++;
			} else if (word_char(c)) {
				t.type = TOK_WORD;
				while (i < l->n && word_char((unsigned char)l->s[i]))
					i++;
			} else {
				t.type = TOK_PUNCT;
				i++;
			}
		}
		t.end = i;
		if (l->nt == l->cap) {
			struct tok *v = realloc(l->t, (l->cap = l->cap ? l->cap * 2 : 64) * sizeof(*v));
			if (!v)
				return -ENOMEM;
			l->t = v;
		}
		l->t[l->nt++] = t;
		if (t.type == TOK_END)
			return 0;
	}
}

static bool is_word(const struct line *l, size_t k, const char *w)
{
	return k < l->nt && l->t[k].type == TOK_WORD && l->t[k].end - l->t[k].start == strlen(w) &&
	       strncasecmp(l->s + l->t[k].start, w, strlen(w)) == 0;
}

static bool is_punct(const struct line *l, size_t k, char c)
{
	return k < l->nt && l->t[k].type == TOK_PUNCT && l->s[l->t[k].start] == c;
}

/* A name token (WORD, or "QUOTED" with "" undoubled), malloc'd; NULL when K is no name. */
static char *name_at(const struct line *l, size_t k)
{
	const struct tok *t = &l->t[k];
	char *r;
	size_t n = 0;

	if (t->type == TOK_WORD)
		return strndup(l->s + t->start, t->end - t->start);
	if (t->type != TOK_QIDENT || !(r = malloc(t->end - t->start)))
		return NULL;
	for (size_t i = t->start + 1; i + 1 < t->end; i++) {
		r[n++] = l->s[i];
		if (l->s[i] == '"')
			i++;
	}
	r[n] = '\0';
	return r;
}

/* The decoded content of string token K ('' undoubled) into V. */
static int string_value(const struct line *l, size_t k, struct hsqldb_value *v)
{
	const struct tok *t = &l->t[k];
	size_t n = 0;

	v->type = HSQLDB_STRING;
	v->text = malloc(t->end - t->start);
	if (!v->text)
		return -ENOMEM;
	for (size_t i = t->start + 1; i + 1 < t->end; i++) {
		v->text[n++] = l->s[i];
		if (l->s[i] == '\'')
			i++;
	}
	v->text[n] = '\0';
	v->len = n;
	return 0;
}

/*
 * Read "(v, v, ...)" from token *K on: each value is the run of tokens up to
 * the next ',' or ')' outside brackets.  With KEEP the values are stored in R.
 */
static int read_values(const struct line *l, size_t *k, bool keep, struct hsqldb_row *r, const char **why)
{
	size_t i = *k;
	if (!is_punct(l, i, '(')) {
		*why = "expected '(' after VALUES";
		return -EBADMSG;
	}
	i++;
	for (;;) {
		size_t first = i;
		int depth = 0;
		while (i < l->nt && l->t[i].type != TOK_END) {
			if (depth == 0 && (is_punct(l, i, ',') || is_punct(l, i, ')')))
				break;
			if (is_punct(l, i, '(') || is_punct(l, i, '['))
				depth++;
			else if (is_punct(l, i, ')') || is_punct(l, i, ']'))
				depth--;
			i++;
		}
		if (l->t[i].type == TOK_END) {
			*why = "the row is not closed by ')'";
			return -EBADMSG;
		}
		if (i == first) {
			*why = "an empty value in the row";
			return -EBADMSG;
		}
		if (keep) {
			struct hsqldb_value *v = grow_one(r->v, r->n, sizeof(*v));
			int rc = 0;
			if (!v)
				return -ENOMEM;
			r->v = v;
			v = &r->v[r->n];
			*v = (struct hsqldb_value){ HSQLDB_OTHER, NULL, 0 };
			if (i == first + 1 && l->t[first].type == TOK_STRING)
				rc = string_value(l, first, v);
			else if (i == first + 1 && is_word(l, first, "NULL"))
				v->type = HSQLDB_NULL;
			else {
				v->len = l->t[i - 1].end - l->t[first].start;
				v->text = strndup(l->s + l->t[first].start, v->len);
				rc = v->text ? 0 : -ENOMEM;
			}
			r->n++;
			if (rc < 0)
				return rc;
		}
		if (is_punct(l, i, ')'))
			break;
		i++;
	}
	i++;
	if (l->t[i].type != TOK_END) {
		*why = "text after the closing parenthesis of the row";
		return -EBADMSG;
	}
	*k = i;
	return 0;
}

/* CREATE [type...] TABLE [schema.]name(columns...): record the table and its column names. */
static int read_create_table(const struct line *l, const char *schema, unsigned lineno, struct hsqldb_script *s)
{
	size_t k = 1, type_at = 0;
	struct hsqldb_table t = { 0 };
	int rc = -ENOMEM;

	while (k < l->nt && l->t[k].type == TOK_WORD && !is_word(l, k, "TABLE")) {
		if (!type_at)
			type_at = k;
		k++;
	}
	if (!is_word(l, k, "TABLE"))
		return 0; /* CREATE INDEX, SCHEMA, USER...: nothing to record */
	k++;
	t.line = lineno;
	t.type = type_at ? strndup(l->s + l->t[type_at].start, l->t[type_at].end - l->t[type_at].start) : strdup("");
	t.name = name_at(l, k);
	if (t.name && is_punct(l, k + 1, '.')) {
		t.schema = t.name;
		t.name = name_at(l, k + 2);
		k += 2;
	} else
		t.schema = strdup(schema);
	if (!t.name) {
		rc = 0; /* not a form HSQLDB writes; it is not ours to judge DDL */
		goto out;
	}
	if (!t.type || !t.schema)
		goto out;
	k++;
	/* The column list is optional knowledge: a form not understood leaves columns NULL. */
	if (is_punct(l, k, '(')) {
		char **cols = NULL;
		size_t n = 0;
		bool ok = true, item_start = true;
		int depth = 0;
		for (k++; k < l->nt && l->t[k].type != TOK_END && ok; k++) {
			if (depth == 0 && is_punct(l, k, ')'))
				break;
			if (depth == 0 && is_punct(l, k, ',')) {
				item_start = true;
				continue;
			}
			if (item_start && depth == 0) {
				item_start = false;
				if (is_word(l, k, "CONSTRAINT") || is_word(l, k, "PRIMARY") || is_word(l, k, "UNIQUE") ||
				    is_word(l, k, "FOREIGN") || is_word(l, k, "CHECK") || is_word(l, k, "PERIOD"))
					continue;
				char **v = grow_one(cols, n, sizeof(*v));
				if (!v || !(v[n] = name_at(l, k))) {
					ok = false;
					cols = v ? v : cols;
					break;
				}
				cols = v;
				n++;
				continue;
			}
			depth += is_punct(l, k, '(') - is_punct(l, k, ')');
		}
		if (ok && is_punct(l, k, ')')) {
			t.columns = cols;
			t.ncolumns = n;
		} else {
			for (size_t i = 0; i < n; i++)
				free(cols[i]);
			free(cols);
		}
	}
	struct hsqldb_table *v = grow_one(s->tables, s->ntables, sizeof(*v));
	if (!v)
		goto out;
	s->tables = v;
	s->tables[s->ntables++] = t;
	return 0;
out:
	table_free(&t);
	return rc;
}

static bool wanted(const char *const *keep, const char *table)
{
	for (size_t i = 0; keep && keep[i]; i++)
		if (strcmp(keep[i], table) == 0)
			return true;
	return false;
}

/* Check the raw bytes of one line; *WHY when HSQLDB could not have written them. */
static const char *raw_problem(const char *p, size_t n)
{
	if (n == 0)
		return "an empty line (HSQLDB never writes one)";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\0')
			return "a NUL byte";
		if (c == '\r')
			return "a carriage return (HSQLDB on Linux ends lines with a plain newline; convert the file with "
			       "dos2unix while the database is closed)";
		if (c < 0x20 && c != '\t')
			return "a control character (HSQLDB writes them as \\u escapes)";
		if (c >= 0x80)
			return "a byte above 0x7f: HSQLDB writes only ASCII (\\u escapes) and would read this as ISO-8859-1, "
			       "not as whatever an editor meant";
	}
	return NULL;
}

int hsqldb_parse(const char *path, const char *text, size_t len, const char *const *keep, struct hsqldb_script *ret,
		 struct diag *d)
{
	struct hsqldb_script s = HSQLDB_SCRIPT_INIT;
	struct buf dec = BUF_INIT_SENSITIVE; /* rows hold secrets */
	struct line l = { 0 };
	char *schema = strdup("PUBLIC");
	bool in_data = false;
	unsigned lineno = 0;
	size_t pos = 0, rows_cap = 0;
	int rc = 0;

	s.path = path;
	if (!schema)
		return -ENOMEM;
	if (len >= 2 && (unsigned char)text[0] == 0x1f && (unsigned char)text[1] == 0x8b) {
		rc = diag_set(d, EBADMSG, EXIT_DATAERR,
			      "%s:1: a compressed script (SET FILES SCRIPT FORMAT COMPRESSED): not supported", path);
		goto out;
	}
	while (pos < len) {
		const char *p = text + pos, *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos;
		const char *why = NULL;
		bool lossy = false;

		lineno++;
		/* HSQLDB 2.x starts every script so; anything else (a SQL dump, HSQLDB 1.8) is another format. */
		if (lineno == 1 && (n < 25 || memcmp(p, "SET DATABASE UNIQUE NAME ", 25) != 0))
			why = "not an HSQLDB 2.x script (its first line is not SET DATABASE UNIQUE NAME)";
		else
			why = raw_problem(p, n);
		if (why)
			goto bad;
		buf_truncate(&dec, 0);
		rc = hsqldb_unescape(p, n, &dec, &lossy, &why);
		if (rc == -EBADMSG)
			goto bad;
		if (rc < 0)
			goto out;
		l.s = buf_str(&dec);
		l.n = dec.len;
		l.nt = 0;
		rc = tokenize(&l, &why);
		if (rc == -EBADMSG)
			goto bad;
		if (rc < 0)
			goto out;

		if (is_word(&l, 0, "INSERT")) {
			struct hsqldb_row r = { .line = lineno, .start = pos, .end = pos + n + (nl ? 1 : 0), .lossy = lossy };
			size_t k = 3;
			if (!is_word(&l, 1, "INTO") || !(r.table = name_at(&l, 2)) || !is_word(&l, k++, "VALUES")) {
				free(r.table);
				why = "not an INSERT INTO TABLE VALUES(...) line";
				goto bad;
			}
			rc = (r.schema = strdup(schema)) ? read_values(&l, &k, wanted(keep, r.table), &r, &why) : -ENOMEM;
			if (rc == 0 && s.nrows == rows_cap) {
				/* Doubling: a database holds tens of thousands of rows. */
				struct hsqldb_row *v = realloc(s.rows, (rows_cap = rows_cap ? rows_cap * 2 : 256) * sizeof(*v));
				rc = v ? 0 : -ENOMEM;
				if (v)
					s.rows = v;
			}
			if (rc == 0)
				s.rows[s.nrows++] = r;
			if (rc < 0)
				row_free(&r);
			if (rc == -EBADMSG)
				goto bad;
			if (rc < 0)
				goto out;
			in_data = true;
		} else if (is_word(&l, 0, "SET") && is_word(&l, 1, "SCHEMA")) {
			char *v = name_at(&l, 2);
			if (!v || l.t[3].type != TOK_END) {
				why = v ? "text after SET SCHEMA NAME" : "SET SCHEMA without a schema name";
				free(v);
				goto bad;
			}
			free(schema);
			schema = v;
		} else if (in_data) {
			why = "HSQLDB accepts nothing but INSERT and SET SCHEMA lines after the first row";
			goto bad;
		} else if (is_word(&l, 0, "SET") && is_word(&l, 1, "DATABASE") && is_word(&l, 2, "UNIQUE") &&
			   is_word(&l, 3, "NAME") && l.t[4].type == TOK_WORD) {
			free(s.unique_name);
			if (!(s.unique_name = name_at(&l, 4))) {
				rc = -ENOMEM;
				goto out;
			}
		} else if (is_word(&l, 0, "CREATE")) {
			rc = read_create_table(&l, schema, lineno, &s);
			if (rc < 0)
				goto out;
		}
		pos += n + (nl ? 1 : 0);
		continue;
bad:
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s", path, lineno, why);
		goto out;
	}
	s.nlines = lineno;
	if (!s.unique_name) {
		rc = diag_set(d, EBADMSG, EXIT_DATAERR,
			      "%s:1: no \"SET DATABASE UNIQUE NAME\" line: not an HSQLDB 2.x script", path);
		goto out;
	}
	s.end_schema = schema;
	schema = NULL;
	*ret = s;
	s = (struct hsqldb_script)HSQLDB_SCRIPT_INIT;
out:
	free(schema);
	free(l.t);
	buf_free(&dec);
	hsqldb_free(&s);
	return rc;
}

size_t hsqldb_table_index(const struct hsqldb_script *s, const char *schema, const char *name)
{
	for (size_t i = 0; i < s->ntables; i++)
		if (strcmp(s->tables[i].schema, schema) == 0 && strcmp(s->tables[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

const struct hsqldb_table *hsqldb_table(const struct hsqldb_script *s, const char *schema, const char *name)
{
	size_t i = hsqldb_table_index(s, schema, name);
	return i == (size_t)-1 ? NULL : &s->tables[i];
}

/* SCRIPT with ".script" replaced by EXT, malloc'd. */
static char *sibling(const char *script, const char *ext)
{
	char *p;
	size_t n = strlen(script);
	if (asprintf(&p, "%.*s%s", (int)(n > 7 ? n - 7 : 0), script, ext) < 0)
		return NULL;
	return p;
}

int hsqldb_check_closed(const struct root *r, const char *script, const char *owner, struct diag *d)
{
	char *lck = sibling(script, ".lck"), *props = sibling(script, ".properties"), *next = sibling(script, ".script.new");
	char *logf = sibling(script, ".log");
	struct buf t = BUF_INIT;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int rc = -ENOMEM, fd;

	if (strlen(script) <= strlen(".script") || strcmp(script + strlen(script) - strlen(".script"), ".script") != 0) {
		rc = diag_set(d, EINVAL, EXIT_USAGE, "%s: an HSQLDB script's name ends in .script", script);
		goto out;
	}
	if (!lck || !props || !next || !logf)
		goto out;
	rc = safefs_read_file(r, lck, &t, d);
	if (rc == 0 && t.len) {
		uint64_t beat = 0;
		struct timespec now;
		if (t.len != 16 || memcmp(t.data, "HSQLLOCK", 8) != 0) {
			rc = diag_set(d, EBADMSG, EXIT_DATAERR,
				      "%s: not an HSQLDB lock file (%zu bytes); HSQLDB refuses to open the database while it is "
				      "there: find out what wrote it, and remove it with %s stopped",
				      lck, t.len, owner);
			goto out;
		}
		for (int i = 8; i < 16; i++)
			beat = beat << 8 | (unsigned char)t.data[i]; /* Java writeLong: big-endian milliseconds */
		clock_gettime(CLOCK_REALTIME, &now);
		int64_t ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, diff = ms - (int64_t)beat;
		if (diff <= HEARTBEAT_MS && diff >= -HEARTBEAT_MS) {
			rc = diag_set(d, EBUSY, EXIT_TEMPFAIL,
				      "%s is running (%s has a live heartbeat): HSQLDB rewrites the script from memory "
				      "at shutdown, so an edit now would be lost; stop %s, run jabber-dispatch sync, start it again",
				      owner, lck, owner);
			goto out;
		}
	}
	if (rc < 0 && rc != -ENOENT)
		goto out;
	/* HSQLDB may also be asked to hold a real lock on it (hsqldb.lockfile.nio.filelock). */
	if (safefs_open_read(r, lck, O_RDONLY, &fd, &(struct diag)DIAG_INIT) == 0) {
		bool held = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
		close(fd);
		if (held) {
			rc = diag_set(d, EBUSY, EXIT_TEMPFAIL, "%s is running (pid %ld locks %s): stop it, run "
				      "jabber-dispatch sync, start it again", owner, (long)fl.l_pid, lck);
			goto out;
		}
	}
	buf_truncate(&t, 0);
	rc = safefs_read_file(r, props, &t, d);
	if (rc == 0) {
		const char *m = strstr(buf_str(&t), "\nmodified=");
		char val[32] = "";
		if (!m && strncmp(buf_str(&t), "modified=", 9) == 0)
			m = buf_str(&t) - 1;
		if (m)
			sscanf(m + 10, "%31[^\r\n]", val);
		if (strcmp(val, "no") != 0) {
			rc = diag_set(d, EBUSY, EXIT_DATAERR,
				      "%s: modified=%s: HSQLDB was not shut down cleanly and would replay its log (or "
				      "install the .script.new) over any edit; start %s and stop it once, then run "
				      "jabber-dispatch sync again",
				      props, val[0] ? val : "(missing)", owner);
			goto out;
		}
	} else if (rc == -ENOENT) {
		rc = 0;
		buf_truncate(&t, 0);
		if (safefs_read_file(r, logf, &t, &(struct diag)DIAG_INIT) == 0 && t.len)
			rc = diag_set(d, EBUSY, EXIT_DATAERR, "%s: unreplayed changes and no .properties to tell "
				      "HSQLDB's state: start %s and stop it once, then run jabber-dispatch sync again",
				      logf, owner);
	}
	if (rc < 0)
		goto out;
	if (safefs_open_read(r, next, O_PATH, &fd, &(struct diag)DIAG_INIT) == 0) {
		close(fd);
		rc = diag_set(d, EBUSY, EXIT_DATAERR, "%s exists: HSQLDB will install it over %s at its next "
			      "start; start %s and stop it once, then run jabber-dispatch sync again", next, script, owner);
	}
out:
	buf_free(&t);
	free(lck);
	free(props);
	free(next);
	free(logf);
	return rc;
}

