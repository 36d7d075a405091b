/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xml-edit: what the XML server adapters (jabberd2, jabberd14) share — loading, splicing, checking a config. */
#ifndef JD_XML_EDIT_H
#define JD_XML_EDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "atomic.h"
#include "buf.h"
#include "conf-xml.h"
#include "diag.h"
#include "safefs.h"
#include "strv.h"

/* A config file as read, and its tree. */
struct xe_file {
	const char *path;
	struct buf text; /* sensitive: it holds the secrets */
	struct xml_doc doc;
};

#define XE_FILE_INIT { NULL, BUF_INIT_SENSITIVE, XML_DOC_INIT }

/*
 * Read and parse PATH.  FOR_WRITE: refuse a symlink in place of the file
 * up front, so that --dry-run already says what the commit would refuse.
 * Errors: -ENOENT (exit 66), -EBADMSG "PATH:LINE: reason" (exit 65).
 */
int xe_load(const struct root *r, const char *path, bool for_write, struct xe_file *f, struct diag *d);
/* Parse F->text (already filled) into F->doc; for re-reading a text an edit produced. */
int xe_parse(struct xe_file *f, struct diag *d);
/* Keeps F's tree for a later xe_parse of the very same text (xe_forget drops them all). */
void xe_free(struct xe_file *f);
/* Drop and wipe the trees xe_free kept: at the end of a call. */
void xe_forget(void);

/* One replacement of bytes [start, end) of the text read. */
struct xe_edit {
	size_t start, end;
	struct buf repl; /* sensitive: may hold a secret */
};

struct xe_edits {
	struct xe_edit v[8];
	size_t n;
};

/* Queue a replacement; its text is appended by the caller to the returned buffer (NULL: too many). */
struct buf *xe_edit_add(struct xe_edits *e, size_t start, size_t end);
void xe_edits_free(struct xe_edits *e);
/* The text of F with every edit applied, into OUT (sensitive).  -EINVAL when edits overlap. */
int xe_edits_apply(const struct xe_file *f, struct xe_edits *e, struct buf *out);

/* Offset of the start of the line holding OFF. */
size_t xe_line_start(const char *text, size_t off);
/* Offset just after the '\n' ending the line holding OFF (or the end of the text). */
size_t xe_line_end(const char *text, size_t len, size_t off);
/* Whether [a, b) holds only blanks (spaces, tabs, CR, LF). */
bool xe_blank(const char *text, size_t a, size_t b);
/*
 * The span to delete to take node [start, end) away: its whole lines when
 * nothing else shares them, else just the node.
 */
void xe_cut_span(const char *text, size_t len, size_t start, size_t end, size_t *ret_start, size_t *ret_end);
/* The decoded text of EL with surrounding blanks removed; -EINVAL when EL holds elements. */
int xe_text_trimmed(const struct xml_doc *doc, const struct xml_node *el, struct buf *out);
/* The indentation unit of the file: that of the first child element of the root ("  " if none). */
void xe_indent_unit(const struct xml_doc *doc, char *out, size_t len);

/*
 * Queue NEWTEXT as the new content of F in CS, after checking that it still
 * parses (an edit must never produce a file the server would refuse).
 */
int xe_put(struct changeset *cs, const struct xe_file *f, const struct buf *newtext, struct diag *d);
/* xe_put of NEWF's text, which NEWF->doc is a parse of already: not parsed again. */
int xe_put_parsed(struct changeset *cs, const struct xe_file *f, const struct xe_file *newf, struct diag *d);
/* Hide the secret S as it is written in the file (escaped as element text) from diffs. */
int xe_redact_text(struct changeset *cs, const char *s, size_t len, const char *shown);
/*
 * Remember the content of element EL of TEXT (a <secret>, live or inside a
 * comment) as written, to be hidden from every diff: a context line may show
 * a neighbour's secret.  The stock placeholder "secret" is no secret (and
 * hiding it would mangle every <secret> tag).
 */
int xe_collect_secret(struct strv *secrets, const char *text, const struct xml_node *el);
/* Hide every collected secret from diffs, showing SHOWN. */
int xe_redact_all(struct changeset *cs, const struct strv *secrets, const char *shown);

#endif
