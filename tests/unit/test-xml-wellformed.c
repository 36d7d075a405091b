/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-xml-wellformed: the XML checker (Expat, in the module jd-xml.so) agrees with libxml2 on
 * what may be edited: every XML fixture, every XML file of the shared corpus, and hand-made edge
 * cases. libxml2 is the second, independent reader here only; no installed program loads it.
 */
#include "unit.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libxml/parser.h>

#include "xml-wellformed.h"

static jd_xml_wellformed_fn *wellformed;

/* The module beside this test program, as the installed programs find theirs. */
static int setup_module(void **state)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 16);
	void *h;

	(void)state;
	if (n <= 0)
		return -1;
	path[n] = '\0';
	strcpy(strrchr(path, '/') + 1, "jd-xml.so");
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "%s\n", dlerror());
		return -1;
	}
	*(void **)&wellformed = dlsym(h, JD_XML_WELLFORMED_SYMBOL);
	return wellformed ? 0 : -1;
}

static void quiet(void *ctx, xmlErrorPtr e)
{
	(void)ctx, (void)e;
}

static bool non_ascii(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] >= 0x80)
			return true;
	return false;
}

/* libxml2's verdict under the rules the checker keeps: well-formed, no document type declaration,
 * UTF-8 or ASCII (libxml2 reads UTF-16 too; conf-xml does not). */
static bool libxml2_editable(const char *text, size_t len)
{
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	xmlDocPtr doc;
	bool ok;

	assert_non_null(ctxt);
	xmlSetStructuredErrorFunc(NULL, quiet);
	doc = xmlCtxtReadMemory(ctxt, text, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlSetStructuredErrorFunc(NULL, NULL);
	ok = doc && ctxt->wellFormed && !doc->intSubset && !doc->extSubset;
	if (ok && len >= 2 && ((text[0] == '\xff' && text[1] == '\xfe') || (text[0] == '\xfe' && text[1] == '\xff')))
		ok = false;
	if (ok && non_ascii(text, len))
		ok = !doc->encoding || strcasecmp((const char *)doc->encoding, "UTF-8") == 0 ||
		     strcasecmp((const char *)doc->encoding, "US-ASCII") == 0;
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return ok;
}

/* Both readers on TEXT; on a disagreement, say which input and what each said. */
static bool agree(const char *what, const char *text, size_t len)
{
	char msg[256] = "";
	int line = 0, rc = wellformed(text, len, &line, msg, sizeof(msg));
	bool ours = rc == XML_WF_OK, theirs = libxml2_editable(text, len);

	assert_true(rc >= 0);
	if (ours != theirs)
		fprintf(stderr, "%s: Expat %s (%d, line %d: %s), libxml2 %s\n", what, ours ? "edits" : "refuses", rc, line,
			msg, theirs ? "edits" : "refuses");
	return ours == theirs;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (data = malloc((size_t)n + 1)) && fread(data, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	else
		free(data), data = NULL;
	fclose(f);
	return data;
}

/* Every *.xml under DIR, recursively: how many were read, and how many the readers disagree on. */
static void walk(const char *dir, unsigned *files, unsigned *disagree)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;
		size_t len = 0, n = strlen(e->d_name);
		char *text;

		if (e->d_name[0] == '.' || snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path) ||
		    lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(path, files, disagree);
		} else if (S_ISREG(st.st_mode) && n > 4 && strcmp(e->d_name + n - 4, ".xml") == 0 &&
			   (text = slurp(path, &len))) {
			(*files)++;
			/* The module is never given a NUL byte: conf-xml refuses those first. */
			if (!memchr(text, '\0', len) && !agree(path, text, len))
				(*disagree)++;
			free(text);
		}
	}
	closedir(d);
}

static void test_fixtures(void **state)
{
	unsigned files = 0, disagree = 0;

	(void)state;
	walk(JD_SOURCE_DIR "/tests/fixtures", &files, &disagree);
	assert_true(files >= 40);
	assert_int_equal(disagree, 0);
}

static void test_corpus(void **state)
{
	unsigned files = 0, disagree = 0;
	struct stat st;

	(void)state;
	if (stat(JD_SOURCE_DIR "/../shared/corpus", &st) < 0) {
		skip(); /* says so: cmocka prints [  SKIPPED ] */
		return;
	}
	walk(JD_SOURCE_DIR "/../shared/corpus", &files, &disagree);
	assert_true(files >= 10);
	assert_int_equal(disagree, 0);
}

