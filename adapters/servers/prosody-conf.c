/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prosody-conf: reading prosody.cfg.lua, the files it includes and its drop-ins into struct prosody_conf. */
#include "grow.h"
#include "conf-lua.h"
#include "exitcode.h"
#include "prosody-conf.h"
#include "syntax-check.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

bool portv_has(const struct portv *p, unsigned port)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i] == port)
			return true;
	return false;
}

int portv_push(struct portv *p, unsigned port)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		unsigned *v = realloc(p->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = port;
	return 0;
}

void prosody_conf_free(struct prosody_conf *c)
{
	for (size_t i = 0; i < c->nfiles; i++) {
		free(c->files[i].path);
		buf_free(&c->files[i].text);
	}
	free(c->files);
	free(c->decls);
	free(c->blocks);
	free(c->dropin_dir);
	free(c->dropin_prefix);
	free(c->dropin_suffix);
	free(c->dropin_glob);
	free(c->ports.v);
}

static size_t line_start(const char *text, size_t off)
{
	while (off > 0 && text[off - 1] != '\n')
		off--;
	return off;
}

static size_t line_end(const struct buf *t, size_t off)
{
	while (off < t->len && t->data[off] != '\n')
		off++;
	return off < t->len ? off + 1 : off;
}

static struct decl *add_decl(struct prosody_conf *c)
{
	struct decl *v = grow_one(c->decls, c->ndecls, sizeof(*v));
	if (!v)
		return NULL;
	c->decls = v;
	v = &c->decls[c->ndecls++];
	memset(v, 0, sizeof(*v));
	return v;
}

/* Copy a decoded host name into DST, folded to lower case; false when it is no plain name. */
static bool take_host(const char *text, const struct lua_token *t, char *dst, size_t len)
{
	struct buf v = BUF_INIT;
	bool ok = lua_string_value(text, t, &v) == 0 && v.len > 0 && v.len < len;
	for (size_t i = 0; ok && i < v.len; i++)
		/* no NUL, newline or other control, no blank, quote or backslash: no domain holds them */
		ok = (unsigned char)v.data[i] > 0x20 && v.data[i] != 0x7f && !strchr("\"'\\", v.data[i]);
	if (ok) {
		for (size_t i = 0; i <= v.len; i++)
			dst[i] = (char)((v.data[i] >= 'A' && v.data[i] <= 'Z') ? v.data[i] + 32 : v.data[i]);
	}
	buf_free(&v);
	return ok;
}

/* Look inside a comment for `Component "HOST"` lines the admin commented out. */
static int scan_comment(struct prosody_conf *c, size_t fi, const struct lua_token *cm)
{
	const char *text = c->files[fi].text.data;
	struct lua_lexer lx;
	struct lua_token prev = { .type = LUA_EOF }, t;

	lua_lexer_init(&lx, "", text, cm->body_end);
	lx.pos = cm->body_start;
	lx.line = cm->line;
	lx.lenient = true;
	/* A line comment "--Component" has its body right after "--": stray '-' are skipped too. */
	while (lua_next(&lx, &t, NULL) == 0 && t.type != LUA_EOF) {
		if (t.type == LUA_STRING &&
		    (lua_is_name(text, &prev, "Component") || lua_is_name(text, &prev, "VirtualHost"))) {
			struct decl *d = add_decl(c);
			if (!d)
				return -ENOMEM;
			d->file = fi;
			d->component = lua_is_name(text, &prev, "Component");
			d->commented = true;
			d->line = t.line;
			d->stmt_end = t.end;
			if (!take_host(text, &t, d->host, sizeof(d->host)))
				c->ndecls--;
		}
		if (!lua_is_punct(text, &t, '('))
			prev = t;
	}
	return 0;
}

