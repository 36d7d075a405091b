/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmlstream: an incremental reader of an XMPP stream, the restricted XML of RFC 6120 section 11. */
#include "grow.h"
#include "xmlstream.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

#define XS_STREAMS_NS "http://etherx.jabber.org/streams"
#define XS_XML_NS "http://www.w3.org/XML/1998/namespace"

/* Return values of the parsing steps below: a unit is complete, or more input is needed. */
#define XS_DONE 1
#define XS_MORE 0

struct xs_cur {
	const char *p;
	size_t len, i;
	char *err;
	size_t errlen;
};

/* The namespace declarations in force: one frame per element that declared some. */
struct xs_scope {
	struct xmlstream_ns *ns;
	size_t n;
	const struct xs_scope *up;
};

__attribute__((format(printf, 2, 3))) static int xs_bad(struct xs_cur *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

static bool xs_at(const struct xs_cur *c, const char *s)
{
	size_t n = strlen(s);
	return c->len - c->i >= n && memcmp(c->p + c->i, s, n) == 0;
}

/* True when C could still become S once more bytes arrive. */
static bool xs_prefix_of(const struct xs_cur *c, const char *s)
{
	size_t left = c->len - c->i, n = strlen(s);
	return left < n && memcmp(c->p + c->i, s, left) == 0;
}

static bool xs_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static void xs_skip_blanks(struct xs_cur *c)
{
	while (c->i < c->len && xs_blank(c->p[c->i]))
		c->i++;
}

/* Skip from C (at OPEN) past CLOSE: DONE, MORE when CLOSE has not arrived yet. */
static int xs_skip_past(struct xs_cur *c, const char *open, const char *close)
{
	const char *end = memmem(c->p + c->i + strlen(open), c->len - c->i - strlen(open), close, strlen(close));
	if (!end)
		return XS_MORE;
	c->i = (size_t)(end - c->p) + strlen(close);
	return XS_DONE;
}

static void xs_ns_free(struct xmlstream_ns *ns, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(ns[i].prefix);
		free(ns[i].uri);
	}
	free(ns);
}

void xmlstream_elem_free(struct xmlstream_elem *e)
{
	while (e) {
		struct xmlstream_elem *next = e->next;
		xmlstream_elem_free(e->children);
		for (size_t i = 0; i < e->nattrs; i++) {
			free(e->attrs[i].name);
			free(e->attrs[i].value);
		}
		free(e->attrs);
		free(e->name);
		free(e->ns);
		buf_free(&e->text);
		free(e);
		e = next;
	}
}

/* A name: up to a blank, '/', '>' or '='.  DONE with *RET (malloc'd), MORE, or -EBADMSG. */
static int xs_name(struct xs_cur *c, char **ret)
{
	size_t start = c->i;
	while (c->i < c->len && !xs_blank(c->p[c->i]) && !strchr("/>=", c->p[c->i])) {
		if (strchr("<&\"'", c->p[c->i]) || (unsigned char)c->p[c->i] < 0x20)
			return xs_bad(c, "a bad character in a name");
		c->i++;
	}
	if (c->i == c->len)
		return XS_MORE;
	if (c->i == start || c->p[start] == ':' || c->p[start] == '-' || c->p[start] == '.' ||
	    (c->p[start] >= '0' && c->p[start] <= '9'))
		return xs_bad(c, "a tag or attribute without a proper name");
	*ret = strndup(c->p + start, c->i - start);
	return *ret ? XS_DONE : -ENOMEM;
}

