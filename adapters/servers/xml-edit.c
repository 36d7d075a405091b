/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xml-edit: what the XML server adapters (jabberd2, jabberd14) share — loading, splicing, checking a config. */
#include "xml-edit.h"
#include "exitcode.h"
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A symlink where the config should be is refused by the commit; say so before any diff is shown. */
static int xe_refuse_symlink(const struct root *r, const char *path, struct diag *d)
{
	char *dir = safefs_dirname(path);
	const char *name = strrchr(path, '/') + 1;
	struct stat st;
	int fd = -1, rc = 0;

	if (!dir)
		return -ENOMEM;
	if (safefs_open_read(r, dir, O_PATH | O_DIRECTORY, &fd, &(struct diag)DIAG_INIT) == 0 &&
	    fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		rc = diag_set(d, ELOOP, EXIT_CANTCREAT,
			      "%s: is a symlink; refusing to edit through it (edit the file it points to with --config)",
			      path);
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

/*
 * The trees of the texts this process parsed last: a --batch reads back,
 * for each record, the file the record before it produced and parsed, and
 * parses it not again (a parse is the cost of a record).
 */
static struct parse_memo xe_memo = PARSE_MEMO_INIT(sizeof(struct xml_doc), xml_free_tree);

void xe_forget(void)
{
	parse_memo_clear(&xe_memo);
}

int xe_parse(struct xe_file *f, struct diag *d)
{
	xml_free(&f->doc);
	return xml_parse_kept(&xe_memo, f->path, buf_str(&f->text), f->text.len, &f->doc, d);
}

int xe_load(const struct root *r, const char *path, bool for_write, struct xe_file *f, struct diag *d)
{
	int rc;

	f->path = path;
	rc = safefs_read_file(r, path, &f->text, d);
	if (rc == -ENOENT)
		return diag_set(d, ENOENT, EXIT_NOINPUT, "%s: no such file", path);
	if (rc < 0)
		return rc;
	if (for_write) {
		rc = xe_refuse_symlink(r, path, d);
		if (rc < 0)
			return rc;
	}
	return xe_parse(f, d);
}

void xe_free(struct xe_file *f)
{
	xml_keep(&xe_memo, &f->doc);
	buf_free(&f->text);
}

struct buf *xe_edit_add(struct xe_edits *e, size_t start, size_t end)
{
	struct xe_edit *ed;
	if (e->n == sizeof(e->v) / sizeof(*e->v))
		return NULL;
	ed = &e->v[e->n++];
	ed->start = start;
	ed->end = end;
	ed->repl = (struct buf)BUF_INIT_SENSITIVE;
	return &ed->repl;
}

void xe_edits_free(struct xe_edits *e)
{
	for (size_t i = 0; i < e->n; i++)
		buf_free(&e->v[i].repl);
	e->n = 0;
}

static int xe_edit_cmp(const void *a, const void *b)
{
	const struct xe_edit *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

int xe_edits_apply(const struct xe_file *f, struct xe_edits *e, struct buf *out)
{
	size_t pos = 0;
	int rc = 0;

	qsort(e->v, e->n, sizeof(*e->v), xe_edit_cmp);
	for (size_t i = 0; i < e->n && rc == 0; i++) {
		const struct xe_edit *ed = &e->v[i];
		if (ed->start < pos || ed->end < ed->start || ed->end > f->text.len)
			return -EINVAL;
		rc = buf_append(out, f->text.data + pos, ed->start - pos);
		if (rc == 0)
			rc = buf_append(out, buf_str(&ed->repl), ed->repl.len);
		pos = ed->end;
	}
	if (rc == 0)
		rc = buf_append(out, buf_str(&f->text) + pos, f->text.len - pos);
	return rc;
}

size_t xe_line_start(const char *text, size_t off)
{
	while (off > 0 && text[off - 1] != '\n')
		off--;
	return off;
}

size_t xe_line_end(const char *text, size_t len, size_t off)
{
	while (off < len && text[off] != '\n')
		off++;
	return off < len ? off + 1 : off;
}

bool xe_blank(const char *text, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++)
		if (!strchr(" \t\r\n", text[i]) || !text[i])
			return false;
	return true;
}

void xe_cut_span(const char *text, size_t len, size_t start, size_t end, size_t *ret_start, size_t *ret_end)
{
	size_t ls = xe_line_start(text, start), le = xe_line_end(text, len, end);
	/* le is after the '\n': the bytes between END and it must be blanks too. */
	if (xe_blank(text, ls, start) && xe_blank(text, end, le)) {
		*ret_start = ls;
		*ret_end = le;
	} else {
		*ret_start = start;
		*ret_end = end;
	}
}

int xe_text_trimmed(const struct xml_doc *doc, const struct xml_node *el, struct buf *out)
{
	struct buf raw = BUF_INIT_SENSITIVE;
	size_t a = 0, b;
	int rc = xml_text(doc, el, &raw);

	if (rc == 0) {
		b = raw.len;
		while (a < b && strchr(" \t\r\n", raw.data[a]))
			a++;
		while (b > a && strchr(" \t\r\n", raw.data[b - 1]))
			b--;
		rc = buf_append(out, raw.data ? raw.data + a : "", b - a);
	}
	buf_free(&raw);
	return rc;
}

void xe_indent_unit(const struct xml_doc *doc, char *out, size_t len)
{
	const struct xml_node *first = xml_child(doc->root, NULL);
	const char *start;
	size_t n = first ? xml_indent(doc->text, first->start, &start) : 0;

	/* Only when the child starts its line does its indentation say anything. */
	if (n == 0 || n >= len || start + n != doc->text + first->start) {
		snprintf(out, len, "  ");
		return;
	}
	memcpy(out, start, n);
	out[n] = '\0';
}

int xe_put(struct changeset *cs, const struct xe_file *f, const struct buf *newtext, struct diag *d)
{
	struct xml_doc check = XML_DOC_INIT;
	struct diag cd = DIAG_INIT;
	int rc = xml_parse(f->path, buf_str(newtext), newtext->len, &check, &cd);

	xml_free(&check);
	if (rc < 0)
		return diag_set(d, EPROTO, EXIT_SOFTWARE, "%s: the edit would not be well-formed (%s); nothing written",
				f->path, cd.msg);
	return changeset_put(cs, f->path, &f->text, buf_str(newtext), newtext->len, 0640);
}

int xe_put_parsed(struct changeset *cs, const struct xe_file *f, const struct xe_file *newf, struct diag *d)
{
	if (!newf->doc.root || newf->doc.text != buf_str(&newf->text))
		return xe_put(cs, f, &newf->text, d);
	return changeset_put(cs, f->path, &f->text, buf_str(&newf->text), newf->text.len, 0640);
}

int xe_redact_text(struct changeset *cs, const char *s, size_t len, const char *shown)
{
	struct buf esc = BUF_INIT_SENSITIVE;
	int rc = xml_escape_text(s, len, &esc);
	if (rc == 0 && esc.len)
		rc = changeset_redact(cs, buf_str(&esc), shown);
	buf_free(&esc);
	return rc;
}

int xe_collect_secret(struct strv *secrets, const char *text, const struct xml_node *el)
{
	char *raw;
	if (el->empty || el->close_start <= el->open_end)
		return 0;
	raw = strndup(text + el->open_end, el->close_start - el->open_end);
	if (!raw)
		return -ENOMEM;
	if (secret_equal_str(&(struct secret){ raw, strlen(raw) }, "secret") || strv_contains(secrets, raw)) {
		free(raw);
		return 0;
	}
	return strv_push_owned(secrets, raw);
}

int xe_redact_all(struct changeset *cs, const struct strv *secrets, const char *shown)
{
	int rc = 0;
	for (size_t i = 0; i < secrets->n && rc == 0; i++)
		rc = changeset_redact(cs, secrets->v[i], shown);
	return rc;
}
