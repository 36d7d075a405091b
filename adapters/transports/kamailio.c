/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kamailio: the transport adapter kamailio-xmpp-modules, for kamailio's xmpp module in component mode (kamailio.cfg modparams). */
#include "grow.h"
#include "exitcode.h"
#include "transport-adapter.h"
#include "validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/*
 * The module is configured with
 *     loadmodule "xmpp.so"
 *     modparam("xmpp", "xmpp_domain", "sip-xmpp.example.org")
 *     modparam("xmpp", "xmpp_port", 5347)
 *     modparam("xmpp", "xmpp_password", "secret")
 * in kamailio.cfg or a file it imports.  With backend "component" (the
 * default) it is a XEP-0114 component; with backend "server" it peers with
 * XMPP servers over s2s and is no component at all.
 *
 * Kamailio's config has a preprocessor: "#!define", "#!ifdef"... (or "!!").
 * Branches are followed with the defines made in the files, so a modparam
 * under "#!ifdef WITH_XMPP" counts only when WITH_XMPP is defined there; a
 * define given on kamailio's command line (-A) cannot be seen from here.
 */
#define KAM_DEFAULT_PORT 5347
#define KAM_MAX_FILES 8
#define KAM_MAX_DEPTH 32

/* One modparam("xmpp", NAME, VALUE) that counts, or the loadmodule. */
struct kam_value {
	bool found;
	char *value;       /* decoded */
	int file;          /* index in kam_cfg.files */
	unsigned line;
	size_t start, end; /* the value token in that file's text */
	bool quoted;
	char *via_define;  /* the value is a #!define of this name */
};

enum { KAM_DOMAIN, KAM_PORT, KAM_PASSWORD, KAM_BACKEND, KAM_NPARAMS };
static const char *const kam_params[KAM_NPARAMS] = { "xmpp_domain", "xmpp_port", "xmpp_password", "backend" };

struct kam_define {
	char *name, *value;
};

struct kam_cfg {
	struct {
		char *path;
		struct buf text; /* sensitive: holds the password */
	} files[KAM_MAX_FILES];
	size_t nfiles;
	struct kam_define *defs;
	size_t ndefs;
	struct kam_value params[KAM_NPARAMS];
	struct kam_value loadmodule;
	size_t last_xmpp_end; /* after the last xmpp modparam (or loadmodule) line, in last_xmpp_file */
	int last_xmpp_file;
};

static void kam_value_free(struct kam_value *v)
{
	if (v->value) {
		sodium_memzero(v->value, strlen(v->value));
		free(v->value);
	}
	free(v->via_define);
	*v = (struct kam_value){ 0 };
}

static void kam_free(struct kam_cfg *c)
{
	for (size_t i = 0; i < c->nfiles; i++) {
		free(c->files[i].path);
		buf_free(&c->files[i].text);
	}
	for (size_t i = 0; i < c->ndefs; i++) {
		free(c->defs[i].name);
		if (c->defs[i].value) {
			sodium_memzero(c->defs[i].value, strlen(c->defs[i].value));
			free(c->defs[i].value);
		}
	}
	free(c->defs);
	for (size_t i = 0; i < KAM_NPARAMS; i++)
		kam_value_free(&c->params[i]);
	kam_value_free(&c->loadmodule);
	*c = (struct kam_cfg){ 0 };
}

static struct kam_define *kam_define_find(struct kam_cfg *c, const char *name, size_t len)
{
	for (size_t i = 0; i < c->ndefs; i++)
		if (strlen(c->defs[i].name) == len && memcmp(c->defs[i].name, name, len) == 0)
			return &c->defs[i];
	return NULL;
}

/* A scanner over one file of the config. */
struct kam_scan {
	struct kam_cfg *cfg;
	int file;
	const char *path, *t;
	size_t len, pos;
	unsigned line;
	bool active[KAM_MAX_DEPTH]; /* #!ifdef nesting: whether each level's current branch counts */
	bool taken[KAM_MAX_DEPTH];
	size_t depth;
};

static bool kam_active(const struct kam_scan *s)
{
	for (size_t i = 0; i < s->depth; i++)
		if (!s->active[i])
			return false;
	return true;
}

static bool kam_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static void kam_skip_line(struct kam_scan *s)
{
	while (s->pos < s->len && s->t[s->pos] != '\n')
		s->pos++;
}

