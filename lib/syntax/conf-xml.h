/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf-xml: XML config files as a tree with byte offsets, for edits that keep every other byte. */
#ifndef JD_CONF_XML_H
#define JD_CONF_XML_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "diag.h"
#include "parse-memo.h"

/*
 * Expat decides whether a file is well-formed (and says where it is not);
 * a small scanner of our own then records where each node starts and ends,
 * which a streaming parser does not report exactly.  Edits are splices of the original text at
 * those offsets, so comments, indentation, quoting and attribute order of
 * everything else stay byte-identical.  The caller re-parses the result to
 * check it, like any other input.
 *
 * No DTD is loaded and no entity is expanded: a document that declares
 * entities of its own is refused (it could make one byte mean anything).
 */
enum xml_type { XML_ELEMENT, XML_TEXT, XML_COMMENT, XML_CDATA, XML_PI };

struct xml_attr {
	char *name;
	size_t value_start, value_end; /* raw value between the quotes */
	struct xml_attr *next;
};

struct xml_node {
	enum xml_type type;
	char *name;          /* XML_ELEMENT: the qualified name as written ("jabberd:include") */
	size_t start, end;   /* the whole node: '<' of the start tag .. after the end tag's '>' */
	size_t open_end;     /* after the start tag's '>' (== end for <empty/>) */
	size_t close_start;  /* '<' of the end tag (== end for <empty/>) */
	size_t body_start, body_end; /* XML_COMMENT, XML_CDATA, XML_TEXT: the content */
	unsigned line;       /* of start */
	bool empty;          /* written as <name .../> */
	struct xml_attr *attrs;
	struct xml_node *parent, *children, *next;
};

struct xml_doc {
	const char *path;  /* for messages */
	const char *text;  /* not owned: must outlive the doc */
	size_t len;
	struct xml_node *root; /* the document element */
	struct xml_node *prolog; /* comments and PIs before it, in order */
};

#define XML_DOC_INIT { NULL, NULL, 0, NULL, NULL }

/* Parse TEXT (PATH names it in messages).  -EBADMSG with "PATH:LINE: reason" when not well-formed. */
int xml_parse(const char *path, const char *text, size_t len, struct xml_doc *ret, struct diag *d);
/*
 * Parse the body of a comment as a fragment (several top-level nodes allowed),
 * leniently: where it is not XML as a whole (prose around a commented-out
 * block), every element that parses on its own is kept; -EBADMSG when none.  Offsets are those
 * of the enclosing document.  Finds blocks the admin commented out.
 */
int xml_parse_fragment(const char *text, size_t start, size_t end, unsigned line, struct xml_doc *ret);
void xml_free(struct xml_doc *doc);

/* A memo for xml trees: PARSE_MEMO_INIT(sizeof(struct xml_doc), xml_free_tree). */
void xml_free_tree(void *doc);
/* xml_parse, but a tree kept in M (NULL: none) for exactly this text and path is taken instead of parsing. */
int xml_parse_kept(struct parse_memo *m, const char *path, const char *text, size_t len, struct xml_doc *ret,
		   struct diag *d);
/* Move DOC (a successful xml_parse, its text still there) into M for a later xml_parse_kept; DOC is left empty. */
void xml_keep(struct parse_memo *m, struct xml_doc *doc);

/* The first child element of PARENT named NAME (NULL: any element), or NULL. */
struct xml_node *xml_child(const struct xml_node *parent, const char *name);
/* The next sibling element after N named NAME (NULL: any element), or NULL. */
struct xml_node *xml_next(const struct xml_node *n, const char *name);
/* Follow a path of child element names separated by '/' ("local/secret"), or NULL. */
struct xml_node *xml_path(const struct xml_node *from, const char *path);
/* The attribute NAME of element N, or NULL. */
const struct xml_attr *xml_attr(const struct xml_node *n, const char *name);

/*
 * Decoded text of element EL appended to OUT: its text and CDATA children
 * with entities resolved; comments inside are skipped.  -EINVAL when EL has
 * child elements (not a simple value).
 */
int xml_text(const struct xml_doc *doc, const struct xml_node *el, struct buf *out);
/* Decoded value of attribute A appended to OUT. */
int xml_attr_value(const struct xml_doc *doc, const struct xml_attr *a, struct buf *out);
/*
 * Append to OUT the whole document with the content of element EL replaced
 * by VALUE (escaped); <el/> is written out as <el>VALUE</el>.
 */
int xml_set_text(const struct xml_doc *doc, const struct xml_node *el, const char *value, size_t len,
		 struct buf *out);
/* Where the content of EL lies, for replacing it: [*start, *end). */
void xml_content_range(const struct xml_node *el, size_t *start, size_t *end);

/* Append S escaped as element text (& < > escaped, so "]]>" cannot occur). */
int xml_escape_text(const char *s, size_t len, struct buf *out);
/* Append S escaped for a double-quoted attribute value. */
int xml_escape_attr(const char *s, size_t len, struct buf *out);
/* The indentation (spaces and tabs) of the line holding offset OFF. */
size_t xml_indent(const char *text, size_t off, const char **ret_start);

#endif
