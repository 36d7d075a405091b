/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xml-wellformed: Expat's verdict on a whole file, built as a module so that a program that never
 * reads XML never maps it. Expat rather than libxml2: Debian's libxml2 brings ICU and libstdc++,
 * whose loading alone costs a process about 4.5 ms (bench/README.md); Expat costs 0.6 ms. */
#include "xml-wellformed.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <expat.h>

jd_xml_wellformed_fn jd_xml_wellformed;

/* Deeper than any config, and as deep as libxml2 goes without XML_PARSE_HUGE: a stack bomb is refused. */
#define MAX_DEPTH 256

struct open_element {
	char *name;
	unsigned long line;
};

struct wf {
	XML_Parser p;
	struct open_element open[MAX_DEPTH];
	unsigned depth;
	bool too_deep, doctype, nomem;
	unsigned long doctype_line;
	char *encoding; /* from the XML declaration, or NULL */
	bool bad_encoding, bad_version; /* the declaration names one we do not read as it means */
};

static void stop(struct wf *w)
{
	(void)XML_StopParser(w->p, XML_FALSE);
}

static void on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct wf *w = ud;

	(void)atts;
	if (w->depth == MAX_DEPTH) {
		w->too_deep = true;
		stop(w);
		return;
	}
	w->open[w->depth] = (struct open_element){ strdup(name), XML_GetCurrentLineNumber(w->p) };
	if (!w->open[w->depth].name) {
		w->nomem = true;
		stop(w);
		return;
	}
	w->depth++;
}

static void on_end(void *ud, const XML_Char *name)
{
	struct wf *w = ud;

	(void)name;
	if (w->depth)
		free(w->open[--w->depth].name);
}

/*
 * A document type declaration is refused, and parsing stops there: a DTD can declare entities
 * (one byte meaning anything), redefine the predefined ones, or refer to parts not read, after
 * which a reader ignores the rest of it, and our scanner does not read DTD syntax. No server's
 * config has one.
 */
static void on_doctype(void *ud, const XML_Char *name, const XML_Char *system_id, const XML_Char *public_id,
		       int internal_subset)
{
	struct wf *w = ud;

	(void)name, (void)system_id, (void)public_id, (void)internal_subset;
	w->doctype = true;
	w->doctype_line = XML_GetCurrentLineNumber(w->p);
	stop(w);
}

static void on_xml_decl(void *ud, const XML_Char *version, const XML_Char *encoding, int standalone)
{
	struct wf *w = ud;

	(void)standalone;
	if (version && strcmp(version, "1.0") != 0 && strcmp(version, "1.1") != 0)
		w->bad_version = true;
	if (encoding && !w->encoding && !(w->encoding = strdup(encoding)))
		w->nomem = true;
	if (w->bad_version || w->nomem)
		stop(w);
}

/* Encodings Expat does not know but in which every ASCII byte is that ASCII character. */
static bool ascii_compatible(const char *name)
{
	static const char *const prefixes[] = { "ISO-8859-", "ISO8859-", "windows-125", "CP125", "KOI8-R", "KOI8-U" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncasecmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/*
 * Such an encoding (KOI8-R, windows-1251...) is read as ASCII: a file that keeps to ASCII reads
 * alike in all of them, and any other byte stops the parse (then refused by name). Any other
 * (UTF-7, UTF-32, EBCDIC, a made-up name) is refused: its ASCII bytes need not mean ASCII text.
 */
static int on_unknown_encoding(void *data, const XML_Char *name, XML_Encoding *info)
{
	struct wf *w = data;

	if (!name || !ascii_compatible(name)) {
		w->bad_encoding = true;
		if (name && !w->encoding)
			w->encoding = strdup(name); /* for the message only: NULL says "an unknown encoding" */
		return XML_STATUS_ERROR;
	}
	for (int i = 0; i < 256; i++)
		info->map[i] = i < 0x80 ? i : -1;
	info->data = NULL;
	info->convert = NULL;
	info->release = NULL;
	return XML_STATUS_OK;
}

static bool non_ascii(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] >= 0x80)
			return true;
	return false;
}

/* The NAME-like token at P (of END), for a message: up to 64 bytes, ending at a blank, '>' or ';'. */
static int token_len(const char *p, const char *end)
{
	int n = 0;

	while (p + n < end && n < 64 && !strchr(" \t\r\n>;", p[n]))
		n++;
	while (n > 0 && p + n < end && ((unsigned char)p[n] & 0xc0) == 0x80)
		n--; /* not half a UTF-8 character */
	return n;
}

/* Whether the LEN bytes at TEXT end inside a comment, on a "--" (which XML forbids there). */
static bool double_dash_in_comment(const char *text, size_t len)
{
	const char *open = NULL, *close = NULL;

	if (len < 2 || memcmp(text + len - 2, "--", 2) != 0)
		return false;
	for (const char *q = text; q + 4 <= text + len - 2; q++)
		if (memcmp(q, "<!--", 4) == 0)
			open = q;
		else if (memcmp(q, "-->", 3) == 0)
			close = q;
	return open && (!close || close < open);
}