/* Decode one reference at C (at '&') into OUT: the five predefined entities and character references. */
static int xs_reference(struct xs_cur *c, struct buf *out)
{
	static const struct {
		const char *name;
		char ch;
	} predefined[] = { { "lt", '<' }, { "gt", '>' }, { "amp", '&' }, { "quot", '"' }, { "apos", '\'' } };
	const char *semi = memchr(c->p + c->i, ';', c->len - c->i < 12 ? c->len - c->i : 12);
	size_t n;

	if (!semi)
		return c->len - c->i < 12 ? XS_MORE : xs_bad(c, "an unterminated reference");
	n = (size_t)(semi - (c->p + c->i + 1));
	for (size_t k = 0; k < sizeof(predefined) / sizeof(*predefined); k++)
		if (strlen(predefined[k].name) == n && memcmp(c->p + c->i + 1, predefined[k].name, n) == 0) {
			c->i += n + 2;
			return buf_putc(out, predefined[k].ch) < 0 ? -ENOMEM : XS_DONE;
		}
	if (n >= 2 && c->p[c->i + 1] == '#') {
		bool hex = c->p[c->i + 2] == 'x';
		unsigned long cp = 0;
		size_t k = c->i + (hex ? 3 : 2);
		if (k == c->i + n + 1)
			return xs_bad(c, "an empty character reference");
		for (; k < c->i + n + 1; k++) {
			char d = c->p[k];
			int v = d >= '0' && d <= '9' ? d - '0' : hex && d >= 'a' && d <= 'f' ? d - 'a' + 10
							   : hex && d >= 'A' && d <= 'F' ? d - 'A' + 10 : -1;
			if (v < 0 || cp > 0x10ffff)
				return xs_bad(c, "a bad character reference");
			cp = cp * (hex ? 16 : 10) + (unsigned long)v;
		}
		/* XML 1.0 Char: no NUL, no C0 control but tab/LF/CR, no surrogates, nothing above U+10FFFF. */
		if ((cp < 0x20 && cp != 9 && cp != 10 && cp != 13) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
		    cp == 0xfffe || cp == 0xffff)
			return xs_bad(c, "a character reference to a character XML forbids");
		c->i += n + 2;
		return buf_put_utf8(out, cp) < 0 ? -ENOMEM : XS_DONE;
	}
	return xs_bad(c, "an entity reference XMPP forbids (&%.*s;)", (int)(n < 20 ? n : 20),
		      c->p + c->i + 1);
}

/* Character data from C up to STOP (excluded), decoded into OUT. */
static int xs_chars(struct xs_cur *c, char stop, struct buf *out)
{
	while (c->i < c->len && c->p[c->i] != stop) {
		unsigned char ch = (unsigned char)c->p[c->i];
		size_t n = 1;
		int rc;
		if (ch == '&') {
			rc = xs_reference(c, out);
			if (rc <= 0)
				return rc;
			continue;
		}
		if (ch == '<')
			return xs_bad(c, "a '<' inside an attribute value");
		if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
			return xs_bad(c, "a control character (0x%02x)", ch);
		if (ch >= 0x80 && !(n = validate_utf8_char(c->p + c->i, c->len - c->i)))
			return c->len - c->i < 4 ? XS_MORE : xs_bad(c, "invalid UTF-8");
		if (buf_append(out, c->p + c->i, n) < 0)
			return -ENOMEM;
		c->i += n;
	}
	return c->i < c->len ? XS_DONE : XS_MORE;
}

/* One attribute at C: NAME = 'VALUE' or "VALUE". */
static int xs_attribute(struct xs_cur *c, struct xmlstream_attr *a)
{
	struct buf value = BUF_INIT;
	char quote;
	int rc = xs_name(c, &a->name);
	if (rc <= 0)
		return rc;
	xs_skip_blanks(c);
	if (c->i == c->len)
		return XS_MORE;
	if (c->p[c->i] != '=')
		return xs_bad(c, "attribute \"%.40s\" without a value", a->name);
	c->i++;
	xs_skip_blanks(c);
	if (c->i == c->len)
		return XS_MORE;
	quote = c->p[c->i];
	if (quote != '\'' && quote != '"')
		return xs_bad(c, "attribute \"%.40s\" with an unquoted value", a->name);
	c->i++;
	rc = xs_chars(c, quote, &value);
	if (rc > 0) {
		c->i++;
		rc = buf_putc(&value, '\0') < 0 ? -ENOMEM : XS_DONE; /* never NULL, even when empty */
		a->value = value.data;
		return rc;
	}
	buf_free(&value);
	return rc;
}

