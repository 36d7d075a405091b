/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf-xml: XML config files as a tree with byte offsets, for edits that keep every other byte. */
#include "conf-xml.h"
#include "exitcode.h"
#include "xml-wellformed.h"

#include <dlfcn.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>


#define XML_MAX_DEPTH 256

struct scanner {
	const char *text;
	size_t pos, end;
	unsigned line;
};

static bool sc_at(const struct scanner *s, const char *lit)
{
	size_t n = strlen(lit);
	return s->end - s->pos >= n && memcmp(s->text + s->pos, lit, n) == 0;
}

static void sc_advance(struct scanner *s, size_t n)
{
	for (size_t i = 0; i < n && s->pos < s->end; i++)
		if (s->text[s->pos++] == '\n')
			s->line++;
}

static void sc_skip_space(struct scanner *s)
{
	while (s->pos < s->end && strchr(" \t\r\n", s->text[s->pos]) && s->text[s->pos])
		sc_advance(s, 1);
}

/* Advance past the next occurrence of LIT; false when it never comes. */
static bool sc_skip_past(struct scanner *s, const char *lit)
{
	size_t n = strlen(lit);
	while (s->pos < s->end) {
		if (sc_at(s, lit)) {
			sc_advance(s, n);
			return true;
		}
		sc_advance(s, 1);
	}
	return false;
}

static bool name_char(char c)
{
	return c && !strchr(" \t\r\n/>=<\"'", c);
}

static char *sc_name(struct scanner *s)
{
	size_t start = s->pos;
	while (s->pos < s->end && name_char(s->text[s->pos]))
		s->pos++;
	return s->pos > start ? strndup(s->text + start, s->pos - start) : NULL;
}

static struct xml_node *node_new(enum xml_type type, size_t start, unsigned line, struct xml_node *parent)
{
	struct xml_node *n = calloc(1, sizeof(*n));
	if (n) {
		n->type = type;
		n->start = start;
		n->line = line;
		n->parent = parent;
	}
	return n;
}

static void node_free(struct xml_node *n)
{
	while (n) {
		struct xml_node *next = n->next;
		struct xml_attr *a = n->attrs;
		node_free(n->children);
		while (a) {
			struct xml_attr *an = a->next;
			free(a->name);
			free(a);
			a = an;
		}
		free(n->name);
		free(n);
		n = next;
	}
}

/* Append CHILD at the end of a sibling list. */
/*
 * Append CHILD at *TAIL, which then points past it.  *TAIL may lag behind the
 * end (it is walked forward): kept by the caller, appending n children costs
 * n steps, not n squared (a router.xml with a thousand components).
 */
static void list_append(struct xml_node ***tail, struct xml_node *child)
{
	while (**tail)
		*tail = &(**tail)->next;
	**tail = child;
	*tail = &child->next;
}

static int sc_attrs(struct scanner *s, struct xml_node *el)
{
	struct xml_attr **tail = &el->attrs;
	for (;;) {
		struct xml_attr *a;
		char q;
		sc_skip_space(s);
		if (s->pos >= s->end)
			return -EBADMSG;
		if (sc_at(s, "/>")) {
			el->empty = true;
			sc_advance(s, 2);
			return 0;
		}
		if (sc_at(s, ">")) {
			sc_advance(s, 1);
			return 0;
		}
		a = calloc(1, sizeof(*a));
		if (!a)
			return -ENOMEM;
		*tail = a;
		tail = &a->next;
		a->name = sc_name(s);
		if (!a->name)
			return -EBADMSG;
		sc_skip_space(s);
		if (!sc_at(s, "="))
			return -EBADMSG;
		sc_advance(s, 1);
		sc_skip_space(s);
		if (s->pos >= s->end || (s->text[s->pos] != '"' && s->text[s->pos] != '\''))
			return -EBADMSG;
		q = s->text[s->pos];
		sc_advance(s, 1);
		a->value_start = s->pos;
		while (s->pos < s->end && s->text[s->pos] != q)
			sc_advance(s, 1);
		if (s->pos >= s->end)
			return -EBADMSG;
		a->value_end = s->pos;
		sc_advance(s, 1);
	}
}

