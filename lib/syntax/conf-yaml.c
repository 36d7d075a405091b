/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf-yaml: YAML read with libyaml into a tree that keeps byte offsets, for positional edits. */
#include "grow.h"
#include "conf-yaml.h"
#include "validate.h"
#include "exitcode.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <yaml.h>

/*
 * libyaml's marks count characters, not bytes (and not a leading BOM), so
 * every mark goes through this cursor.  Marks arrive nearly in order, so
 * walking from the last position costs O(size of the file) in all.
 */
struct yconf_cursor {
	const char *text;
	size_t len, base; /* base: bytes of the BOM libyaml skipped */
	size_t ci, bi;    /* a character index and its byte offset */
};

static size_t yconf_cursor_byte(struct yconf_cursor *c, size_t ci)
{
	const unsigned char *t = (const unsigned char *)c->text;
	while (c->ci < ci && c->bi < c->len) {
		c->bi++;
		while (c->bi < c->len && (t[c->bi] & 0xc0) == 0x80)
			c->bi++;
		c->ci++;
	}
	while (c->ci > ci && c->bi > c->base) {
		c->bi--;
		while (c->bi > c->base && (t[c->bi] & 0xc0) == 0x80)
			c->bi--;
		c->ci--;
	}
	return c->bi;
}

size_t yconf_line_start(const char *text, size_t off)
{
	while (off > 0 && text[off - 1] != '\n')
		off--;
	return off;
}

size_t yconf_line_end(const char *text, size_t len, size_t off)
{
	const char *nl = off < len ? memchr(text + off, '\n', len - off) : NULL;
	return nl ? (size_t)(nl - text) + 1 : len;
}

static void yconf_node_free(struct yconf_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		yconf_node_free(n->kids[i]);
	free(n->kids);
	/* a scalar may be a secret (a listener's password): wiped, like the kv and ini values */
	if (n->value)
		sodium_memzero(n->value, n->kind == YCONF_SCALAR ? n->len : strlen(n->value));
	free(n->value);
	free(n);
}

void yconf_free(struct yconf *y)
{
	yconf_node_free(y->root);
	free(y->comments);
	*y = (struct yconf)YCONF_INIT;
}

/* Capacity grows by doubling from 4: a push reallocates only at those sizes. */
static int yconf_push_kid(struct yconf_node *parent, struct yconf_node *kid)
{
	size_t n = parent->nkids;
	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
		struct yconf_node **v = realloc(parent->kids, (n ? 2 * n : 4) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		parent->kids = v;
	}
	parent->kids[parent->nkids++] = kid;
	return 0;
}

struct yconf_span {
	size_t start, end;
};

struct yconf_builder {
	struct yconf *y;
	struct yconf_cursor cur;
	struct yconf_node *stack[YCONF_MAX_DEPTH + 1];
	size_t depth;
	unsigned documents;
	/* where scalars and aliases lie: a '#' there is no comment */
	struct yconf_span *spans;
	size_t nspans, capspans;
	/* anchors defined so far, for the weight of an alias; a collection's until it ends */
	struct yconf_anchor {
		char *name;
		struct yconf_node *node;
	} *anchors;
	size_t nanchors;
	char *open_anchor[YCONF_MAX_DEPTH + 1];
};

static int yconf_anchor_add(struct yconf_builder *b, const unsigned char *name, struct yconf_node *n)
{
	struct yconf_anchor *v = grow_one(b->anchors, b->nanchors, sizeof(*v));
	if (!v)
		return -ENOMEM;
	b->anchors = v;
	/* a later anchor of the same name wins, as in libyaml's loader: searched from the end */
	v[b->nanchors] = (struct yconf_anchor){ strdup((const char *)name), n };
	return v[b->nanchors++].name ? 0 : -ENOMEM;
}

