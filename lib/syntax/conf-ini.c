/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf-ini: INI files as the programs that own them read them, with byte offsets for positional edits. */
#include "grow.h"
#include "conf-ini.h"
#include "exitcode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

static bool ini_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

void ini_free(struct ini_file *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].section);
		free(f->v[i].key);
		if (f->v[i].value) {
			sodium_memzero(f->v[i].value, strlen(f->v[i].value));
			free(f->v[i].value);
		}
	}
	for (size_t i = 0; i < f->nsections; i++)
		free(f->sections[i].name);
	free(f->v);
	free(f->sections);
	f->v = NULL;
	f->sections = NULL;
	f->n = f->nsections = 0;
}

static bool ini_key_equal(const struct ini_file *f, const char *a, const char *b)
{
	return f->dialect == INI_CONFIGPARSER ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

/* The last record of section NAME (boost lets a section be opened again), or NULL. */
static struct ini_section *ini_section_find(const struct ini_file *f, const char *name)
{
	for (size_t i = f->nsections; i-- > 0;)
		if (strcmp(f->sections[i].name, name) == 0)
			return &f->sections[i];
	return NULL;
}

static int ini_section_add(struct ini_file *f, const char *name, size_t len, size_t end)
{
	struct ini_section *v = grow_one(f->sections, f->nsections, sizeof(*v));
	if (!v)
		return -ENOMEM;
	f->sections = v;
	v[f->nsections].name = strndup(name, len);
	v[f->nsections].end = end;
	if (!v[f->nsections].name)
		return -ENOMEM;
	f->nsections++;
	return 0;
}

/* The entry of KEY in SECTION exactly (no [DEFAULT] fallback), the last one. */
static struct ini_entry *ini_find(const struct ini_file *f, const char *section, const char *key)
{
	for (size_t i = f->n; i-- > 0;)
		if ((f->dialect == INI_CONFIGARGPARSE || strcmp(f->v[i].section, section) == 0) &&
		    ini_key_equal(f, f->v[i].key, key))
			return &f->v[i];
	return NULL;
}

const struct ini_entry *ini_get(const struct ini_file *f, const char *section, const char *key)
{
	const struct ini_entry *e = ini_find(f, section, key);
	if (!e && f->dialect == INI_CONFIGPARSER)
		e = ini_find(f, "DEFAULT", key);
	return e;
}

/* ConfigParser's BasicInterpolation of a value without references: "%%" is '%'; a lone '%' is an error. */
static bool ini_percent_decode(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++) {
		if (*r == '%') {
			if (r[1] != '%')
				return false;
			r++;
		}
		*w++ = *r;
	}
	*w = '\0';
	return true;
}

static int ini_add(struct ini_file *f, const char *section, const char *key, size_t klen, const char *text,
		   size_t vs, size_t ve, unsigned line, struct ini_entry **ret)
{
	struct ini_entry *v = grow_one(f->v, f->n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	f->v = v;
	v = &f->v[f->n];
	*v = (struct ini_entry){ .line = line, .value_start = vs, .value_end = ve };
	v->section = strdup(section);
	v->key = strndup(key, klen);
	v->value = strndup(text + vs, ve - vs);
	f->n++;
	if (!v->section || !v->key || !v->value)
		return -ENOMEM;
	*ret = v;
	return 0;
}

/* Trim [*s, *e) of blanks on both sides. */
static void ini_trim(const char *text, size_t *s, size_t *e)
{
	while (*s < *e && ini_blank(text[*s]))
		(*s)++;
	while (*e > *s && ini_blank(text[*e - 1]))
		(*e)--;
}

struct ini_state {
	const char *path;
	const char *text;
	char *section;
	struct ini_entry *cur; /* INI_CONFIGPARSER: the entry an indented line would continue */
	size_t cur_indent;
};

static int ini_line_configparser(struct ini_file *f, struct ini_state *st, size_t ls, size_t le, unsigned line,
				 struct diag *d)
{
	const char *t = st->text;
	size_t s = ls, e = le, indent, k, ks, ke, vs, ve;
	struct ini_entry *entry;
	int rc;

	ini_trim(t, &s, &e);
	if (s == e || t[s] == '#' || t[s] == ';')
		return 0;
	indent = s - ls;
	if (st->cur && indent > st->cur_indent) {
		/* A continuation line: part of the value, which then spans lines. */
		st->cur->multiline = true;
		st->cur->value_end = e;
		ini_section_find(f, st->section)->end = le;
		return 0;
	}
	st->cur = NULL;
	if (t[s] == '[' && t[e - 1] == ']' && e - s > 2) {
		free(st->section);
		st->section = strndup(t + s + 1, e - s - 2);
		if (!st->section)
			return -ENOMEM;
		if (ini_section_find(f, st->section))
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: section [%s] appears twice (configparser refuses that)",
					st->path, line, st->section);
		return ini_section_add(f, st->section, strlen(st->section), le);
	}
	if (!st->section)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: a key before the first [section] (configparser refuses that)",
				st->path, line);
	for (k = s; k < e && t[k] != '=' && t[k] != ':'; k++)
		;
	ks = s;
	ke = k;
	ini_trim(t, &ks, &ke);
	if (k == e || ks == ke)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s", st->path, line,
				k == e ? "not a \"key = value\" line" : "a line without a key");
	vs = k + 1;
	ve = e;
	ini_trim(t, &vs, &ve);
	{
		char *key = strndup(t + ks, ke - ks);
		struct ini_entry *dup;
		if (!key)
			return -ENOMEM;
		dup = ini_find(f, st->section, key);
		if (dup) {
			rc = diag_set(d, EBADMSG, EXIT_DATAERR,
				      "%s:%u: %s is set twice in [%s] (first on line %u; configparser refuses that)",
				      st->path, line, key, st->section, dup->line);
			free(key);
			return rc;
		}
		free(key);
	}
	rc = ini_add(f, st->section, t + ks, ke - ks, t, vs, ve, line, &entry);
	if (rc < 0)
		return rc;
	if (strstr(entry->value, "%(") || !ini_percent_decode(entry->value))
		entry->interpolated = true;
	st->cur = entry;
	st->cur_indent = indent;
	ini_section_find(f, st->section)->end = le;
	return 0;
}