/* Parse a component_ports value: a number or a table of numbers. */
static int parse_ports(struct prosody_conf *c, const struct pfile *f, const struct lua_token *toks, size_t n,
		       size_t i, struct diag *d)
{
	const char *text = f->text.data;
	c->ports.n = 0;
	if (i < n && toks[i].type == LUA_NUMBER)
		return portv_push(&c->ports, (unsigned)strtoul(text + toks[i].start, NULL, 10));
	if (i < n && lua_is_punct(text, &toks[i], '{')) {
		for (i++; i < n && !lua_is_punct(text, &toks[i], '}'); i++) {
			if (lua_is_punct(text, &toks[i], ',') || lua_is_punct(text, &toks[i], ';'))
				continue;
			if (toks[i].type != LUA_NUMBER)
				break;
			if (portv_push(&c->ports, (unsigned)strtoul(text + toks[i].start, NULL, 10)) < 0)
				return -ENOMEM;
		}
		if (i < n && lua_is_punct(text, &toks[i], '}'))
			return 0;
	}
	return diag_set(d, EBADMSG, EXIT_DATAERR,
			"%s:%u: component_ports is not a plain list of port numbers; cannot tell which ports Prosody opens",
			f->path, toks[i < n ? i : n - 1].line);
}

/*
 * What --listen needs besides the ports: the address of the component
 * listener (a string, or the first of a table) and whether any component may
 * be set to another conflict policy than kick_new.  TOKS[I] is a name before '='.
 */
static int scan_listen_option(struct prosody_conf *c, const struct pfile *f, const struct lua_token *toks, size_t n,
			      size_t i, bool in_section)
{
	const char *text = f->text.data;
	const struct lua_token *v = i + 2 < n ? &toks[i + 2] : NULL;
	struct buf val = BUF_INIT;
	int rc = 0;

	if (v && lua_is_punct(text, v, '{') && i + 3 < n)
		v = &toks[i + 3];
	if (lua_is_name(text, &toks[i], "component_conflict_resolve")) {
		rc = v && v->type == LUA_STRING ? lua_string_value(text, v, &val) : 0;
		c->kick_old |= rc < 0 || !v || v->type != LUA_STRING || strcmp(buf_str(&val), "kick_new") != 0;
	} else if (!in_section && (lua_is_name(text, &toks[i], "component_interface") ||
				   lua_is_name(text, &toks[i], "component_interfaces"))) {
		rc = v && v->type == LUA_STRING ? lua_string_value(text, v, &val) : 0;
		c->iface_unclear = rc < 0 || !v || v->type != LUA_STRING || val.len >= sizeof(c->iface) ||
				   strspn(buf_str(&val), "0123456789abcdefABCDEF.:*") != val.len;
		snprintf(c->iface, sizeof(c->iface), "%s", c->iface_unclear ? "" : buf_str(&val));
	}
	buf_free(&val);
	return rc < 0 ? rc : 0;
}

/*
 * A component_interface(s) line at global scope of the main file: ours
 * (marked; it always lists loopback first, where --listen checks), or the
 * admin's, which is never edited.
 */
static void scan_ifaces_line(struct prosody_conf *c, const struct pfile *f, const struct lua_token *k)
{
	size_t ls = line_start(f->text.data, k->start), le = line_end(&f->text, k->start);

	if (!memmem(f->text.data + ls, le - ls, IFACES_MARK, strlen(IFACES_MARK))) {
		c->ifaces_admin = true;
		return;
	}
	c->ifaces_ours = true;
	c->ifaces_line_start = ls;
	c->ifaces_line_end = le;
	c->iface_unclear = false;
	snprintf(c->iface, sizeof(c->iface), "127.0.0.1");
}