/* Add W to the weight of every open collection, and refuse once the document passes the bound. */
static int yconf_weigh(struct yconf_builder *b, size_t w, size_t line, struct diag *d)
{
	for (size_t i = 0; i < b->depth; i++) {
		b->stack[i]->weight += w;
		if (b->stack[i]->weight > YCONF_MAX_EXPANDED)
			b->stack[i]->weight = YCONF_MAX_EXPANDED + 1;
	}
	if (w > YCONF_MAX_EXPANDED || (b->depth && b->stack[0]->weight > YCONF_MAX_EXPANDED))
		return diag_set(d, EBADMSG, EXIT_DATAERR,
				"%s:%zu: aliases would expand to more than %d nodes (a YAML alias bomb)", b->y->path, line,
				YCONF_MAX_EXPANDED);
	return 0;
}

/* An alias weighs what its anchor's node weighs; one naming no complete anchor before it is refused. */
static int yconf_alias_weigh(struct yconf_builder *b, struct yconf_node *n, size_t line, struct diag *d)
{
	for (size_t i = b->nanchors; i-- > 0;)
		if (strcmp(b->anchors[i].name, n->value) == 0) {
			n->weight = b->anchors[i].node->weight;
			return yconf_weigh(b, n->weight, line, d);
		}
	return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%zu: alias *%.60s names no anchor defined before it", b->y->path,
			line, n->value);
}

/* Push a new collection N, its anchor kept until it ends. */
static int yconf_open_collection(struct yconf_builder *b, struct yconf_node *n, const yaml_char_t *anchor, size_t line,
				 struct diag *d)
{
	int rc = yconf_weigh(b, 1, line, d);
	n->weight = 1;
	b->open_anchor[b->depth] = anchor ? strdup((const char *)anchor) : NULL;
	b->stack[b->depth++] = n;
	return rc == 0 && anchor && !b->open_anchor[b->depth - 1] ? -ENOMEM : rc;
}