static int sc_content(struct scanner *s, struct xml_node *parent, struct xml_node **head, int depth);

/* One element starting at the '<' under the scanner, appended at *TAIL (list_append). */
static int sc_element(struct scanner *s, struct xml_node *parent, struct xml_node ***tail, int depth)
{
	struct xml_node *n = node_new(XML_ELEMENT, s->pos, s->line, parent);
	int rc;

	if (!n)
		return -ENOMEM;
	list_append(tail, n);
	sc_advance(s, 1);
	n->name = sc_name(s);
	if (!n->name)
		return -EBADMSG;
	rc = sc_attrs(s, n);
	if (rc < 0)
		return rc;
	n->open_end = s->pos;
	if (n->empty) {
		n->close_start = n->end = s->pos;
		return 0;
	}
	rc = sc_content(s, n, &n->children, depth + 1);
	if (rc < 0)
		return rc;
	return n->end ? 0 : -EBADMSG; /* input ended inside the element */
}

/* Scan nodes until the end tag of PARENT (or the end of input when PARENT is NULL). */
static int sc_content(struct scanner *s, struct xml_node *parent, struct xml_node **head, int depth)
{
	struct xml_node **tail = head;

	if (depth > XML_MAX_DEPTH)
		return -EBADMSG;
	while (s->pos < s->end) {
		struct xml_node *n;
		size_t start = s->pos;
		unsigned line = s->line;
		int rc;

		if (sc_at(s, "</")) {
			char *name;
			if (!parent)
				return -EBADMSG;
			sc_advance(s, 2);
			name = sc_name(s);
			rc = name && strcmp(name, parent->name) == 0 ? 0 : -EBADMSG;
			free(name);
			sc_skip_space(s);
			if (rc < 0 || !sc_at(s, ">"))
				return -EBADMSG;
			parent->close_start = start;
			sc_advance(s, 1);
			parent->end = s->pos;
			return 0;
		}
		if (sc_at(s, "<!--")) {
			n = node_new(XML_COMMENT, start, line, parent);
			if (!n)
				return -ENOMEM;
			list_append(&tail, n);
			sc_advance(s, 4);
			n->body_start = s->pos;
			if (!sc_skip_past(s, "-->"))
				return -EBADMSG;
			n->body_end = s->pos - 3;
			n->end = s->pos;
		} else if (sc_at(s, "<![CDATA[")) {
			n = node_new(XML_CDATA, start, line, parent);
			if (!n)
				return -ENOMEM;
			list_append(&tail, n);
			sc_advance(s, 9);
			n->body_start = s->pos;
			if (!sc_skip_past(s, "]]>"))
				return -EBADMSG;
			n->body_end = s->pos - 3;
			n->end = s->pos;
		} else if (sc_at(s, "<?")) {
			n = node_new(XML_PI, start, line, parent);
			if (!n)
				return -ENOMEM;
			list_append(&tail, n);
			if (!sc_skip_past(s, "?>"))
				return -EBADMSG;
			n->end = s->pos;
		} else if (sc_at(s, "<!")) {
			/* A DOCTYPE, possibly with an internal subset in brackets. */
			int brackets = 0;
			if (parent)
				return -EBADMSG;
			while (s->pos < s->end) {
				char c = s->text[s->pos];
				sc_advance(s, 1);
				if (c == '[')
					brackets++;
				else if (c == ']')
					brackets--;
				else if (c == '>' && brackets <= 0)
					break;
			}
		} else if (sc_at(s, "<")) {
			rc = sc_element(s, parent, &tail, depth);
			if (rc < 0)
				return rc;
		} else {
			n = node_new(XML_TEXT, start, line, parent);
			if (!n)
				return -ENOMEM;
			list_append(&tail, n);
			n->body_start = start;
			while (s->pos < s->end && s->text[s->pos] != '<')
				sc_advance(s, 1);
			n->body_end = n->end = s->pos;
		}
	}
	return parent ? -EBADMSG : 0;
}

/* The module sits in the package's private directory beside the programs that load it, and is found
 * from this program's own location, never through the root being edited or the environment:
 * whoever can replace the module there can replace the program itself. Programs in servers/ and
 * transports/ look one level up, so the installed tree and the build tree read alike. */
