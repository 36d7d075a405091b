/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-xml: the XML tree and the comment-fragment reader on any bytes, and escaped text read back unchanged. */
#include "fuzz.h"

#include <string.h>

#include "conf-xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct xml_doc doc = XML_DOC_INIT, frag = XML_DOC_INIT;
	struct diag d = DIAG_INIT;
	struct buf q = BUF_INIT, v = BUF_INIT;

	if (xml_parse("/f", s, size, &doc, &d) == 0)
		FUZZ_ASSERT(doc.root && doc.root->end <= size);
	xml_free(&doc);
	if (memchr(s, '\0', size) == NULL) {
		char *z = strndup(s, size);
		if (z && xml_parse_fragment(z, 0, size, 1, &frag) == 0)
			xml_free(&frag);
		free(z);
	}
	/* Text escaped for an element reads back as exactly that text, wherever Expat takes it. */
	if (buf_puts(&q, "<a>") == 0 && xml_escape_text(s, size, &q) == 0 && buf_puts(&q, "</a>") == 0 &&
	    xml_parse("/q", q.data, q.len, &doc, &d) == 0) {
		FUZZ_ASSERT(xml_text(&doc, doc.root, &v) == 0);
		FUZZ_ASSERT(v.len == size && (size == 0 || memcmp(v.data, s, size) == 0));
		xml_free(&doc);
	}
	buf_free(&q);
	buf_free(&v);
	return 0;
}