/* A preprocessor line, "#!word args" or "!!word args", s->pos at its first '#' or '!'. */
static int kam_directive(struct kam_scan *s, struct diag *d)
{
	size_t p = s->pos + 2, w, ns, ne, vs, ve;
	const char *t = s->t;
	struct kam_define *def;

	for (w = p; w < s->len && kam_ident(t[w]); w++)
		;
	for (ns = w; ns < s->len && (t[ns] == ' ' || t[ns] == '\t'); ns++)
		;
	for (ne = ns; ne < s->len && kam_ident(t[ne]); ne++)
		;
	for (vs = ne; vs < s->len && (t[vs] == ' ' || t[vs] == '\t'); vs++)
		;
	for (ve = vs; ve < s->len && t[ve] != '\n'; ve++)
		;
	while (ve > vs && (t[ve - 1] == ' ' || t[ve - 1] == '\t' || t[ve - 1] == '\r'))
		ve--;
#define KAM_WORD(lit) (w - p == strlen(lit) && memcmp(t + p, lit, w - p) == 0)
	if (KAM_WORD("ifdef") || KAM_WORD("ifndef")) {
		if (s->depth == KAM_MAX_DEPTH)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: #!ifdef nested too deep", s->path, s->line);
		s->active[s->depth] = (kam_define_find(s->cfg, t + ns, ne - ns) != NULL) == KAM_WORD("ifdef");
		s->taken[s->depth] = s->active[s->depth];
		s->depth++;
	} else if (KAM_WORD("else")) {
		if (!s->depth)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: #!else without #!ifdef", s->path, s->line);
		s->active[s->depth - 1] = !s->taken[s->depth - 1];
	} else if (KAM_WORD("endif")) {
		if (!s->depth)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: #!endif without #!ifdef", s->path, s->line);
		s->depth--;
	} else if (kam_active(s) && (KAM_WORD("define") || KAM_WORD("trydef") || KAM_WORD("redefine"))) {
		if (ne == ns)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: #!define without a name", s->path, s->line);
		def = kam_define_find(s->cfg, t + ns, ne - ns);
		if (def && KAM_WORD("trydef"))
			goto done;
		if (!def) {
			struct kam_define *v = grow_one(s->cfg->defs, s->cfg->ndefs, sizeof(*v));
			if (!v)
				return -ENOMEM;
			s->cfg->defs = v;
			def = &v[s->cfg->ndefs++];
			*def = (struct kam_define){ strndup(t + ns, ne - ns), NULL };
			if (!def->name)
				return -ENOMEM;
		}
		free(def->value);
		def->value = strndup(t + vs, ve - vs);
		if (!def->value)
			return -ENOMEM;
	} else if (kam_active(s) && KAM_WORD("undef")) {
		def = kam_define_find(s->cfg, t + ns, ne - ns);
		if (def) {
			free(def->name);
			free(def->value);
			*def = s->cfg->defs[--s->cfg->ndefs];
		}
	}
#undef KAM_WORD
done:
	kam_skip_line(s);
	return 0;
}

/* Skip blanks and comments (not directives); false at the end of the text. */
static bool kam_skip(struct kam_scan *s)
{
	while (s->pos < s->len) {
		char c = s->t[s->pos], n = s->pos + 1 < s->len ? s->t[s->pos + 1] : '\0';
		if (c == '\n') {
			s->line++;
			s->pos++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			s->pos++;
		} else if ((c == '#' && n != '!') || (c == '/' && n == '/')) {
			kam_skip_line(s);
		} else if (c == '/' && n == '*') {
			for (s->pos += 2; s->pos < s->len && !(s->t[s->pos] == '*' && s->t[s->pos + 1] == '/'); s->pos++)
				s->line += s->t[s->pos] == '\n';
			s->pos += 2;
		} else {
			return true;
		}
	}
	return false;
}

/* The bytes of a string literal between its quotes, escapes resolved as kamailio's lexer does. */
static int kam_unescape(const char *s, size_t n, struct buf *out)
{
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < n) {
			c = s[++i];
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
		}
		rc = buf_putc(out, c);
	}
	return rc;
}

/*
 * A token at s->pos: a quoted string (decoded into OUT, *quoted set), a run
 * of identifier characters, or one punctuation byte.  [*start, *end) is the
 * raw token.
 */