/* The reason a parse failed, in words that name the element or entity concerned where Expat's do not. */
static void explain(struct wf *w, const char *text, size_t len, char *msg, size_t msgsz)
{
	enum XML_Error e = XML_GetErrorCode(w->p);
	const struct open_element *top = w->depth ? &w->open[w->depth - 1] : NULL;
	long at = XML_GetCurrentByteIndex(w->p);
	const char *p = at >= 0 && (size_t)at < len ? text + at : NULL, *end = text + len;

	if (p && *p == '<' && p + 1 < end && p[1] == '/')
		p += 2; /* Expat points at "</name" or at the name */
	if (p == end)
		p = NULL;
	if (w->too_deep)
		snprintf(msg, msgsz, "elements nested deeper than %d", MAX_DEPTH);
	else if (e == XML_ERROR_TAG_MISMATCH && top && p)
		snprintf(msg, msgsz, "</%.*s> closes <%s> (line %lu)", token_len(p, end), p, top->name, top->line);
	else if (e == XML_ERROR_UNDEFINED_ENTITY && p && *p == '&') /* in an attribute, Expat points at its tag */
		snprintf(msg, msgsz, "entity '&%.*s;' is not defined", token_len(p + 1, end), p + 1);
	else if (e == XML_ERROR_NO_ELEMENTS && top)
		snprintf(msg, msgsz, "the file ends inside <%s> (line %lu)", top->name, top->line);
	else if (e == XML_ERROR_NO_ELEMENTS)
		snprintf(msg, msgsz, "no XML element in the file");
	else if (e == XML_ERROR_JUNK_AFTER_DOC_ELEMENT)
		snprintf(msg, msgsz, "more after the end of the document element");
	else if (e == XML_ERROR_INVALID_TOKEN && at > 0 && (size_t)at <= len && double_dash_in_comment(text, (size_t)at))
		snprintf(msg, msgsz, "\"--\" inside a comment");
	else
		snprintf(msg, msgsz, "%s", XML_ErrorString(e) ? XML_ErrorString(e) : "not well-formed XML");
}

__attribute__((visibility("default"))) int jd_xml_wellformed(const char *text, size_t len, int *ret_line,
							     char *msg, size_t msgsz)
{
	struct wf w = { .p = NULL };
	enum XML_Status st;
	int rc = XML_WF_OK;

	/* A UTF-16 file is refused by name before Expat, which would read it, and our reader, which would not. */
	if (len >= 2 && ((text[0] == '\xff' && text[1] == '\xfe') || (text[0] == '\xfe' && text[1] == '\xff'))) {
		snprintf(msg, msgsz, "encoded in UTF-16");
		return XML_WF_ENCODING;
	}
	if (!(w.p = XML_ParserCreate(NULL)))
		return -ENOMEM;
	/* No external DTD or entity is ever read (Expat's default, said again): what is written is what is read. */
	(void)XML_SetParamEntityParsing(w.p, XML_PARAM_ENTITY_PARSING_NEVER);
	XML_SetUserData(w.p, &w);
	XML_SetElementHandler(w.p, on_start, on_end);
	XML_SetStartDoctypeDeclHandler(w.p, on_doctype);
	XML_SetXmlDeclHandler(w.p, on_xml_decl);
	XML_SetUnknownEncodingHandler(w.p, on_unknown_encoding, &w);
	st = XML_Parse(w.p, text, (int)len, XML_TRUE);
	if (w.nomem) {
		rc = -ENOMEM;
	} else if (w.doctype) {
		rc = XML_WF_DOCTYPE;
		*ret_line = (int)w.doctype_line;
	} else if (w.bad_encoding || (w.encoding && strcasecmp(w.encoding, "UTF-8") != 0 &&
				      strcasecmp(w.encoding, "US-ASCII") != 0 && non_ascii(text, len))) {
		rc = XML_WF_ENCODING;
		snprintf(msg, msgsz, "encoded in %s%s", w.encoding ? w.encoding : "an unknown encoding",
			 w.bad_encoding ? "" : " with non-ASCII text");
	} else if (w.bad_version) {
		rc = XML_WF_BROKEN;
		*ret_line = (int)XML_GetCurrentLineNumber(w.p);
		snprintf(msg, msgsz, "an XML version other than 1.0 or 1.1");
	} else if (st != XML_STATUS_OK) {
		rc = XML_WF_BROKEN;
		*ret_line = (int)XML_GetCurrentLineNumber(w.p);
		explain(&w, text, len, msg, msgsz);
	}
	while (w.depth)
		free(w.open[--w.depth].name);
	free(w.encoding);
	XML_ParserFree(w.p);
	return rc;
}
