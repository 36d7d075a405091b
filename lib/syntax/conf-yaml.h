/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf-yaml: YAML read with libyaml into a tree that keeps byte offsets, for positional edits. */
#ifndef JD_CONF_YAML_H
#define JD_CONF_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "diag.h"
#include "parse-memo.h"

/*
 * Functions here are prefixed yconf_: libyaml owns the yaml_ prefix.
 *
 * The tree is what libyaml's parser events describe, nothing resolved:
 * anchors and tags are noted, aliases stay aliases (never expanded, so a
 * hostile file cannot blow up), merge keys are ordinary keys.  Every node
 * knows where its text is, in bytes of the buffer given to yconf_parse(),
 * so a caller can splice new text in and leave every other byte alone.
 */
enum yconf_kind {
	YCONF_SCALAR,
	YCONF_SEQ,
	YCONF_MAP,
	YCONF_ALIAS,
};

enum yconf_style {
	YCONF_PLAIN,
	YCONF_SINGLE,  /* 'quoted' */
	YCONF_DOUBLE,  /* "quoted" */
	YCONF_LITERAL, /* | */
	YCONF_FOLDED,  /* > */
	YCONF_BLOCK,   /* a collection in block style */
	YCONF_FLOW,    /* a collection in flow style: {...} or [...] */
};

struct yconf_node {
	enum yconf_kind kind;
	enum yconf_style style;
	/*
	 * Bytes [start, end) of the node's text, anchor and tag included.  A
	 * block collection ends with its last item; a block scalar (| or >) at
	 * its last non-blank byte, not after the blank lines libyaml gives it.
	 */
	size_t start, end;
	unsigned line;       /* 1-based line of start */
	unsigned end_line;   /* 1-based line of the node's last byte */
	size_t col;          /* bytes between the start of its line and start */
	bool decorated;      /* has an anchor or a tag */
	char *value;         /* SCALAR: the decoded value, NUL-terminated; ALIAS: the anchor name */
	size_t len;
	struct yconf_node **kids; /* SEQ: the items; MAP: key 0, value 0, key 1, value 1, ... */
	size_t nkids;
	size_t weight; /* nodes it stands for with every alias expanded (capped above YCONF_MAX_EXPANDED) */
};

/* A comment: '#' to the end of its line (the line break excluded). */
struct yconf_comment {
	size_t start, end;
	unsigned line;
	bool whole_line; /* nothing but blanks before it on its line */
};

struct yconf {
	const char *path; /* borrowed, for messages */
	const char *text; /* borrowed: the text parsed, which must outlive the tree */
	size_t len;
	struct yconf_node *root; /* NULL for a file with no document (empty, or comments only) */
	struct yconf_comment *comments;
	size_t ncomments;
};

#define YCONF_INIT { NULL, NULL, 0, NULL, NULL, 0 }

/* Deeper nesting is refused: no real config needs it, and it bounds the work on hostile input. */
#define YCONF_MAX_DEPTH 64
/*
 * A document whose aliases, expanded as ejabberd's loader expands them,
 * make more nodes than this is refused (an alias bomb): real configs have
 * a few thousand.
 */
#define YCONF_MAX_EXPANDED 100000

/*
 * Parse TEXT (LEN bytes; PATH names it in messages).  Refused with
 * -EBADMSG and "PATH:LINE: reason" in D: what libyaml cannot parse, a NUL
 * byte, UTF-16 or UTF-32 text, more than one document, nesting deeper than
 * YCONF_MAX_DEPTH, aliases expanding past YCONF_MAX_EXPANDED nodes, an alias
 * to an anchor not defined before it.  On failure *RET is left empty.  -ENOMEM otherwise.
 */
int yconf_parse(const char *path, const char *text, size_t len, struct yconf *ret, struct diag *d);
void yconf_free(struct yconf *y);

/* A memo for yconf trees: PARSE_MEMO_INIT(sizeof(struct yconf), yconf_free_tree). */
void yconf_free_tree(void *y);
/* yconf_parse, but a tree kept in M (NULL: none) for exactly this text and path is taken instead of parsing. */
int yconf_parse_kept(struct parse_memo *m, const char *path, const char *text, size_t len, struct yconf *ret,
		     struct diag *d);
/* Move Y (a successful parse, its text still there) into M for a later yconf_parse_kept; Y is left empty. */
void yconf_keep(struct parse_memo *m, struct yconf *y);

/* The value of the first KEY (a scalar key equal to it) in MAP, or NULL; NULL-safe. */
const struct yconf_node *yconf_map_get(const struct yconf_node *map, const char *key);
/* Whether N is a scalar whose value is exactly S; NULL-safe. */
bool yconf_is(const struct yconf_node *n, const char *s);
/* N as a decimal integer without sign or blanks (any scalar style); false otherwise. */
bool yconf_uint(const struct yconf_node *n, unsigned long *ret);
/* Offsets of the line holding OFF: its first byte, and the byte after its '\n' (or LEN). */
size_t yconf_line_start(const char *text, size_t off);
size_t yconf_line_end(const char *text, size_t len, size_t off);
/* The comment that starts on the same line as OFF, after it; NULL when none. */
const struct yconf_comment *yconf_comment_after(const struct yconf *y, size_t off);

/*
 * Append S as a YAML double-quoted scalar that libyaml decodes back to
 * exactly S: '"' and '\' are escaped, and so is every character YAML does
 * not allow raw or would read as a line break (C0 and C1 controls, DEL,
 * U+2028, U+2029, U+FEFF, U+FFFE, U+FFFF).  Other UTF-8 is copied as is.  -EINVAL when S is
 * not valid UTF-8 (YAML text is Unicode), -ENOMEM.
 */
int yconf_quote(const char *s, size_t len, struct buf *out);

#endif