static const char *xs_lookup(const struct xs_scope *sc, const char *prefix, size_t n)
{
	if (n == 3 && memcmp(prefix, "xml", 3) == 0)
		return XS_XML_NS;
	for (; sc; sc = sc->up)
		for (size_t k = sc->n; k-- > 0;)
			if (strlen(sc->ns[k].prefix) == n && memcmp(sc->ns[k].prefix, prefix, n) == 0)
				return sc->ns[k].uri;
	return NULL;
}

/* Move xmlns and xmlns:P attributes of E into *DECLS. */
static int xs_take_declarations(struct xmlstream_elem *e, struct xmlstream_ns **decls, size_t *n)
{
	size_t kept = 0;
	for (size_t k = 0; k < e->nattrs; k++) {
		const char *name = e->attrs[k].name;
		if (strcmp(name, "xmlns") == 0 || strncmp(name, "xmlns:", 6) == 0) {
			struct xmlstream_ns *grown = grow_one(*decls, *n, sizeof(**decls));
			char *prefix = strdup(name[5] ? name + 6 : "");
			if (!grown || !prefix) {
				free(prefix);
				if (grown)
					*decls = grown;
				return -ENOMEM;
			}
			*decls = grown;
			(*decls)[(*n)++] = (struct xmlstream_ns){ prefix, e->attrs[k].value };
			free(e->attrs[k].name);
		} else
			e->attrs[kept++] = e->attrs[k];
	}
	e->nattrs = kept;
	return 0;
}

/* Split QNAME into E's local name and resolved namespace within scope SC. */
static int xs_resolve(struct xs_cur *c, struct xmlstream_elem *e, const char *qname, const struct xs_scope *sc)
{
	const char *colon = strchr(qname, ':'), *uri;
	if (colon) {
		uri = xs_lookup(sc, qname, (size_t)(colon - qname));
		if (!uri)
			return xs_bad(c, "tag <%.40s> uses an undeclared prefix", qname);
	} else
		uri = (uri = xs_lookup(sc, "", 0)) ? uri : "";
	e->name = strdup(colon ? colon + 1 : qname);
	e->ns = strdup(uri);
	return e->name && e->ns ? XS_DONE : -ENOMEM;
}

/*
 * A start tag at C ('<' then a name).  DONE with the new element, its qualified
 * name, whether it was empty (<x/>), and its declarations; MORE or an error
 * otherwise, nothing allocated left behind.  The scope frame is the caller's.
 */
static int xs_start_tag(struct xs_cur *c, struct xs_scope *frame, struct xmlstream_elem **ret, char **ret_qname,
			bool *ret_empty)
{
	struct xmlstream_elem *e = calloc(1, sizeof(*e));
	char *qname = NULL;
	int rc;

	if (!e)
		return -ENOMEM;
	c->i++;
	rc = xs_name(c, &qname);
	while (rc > 0) {
		xs_skip_blanks(c);
		if (c->i == c->len) {
			rc = XS_MORE;
		} else if (c->p[c->i] == '>' || xs_at(c, "/>")) {
			*ret_empty = c->p[c->i] == '/';
			c->i += *ret_empty ? 2 : 1;
			break;
		} else if (c->p[c->i] == '/') {
			rc = c->i + 1 == c->len ? XS_MORE : xs_bad(c, "a stray '/' in tag <%.40s>", qname);
		} else if (e->nattrs == XMLSTREAM_MAX_ATTRS) {
			rc = xs_bad(c, "tag <%.40s> has more than %d attributes", qname, XMLSTREAM_MAX_ATTRS);
		} else {
			struct xmlstream_attr *grown = grow_one(e->attrs, e->nattrs, sizeof(*grown));
			if (!grown) {
				rc = -ENOMEM;
				break;
			}
			e->attrs = grown;
			e->attrs[e->nattrs] = (struct xmlstream_attr){ NULL, NULL };
			rc = xs_attribute(c, &e->attrs[e->nattrs]);
			e->nattrs++; /* counted even when incomplete, so it is freed */
		}
	}
	if (rc > 0)
		rc = xs_take_declarations(e, &frame->ns, &frame->n) < 0 ? -ENOMEM : XS_DONE;
	if (rc > 0)
		rc = xs_resolve(c, e, qname, frame);
	if (rc > 0) {
		*ret = e;
		*ret_qname = qname;
		return XS_DONE;
	}
	xmlstream_elem_free(e);
	free(qname);
	return rc;
}