/* A "-- jabber-dispatch: begin/end HOST" comment T of the main file F: open or close HOST's block. */
static int scan_block_marker(struct prosody_conf *c, const struct pfile *f, const struct lua_token *t)
{
	const char *text = buf_str(&f->text), *b = text + t->body_start - 2;
	bool begin;
	size_t hl, hn;
	char host[254];

	if (t->start != line_start(text, t->start) || t->body_end - t->body_start <= strlen(BLOCK_BEGIN) - 2)
		return 0;
	if (strncmp(b, BLOCK_BEGIN, strlen(BLOCK_BEGIN)) != 0 && strncmp(b, BLOCK_END, strlen(BLOCK_END)) != 0)
		return 0;
	begin = b[strlen("-- jabber-dispatch: ")] == 'b';
	hl = strlen(begin ? BLOCK_BEGIN : BLOCK_END);
	hn = t->body_end - (t->start + hl);
	if (hn == 0 || hn >= sizeof(host))
		return 0;
	memcpy(host, b + hl, hn);
	host[hn] = '\0';
	host[strcspn(host, " \t\r")] = '\0';
	if (begin) {
		struct block *v = grow_one(c->blocks, c->nblocks, sizeof(*v));
		if (!v)
			return -ENOMEM;
		c->blocks = v;
		v = &c->blocks[c->nblocks++];
		snprintf(v->host, sizeof(v->host), "%s", host);
		v->begin = t->start;
		v->end = 0;
	} else if (c->nblocks && !c->blocks[c->nblocks - 1].end && strcmp(c->blocks[c->nblocks - 1].host, host) == 0)
		c->blocks[c->nblocks - 1].end = line_end(&f->text, t->start);
	return 0;
}

/* The tokens of file FI but its comments, which are scanned on the way (our block markers: main file only). */
static int lex_file(struct prosody_conf *c, size_t fi, struct lua_token **ret, size_t *nret, struct diag *d)
{
	const struct pfile *f = &c->files[fi];
	struct lua_token *toks = NULL, t;
	struct lua_lexer lx;
	size_t n = 0, cap = 0;
	int rc;

	lua_lexer_init(&lx, f->path, buf_str(&f->text), f->text.len);
	while ((rc = lua_next(&lx, &t, d)) == 0 && t.type != LUA_EOF) {
		if (t.type == LUA_COMMENT) {
			rc = scan_comment(c, fi, &t);
			if (rc == 0 && fi == 0)
				rc = scan_block_marker(c, f, &t);
			if (rc < 0)
				break;
			continue;
		}
		if (n == cap) {
			struct lua_token *v = realloc(toks, (cap = cap ? cap * 2 : 256) * sizeof(*v));
			if (!v) {
				rc = -ENOMEM;
				break;
			}
			toks = v;
		}
		toks[n++] = t;
	}
	*ret = toks;
	*nret = n;
	return rc < 0 ? rc : 0;
}

/* Where scan_file stands in a file's top-level statements. */
struct scan_state {
	size_t fi;
	const struct lua_token *toks;
	size_t n;
	size_t section; /* index of the current section's decl; SIZE_MAX: global scope */
	bool first_found;
};

/* The first section or Include of the main file: where global settings end. */
static void scan_mark_first(struct prosody_conf *c, struct scan_state *st, const struct lua_token *k)
{
	if (st->fi != 0 || st->first_found)
		return;
	c->first_section = line_start(buf_str(&c->files[0].text), k->start);
	st->first_found = true;
}

/* Component "HOST" or VirtualHost "HOST" at token K, its name at token NAME. */
static int scan_section(struct prosody_conf *c, struct scan_state *st, const struct lua_token *k,
			const struct lua_token *name, bool is_comp, struct diag *d)
{
	const struct pfile *f = &c->files[st->fi];
	struct decl *dd = add_decl(c);

	if (!dd)
		return -ENOMEM;
	dd->file = st->fi;
	dd->component = is_comp;
	dd->line = k->line;
	dd->stmt_end = name->end;
	if (!take_host(buf_str(&f->text), name, dd->host, sizeof(dd->host)))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s name is not a plain host name", f->path, k->line,
				is_comp ? "Component" : "VirtualHost");
	scan_mark_first(c, st, k);
	st->section = c->ndecls - 1;
	return 0;
}