static int kam_token(struct kam_scan *s, struct buf *out, size_t *start, size_t *end, bool *quoted, struct diag *d)
{
	const char *t = s->t;
	*start = s->pos;
	*quoted = false;
	if (t[s->pos] == '"' || t[s->pos] == '\'') {
		char q = t[s->pos++];
		*quoted = true;
		for (; s->pos < s->len && t[s->pos] != q; s->pos++) {
			char c = t[s->pos];
			if (c == '\n')
				break;
			if (c == '\\' && s->pos + 1 < s->len)
				s->pos++;
		}
		if (s->pos >= s->len || t[s->pos] != q)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: unfinished string", s->path, s->line);
		if (kam_unescape(t + *start + 1, s->pos - *start - 1, out) < 0)
			return -ENOMEM;
		s->pos++;
	} else if (kam_ident(t[s->pos]) || t[s->pos] == '-') {
		while (s->pos < s->len && (kam_ident(t[s->pos]) || t[s->pos] == '-' || t[s->pos] == '.'))
			s->pos++;
		if (buf_append(out, t + *start, s->pos - *start) < 0)
			return -ENOMEM;
	} else {
		s->pos++;
	}
	*end = s->pos;
	return 0;
}

/* Expect punctuation C next. */
static int kam_punct(struct kam_scan *s, char c, const char *what, struct diag *d)
{
	if (!kam_skip(s) || s->t[s->pos] != c)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s: expected '%c'", s->path, s->line, what, c);
	s->pos++;
	return 0;
}

static int kam_file(struct kam_cfg *c, const struct root *r, const char *path, bool must_exist, struct diag *d);

/* modparam("MODULE", "NAME", VALUE): keep it when MODULE is xmpp. */
static int kam_modparam(struct kam_scan *s, struct diag *d)
{
	struct buf mod = BUF_INIT, name = BUF_INIT, val = BUF_INIT_SENSITIVE;
	struct kam_value *slot = NULL;
	size_t a, b, vstart = 0, vend = 0;
	bool q, vq = false, concat = false;
	unsigned line = s->line;
	int rc;

	rc = kam_punct(s, '(', "modparam", d);
	if (rc == 0 && !kam_skip(s))
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: unfinished modparam", s->path, s->line);
	if (rc == 0)
		rc = kam_token(s, &mod, &a, &b, &q, d);
	if (rc == 0)
		rc = kam_punct(s, ',', "modparam", d);
	if (rc == 0 && kam_skip(s))
		rc = kam_token(s, &name, &a, &b, &q, d);
	if (rc == 0)
		rc = kam_punct(s, ',', "modparam", d);
	/* The value: one token, or adjacent strings that kamailio concatenates ("a" "b"). */
	if (rc == 0 && kam_skip(s))
		rc = kam_token(s, &val, &vstart, &vend, &vq, d);
	while (rc == 0 && vq && kam_skip(s) && (s->t[s->pos] == '"' || s->t[s->pos] == '\'')) {
		rc = kam_token(s, &val, &a, &vend, &q, d);
		concat = true;
	}
	if (rc == 0)
		rc = kam_punct(s, ')', "modparam", d);
	if (rc < 0 || strcmp(buf_str(&mod), "xmpp") != 0 || !kam_active(s))
		goto out;
	for (size_t i = 0; i < KAM_NPARAMS; i++)
		if (strcmp(buf_str(&name), kam_params[i]) == 0)
			slot = &s->cfg->params[i];
	s->cfg->last_xmpp_file = s->file;
	s->cfg->last_xmpp_end = s->pos;
	if (!slot)
		goto out;
	/* The last modparam of a name is the one kamailio keeps. */
	kam_value_free(slot);
	*slot = (struct kam_value){ .found = true, .file = s->file, .line = line, .start = vstart, .end = vend,
				    .quoted = vq };
	if (!vq && !concat) {
		struct kam_define *def = kam_define_find(s->cfg, val.data, val.len);
		if (def) {
			/* A define's value is written as it would be in place: maybe quoted. */
			size_t n = strlen(def->value);
			slot->via_define = strdup(def->name);
			buf_truncate(&val, 0);
			if (n >= 2 && (def->value[0] == '"' || def->value[0] == '\'') && def->value[n - 1] == def->value[0])
				rc = kam_unescape(def->value + 1, n - 2, &val);
			else
				rc = buf_puts(&val, def->value);
		}
	}
	if (rc == 0 && !(slot->value = strdup(buf_str(&val))))
		rc = -ENOMEM;
out:
	buf_free(&mod);
	buf_free(&name);
	buf_free(&val);
	return rc;
}