/* An end tag at C ("</"); it must close QNAME. */
static int xs_end_tag(struct xs_cur *c, const char *qname)
{
	char *name = NULL;
	int rc;
	c->i += 2;
	rc = xs_name(c, &name);
	if (rc > 0) {
		xs_skip_blanks(c);
		if (c->i == c->len)
			rc = XS_MORE;
		else if (c->p[c->i] != '>' || strcmp(name, qname) != 0)
			rc = xs_bad(c, "</%.40s> does not close <%.40s>", name, qname);
		else
			c->i++;
	}
	free(name);
	return rc;
}

static int xs_element(struct xs_cur *c, const struct xs_scope *up, int depth, struct xmlstream_elem **ret);

/* What follows a start tag of E up to its end tag: text, children, comments, CDATA. */
static int xs_content(struct xs_cur *c, struct xmlstream_elem *e, const char *qname, const struct xs_scope *sc,
		      int depth)
{
	struct xmlstream_elem **tail = &e->children;
	for (;;) {
		int rc;
		if (c->i == c->len)
			return XS_MORE;
		if (c->p[c->i] != '<')
			rc = xs_chars(c, '<', &e->text);
		else if (xs_at(c, "</"))
			return xs_end_tag(c, qname);
		else if (xs_at(c, "<!--"))
			rc = xs_skip_past(c, "<!--", "-->");
		else if (xs_at(c, "<![CDATA[")) {
			size_t start = c->i + 9;
			rc = xs_skip_past(c, "<![CDATA[", "]]>");
			if (rc > 0 && buf_append(&e->text, c->p + start, c->i - 3 - start) < 0)
				rc = -ENOMEM;
		} else if (xs_prefix_of(c, "<!--") || xs_prefix_of(c, "<![CDATA[") || c->i + 1 == c->len)
			return XS_MORE;
		else if (c->p[c->i + 1] == '!' || c->p[c->i + 1] == '?')
			return xs_bad(c, "a DTD or processing instruction inside the stream");
		else if (depth >= XMLSTREAM_MAX_DEPTH)
			return xs_bad(c, "elements nested deeper than %d", XMLSTREAM_MAX_DEPTH);
		else if ((rc = xs_element(c, sc, depth + 1, tail)) > 0)
			tail = &(*tail)->next;
		if (rc <= 0)
			return rc;
	}
}

/* One whole element at C ('<' then a name), children included. */
static int xs_element(struct xs_cur *c, const struct xs_scope *up, int depth, struct xmlstream_elem **ret)
{
	struct xs_scope frame = { NULL, 0, up };
	struct xmlstream_elem *e = NULL;
	char *qname = NULL;
	bool empty = false;
	int rc = xs_start_tag(c, &frame, &e, &qname, &empty);

	if (rc > 0 && !empty)
		rc = xs_content(c, e, qname, &frame, depth);
	xs_ns_free(frame.ns, frame.n);
	free(qname);
	if (rc > 0)
		*ret = e;
	else
		xmlstream_elem_free(e);
	return rc;
}