/* Include "PATTERN": the main file's first one is where drop-ins go. */
static int scan_include(struct prosody_conf *c, struct scan_state *st, const struct lua_token *k,
			const struct lua_token *pattern)
{
	struct buf pat = BUF_INIT;
	int rc = 0;

	scan_mark_first(c, st, k);
	if (st->fi != 0 || c->dropin_glob)
		return 0;
	if (lua_string_value(buf_str(&c->files[0].text), pattern, &pat) < 0 || !(c->dropin_glob = strdup(buf_str(&pat))))
		rc = -ENOMEM;
	buf_free(&pat);
	return rc;
}

/* component_ports = ... at global scope of the main file, the name at token I. */
static int scan_ports(struct prosody_conf *c, struct scan_state *st, size_t i, struct diag *d)
{
	const struct pfile *f = &c->files[0];
	const char *text = buf_str(&f->text);
	const struct lua_token *k = &st->toks[i];
	int rc = parse_ports(c, f, st->toks, st->n, i + 2, d);

	if (rc < 0)
		return rc;
	c->ports_set = true;
	c->ports_line = k->line;
	c->ports_line_start = line_start(text, k->start);
	c->ports_line_end = line_end(&f->text, k->start);
	c->ports_ours = memmem(text + c->ports_line_start, c->ports_line_end - c->ports_line_start, PORTS_MARK,
			       strlen(PORTS_MARK)) != NULL;
	return 0;
}

/* NAME = VALUE, the name at token I: a component's secret, the listener's options, the main file's lines. */
static int scan_assignment(struct prosody_conf *c, struct scan_state *st, size_t i, struct diag *d)
{
	const struct pfile *f = &c->files[st->fi];
	const char *text = buf_str(&f->text);
	const struct lua_token *k = &st->toks[i], *v = i + 2 < st->n ? &st->toks[i + 2] : NULL;
	bool in_section = st->section != SIZE_MAX, global_main = st->fi == 0 && !in_section;
	int rc;

	if (in_section && c->decls[st->section].component && lua_is_name(text, k, "component_secret") && v &&
	    v->type == LUA_STRING) {
		struct decl *sd = &c->decls[st->section];
		sd->has_secret = true;
		sd->secret_start = v->start;
		sd->secret_end = v->end;
		sd->secret_line = v->line;
	}
	rc = scan_listen_option(c, f, st->toks, st->n, i, in_section);
	if (rc < 0)
		return rc;
	if (global_main &&
	    (lua_is_name(text, k, "component_interfaces") || lua_is_name(text, k, "component_interface")))
		scan_ifaces_line(c, f, k);
	if (global_main && lua_is_name(text, k, "component_ports"))
		return scan_ports(c, st, i, d);
	return 0;
}

/* One top-level statement at token I: the index of its last token consumed, or -errno. */
static ssize_t scan_statement(struct prosody_conf *c, struct scan_state *st, size_t i, struct diag *d)
{
	const char *text = buf_str(&c->files[st->fi].text);
	const struct lua_token *toks = st->toks, *k = &toks[i];
	size_t j = i + 1;
	bool is_comp = lua_is_name(text, k, "Component"), is_vhost = lua_is_name(text, k, "VirtualHost");
	int rc = 0;

	if (j < st->n && lua_is_punct(text, &toks[j], '('))
		j++;
	if ((is_comp || is_vhost) && j < st->n && toks[j].type == LUA_STRING)
		rc = scan_section(c, st, k, &toks[j], is_comp, d);
	else if (lua_is_name(text, k, "Include") && j < st->n && toks[j].type == LUA_STRING)
		rc = scan_include(c, st, k, &toks[j]);
	else {
		j = i;
		if (i + 1 < st->n && lua_is_punct(text, &toks[i + 1], '='))
			rc = scan_assignment(c, st, i, d);
	}
	return rc < 0 ? rc : (ssize_t)j;
}