static int xml_module_path(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n <= 0 || (size_t)n >= size - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	if (!(slash = strrchr(buf, '/')))
		return -EINVAL;
	*slash = '\0';
	slash = strrchr(buf, '/');
	if (slash && (strcmp(slash, "/servers") == 0 || strcmp(slash, "/transports") == 0))
		*slash = '\0';
	if (strlen(buf) + sizeof("/" JD_XML_MODULE_NAME) > size)
		return -ENAMETOOLONG;
	strcat(buf, "/" JD_XML_MODULE_NAME);
	return 0;
}

/* The checker (Expat) is loaded on the first XML file read, and stays for the life of the process. */
static int xml_module_load(jd_xml_wellformed_fn **ret, struct diag *d)
{
	static jd_xml_wellformed_fn *fn;
	char path[4096];
	void *h;

	if (!fn) {
		if (xml_module_path(path, sizeof(path)) < 0)
			return diag_set(d, ENOENT, EXIT_SOFTWARE, "cannot locate the XML reader beside this program");
		h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (!h)
			return diag_set(d, ENOENT, EXIT_SOFTWARE, "cannot load the XML reader '%s': %s", path,
					dlerror());
		*(void **)&fn = dlsym(h, JD_XML_WELLFORMED_SYMBOL);
		if (!fn)
			return diag_set(d, ENOENT, EXIT_SOFTWARE, "'%s' lacks '%s'", path, JD_XML_WELLFORMED_SYMBOL);
	}
	*ret = fn;
	return 0;
}

/* The checker's verdict, as "PATH:LINE: reason". */
static int xml_check(const char *path, const char *text, size_t len, struct diag *d)
{
	jd_xml_wellformed_fn *wellformed = NULL;
	char msg[256] = "";
	int line = 1, rc;

	if (len > (size_t)INT32_MAX)
		return diag_set(d, EFBIG, EXIT_DATAERR, "%s: too large", path);
	rc = xml_module_load(&wellformed, d);
	if (rc < 0 || !wellformed)
		return rc < 0 ? rc : -ENOENT;
	rc = wellformed(text, len, &line, msg, sizeof(msg));
	if (rc == XML_WF_BROKEN)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%d: %s", path, line, msg);
	if (rc == XML_WF_DOCTYPE)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%d: has a <!DOCTYPE>, which can change what its text means; refusing it",
				path, line);
	if (rc == XML_WF_ENCODING)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s: %s; only UTF-8 is edited", path, msg);
	return rc < 0 ? rc : 0;
}

int xml_parse(const char *path, const char *text, size_t len, struct xml_doc *ret, struct diag *d)
{
	struct scanner s = { .text = text, .pos = 0, .end = len, .line = 1 };
	struct xml_node *top = NULL;
	int rc;

	if (memchr(text, '\0', len))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s: contains a NUL byte", path);
	rc = xml_check(path, text, len, d);
	if (rc < 0)
		return rc;
	if (sc_at(&s, "\xef\xbb\xbf"))
		s.pos = 3;
	rc = sc_content(&s, NULL, &top, 0);
	if (rc < 0) {
		node_free(top);
		return rc == -ENOMEM ? rc : diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: cannot locate the XML nodes", path, s.line);
	}
	*ret = (struct xml_doc){ .path = path, .text = text, .len = len };
	/* The document element is the one element at the top; the rest (comments, PIs, blanks) is the prolog. */
	for (struct xml_node **pp = &top; *pp;) {
		struct xml_node *n = *pp;
		if (n->type == XML_ELEMENT && !ret->root) {
			*pp = n->next;
			n->next = NULL;
			ret->root = n;
		} else {
			pp = &n->next;
		}
	}
	ret->prolog = top;
	return 0;
}

