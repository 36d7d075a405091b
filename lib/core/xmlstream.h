/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmlstream: an incremental reader of an XMPP stream, the restricted XML of RFC 6120 section 11. */
#ifndef JD_XMLSTREAM_H
#define JD_XMLSTREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Why not an XML library: the program links lib/core alone, and would load
 * one into every run of it.  An XMPP stream is a small subset of
 * XML (RFC 6120 11.1: no DTD, no entity but the five predefined ones and
 * character references, no processing instruction but the declaration), so
 * this reader accepts that subset and refuses the rest.  Comments and CDATA
 * sections are read leniently.
 *
 * The input is one buffer that grows as bytes arrive; xmlstream_next() is
 * called after each read and either returns a complete unit or asks for
 * more, consuming nothing, so a unit may be split anywhere.  Bounds: element
 * depth XMLSTREAM_MAX_DEPTH, XMLSTREAM_MAX_ATTRS attributes per element; the
 * caller bounds the buffer.
 */
#define XMLSTREAM_MAX_DEPTH 16
#define XMLSTREAM_MAX_ATTRS 32

struct xmlstream_attr {
	char *name; /* as written, prefix included ("xml:lang") */
	char *value;
};

/* One element: namespace resolved, attributes and text decoded. */
struct xmlstream_elem {
	char *name; /* local name */
	char *ns;   /* namespace URI, "" for none */
	struct xmlstream_attr *attrs;
	size_t nattrs;
	struct buf text;           /* the character data directly inside, concatenated */
	struct xmlstream_elem *children; /* first child */
	struct xmlstream_elem *next;     /* next sibling */
};

struct xmlstream_ns {
	char *prefix; /* "" for the default namespace */
	char *uri;
};

/* The state between two calls: where the stream is, and the header's namespace declarations. */
struct xmlstream {
	bool header_seen;
	bool ended;
	char *header_qname; /* "stream:stream", to match the closing tag */
	struct xmlstream_ns *ns;
	size_t nns;
};

#define XMLSTREAM_INIT { false, false, NULL, NULL, 0 }

enum xmlstream_unit {
	XMLSTREAM_MORE,    /* incomplete: read more, call again */
	XMLSTREAM_HEADER,  /* the <stream:stream> start tag, as an element without children */
	XMLSTREAM_ELEMENT, /* one complete top-level element (a stanza, <handshake/>, <stream:error>) */
	XMLSTREAM_END,     /* the closing </stream:stream> */
};

/*
 * Read the next unit of IN[*POS..LEN).  Returns an enum xmlstream_unit and,
 * for HEADER and ELEMENT, the element in *RET (free with xmlstream_elem_free), with
 * *POS moved past it; or -EBADMSG with the reason in ERR, or -ENOMEM.
 */
int xmlstream_next(struct xmlstream *s, const char *in, size_t len, size_t *pos, struct xmlstream_elem **ret, char *err,
		   size_t errlen);
void xmlstream_free(struct xmlstream *s);

void xmlstream_elem_free(struct xmlstream_elem *e);
/* The value of attribute NAME, or NULL. */
const char *xmlstream_attr_get(const struct xmlstream_elem *e, const char *name);
/* The first child named NAME in namespace NS (any namespace when NS is NULL; any name when NAME is NULL). */
const struct xmlstream_elem *xmlstream_child(const struct xmlstream_elem *e, const char *ns, const char *name);
/* True when E is NAME in namespace NS. */
bool xmlstream_is(const struct xmlstream_elem *e, const char *ns, const char *name);

#endif