static int kam_scan_file(struct kam_cfg *c, const struct root *r, int file, struct diag *d)
{
	struct kam_scan s = { .cfg = c, .file = file, .path = c->files[file].path, .t = buf_str(&c->files[file].text),
			      .len = c->files[file].text.len, .line = 1 };
	struct buf word = BUF_INIT, arg = BUF_INIT;
	size_t a, b;
	bool q;
	int rc = 0;

	if (memchr(s.t, '\0', s.len))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s: contains a NUL byte", s.path);
	while (rc == 0 && kam_skip(&s)) {
		const char *t = s.t;
		bool line_start = s.pos == 0 || t[s.pos - 1] == '\n' || t[s.pos - 1] == ' ' || t[s.pos - 1] == '\t';
		if (line_start && ((t[s.pos] == '#' && t[s.pos + 1] == '!') || (t[s.pos] == '!' && t[s.pos + 1] == '!'))) {
			rc = kam_directive(&s, d);
			continue;
		}
		buf_truncate(&word, 0);
		rc = kam_token(&s, &word, &a, &b, &q, d);
		if (rc < 0 || q)
			continue;
		if (strcmp(buf_str(&word), "modparam") == 0) {
			rc = kam_modparam(&s, d);
		} else if (strcmp(buf_str(&word), "loadmodule") == 0 && kam_skip(&s) && kam_active(&s)) {
			unsigned line = s.line;
			buf_truncate(&arg, 0);
			rc = kam_token(&s, &arg, &a, &b, &q, d);
			if (rc == 0) {
				const char *base = strrchr(buf_str(&arg), '/');
				base = base ? base + 1 : buf_str(&arg);
				if (strcmp(base, "xmpp") == 0 || strcmp(base, "xmpp.so") == 0) {
					c->loadmodule.found = true;
					c->loadmodule.file = file;
					c->loadmodule.line = line;
					c->last_xmpp_file = file;
					c->last_xmpp_end = s.pos;
				}
			}
		} else if ((strcmp(buf_str(&word), "import_file") == 0 || strcmp(buf_str(&word), "include_file") == 0) &&
			   kam_skip(&s) && kam_active(&s)) {
			bool must = strcmp(buf_str(&word), "include_file") == 0;
			buf_truncate(&arg, 0);
			rc = kam_token(&s, &arg, &a, &b, &q, d);
			if (rc == 0 && q) {
				/* Relative names are taken from the directory of the including file. */
				char *path = NULL;
				const char *slash = strrchr(s.path, '/');
				if (arg.data && arg.data[0] == '/')
					path = strdup(arg.data);
				else if (slash && asprintf(&path, "%.*s/%s", (int)(slash - s.path), s.path, buf_str(&arg)) < 0)
					path = NULL;
				if (!path)
					rc = -ENOMEM;
				else
					rc = kam_file(c, r, path, must, d);
				free(path);
			}
		}
	}
	if (rc == 0 && s.depth)
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s: #!ifdef without #!endif", s.path);
	buf_free(&word);
	buf_free(&arg);
	return rc;
}

static int kam_file(struct kam_cfg *c, const struct root *r, const char *path, bool must_exist, struct diag *d)
{
	int rc, file;

	if (c->nfiles == KAM_MAX_FILES)
		return diag_set(d, ELOOP, EXIT_DATAERR, "%s: more than %d files imported", c->files[0].path,
				KAM_MAX_FILES);
	file = (int)c->nfiles++;
	c->files[file].path = strdup(path);
	c->files[file].text = (struct buf)BUF_INIT_SENSITIVE;
	if (!c->files[file].path)
		return -ENOMEM;
	rc = safefs_read_file(r, path, &c->files[file].text, d);
	if (rc == -ENOENT && file > 0 && !must_exist)
		return 0; /* import_file of a missing file: kamailio goes on */
	if (rc == -ENOENT && file > 0)
		return diag_set(d, ENOENT, EXIT_DATAERR, "%s: no such file (include_file)", path);
	if (rc < 0)
		return rc;
	return kam_scan_file(c, r, file, d);
}

static int kam_load(const struct root *r, const char *config, struct kam_cfg *c, struct diag *d)
{
	int rc = kam_file(c, r, config, true, d);
	if (rc == -ENOENT && !diag_is_set(d))
		rc = diag_set(d, ENOENT, EXIT_CHECK_FAILED, "%s: no such file", config);
	return rc;
}

static const char *kam_where(const struct kam_cfg *c, const struct kam_value *v)
{
	return c->files[v->file].path;
}

