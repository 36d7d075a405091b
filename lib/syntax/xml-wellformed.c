/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xml-wellformed: the only code that links libxml2 (with ICU behind it), built as a module so
 * that a program that never reads XML never maps it. */
#include "xml-wellformed.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

jd_xml_wellformed_fn jd_xml_wellformed;

/* The first error libxml2 reports is the one that explains; later ones follow from it. */
struct first_error {
	bool set;
	int line;
	char msg[256];
};

static void first_error_keep(void *ctx, xmlErrorPtr e)
{
	struct first_error *f = ctx;
	if (f->set || !e || e->level < XML_ERR_ERROR)
		return;
	f->set = true;
	f->line = e->line;
	snprintf(f->msg, sizeof(f->msg), "%s", e->message ? e->message : "not well-formed XML");
	f->msg[strcspn(f->msg, "\n")] = '\0';
	/* libxml2's advice is for programmers: say what is wrong with the file instead. */
	if (strstr(f->msg, "XML_PARSE_HUGE"))
		snprintf(f->msg, sizeof(f->msg), "elements nested too deeply, or a text node too large");
}

static bool non_ascii(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] >= 0x80)
			return true;
	return false;
}

__attribute__((visibility("default"))) int jd_xml_wellformed(const char *text, size_t len, int *ret_line,
							     char *msg, size_t msgsz)
{
	struct first_error first = { false, 0, "" };
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	int rc = XML_WF_OK;

	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return -ENOMEM;
	/* No network, no DTD loading, no entity substitution: what is written is what is read. */
	xmlSetStructuredErrorFunc(&first, first_error_keep);
	doc = xmlCtxtReadMemory(ctxt, text, (int)len, NULL, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (!doc || !ctxt->wellFormed) {
		rc = XML_WF_BROKEN;
		*ret_line = first.set ? first.line : 1;
		snprintf(msg, msgsz, "%s", first.set ? first.msg : "not well-formed XML");
	} else if (doc->intSubset && doc->intSubset->entities) {
		rc = XML_WF_ENTITIES;
	} else if (doc->encoding && strcasecmp((const char *)doc->encoding, "UTF-8") != 0 &&
		   strcasecmp((const char *)doc->encoding, "US-ASCII") != 0 && non_ascii(text, len)) {
		rc = XML_WF_ENCODING;
		snprintf(msg, msgsz, "%s", (const char *)doc->encoding);
	}
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}