static int yconf_add_span(struct yconf_builder *b, size_t start, size_t end)
{
	if (b->nspans == b->capspans) {
		size_t cap = b->capspans ? 2 * b->capspans : 64;
		struct yconf_span *v = realloc(b->spans, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		b->spans = v;
		b->capspans = cap;
	}
	b->spans[b->nspans++] = (struct yconf_span){ start, end };
	return 0;
}

static struct yconf_node *yconf_new_node(struct yconf_builder *b, enum yconf_kind kind, const yaml_event_t *e,
					 int *rc)
{
	struct yconf_node *n = calloc(1, sizeof(*n));
	if (!n) {
		*rc = -ENOMEM;
		return NULL;
	}
	n->kind = kind;
	n->start = yconf_cursor_byte(&b->cur, e->start_mark.index);
	n->end = yconf_cursor_byte(&b->cur, e->end_mark.index);
	n->line = (unsigned)e->start_mark.line + 1;
	n->end_line = (unsigned)e->end_mark.line + 1;
	n->col = n->start - yconf_line_start(b->y->text, n->start);
	/* Attach at once: on any later failure the whole tree is freed from the root. */
	if (b->depth == 0) {
		b->y->root = n;
		*rc = 0;
	} else {
		*rc = yconf_push_kid(b->stack[b->depth - 1], n);
		if (*rc < 0) {
			free(n);
			return NULL;
		}
	}
	return n;
}

/* A block scalar's marks run over the blank lines after it: end it at its last non-blank byte. */
static void yconf_trim_block(const struct yconf *y, struct yconf_node *n)
{
	while (n->end > n->start && strchr(" \t\r\n", y->text[n->end - 1])) {
		if (y->text[n->end - 1] == '\n' && n->end_line > n->line)
			n->end_line--;
		n->end--;
	}
}

static int yconf_event(struct yconf_builder *b, const yaml_event_t *e, struct diag *d)
{
	struct yconf_node *n;
	int rc = 0;

	switch (e->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->documents > 1)
			return diag_set(d, EBADMSG, EXIT_DATAERR,
					"%s:%zu: a second YAML document; a config file holds one", b->y->path,
					e->start_mark.line + 1);
		break;
	case YAML_SCALAR_EVENT:
		n = yconf_new_node(b, YCONF_SCALAR, e, &rc);
		if (!n)
			return rc;
		n->decorated = e->data.scalar.anchor || e->data.scalar.tag;
		switch (e->data.scalar.style) {
		case YAML_SINGLE_QUOTED_SCALAR_STYLE:
			n->style = YCONF_SINGLE;
			break;
		case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
			n->style = YCONF_DOUBLE;
			break;
		case YAML_LITERAL_SCALAR_STYLE:
			n->style = YCONF_LITERAL;
			break;
		case YAML_FOLDED_SCALAR_STYLE:
			n->style = YCONF_FOLDED;
			break;
		default:
			n->style = YCONF_PLAIN;
		}
		rc = yconf_add_span(b, n->start, n->end);
		if (rc < 0)
			return rc;
		if (n->style == YCONF_LITERAL || n->style == YCONF_FOLDED)
			yconf_trim_block(b->y, n);
		n->len = e->data.scalar.length;
		n->value = malloc(n->len + 1);
		if (!n->value)
			return -ENOMEM;
		memcpy(n->value, e->data.scalar.value, n->len);
		n->value[n->len] = '\0';
		n->weight = 1;
		rc = e->data.scalar.anchor ? yconf_anchor_add(b, e->data.scalar.anchor, n) : 0;
		if (rc == 0)
			rc = yconf_weigh(b, 1, e->start_mark.line + 1, d);
		break;
	case YAML_ALIAS_EVENT:
		n = yconf_new_node(b, YCONF_ALIAS, e, &rc);
		if (!n)
			return rc;
		n->value = strdup((const char *)e->data.alias.anchor);
		if (!n->value)
			return -ENOMEM;
		n->len = strlen(n->value);
		rc = yconf_add_span(b, n->start, n->end);
		if (rc == 0)
			rc = yconf_alias_weigh(b, n, e->start_mark.line + 1, d);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = e->type == YAML_SEQUENCE_START_EVENT;
		if (b->depth == YCONF_MAX_DEPTH)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%zu: nested deeper than %d levels", b->y->path,
					e->start_mark.line + 1, YCONF_MAX_DEPTH);
		n = yconf_new_node(b, seq ? YCONF_SEQ : YCONF_MAP, e, &rc);
		if (!n)
			return rc;
		if (seq) {
			n->style = e->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE ? YCONF_FLOW : YCONF_BLOCK;
			n->decorated = e->data.sequence_start.anchor || e->data.sequence_start.tag;
		} else {
			n->style = e->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE ? YCONF_FLOW : YCONF_BLOCK;
			n->decorated = e->data.mapping_start.anchor || e->data.mapping_start.tag;
		}
		rc = yconf_open_collection(b, n, seq ? e->data.sequence_start.anchor : e->data.mapping_start.anchor,
					   e->start_mark.line + 1, d);
		break;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		n = b->stack[--b->depth];
		/* an anchored collection is known to aliases once complete (one inside it is refused) */
		if (b->open_anchor[b->depth]) {
			rc = yconf_anchor_add(b, (const unsigned char *)b->open_anchor[b->depth], n);
			free(b->open_anchor[b->depth]);
			b->open_anchor[b->depth] = NULL;
		}
		if (n->style == YCONF_FLOW) {
			/* the closing bracket */
			n->end = yconf_cursor_byte(&b->cur, e->end_mark.index);
			n->end_line = (unsigned)e->end_mark.line + 1;
		} else if (n->nkids) {
			/* A block collection's end event sits at the next token, comments and blank lines away. */
			n->end = n->kids[n->nkids - 1]->end;
			n->end_line = n->kids[n->nkids - 1]->end_line;
		} else {
			n->end = n->start;
			n->end_line = n->line;
		}
		break;
	default:
		break;
	}
	return rc;
}

static bool yconf_in_span(const struct yconf_builder *b, size_t *k, size_t off)
{
	while (*k < b->nspans && b->spans[*k].end <= off)
		(*k)++;
	return *k < b->nspans && b->spans[*k].start <= off && off < b->spans[*k].end;
}