static int kam_read(const struct root *r, const char *config, struct component *ret, struct diag *d)
{
	struct kam_cfg c = { 0 };
	const struct kam_value *dom = &c.params[KAM_DOMAIN], *port = &c.params[KAM_PORT],
			       *pw = &c.params[KAM_PASSWORD], *be = &c.params[KAM_BACKEND];
	const char *why;
	int rc;

	rc = kam_load(r, config, &c, d);
	if (rc < 0)
		goto out;
	if (!c.loadmodule.found) {
		rc = diag_set(d, ENODATA, EXIT_CHECK_FAILED, "%s: the xmpp module is not loaded (no loadmodule \"xmpp.so\")",
			      config);
		goto out;
	}
	if (be->found && strcmp(be->value, "component") != 0) {
		rc = diag_set(d, ENODATA, EXIT_CHECK_FAILED,
			      "%s:%u: the xmpp module runs with backend \"%.20s\": only backend \"component\" is a "
			      "XEP-0114 component",
			      kam_where(&c, be), be->line, be->value);
		goto out;
	}
	/* The module's defaults for domain and password are examples: without them it is not configured. */
	if (!dom->found || !dom->value[0] || !pw->found || !pw->value[0]) {
		rc = diag_set(d, ENODATA, EXIT_CHECK_FAILED, "%s: modparam(\"xmpp\", \"%s\", ...) is not set", config,
			      !dom->found || !dom->value[0] ? "xmpp_domain" : "xmpp_password");
		goto out;
	}
	if (secret_equal_str(&(struct secret){ pw->value, strlen(pw->value) }, "secret")) {
		rc = diag_set(d, ENODATA, EXIT_CHECK_FAILED,
			      "%s:%u: xmpp_password is still the module's example \"secret\"; generate a config with "
			      "jabber-dispatch transport-init or set your own",
			      kam_where(&c, pw), pw->line);
		goto out;
	}
	if (strlen(dom->value) >= sizeof(ret->host)) {
		rc = diag_set(d, EINVAL, EXIT_DATAERR, "%s:%u: xmpp_domain is longer than 253 bytes", kam_where(&c, dom),
			      dom->line);
		goto out;
	}
	snprintf(ret->host, sizeof(ret->host), "%s", dom->value);
	if ((why = validate_host(ret->host))) {
		rc = diag_set(d, EINVAL, EXIT_DATAERR, "%s:%u: xmpp_domain is %s", kam_where(&c, dom), dom->line, why);
		goto out;
	}
	ret->port = KAM_DEFAULT_PORT;
	if (port->found && (why = validate_port(port->value, &ret->port))) {
		rc = diag_set(d, EINVAL, EXIT_DATAERR, "%s:%u: xmpp_port is %s", kam_where(&c, port), port->line, why);
		goto out;
	}
	rc = transport_secret(ret, pw->value, strlen(pw->value), kam_where(&c, pw), pw->line, "xmpp_password", d);
out:
	kam_free(&c);
	return rc;
}

/* VALUE as a kamailio string literal. */
static int kam_quote(const char *value, struct buf *out)
{
	int rc = buf_putc(out, '"');
	for (const char *p = value; *p && rc == 0; p++)
		rc = (*p == '"' || *p == '\\') ? buf_printf(out, "\\%c", *p) : buf_putc(out, *p);
	return rc ? rc : buf_putc(out, '"');
}

struct kam_edit {
	int which;
	const char *value;
	bool quote;
};

/* Where an edit of param WHICH lands, as (file, offset) folded into one sortable number. */
static unsigned long long kam_edit_at(const struct kam_cfg *c, int which)
{
	const struct kam_value *v = &c->params[which];
	int file = v->found ? v->file : c->last_xmpp_file;
	return ((unsigned long long)file << 40) | (v->found ? v->start : c->last_xmpp_end);
}

/* Queue FILE's text with param P set to VALUE (replaced in place, or a new modparam line after the last one). */
static int kam_put(struct kam_cfg *c, int which, const char *value, bool quote, struct buf *texts, struct diag *d)
{
	const struct kam_value *v = &c->params[which];
	struct buf lit = BUF_INIT_SENSITIVE, next = BUF_INIT_SENSITIVE;
	int file = v->found ? v->file : c->last_xmpp_file, rc;
	size_t at = v->found ? v->start : c->last_xmpp_end;
	struct buf *t = &texts[file];

	if (v->found && v->via_define)
		return diag_set(d, ENOTSUP, EXIT_DATAERR, "%s:%u: %s is set through #!define %s: change it there",
				kam_where(c, v), v->line, kam_params[which], v->via_define);
	rc = quote ? kam_quote(value, &lit) : buf_puts(&lit, value);
	if (rc == 0)
		rc = buf_append(&next, t->data, at);
	if (rc == 0 && !v->found)
		rc = buf_printf(&next, "\nmodparam(\"xmpp\", \"%s\", ", kam_params[which]);
	if (rc == 0)
		rc = buf_append(&next, lit.data, lit.len);
	if (rc == 0 && !v->found)
		rc = buf_putc(&next, ')');
	if (rc == 0) {
		size_t from = v->found ? v->end : at;
		rc = buf_append(&next, t->data + from, t->len - from);
	}
	if (rc == 0) {
		buf_free(t);
		*t = next;
		next = (struct buf)BUF_INIT_SENSITIVE;
	}
	buf_free(&lit);
	buf_free(&next);
	return rc;
}