/* Tokenize one file and record its declarations; the main file also gives Include and component_ports. */
static int scan_file(struct prosody_conf *c, size_t fi, struct diag *d)
{
	const char *text = buf_str(&c->files[fi].text);
	struct lua_token *toks = NULL;
	struct scan_state st = { .fi = fi, .section = SIZE_MAX };
	int depth = 0, rc = lex_file(c, fi, &toks, &st.n, d);

	st.toks = toks;
	for (size_t i = 0; rc == 0 && i < st.n; i++) {
		const struct lua_token *k = &toks[i];
		ssize_t last;
		if (k->type == LUA_PUNCT) {
			char ch = text[k->start];
			depth += (ch == '(' || ch == '{' || ch == '[') - (ch == ')' || ch == '}' || ch == ']');
			continue;
		}
		if (depth != 0 || k->type != LUA_NAME)
			continue;
		if ((last = scan_statement(c, &st, i, d)) < 0)
			rc = (int)last;
		else
			i = (size_t)last;
	}
	if (rc == 0 && fi == 0 && !st.first_found)
		c->first_section = c->files[0].text.len; /* no section at all: the whole file is global */
	free(toks);
	return rc;
}

/*
 * What scanning a drop-in found, kept while the adapter runs: a --batch loads
 * every drop-in once per component, and all but a few stay as they were.
 * Sorted by path, as the directory is listed, so a load walks it once.
 */
struct scanned {
	char *path;
	struct buf text; /* what was scanned: a hit must be byte for byte the same */
	struct decl *decls;
	size_t ndecls;
	bool kick_old, iface_set, iface_unclear;
	char iface[64];
};

static struct {
	struct scanned *v;
	size_t n, next; /* next: where the load in progress looks first */
} scanned;

/* The entry of PATH, or where it goes: from the cursor on, as drop-ins come sorted. */
static size_t scanned_at(const char *path)
{
	size_t i = scanned.next < scanned.n && strcmp(scanned.v[scanned.next].path, path) <= 0 ? scanned.next : 0;
	while (i < scanned.n && strcmp(scanned.v[i].path, path) < 0)
		i++;
	return i;
}

/* Scan drop-in FI of C, or take what scanning the same bytes found before. */
static int scan_dropin(struct prosody_conf *c, size_t fi, struct diag *d)
{
	const struct pfile *f = &c->files[fi];
	size_t i = scanned_at(f->path), first = c->ndecls;
	struct scanned *m = i < scanned.n && strcmp(scanned.v[i].path, f->path) == 0 ? &scanned.v[i] : NULL;
	bool kick_old = c->kick_old, iface_unclear = c->iface_unclear;
	char iface[sizeof(c->iface)];
	int rc;

	memcpy(iface, c->iface, sizeof(iface));

	scanned.next = i;
	if (m && buf_equal(&m->text, &f->text)) {
		for (size_t k = 0; k < m->ndecls; k++) {
			struct decl *dd = add_decl(c);
			if (!dd)
				return -ENOMEM;
			*dd = m->decls[k];
			dd->file = fi;
		}
		c->kick_old |= m->kick_old;
		if (m->iface_set) {
			memcpy(c->iface, m->iface, sizeof(c->iface));
			c->iface_unclear = m->iface_unclear;
		}
		return 0;
	}
	c->kick_old = false;
	c->iface[0] = '\x01'; /* no interface has it: tells whether this file set one */
	rc = scan_file(c, fi, d);
	if (rc == 0)
		rc = lua_compile_check(f->path, f->text.data, f->text.len, d);
	if (rc == 0 && !m) {
		struct scanned *v = grow_one(scanned.v, scanned.n, sizeof(*v));
		if (v) {
			scanned.v = v;
			memmove(&v[i + 1], &v[i], (scanned.n - i) * sizeof(*v));
			scanned.n++;
			m = &v[i];
			*m = (struct scanned){ .path = strdup(f->path), .text = BUF_INIT_SENSITIVE };
		}
	}
	if (rc == 0 && m && m->path) {
		free(m->decls);
		m->ndecls = c->ndecls - first;
		m->decls = malloc((m->ndecls + 1) * sizeof(*m->decls));
		buf_truncate(&m->text, 0);
		/* Without room, the entry matches no text but an empty one, which declares nothing. */
		if (!m->decls || buf_append(&m->text, f->text.data, f->text.len) < 0)
			m->ndecls = 0;
		else
			memcpy(m->decls, c->decls + first, m->ndecls * sizeof(*m->decls));
		m->kick_old = c->kick_old;
		m->iface_set = c->iface[0] != '\x01';
		m->iface_unclear = c->iface_unclear;
		memcpy(m->iface, c->iface, sizeof(m->iface));
	}
	c->kick_old |= kick_old;
	if (c->iface[0] == '\x01') {
		memcpy(c->iface, iface, sizeof(iface));
		c->iface_unclear = iface_unclear;
	}
	return rc;
}