/* '#' after a blank or at the start of a line, outside every scalar, starts a comment. */
static int yconf_scan_comments(struct yconf_builder *b)
{
	const char *t = b->y->text;
	size_t len = b->y->len, k = 0, cap = 0;
	unsigned line = 1;

	for (size_t ls = 0; ls < len; line++) {
		size_t le = yconf_line_end(t, len, ls), stop = le;
		bool blank_before = true;
		if (stop > ls && t[stop - 1] == '\n')
			stop--;
		if (stop > ls && t[stop - 1] == '\r')
			stop--;
		for (size_t p = ls; p < stop; p++) {
			if (t[p] == '#' && (p == ls || t[p - 1] == ' ' || t[p - 1] == '\t') && !yconf_in_span(b, &k, p)) {
				struct yconf *y = b->y;
				if (y->ncomments == cap) {
					struct yconf_comment *v = realloc(y->comments, (cap = cap ? 2 * cap : 32) * sizeof(*v));
					if (!v)
						return -ENOMEM;
					y->comments = v;
				}
				y->comments[y->ncomments++] = (struct yconf_comment){ p, stop, line, blank_before };
				break;
			}
			if (t[p] != ' ' && t[p] != '\t')
				blank_before = false;
		}
		ls = le;
	}
	return 0;
}

/* What libyaml itself accepts but this module cannot keep offsets or lines for. */
static int yconf_precheck(const char *path, const char *text, size_t len, struct diag *d)
{
	static const char *const breaks[] = { "\xc2\x85", "\xe2\x80\xa8", "\xe2\x80\xa9" };
	const unsigned char *u = (const unsigned char *)text;
	unsigned line = 1;

	if (len >= 2 && ((u[0] == 0xfe && u[1] == 0xff) || (u[0] == 0xff && u[1] == 0xfe)))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:1: UTF-16 or UTF-32 text; only UTF-8 is read", path);
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\0')
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: contains a NUL byte", path, line);
		if (text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n'))
			return diag_set(d, EBADMSG, EXIT_DATAERR,
					"%s:%u: a carriage return that does not end a line (CRLF); lines would be "
					"ambiguous",
					path, line);
		for (size_t k = 0; k < sizeof(breaks) / sizeof(breaks[0]); k++)
			if (u[i] >= 0xc2 && len - i >= strlen(breaks[k]) &&
			    memcmp(text + i, breaks[k], strlen(breaks[k])) == 0)
				return diag_set(d, EBADMSG, EXIT_DATAERR,
						"%s:%u: a Unicode line break (NEL, LS or PS); lines would be ambiguous",
						path, line);
		if (text[i] == '\n')
			line++;
	}
	return 0;
}

/* libyaml's reason, with its place: "PATH:LINE: reason (while CONTEXT at line N)". */
static int yconf_parser_error(const struct yconf *y, const yaml_parser_t *p, struct diag *d)
{
	size_t line;

	if (p->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	if (p->error == YAML_READER_ERROR) {
		/* the reader reports a byte offset, not a mark */
		line = 1;
		for (size_t i = 0; i < p->problem_offset && i < y->len; i++)
			line += y->text[i] == '\n';
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%zu: not valid YAML: %s", y->path, line,
				p->problem ? p->problem : "unreadable text");
	}
	line = p->problem_mark.line + 1;
	/* an unfinished quote or bracket shows only at the end of the file: name where it began */
	if (p->context && p->problem && strstr(p->problem, "end of stream")) {
		const char *what = p->context;
		if (strncmp(what, "while scanning ", 15) == 0 || strncmp(what, "while parsing ", 14) == 0)
			what = strchr(what + 6, ' ') + 1;
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%zu: not valid YAML: %s that never ends", y->path,
				p->context_mark.line + 1, what);
	}
	if (p->context && p->context_mark.line + 1 != line)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%zu: not valid YAML: %s (%s at line %zu)", y->path, line,
				p->problem ? p->problem : "syntax error", p->context, p->context_mark.line + 1);
	return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%zu: not valid YAML: %s%s%s", y->path, line,
			p->problem ? p->problem : "syntax error", p->context ? " " : "", p->context ? p->context : "");
}