int xml_parse_fragment(const char *text, size_t start, size_t end, unsigned line, struct xml_doc *ret)
{
	struct scanner s = { .text = text, .pos = start, .end = end, .line = line };
	struct xml_node *top = NULL;
	int rc = sc_content(&s, NULL, &top, 0);

	if (rc == -ENOMEM) {
		node_free(top);
		return rc;
	}
	if (rc < 0) {
		/*
		 * Not XML as a whole (prose around a commented-out block, a stray '<'):
		 * keep every element that does parse on its own, wherever it starts.
		 */
		node_free(top);
		top = NULL;
		s = (struct scanner){ .text = text, .pos = start, .end = end, .line = line };
		struct xml_node **top_tail = &top;
		while (s.pos < s.end) {
			struct xml_node *one = NULL, **one_tail = &one;
			struct scanner at = s;
			if (text[s.pos] == '<' && s.pos + 1 < s.end && name_char(text[s.pos + 1]) &&
			    !strchr("!?/", text[s.pos + 1]) && (rc = sc_element(&at, NULL, &one_tail, 0)) == 0) {
				list_append(&top_tail, one);
				s = at;
				continue;
			}
			node_free(one);
			if (rc == -ENOMEM) {
				node_free(top);
				return rc;
			}
			sc_advance(&s, 1);
		}
		if (!top)
			return -EBADMSG;
	}
	*ret = (struct xml_doc){ .path = "", .text = text, .len = end, .root = top };
	return 0;
}

void xml_free(struct xml_doc *doc)
{
	node_free(doc->root);
	node_free(doc->prolog);
	doc->root = doc->prolog = NULL;
}

void xml_free_tree(void *doc)
{
	xml_free(doc);
}

int xml_parse_kept(struct parse_memo *m, const char *path, const char *text, size_t len, struct xml_doc *ret,
		   struct diag *d)
{
	if (!m || !parse_memo_take(m, path, text, len, ret))
		return xml_parse(path, text, len, ret, d);
	/* the tree's offsets hold for any copy of the text: borrow the caller's */
	ret->path = path;
	ret->text = text;
	return 0;
}

void xml_keep(struct parse_memo *m, struct xml_doc *doc)
{
	if (doc->root && doc->text && doc->path)
		parse_memo_keep(m, doc->path, doc->text, doc->len, doc);
	else
		xml_free(doc);
	*doc = (struct xml_doc)XML_DOC_INIT;
}

struct xml_node *xml_next(const struct xml_node *n, const char *name)
{
	for (n = n ? n->next : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT && (!name || strcmp(n->name, name) == 0))
			return (struct xml_node *)n;
	return NULL;
}

struct xml_node *xml_child(const struct xml_node *parent, const char *name)
{
	const struct xml_node *n = parent ? parent->children : NULL;
	if (n && n->type == XML_ELEMENT && (!name || strcmp(n->name, name) == 0))
		return (struct xml_node *)n;
	return n ? xml_next(n, name) : NULL;
}

struct xml_node *xml_path(const struct xml_node *from, const char *path)
{
	const struct xml_node *n = from;
	char part[128];

	while (n && *path) {
		size_t len = strcspn(path, "/");
		if (len == 0 || len >= sizeof(part))
			return NULL;
		memcpy(part, path, len);
		part[len] = '\0';
		n = xml_child(n, part);
		path += len + (path[len] == '/');
	}
	return (struct xml_node *)n;
}

const struct xml_attr *xml_attr(const struct xml_node *n, const char *name)
{
	for (const struct xml_attr *a = n ? n->attrs : NULL; a; a = a->next)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}