/* Hide SECRET from diffs as written in a literal (escaped: the longer form first), then as it is. */
static int kam_redact(struct changeset *cs, const char *secret, const char *shown)
{
	struct buf lit = BUF_INIT_SENSITIVE;
	int rc = kam_quote(secret, &lit);
	if (rc == 0 && lit.len > 2) {
		lit.data[lit.len - 1] = '\0'; /* without the quotes */
		if (strcmp(lit.data + 1, secret) != 0)
			rc = changeset_redact(cs, lit.data + 1, shown);
	}
	if (rc == 0)
		rc = changeset_redact(cs, secret, shown);
	buf_free(&lit);
	return rc;
}

static int kam_set(const struct root *r, const char *config, unsigned port, const struct secret *secret,
		   struct changeset *cs, enum result *ret_result, struct diag *d)
{
	struct kam_cfg c = { 0 };
	struct buf texts[KAM_MAX_FILES] = { BUF_INIT };
	char portstr[16];
	int rc;

	rc = kam_load(r, config, &c, d);
	if (rc == -ENOENT && d->exit_code == EXIT_CHECK_FAILED) {
		diag_clear(d);
		rc = diag_set(d, ENOENT, EXIT_NOINPUT, "%s: no such file", config);
	}
	if (rc == 0 && !c.loadmodule.found)
		rc = diag_set(d, ENODATA, EXIT_DATAERR, "%s: the xmpp module is not loaded: nothing to set", config);
	for (size_t i = 0; rc == 0 && i < c.nfiles; i++) {
		texts[i] = (struct buf)BUF_INIT_SENSITIVE;
		rc = buf_append(&texts[i], buf_str(&c.files[i].text), c.files[i].text.len);
	}
	/*
	 * Edits are splices at offsets of the text as read: within one file the
	 * later one goes first, so the earlier offset is still right.
	 */
	if (rc == 0) {
		struct kam_edit e[2], tmp;
		size_t n = 0;
		snprintf(portstr, sizeof(portstr), "%u", port);
		if (port)
			e[n++] = (struct kam_edit){ KAM_PORT, portstr, false };
		if (secret)
			e[n++] = (struct kam_edit){ KAM_PASSWORD, secret->data, true };
		if (n == 2 && kam_edit_at(&c, e[0].which) < kam_edit_at(&c, e[1].which)) {
			tmp = e[0];
			e[0] = e[1];
			e[1] = tmp;
		}
		for (size_t i = 0; rc == 0 && i < n; i++)
			rc = kam_put(&c, e[i].which, e[i].value, e[i].quote, texts, d);
	}
	for (size_t i = 0; rc == 0 && i < c.nfiles; i++)
		if (c.files[i].text.data)
			rc = changeset_put(cs, c.files[i].path, &c.files[i].text, texts[i].data, texts[i].len, 0640);
	if (rc == 0 && secret)
		rc = kam_redact(cs, secret->data, "<secret>");
	if (rc == 0 && c.params[KAM_PASSWORD].found && c.params[KAM_PASSWORD].value[0])
		rc = kam_redact(cs, c.params[KAM_PASSWORD].value, "<old secret>");
	if (rc == 0)
		*ret_result = changeset_empty(cs) ? RESULT_UNCHANGED : RESULT_UPDATED;
	for (size_t i = 0; i < KAM_MAX_FILES; i++)
		buf_free(&texts[i]);
	kam_free(&c);
	return rc;
}

static const struct transport_ops kam_ops = {
	.name = "kamailio-xmpp-modules",
	.default_config = "/etc/kamailio/kamailio.cfg",
	.read = kam_read,
	.set = kam_set,
};

int main(int argc, char **argv)
{
	return transport_adapter_main(argc, argv, &kam_ops);
}