/* The stream header: an optional XML declaration, then <stream:stream ...>. */
static int xs_header(struct xmlstream *s, struct xs_cur *c, struct xmlstream_elem **ret)
{
	struct xs_scope frame = { NULL, 0, NULL };
	struct xmlstream_elem *e = NULL;
	char *qname = NULL;
	bool empty = false;
	int rc;

	xs_skip_blanks(c);
	if (xs_at(c, "<?xml") && (rc = xs_skip_past(c, "<?xml", "?>")) <= 0)
		return rc;
	xs_skip_blanks(c);
	if (c->i == c->len || xs_prefix_of(c, "<?xml"))
		return XS_MORE;
	if (c->p[c->i] != '<' || c->i + 1 == c->len || c->p[c->i + 1] == '!' || c->p[c->i + 1] == '?' ||
	    c->p[c->i + 1] == '/')
		return c->i + 1 == c->len ? XS_MORE : xs_bad(c, "not an XML stream: it starts with something other than a tag");
	rc = xs_start_tag(c, &frame, &e, &qname, &empty);
	if (rc > 0 && (empty || !xmlstream_is(e, XS_STREAMS_NS, "stream")))
		rc = xs_bad(c, "not an XMPP stream: the first tag is <%.40s>%s", qname, empty ? " and empty" : "");
	if (rc > 0) {
		s->header_seen = true;
		s->header_qname = qname;
		s->ns = frame.ns;
		s->nns = frame.n;
		*ret = e;
		return XMLSTREAM_HEADER;
	}
	xs_ns_free(frame.ns, frame.n);
	xmlstream_elem_free(e);
	free(qname);
	return rc;
}

int xmlstream_next(struct xmlstream *s, const char *in, size_t len, size_t *pos, struct xmlstream_elem **ret, char *err,
		   size_t errlen)
{
	struct xs_cur c = { in, len, *pos, err, errlen };
	struct xs_scope top = { s->ns, s->nns, NULL };
	int rc;

	if (!s->header_seen)
		rc = xs_header(s, &c, ret);
	else if (s->ended)
		rc = xs_bad(&c, "data after the end of the stream");
	else
		for (;;) {
			xs_skip_blanks(&c);
			if (c.i == c.len || (c.i + 1 == c.len && c.p[c.i] == '<') || xs_prefix_of(&c, "<!--"))
				rc = XMLSTREAM_MORE;
			else if (c.p[c.i] != '<')
				rc = xs_bad(&c, "text between stanzas");
			else if (xs_at(&c, "<!--") && (rc = xs_skip_past(&c, "<!--", "-->")) > 0)
				continue;
			else if (xs_at(&c, "<!--"))
				rc = XMLSTREAM_MORE;
			else if (xs_at(&c, "</")) {
				rc = xs_end_tag(&c, s->header_qname);
				s->ended = rc > 0;
				rc = rc > 0 ? XMLSTREAM_END : rc;
			} else if (c.p[c.i + 1] == '!' || c.p[c.i + 1] == '?')
				rc = xs_bad(&c, "a DTD or processing instruction inside the stream");
			else if ((rc = xs_element(&c, &top, 1, ret)) > 0)
				rc = XMLSTREAM_ELEMENT;
			break;
		}
	if (rc > 0)
		*pos = c.i;
	return rc;
}

void xmlstream_free(struct xmlstream *s)
{
	xs_ns_free(s->ns, s->nns);
	free(s->header_qname);
	*s = (struct xmlstream)XMLSTREAM_INIT;
}

const char *xmlstream_attr_get(const struct xmlstream_elem *e, const char *name)
{
	for (size_t i = 0; e && i < e->nattrs; i++)
		if (strcmp(e->attrs[i].name, name) == 0)
			return e->attrs[i].value;
	return NULL;
}

bool xmlstream_is(const struct xmlstream_elem *e, const char *ns, const char *name)
{
	return e && (!ns || strcmp(e->ns, ns) == 0) && (!name || strcmp(e->name, name) == 0);
}

const struct xmlstream_elem *xmlstream_child(const struct xmlstream_elem *e, const char *ns, const char *name)
{
	for (const struct xmlstream_elem *k = e ? e->children : NULL; k; k = k->next)
		if (xmlstream_is(k, ns, name))
			return k;
	return NULL;
}