static int ini_line_boost(struct ini_file *f, struct ini_state *st, size_t ls, size_t le, unsigned line,
			  struct diag *d)
{
	const char *t = st->text, *hash = memchr(t + ls, '#', le - ls);
	size_t s = ls, e = hash ? (size_t)(hash - t) : le, k, ks, ke, vs, ve;
	struct ini_entry *entry, *dup;
	int rc;

	ini_trim(t, &s, &e);
	if (s == e)
		return 0;
	if (t[s] == '[' && t[e - 1] == ']') {
		free(st->section);
		st->section = strndup(t + s + 1, e - s - 2);
		if (!st->section)
			return -ENOMEM;
		return ini_section_add(f, st->section, strlen(st->section), le);
	}
	for (k = s; k < e && t[k] != '='; k++)
		;
	ks = s;
	ke = k;
	ini_trim(t, &ks, &ke);
	if (k == e || ks == ke)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s", st->path, line,
				k == e ? "not a \"key = value\" line (boost refuses the file)"
				       : "a line without a key (boost refuses the file)");
	vs = k + 1;
	ve = e;
	ini_trim(t, &vs, &ve);
	rc = ini_add(f, st->section ? st->section : "", t + ks, ke - ks, t, vs, ve, line, &entry);
	if (rc < 0)
		return rc;
	/* Look for an earlier entry of the same name: the new one is last, so search before it. */
	f->n--;
	dup = ini_find(f, entry->section, entry->key);
	f->n++;
	if (dup)
		return diag_set(d, EBADMSG, EXIT_DATAERR,
				"%s:%u: %s%s%s is set twice (first on line %u; boost refuses that)", st->path, line,
				entry->section, entry->section[0] ? "." : "", entry->key, dup->line);
	if (st->section)
		ini_section_find(f, st->section)->end = le;
	return 0;
}

static int ini_line_configargparse(struct ini_file *f, struct ini_state *st, size_t ls, size_t le, unsigned line,
				   struct diag *d)
{
	const char *t = st->text;
	size_t s = ls, e = le, k, p, vs, ve;
	struct ini_entry *entry;
	bool delim = false;
	int rc;

	ini_trim(t, &s, &e);
	if (s == e || t[s] == '#' || t[s] == ';' || t[s] == '[' || (e - s >= 3 && memcmp(t + s, "---", 3) == 0))
		return 0;
	for (k = s; k < e && !ini_blank(t[k]) && !strchr(":=;#", t[k]); k++)
		;
	if (k == s)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: not a \"key = value\" line (configargparse refuses it)",
				st->path, line);
	p = k;
	while (p < e && ini_blank(t[p]))
		p++;
	if (p < e && (t[p] == ':' || t[p] == '=')) {
		delim = true;
		p++;
	} else if (p > k) {
		delim = true; /* "key value" */
	} else if (p < e) {
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: not a \"key = value\" line (configargparse refuses it)",
				st->path, line);
	}
	while (p < e && ini_blank(t[p]))
		p++;
	/* The value ends where a blank followed by '#' or ';' starts a comment. */
	vs = p;
	for (ve = vs; ve < e && !(ini_blank(t[ve]) && ve + 1 < e && (t[ve + 1] == '#' || t[ve + 1] == ';')); ve++)
		;
	ini_trim(t, &vs, &ve);
	rc = ini_add(f, "", t + s, k - s, t, vs, ve, line, &entry);
	if (rc < 0)
		return rc;
	if (ve - vs >= 2 && (t[vs] == '"' || t[vs] == '\'') && t[ve - 1] == t[vs]) {
		memmove(entry->value, entry->value + 1, ve - vs - 2);
		entry->value[ve - vs - 2] = '\0';
	} else if (vs == ve && !delim) {
		free(entry->value);
		entry->value = strdup("true"); /* a bare key is a flag */
		if (!entry->value)
			return -ENOMEM;
	}
	return 0;
}

