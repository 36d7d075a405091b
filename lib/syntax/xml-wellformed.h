/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xml-wellformed: Expat's verdict on a whole file, kept in a module loaded only when XML is read. */
#ifndef JD_XML_WELLFORMED_H
#define JD_XML_WELLFORMED_H

#include <stddef.h>

/* What jd_xml_wellformed() found; 0 means the text may be edited. */
enum {
	XML_WF_OK = 0,
	XML_WF_BROKEN = 1,   /* not well-formed: ret_line and msg say where and why */
	XML_WF_DOCTYPE = 2,  /* has a document type declaration: ret_line says where */
	XML_WF_ENCODING = 3, /* not UTF-8 (nor ASCII in an ASCII-compatible encoding): msg says which */
};

/* The one symbol the module exports. Returns an XML_WF_* value or -ENOMEM; never prints, never
 * keeps state between calls. len must fit in an int. */
typedef int jd_xml_wellformed_fn(const char *text, size_t len, int *ret_line, char *msg, size_t msgsz);
#define JD_XML_WELLFORMED_SYMBOL "jd_xml_wellformed"

#endif