int yconf_parse(const char *path, const char *text, size_t len, struct yconf *ret, struct diag *d)
{
	struct yconf y = { .path = path, .text = text, .len = len };
	struct yconf_builder b = { .y = &y };
	yaml_parser_t parser;
	yaml_event_t ev;
	bool done = false;
	int rc;

	rc = yconf_precheck(path, text, len, d);
	if (rc < 0)
		return rc;
	b.cur = (struct yconf_cursor){ .text = text, .len = len };
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		b.cur.base = b.cur.bi = 3;
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = yconf_parser_error(&y, &parser, d);
			goto out;
		}
		rc = yconf_event(&b, &ev, d);
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		if (rc < 0)
			goto out;
	}
	rc = yconf_scan_comments(&b);
out:
	yaml_parser_delete(&parser);
	free(b.spans);
	for (size_t i = 0; i < b.nanchors; i++)
		free(b.anchors[i].name);
	free(b.anchors);
	for (size_t i = 0; i <= YCONF_MAX_DEPTH; i++)
		free(b.open_anchor[i]);
	if (rc < 0)
		yconf_free(&y);
	else
		*ret = y;
	return rc;
}

void yconf_free_tree(void *y)
{
	yconf_free(y);
}

int yconf_parse_kept(struct parse_memo *m, const char *path, const char *text, size_t len, struct yconf *ret,
		     struct diag *d)
{
	if (!m || !parse_memo_take(m, path, text, len, ret))
		return yconf_parse(path, text, len, ret, d);
	/* the tree's offsets hold for any copy of the text: borrow the caller's */
	ret->path = path;
	ret->text = text;
	return 0;
}

void yconf_keep(struct parse_memo *m, struct yconf *y)
{
	if (y->text && y->path)
		parse_memo_keep(m, y->path, y->text, y->len, y);
	else
		yconf_free(y);
	*y = (struct yconf)YCONF_INIT;
}

bool yconf_is(const struct yconf_node *n, const char *s)
{
	return n && n->kind == YCONF_SCALAR && n->len == strlen(s) && memcmp(n->value, s, n->len) == 0;
}

const struct yconf_node *yconf_map_get(const struct yconf_node *map, const char *key)
{
	if (!map || map->kind != YCONF_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->nkids; i += 2)
		if (yconf_is(map->kids[i], key))
			return map->kids[i + 1];
	return NULL;
}

bool yconf_uint(const struct yconf_node *n, unsigned long *ret)
{
	unsigned long v = 0;
	if (!n || n->kind != YCONF_SCALAR || n->len == 0 || n->len > 9)
		return false;
	for (size_t i = 0; i < n->len; i++) {
		if (n->value[i] < '0' || n->value[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(n->value[i] - '0');
	}
	*ret = v;
	return true;
}

const struct yconf_comment *yconf_comment_after(const struct yconf *y, size_t off)
{
	size_t lo = 0, hi = y->ncomments, end = yconf_line_end(y->text, y->len, off);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (y->comments[mid].start < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < y->ncomments && y->comments[lo].start < end ? &y->comments[lo] : NULL;
}


int yconf_quote(const char *s, size_t len, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t mark = out->len;
	int rc = buf_putc(out, '"');

	for (size_t i = 0; i < len && rc == 0;) {
		uint32_t cp;
		size_t n = validate_utf8_decode((const char *)u + i, len - i, &cp);
		if (n == 0) {
			buf_truncate(out, mark);
			return -EINVAL;
		}
		if (cp == '"' || cp == '\\')
			rc = buf_printf(out, "\\%c", (char)cp);
		else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			rc = buf_printf(out, "\\x%02X", (unsigned)cp);
		/* line breaks, the BOM, and U+FFFE/U+FFFF, which YAML does not allow raw (found by fuzzing) */
		else if (cp == 0x2028 || cp == 0x2029 || cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
			rc = buf_printf(out, "\\u%04X", (unsigned)cp);
		else
			rc = buf_append(out, s + i, n);
		i += n;
	}
	if (rc == 0)
		rc = buf_putc(out, '"');
	if (rc < 0)
		buf_truncate(out, mark);
	return rc;
}