int ini_parse(const char *path, const char *text, size_t len, enum ini_dialect dialect, struct ini_file *ret,
	      struct diag *d)
{
	struct ini_file f = INI_FILE_INIT;
	struct ini_state st = { .path = path, .text = text };
	unsigned line = 0;
	size_t pos = 0;
	int rc = 0;

	f.dialect = dialect;
	if (memchr(text, '\0', len)) {
		const char *nul = memchr(text, '\0', len);
		unsigned at = 1;
		for (const char *p = text; p < nul; p++)
			at += *p == '\n';
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: contains a NUL byte", path, at);
	}
	while (pos < len && rc == 0) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t le = nl ? (size_t)(nl - text) : len;
		line++;
		if (dialect == INI_CONFIGPARSER)
			rc = ini_line_configparser(&f, &st, pos, le, line, d);
		else if (dialect == INI_BOOST)
			rc = ini_line_boost(&f, &st, pos, le, line, d);
		else
			rc = ini_line_configargparse(&f, &st, pos, le, line, d);
		pos = nl ? le + 1 : len;
	}
	/* A section's end is the end of its last line, newline included. */
	for (size_t i = 0; i < f.nsections; i++)
		if (f.sections[i].end < len && text[f.sections[i].end] == '\n')
			f.sections[i].end++;
	free(st.section);
	if (rc < 0) {
		ini_free(&f);
		return rc;
	}
	*ret = f;
	return 0;
}

const char *ini_unwritable(const struct ini_file *f, const char *value)
{
	size_t n = strlen(value);

	if (strpbrk(value, "\r\n"))
		return "it holds a line break";
	if (n && (ini_blank(value[0]) || ini_blank(value[n - 1])))
		return "it starts or ends with a blank, which the parser strips";
	if (f->dialect == INI_BOOST && strchr(value, '#'))
		return "it holds '#', which boost takes as the start of a comment";
	if (f->dialect == INI_CONFIGARGPARSE) {
		for (size_t i = 0; i + 1 < n; i++)
			if (ini_blank(value[i]) && (value[i + 1] == '#' || value[i + 1] == ';'))
				return "it holds a blank before '#' or ';', which configargparse takes as a comment";
		if (n >= 2 && (value[0] == '"' || value[0] == '\'') && value[n - 1] == value[0])
			return "it is quoted, and configargparse would remove the quotes";
		if (n >= 2 && value[0] == '[' && value[n - 1] == ']')
			return "configargparse would read it as a list";
	}
	return NULL;
}

static int ini_put_value(const struct ini_file *f, const char *value, struct buf *out)
{
	int rc = 0;
	if (f->dialect != INI_CONFIGPARSER)
		return buf_puts(out, value);
	for (const char *p = value; *p && rc == 0; p++)
		rc = *p == '%' ? buf_puts(out, "%%") : buf_putc(out, *p);
	return rc;
}

int ini_set(const char *text, size_t len, const struct ini_file *f, const char *section, const char *key,
	    const char *value, struct buf *out)
{
	const struct ini_entry *e = ini_find(f, section, key);
	const struct ini_section *s;
	const char *sep = f->dialect == INI_CONFIGARGPARSE ? "=" : " = ";
	size_t at;
	int rc;

	if (ini_unwritable(f, value) || (e && e->multiline))
		return -EINVAL;
	if (e) {
		rc = buf_append(out, text, e->value_start);
		if (rc == 0)
			rc = ini_put_value(f, value, out);
		if (rc == 0)
			rc = buf_append(out, text + e->value_end, len - e->value_end);
		return rc;
	}
	s = f->dialect == INI_CONFIGARGPARSE ? NULL : ini_section_find(f, section);
	if (!s && section[0] && f->dialect != INI_CONFIGARGPARSE) {
		/* A new section at the end. */
		rc = buf_append(out, text, len);
		if (rc == 0 && len && text[len - 1] != '\n')
			rc = buf_putc(out, '\n');
		if (rc == 0)
			rc = buf_printf(out, "\n[%s]\n%s%s", section, key, sep);
		if (rc == 0)
			rc = ini_put_value(f, value, out);
		return rc ? rc : buf_putc(out, '\n');
	}
	if (!s && f->dialect == INI_CONFIGPARSER)
		return -EINVAL; /* configparser has no keys outside sections */
	/* A key outside sections goes first, before any section header claims it. */
	at = s ? s->end : (f->nsections && f->dialect == INI_BOOST) ? 0 : len;
	rc = buf_append(out, text, at);
	if (rc == 0 && at && text[at - 1] != '\n')
		rc = buf_putc(out, '\n');
	if (rc == 0)
		rc = buf_printf(out, "%s%s", key, sep);
	if (rc == 0)
		rc = ini_put_value(f, value, out);
	if (rc == 0)
		rc = buf_putc(out, '\n');
	if (rc == 0)
		rc = buf_append(out, text + at, len - at);
	return rc;
}