/* Decode text with entity references from [start, end) into OUT; ATTR: normalise blanks as XML does. */
static int decode(const char *text, size_t start, size_t end, bool attr, struct buf *out)
{
	static const struct {
		const char *name;
		char c;
	} named[] = { { "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' }, { "quot;", '"' }, { "apos;", '\'' } };
	size_t i = start;
	int rc = 0;

	while (i < end && rc == 0) {
		const char *semi;
		bool done = false;
		if (text[i] != '&') {
			/* XML normalises line ends to \n when reading, and blanks in attributes to spaces. */
			if (text[i] == '\r' && i + 1 < end && text[i + 1] == '\n')
				i++;
			if (attr && (text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
				rc = buf_putc(out, ' ');
			else
				rc = buf_putc(out, text[i] == '\r' ? '\n' : text[i]);
			i++;
			continue;
		}
		semi = memchr(text + i, ';', end - i);
		if (!semi)
			return -EINVAL;
		for (size_t k = 0; k < sizeof(named) / sizeof(*named) && !done; k++)
			if ((size_t)(semi - text) + 1 - i - 1 == strlen(named[k].name) &&
			    memcmp(text + i + 1, named[k].name, strlen(named[k].name)) == 0) {
				rc = buf_putc(out, named[k].c);
				done = true;
			}
		if (!done) {
			unsigned long cp;
			char *e;
			if (text[i + 1] != '#')
				return -EINVAL;
			cp = text[i + 2] == 'x' ? strtoul(text + i + 3, &e, 16) : strtoul(text + i + 2, &e, 10);
			if (e != semi)
				return -EINVAL;
			/* XML has no NUL and no surrogates, even as references. */
			if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
				return -EINVAL;
			rc = buf_put_utf8(out, cp);
		}
		i = (size_t)(semi - text) + 1;
	}
	return rc;
}

int xml_text(const struct xml_doc *doc, const struct xml_node *el, struct buf *out)
{
	int rc = 0;
	for (const struct xml_node *n = el->children; n && rc == 0; n = n->next) {
		if (n->type == XML_ELEMENT)
			return -EINVAL;
		if (n->type == XML_TEXT)
			rc = decode(doc->text, n->body_start, n->body_end, false, out);
		else if (n->type == XML_CDATA)
			rc = buf_append(out, doc->text + n->body_start, n->body_end - n->body_start);
	}
	return rc;
}

int xml_attr_value(const struct xml_doc *doc, const struct xml_attr *a, struct buf *out)
{
	return decode(doc->text, a->value_start, a->value_end, true, out);
}

void xml_content_range(const struct xml_node *el, size_t *start, size_t *end)
{
	*start = el->open_end;
	*end = el->close_start;
}

int xml_set_text(const struct xml_doc *doc, const struct xml_node *el, const char *value, size_t len,
		 struct buf *out)
{
	int rc;
	if (el->empty) {
		/* <secret/> becomes <secret>value</secret>, its attributes kept. */
		size_t slash = el->open_end - 2;
		while (slash > el->start && doc->text[slash] != '/')
			slash--;
		rc = buf_append(out, doc->text, slash);
		if (rc == 0)
			rc = buf_putc(out, '>');
		if (rc == 0)
			rc = xml_escape_text(value, len, out);
		if (rc == 0)
			rc = buf_printf(out, "</%s>", el->name);
		if (rc == 0)
			rc = buf_append(out, doc->text + el->end, doc->len - el->end);
		return rc;
	}
	rc = buf_append(out, doc->text, el->open_end);
	if (rc == 0)
		rc = xml_escape_text(value, len, out);
	if (rc == 0)
		rc = buf_append(out, doc->text + el->close_start, doc->len - el->close_start);
	return rc;
}

static int escape(const char *s, size_t len, bool attr, struct buf *out)
{
	int rc = 0;
	for (size_t i = 0; i < len && rc == 0; i++) {
		switch (s[i]) {
		case '&': rc = buf_puts(out, "&amp;"); break;
		case '<': rc = buf_puts(out, "&lt;"); break;
		case '>': rc = buf_puts(out, "&gt;"); break; /* so "]]>" never appears */
		case '"': rc = attr ? buf_puts(out, "&quot;") : buf_putc(out, '"'); break;
		case '\t': rc = attr ? buf_puts(out, "&#9;") : buf_putc(out, '\t'); break;
		case '\n': rc = attr ? buf_puts(out, "&#10;") : buf_putc(out, '\n'); break;
		case '\r': rc = buf_puts(out, "&#13;"); break;
		default: rc = buf_putc(out, s[i]);
		}
	}
	return rc;
}

int xml_escape_text(const char *s, size_t len, struct buf *out)
{
	return escape(s, len, false, out);
}

int xml_escape_attr(const char *s, size_t len, struct buf *out)
{
	return escape(s, len, true, out);
}

size_t xml_indent(const char *text, size_t off, const char **ret_start)
{
	size_t start = off, n = 0;
	while (start > 0 && text[start - 1] != '\n')
		start--;
	while (text[start + n] == ' ' || text[start + n] == '\t')
		n++;
	if (ret_start)
		*ret_start = text + start;
	return n;
}