static int add_file(struct prosody_conf *c, const struct root *r, const char *path, struct diag *d)
{
	struct pfile *v = grow_one(c->files, c->nfiles, sizeof(*v));
	int rc;

	if (!v)
		return -ENOMEM;
	c->files = v;
	v = &c->files[c->nfiles];
	*v = (struct pfile){ .path = strdup(path), .text = BUF_INIT_SENSITIVE }; /* it holds component secrets */
	if (!v->path)
		return -ENOMEM;
	c->nfiles++;
	rc = safefs_read_file(r, path, &v->text, d);
	if (rc == -ENOENT)
		return diag_set(d, ENOENT, EXIT_NOINPUT, "%s: no such file", path);
	if (rc < 0)
		return rc;
	const char *nul = memchr(buf_str(&v->text), '\0', v->text.len);
	if (nul) {
		unsigned line = 1;
		for (const char *p = v->text.data; p < nul; p++)
			line += *p == '\n';
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: contains a NUL byte", path, line);
	}
	v->dropin_managed = strncmp(buf_str(&v->text), DROPIN_MARK, strlen(DROPIN_MARK)) == 0;
	if (c->nfiles > 1)
		return scan_dropin(c, c->nfiles - 1, d);
	rc = scan_file(c, 0, d);
	/* What our tokenizer takes may still not compile (a missing comma): Prosody would not start. */
	return rc < 0 ? rc : lua_compile_check(path, v->text.data, v->text.len, d);
}

/* Read the main file and every file its wildcard Include loads. */
static int conf_load(const struct server_request *req, struct prosody_conf *c, struct diag *d)
{
	struct strv names = STRV_INIT;
	char *dir = NULL, *glob;
	int rc;

	scanned.next = 0;
	rc = add_file(c, &req->root, req->config, d);
	if (rc < 0 || !c->dropin_glob)
		return rc;
	if (c->dropin_glob[0] == '/') {
		dir = safefs_dirname(c->dropin_glob);
	} else {
		char *base = safefs_dirname(req->config), *full = base ? safefs_join(base, c->dropin_glob) : NULL;
		free(base);
		dir = full ? safefs_dirname(full) : NULL;
		free(full);
	}
	if (!dir)
		return -ENOMEM;
	glob = strrchr(c->dropin_glob, '/') ? strrchr(c->dropin_glob, '/') + 1 : c->dropin_glob;
	/* Where our drop-ins go: "PREFIX*SUFFIX" with one '*' and nothing else special. */
	const char *star = strchr(glob, '*');
	if (star && !strchr(star + 1, '*') && !strpbrk(glob, "?[\\")) {
		c->dropin_dir = strdup(dir);
		c->dropin_prefix = strndup(glob, (size_t)(star - glob));
		c->dropin_suffix = strdup(star + 1);
		if (!c->dropin_dir || !c->dropin_prefix || !c->dropin_suffix) {
			rc = -ENOMEM;
			goto out;
		}
	}
	rc = safefs_list_dir(&req->root, dir, &names, d);
	if (rc == -ENOENT) {
		rc = 0; /* Prosody accepts a glob that matches nothing */
		goto out;
	}
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		char *path;
		if (names.v[i][0] == '.' || fnmatch(glob, names.v[i], 0) != 0)
			continue;
		path = safefs_join(dir, names.v[i]);
		rc = path ? add_file(c, &req->root, path, d) : -ENOMEM;
		free(path);
	}