static void test_edge_cases(void **state)
{
	static const char *const cases[] = {
		"<a/>",
		"\xef\xbb\xbf<a>\xc3\xa9</a>",
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?><a b='1' c=\"&amp;&#233;&#x41;\"/>",
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>plain</a>",
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xe9</a>",
		"<?xml version=\"1.0\" encoding=\"KOI8-R\"?><a>plain</a>",
		"<?xml version=\"1.0\" encoding=\"KOI8-R\"?><a>\xc1</a>",
		"<!DOCTYPE a><a/>",
		"<!DOCTYPE a [<!ELEMENT a ANY>]><a/>",
		"<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
		"<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>",
		"<!DOCTYPE a [<!ENTITY % p \"q\">]><a/>",
		"<a>&nbsp;</a>",
		"<a>&#1;</a>",
		"<a>&#xD800;</a>",
		"<a>\x01</a>",
		"<a>\xff</a>",
		"<a>\xc3</a>",
		"<a b='1' b='2'/>",
		"<a b='<'/>",
		"<a>]]></a>",
		"<a><![CDATA[<b>]]></a>",
		"<a><!-- x -- y --></a>",
		"<a><!-- x ---></a>",
		"<a><?pi data?></a>",
		"<?xml version=\"1.0\"?><?xml version=\"1.0\"?><a/>",
		" <?xml version=\"1.0\"?><a/>",
		"<a></b>",
		"<a>",
		"<a/><b/>",
		"<a/>text",
		"",
		"   \n",
		"<1a/>",
		"<a:b xmlns:a='urn:x'/>",
		"<a:b/>",
		"<a xmlns:x=''/>",
		"\xff\xfe<\0a\0/\0>\0",
	};
	unsigned disagree = 0;
	char deep[300 * 7 + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char what[32];
		size_t len = strlen(cases[i]);
		if (cases[i][0] == '\xff')
			len = 10; /* the UTF-16 case holds NUL bytes */
		snprintf(what, sizeof(what), "case %zu", i);
		disagree += !agree(what, cases[i], len);
	}
	/* Nesting: 100 levels are a config, 300 a stack bomb, for both. */
	for (int levels = 100; levels <= 300; levels += 200) {
		size_t n = 0;
		for (int i = 0; i < levels; i++)
			n += (size_t)sprintf(deep + n, "<a>");
		for (int i = 0; i < levels; i++)
			n += (size_t)sprintf(deep + n, "</a>");
		disagree += !agree(levels == 100 ? "100 levels" : "300 levels", deep, n);
	}
	assert_int_equal(disagree, 0);
}

/* The reasons name what is wrong, where, as an admin reads them. */
static void test_reasons(void **state)
{
	static const struct {
		const char *text;
		int rc, line;
		const char *msg;
	} cases[] = {
		{ "<r>\n <local>\n </locl>\n</r>", XML_WF_BROKEN, 3, "</locl> closes <local> (line 2)" },
		{ "<r>\n <users>", XML_WF_BROKEN, 2, "the file ends inside <users> (line 2)" },
		{ "<r>\n<!-- a -- b -->\n</r>", XML_WF_BROKEN, 2, "\"--\" inside a comment" },
		{ "<r>&nbsp;</r>", XML_WF_BROKEN, 1, "entity '&nbsp;' is not defined" },
		{ "<r/>\n<s/>", XML_WF_BROKEN, 2, "more after the end of the document element" },
		{ "", XML_WF_BROKEN, 1, "no XML element in the file" },
		{ "<a>\n<b x='1'\n y='&nope;'/></a>", XML_WF_BROKEN, 2, "undefined entity" },
		{ "<a></", XML_WF_BROKEN, 1, "unclosed token" },
		{ "<?xml version='2.0'?><r/>", XML_WF_BROKEN, 1, "an XML version other than 1.0 or 1.1" },
		{ "<!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><r>&b;</r>", XML_WF_DOCTYPE, 1, "" },
		{ "<r/>", XML_WF_OK, 0, "" },
		{ "\n<!DOCTYPE r [ %p; <!ENTITY e SYSTEM 'file:///etc/shadow'> ]><r/>", XML_WF_DOCTYPE, 2, "" },
		{ "<!DOCTYPE r [<!ENTITY lt 'EVIL'>]><r/>", XML_WF_DOCTYPE, 1, "" },
		{ "<!DOCTYPE r SYSTEM '['><r/>", XML_WF_DOCTYPE, 1, "" },
		{ "<?xml version='1.0' encoding='windows-1251'?><r>\xe0</r>", XML_WF_ENCODING, 0,
		  "encoded in windows-1251 with non-ASCII text" },
		{ "<?xml version='1.0' encoding='KOI8-R'?><r>plain</r>", XML_WF_OK, 0, "" },
		{ "<?xml version='1.0' encoding='UTF-7'?><a>+ADw-b+AD4-</a>", XML_WF_ENCODING, 0, "encoded in UTF-7" },
		{ "<?xml version='1.0' encoding='x-bogus'?><a/>", XML_WF_ENCODING, 0, "encoded in x-bogus" },
		{ "\xfe\xff\0<\0r\0/\0>", XML_WF_ENCODING, 0, "encoded in UTF-16" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char msg[256] = "";
		int line = 0;
		size_t len = cases[i].text[0] == '\xfe' ? 10 : strlen(cases[i].text);
		char *exact = malloc(len); /* no NUL after it: a read past the end shows under ASan */
		assert_non_null(exact);
		memcpy(exact, cases[i].text, len);
		assert_int_equal(wellformed(exact, len, &line, msg, sizeof(msg)), cases[i].rc);
		free(exact);
		assert_int_equal(line, cases[i].line);
		assert_string_equal(msg, cases[i].msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_reasons),
	};
	return cmocka_run_group_tests(tests, setup_module, NULL);
}