out:
	free(dir);
	strv_free(&names);
	return rc;
}

/* The drop-in path of HOST, malloc'd; NULL where there is no drop-in directory. */
char *prosody_dropin_path(const struct prosody_conf *c, const char *host)
{
	char *name, *path;
	if (!c->dropin_dir || asprintf(&name, "%s%s%s", c->dropin_prefix, host, c->dropin_suffix) < 0)
		return NULL;
	path = name[0] == '.' ? NULL : safefs_join(c->dropin_dir, name);
	free(name);
	return path;
}

/* Whether PATH is the drop-in path of HOST (prosody_dropin_path, without making it: a batch asks it often). */
static bool is_dropin_path(const struct prosody_conf *c, const char *host, const char *path)
{
	size_t dl = c->dropin_dir ? strlen(c->dropin_dir) : 0;
	const char *name;

	if (!c->dropin_dir || strncmp(path, c->dropin_dir, dl) != 0)
		return false;
	name = path + dl + (dl && c->dropin_dir[dl - 1] == '/' ? 0 : 1);
	if (name[-1] != '/' || strncmp(name, c->dropin_prefix, strlen(c->dropin_prefix)) != 0 || name[0] == '.')
		return false;
	name += strlen(c->dropin_prefix);
	return strncmp(name, host, strlen(host)) == 0 && strcmp(name + strlen(host), c->dropin_suffix) == 0;
}

/* Mark which declarations are ours: in our drop-in for that very host, or in our block. */
static void conf_mark_ours(struct prosody_conf *c)
{
	for (size_t i = 0; i < c->ndecls; i++) {
		struct decl *dd = &c->decls[i];
		if (dd->file == 0) {
			for (size_t b = 0; b < c->nblocks; b++) {
				const struct block *bl = &c->blocks[b];
				if (bl->end && dd->stmt_end > bl->begin && dd->stmt_end <= bl->end &&
				    strcmp(bl->host, dd->host) == 0)
					dd->ours = true;
			}
		} else if (c->files[dd->file].dropin_managed) {
			dd->ours = is_dropin_path(c, dd->host, c->files[dd->file].path);
		}
	}
}

struct host_state prosody_host_state(struct prosody_conf *c, const char *host)
{
	struct host_state s = { NULL, NULL, NULL, NULL };
	for (size_t i = 0; i < c->ndecls; i++) {
		struct decl *dd = &c->decls[i];
		if (strcmp(dd->host, host) != 0 || (!dd->component && dd->commented))
			continue;
		if (dd->ours && !dd->commented)
			s.ours_active = dd;
		else if (dd->ours)
			s.ours_commented = s.ours_commented ? s.ours_commented : dd;
		else if (!dd->commented)
			s.other_active = dd;
		else
			s.other_commented = s.other_commented ? s.other_commented : dd;
	}
	return s;
}

/*
 * Load and classify.  With CS, every component_secret literal of every file
 * is hidden from diffs, not only the one being edited: context lines show
 * the neighbours' secrets too.  Callers hide their own first, with a label.
 */
int prosody_conf_load(const struct server_request *req, struct prosody_conf *c, struct changeset *cs,
		    struct diag *d)
{
	int rc = conf_load(req, c, d);
	if (rc < 0)
		return rc;
	conf_mark_ours(c);
	/* Hidden from diffs, which only a dry run makes (a batch of many components would pay for each). */
	for (size_t i = 0; cs && req->dry_run && rc == 0 && i < c->ndecls; i++) {
		const struct decl *dd = &c->decls[i];
		if (!dd->has_secret)
			continue;
		rc = changeset_redact_span(cs, c->files[dd->file].text.data + dd->secret_start,
					   dd->secret_end - dd->secret_start,
					   strcmp(dd->host, req->host) == 0 ? "<old secret>" : "<hidden>");
	}
	return rc;
}
