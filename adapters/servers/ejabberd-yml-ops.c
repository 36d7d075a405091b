/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ejabberd-yml-ops: add, update, remove and list components in ejabberd.yml and its drop-ins. */
#include "ejabberd-yml.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Where a component goes (LAB_FACTS §4, §9): every component on one port
 * shares one ejabberd_service listener with global_routes: false, since two
 * listeners on one ip:port stop ejabberd from starting.  That listener is
 * ours, in our drop-in (or, where ejabberd reads no drop-in directory, an
 * item of ejabberd.yml's listen: whose lines end with our marker), unless
 * the admin's own listener already holds the port: the host then joins it,
 * its lines marked.  Nothing else of the admin's is ever changed.
 */

#define EJOPS_DROPIN_HEADER                                                                          \
	EJYML_DROPIN_MARK ": \"jabber-dispatch sync\" keeps this file in line with the\n"          \
			  "# transports installed here.  To keep a component out of ejabberd, comment out\n" \
			  "# its host and password lines with '#': it is then never added again (and a\n"    \
			  "# listener left without hosts, which ejabberd refuses, is taken out).\n"

struct ejops {
	const struct server_request *req;
	struct ejyml_conf c;
	struct ejyml_edits e;
	struct buf quoted; /* the secret as a YAML double-quoted scalar; sensitive */
	struct changeset *cs;
	struct diag *d;
	size_t joined;                      /* the listener we add to, SIZE_MAX when none */
	const struct yconf_node *grown_key; /* the listen: we add a listener to */
};

static const char *ejops_mark(const struct ejyml_file *f)
{
	return f->ours ? "" : "  # " EJABBERD_MARK;
}

static const struct ejyml_file *ejops_file(const struct ejops *o, const struct ejyml_listener *l)
{
	return &o->c.files[l->file];
}

static size_t ejops_line_end(const struct ejyml_file *f, size_t off)
{
	return yconf_line_end(f->text.data, f->text.len, off);
}

/* Queue LINES (whole lines) at OFF, a line start or the end of the file. */
static int ejops_insert(struct ejops *o, size_t fi, size_t off, const struct buf *lines)
{
	const struct ejyml_file *f = &o->c.files[fi];
	struct buf t = BUF_INIT;
	int rc = 0;

	/* a file written with CRLF gets CRLF lines from us too */
	const char *nl = f->text.len ? memchr(f->text.data, '\n', f->text.len) : NULL;
	bool crlf = nl && nl > f->text.data && nl[-1] == '\r';
	/*
	 * At the end of a file without a final newline, ours come after a line
	 * break and end without one: the file keeps its last-line style, and
	 * ejyml_cut_lines() takes that line break back with ours.
	 */
	bool tail = off == f->text.len && off > 0 && f->text.data[off - 1] != '\n';
	size_t n = tail && lines->len && lines->data[lines->len - 1] == '\n' ? lines->len - 1 : lines->len;
	if (tail)
		rc = buf_puts(&t, crlf ? "\r\n" : "\n");
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = lines->data[i] == '\n' && crlf ? buf_puts(&t, "\r\n") : buf_putc(&t, lines->data[i]);
	if (rc == 0)
		rc = ejyml_edit(&o->e, fi, off, off, t.data, t.len);
	buf_free(&t);
	return rc;
}

/*
 * Whether listener L takes the component where it must be reached: on
 * loopback for a local transport, on req->bind_address for one on another
 * machine (a wildcard or an address we cannot read takes both).
 */
static bool ejops_binds(const struct ejops *o, const struct ejyml_listener *l)
{
	if (!o->req->bind_address[0])
		return l->overlaps;
	return !l->ip[0] ? l->overlaps : strcmp(l->ip, o->req->bind_address) == 0;
}

static int ejops_entry_text(struct ejops *o, struct buf *b, size_t kcol, size_t icol, const char *mark)
{
	return buf_printf(b, "%*s%s:%s\n%*spassword: %s%s\n", (int)kcol, "", o->req->host, mark, (int)icol, "",
			  buf_str(&o->quoted), mark);
}

static int ejops_item_text(struct ejops *o, struct buf *b, size_t dcol, size_t kcol, bool compact, const char *mark)
{
	int rc = compact ? buf_printf(b, "%*s- ", (int)dcol, "")
			 : buf_printf(b, "%*s-%s\n%*s", (int)dcol, "", mark, (int)kcol, "");
	if (rc == 0)
		rc = buf_printf(b,
				"port: %u%s\n"
				"%*sip: \"%s\"%s\n"
				"%*smodule: ejabberd_service%s\n"
				"%*sglobal_routes: false%s\n"
				"%*shosts:%s\n",
				o->req->port, mark, (int)kcol, "",
				o->req->bind_address[0] ? o->req->bind_address : EJABBERD_IP, mark, (int)kcol, "", mark,
				(int)kcol, "", mark,
				(int)kcol, "", mark);
	if (rc == 0)
		rc = ejops_entry_text(o, b, kcol + 2, kcol + 4, mark);
	return rc;
}

/* The key node whose value is V in MAP. */
static const struct yconf_node *ejops_key_of(const struct yconf_node *map, const struct yconf_node *v)
{
	for (size_t i = 1; map && i < map->nkids; i += 2)
		if (map->kids[i] == v)
			return map->kids[i - 1];
	return NULL;
}

static bool ejops_empty(const struct yconf_node *n)
{
	return n && n->kind == YCONF_SCALAR && n->style == YCONF_PLAIN && n->len == 0;
}

/* Where a listener's lines start: its "-" line, which may stand alone above it. */
static size_t ejops_item_start(const struct ejyml_file *f, const struct yconf_node *item)
{
	const char *t = f->text.data;
	size_t p = item->start, ls;

	while (p > 0 && (t[p - 1] == ' ' || t[p - 1] == '\t'))
		p--;
	if (p > 0 && t[p - 1] == '-')
		return yconf_line_start(t, p - 1);
	/* "-" alone on a line above, maybe with comments and blank lines in between */
	for (ls = yconf_line_start(t, item->start); ls > 0;) {
		size_t prev = yconf_line_start(t, ls - 1), q = prev;
		const struct yconf_comment *cm = yconf_comment_after(&f->y, prev);
		size_t stop = cm ? cm->start : ls - 1;
		while (q < stop && (t[q] == ' ' || t[q] == '\t'))
			q++;
		if (q < stop && t[q] == '-') {
			size_t r = q + 1;
			while (r < stop && (t[r] == ' ' || t[r] == '\t' || t[r] == '\r'))
				r++;
			return r == stop ? prev : yconf_line_start(t, item->start);
		}
		if (q < stop && !(t[q] == '\r' && q + 1 == stop))
			break;
		ls = prev;
	}
	return yconf_line_start(t, item->start);
}

/* Count the hosts of listener LI that stay (not cut). */
static size_t ejops_hosts_left(const struct ejops *o, size_t li)
{
	size_t n = 0;
	for (size_t i = 0; i < o->c.nhs; i++)
		n += o->c.hs[i].listener == li && !o->c.hs[i].cut;
	return n;
}

static int ejops_cut_host(struct ejops *o, size_t hi)
{
	struct ejyml_host *h = &o->c.hs[hi];
	const struct ejyml_listener *l = &o->c.ls[h->listener];
	const struct ejyml_file *f = ejops_file(o, l);
	size_t end = h->value && h->value->end > h->key->end ? h->value->end : h->key->end;

	if (l->hosts->style == YCONF_FLOW)
		return diag_set(o->d, EBADMSG, EXIT_DATAERR,
				"%s:%u: hosts is now written in flow style; take \"%s\" out by hand", f->path,
				l->hosts->line, h->name);
	h->cut = true;
	return ejyml_cut_lines(&o->e, f, l->file, yconf_line_start(f->text.data, h->key->start), ejops_line_end(f, end));
}

/* Listener LI is ours and has no host left, so it goes (unless we just joined it). */
static bool ejops_listener_gone(const struct ejops *o, size_t li)
{
	const struct ejyml_listener *l = &o->c.ls[li];
	size_t known = 0, raw;

	if (!l->ours || !l->service || li == o->joined || !l->hosts ||
	    !(l->hosts->kind == YCONF_MAP || ejops_empty(l->hosts)) || ejops_hosts_left(o, li) > 0)
		return false;
	/* every key must be one we read: a listener with hosts we cannot tell is left alone */
	raw = l->hosts->kind == YCONF_MAP ? l->hosts->nkids / 2 : 0;
	for (size_t i = 0; i < o->c.nhs; i++)
		known += o->c.hs[i].listener == li;
	return raw == known;
}

/*
 * A listener of ours left with no host (--remove, a move, or the admin
 * commented its last host out) goes, and so does a listen: of ours left
 * with no item: ejabberd refuses both empty ("Expected map, got empty
 * string").  Comment lines stay, and the exclusions with them.  Our
 * global_routes line in the admin's listener goes with our last host there.
 */
static int ejops_prune(struct ejops *o)
{
	bool *gone = calloc(o->c.nls + 1, sizeof(*gone));
	int rc = 0;

	if (!gone)
		return -ENOMEM;
	for (size_t li = 0; li < o->c.nls && rc == 0; li++) {
		const struct ejyml_listener *l = &o->c.ls[li];
		const struct ejyml_file *f = ejops_file(o, l);
		bool had = false, left = false;
		if ((gone[li] = ejops_listener_gone(o, li))) {
			/* its hosts' cuts, queued already, merge into this one */
			rc = ejyml_cut_lines(&o->e, f, l->file, ejops_item_start(f, l->item), ejops_line_end(f, l->item->end));
			continue;
		}
		for (size_t i = 0; i < o->c.nhs; i++)
			if (o->c.hs[i].listener == li && o->c.hs[i].ours) {
				had = true;
				left |= !o->c.hs[i].cut;
			}
		const struct yconf_node *gk = ejops_key_of(l->item, l->global_routes);
		if (!l->ours && gk && had && !left && ejyml_marked(f, gk->start))
			rc = ejyml_cut_lines(&o->e, f, l->file, yconf_line_start(f->text.data, gk->start),
					     ejops_line_end(f, l->global_routes->end));
	}
	for (size_t fi = 0; fi < o->c.nfiles && rc == 0; fi++) {
		const struct ejyml_file *f = &o->c.files[fi];
		const struct yconf_node *root = f->y.root;
		for (size_t i = 0; root && i + 1 < root->nkids && rc == 0; i += 2) {
			const struct yconf_node *k = root->kids[i], *v = root->kids[i + 1];
			size_t ngone = 0;
			if (!yconf_is(k, "listen") || k == o->grown_key || !(f->ours || ejyml_marked(f, k->start)))
				continue;
			for (size_t li = 0; li < o->c.nls; li++)
				ngone += o->c.ls[li].seq == v && gone[li];
			if (ejops_empty(v) || (v->kind == YCONF_SEQ && v->style == YCONF_BLOCK && ngone == v->nkids))
				rc = ejyml_cut_lines(&o->e, f, fi, yconf_line_start(f->text.data, k->start),
						     ejops_line_end(f, k->end));
		}
	}
	free(gone);
	return rc;
}

/* Add our host to listener L, which holds the port. */
static int ejops_join(struct ejops *o, const struct ejyml_listener *l, size_t li)
{
	const struct ejyml_file *f = ejops_file(o, l);
	const struct yconf_node *h = l->hosts, *hk = ejops_key_of(l->item, h);
	const char *mark = ejops_mark(f);
	struct buf b = BUF_INIT;
	size_t kcol, icol, off;
	int rc = 0;

	if (!h)
		return diag_set(o->d, EEXIST, EXIT_DATAERR,
				"%s:%u: the ejabberd_service listener on port %lu has no hosts, so it takes any component "
				"with its one password; declare \"%s\" there by hand, or give the transport another port",
				f->path, l->item->line, l->port, o->req->host);
	if (h->kind != YCONF_MAP && !ejops_empty(h))
		return diag_set(o->d, EBADMSG, EXIT_DATAERR,
				"%s:%u: hosts of the listener on port %lu is not a mapping (ejabberd 23.01 refuses a "
				"list there); declare \"%s\" there by hand",
				f->path, h->line, l->port, o->req->host);
	if (h->style == YCONF_FLOW)
		return diag_set(o->d, EBADMSG, EXIT_DATAERR,
				"%s:%u: hosts of the listener on port %lu is written in flow style ({...}); declare "
				"\"%s\" there by hand",
				f->path, h->line, l->port, o->req->host);
	if (!l->ours) {
		const struct yconf_node *gr = l->global_routes;
		/* every key counts here, "push.@HOST@" too */
		size_t others = h->kind == YCONF_MAP ? h->nkids / 2 : 0;
		if (gr && !yconf_is(gr, "false"))
			return diag_set(o->d, EEXIST, EXIT_DATAERR,
					"%s:%u: global_routes is not false on the listener for port %lu: ejabberd would "
					"hand \"%s\" the traffic of its other hosts; set it to false there, or give the "
					"transport another port",
					f->path, gr->line, l->port, o->req->host);
		if (!gr && others >= 2)
			return diag_set(o->d, EEXIST, EXIT_DATAERR,
					"%s:%u: the listener on port %lu carries %zu hosts with global_routes at its default "
					"(true), maybe for one component that serves them all; set global_routes: false "
					"there if each is its own component, or give the transport of \"%s\" another port",
					f->path, l->item->line, l->port, others, o->req->host);
		if (!gr) {
			/* harmless with at most one other host: a component gets its own host either way */
			rc = buf_printf(&b, "%*sglobal_routes: false%s\n", (int)hk->col, "", mark);
			if (rc == 0)
				rc = ejops_insert(o, l->file, yconf_line_start(f->text.data, hk->start), &b);
			buf_truncate(&b, 0);
		}
	}
	o->joined = li;
	if (h->kind == YCONF_MAP && h->nkids) {
		const struct yconf_node *v0 = h->kids[1];
		kcol = h->kids[0]->col;
		icol = v0->kind == YCONF_MAP && v0->style == YCONF_BLOCK && v0->nkids ? v0->kids[0]->col : kcol + 2;
		off = ejops_line_end(f, h->end);
	} else {
		kcol = hk->col + 2;
		icol = kcol + 2;
		off = ejops_line_end(f, hk->end);
	}
	if (rc == 0)
		rc = ejops_entry_text(o, &b, kcol, icol, mark);
	if (rc == 0)
		rc = ejops_insert(o, l->file, off, &b);
	buf_free(&b);
	return rc;
}

/*
 * Where a listener goes after LAST: after its lines, and after the comment
 * lines indented deeper than the "-" that follow it (its commented-out options).
 */
static size_t ejops_after_item(const struct ejyml_file *f, const struct yconf_node *seq, const struct yconf_node *last)
{
	size_t off = ejops_line_end(f, last->end);
	for (size_t i = 0; i < f->y.ncomments; i++) {
		const struct yconf_comment *cm = &f->y.comments[i];
		if (cm->start < off)
			continue;
		if (!cm->whole_line || yconf_line_start(f->text.data, cm->start) != off ||
		    cm->start - off <= seq->col)
			break;
		off = ejops_line_end(f, cm->start);
	}
	return off;
}

/* A new listener of ours at the end of the listen: of file FI (or a new listen: at its end). */
static int ejops_new_listener(struct ejops *o, size_t fi)
{
	const struct ejyml_file *f = &o->c.files[fi];
	const struct yconf_node *root = f->y.root, *key = NULL, *seq = NULL;
	const char *mark = ejops_mark(f);
	struct buf b = BUF_INIT;
	int rc;

	if (root && root->style == YCONF_FLOW)
		return diag_set(o->d, EBADMSG, EXIT_DATAERR, "%s:%u: written in flow style ({...}); cannot add a listener",
				f->path, root->line);
	for (size_t i = 0; root && i + 1 < root->nkids; i += 2)
		if (yconf_is(root->kids[i], "listen"))
			key = root->kids[i], seq = root->kids[i + 1];
	if (seq && seq->kind == YCONF_SEQ && seq->style == YCONF_FLOW)
		return diag_set(o->d, EBADMSG, EXIT_DATAERR, "%s:%u: listen is written in flow style ([...]); cannot add a listener",
				f->path, seq->line);
	o->grown_key = key;
	if (seq && seq->kind == YCONF_SEQ && seq->nkids) {
		const struct yconf_node *first = seq->kids[0], *last = seq->kids[seq->nkids - 1];
		bool compact = first->line == seq->line;
		rc = ejops_item_text(o, &b, seq->col, compact ? seq->col + 2 : first->col, compact, mark);
		if (rc == 0)
			rc = ejops_insert(o, fi, ejops_after_item(f, seq, last), &b);
	} else if (seq) {
		rc = ejops_item_text(o, &b, key->col + 2, key->col + 4, false, mark);
		if (rc == 0)
			rc = ejops_insert(o, fi, ejops_line_end(f, key->end), &b);
	} else {
		rc = buf_printf(&b, "listen:%s\n", mark);
		if (rc == 0)
			rc = ejops_item_text(o, &b, 2, 4, false, mark);
		if (rc == 0)
			rc = ejops_insert(o, fi, f->text.len, &b);
	}
	buf_free(&b);
	return rc;
}

/* Our drop-in does not exist yet: create it, owned like the main config, which holds secrets too. */
static int ejops_create_dropin(struct ejops *o)
{
	struct buf b = BUF_INIT;
	struct stat st;
	int fd, rc;

	rc = safefs_open_read(&o->req->root, o->c.files[0].path, O_RDONLY, &fd, o->d);
	if (rc < 0)
		return rc;
	rc = fstat(fd, &st) < 0 ? diag_set(o->d, errno, EXIT_OSERR, "%s: %s", o->c.files[0].path, strerror(errno)) : 0;
	close(fd);
	if (rc == 0)
		rc = buf_puts(&b, EJOPS_DROPIN_HEADER "listen:\n");
	if (rc == 0)
		rc = ejops_item_text(o, &b, 2, 4, false, "");
	if (rc == 0)
		rc = changeset_put(o->cs, o->c.dropin_path, NULL, b.data, b.len, st.st_mode & 0770);
	if (rc == 0)
		rc = changeset_set_owner(o->cs, o->c.dropin_path, st.st_uid, st.st_gid);
	buf_free(&b);
	return rc;
}

static int ejops_add(struct ejops *o)
{
	const struct ejyml_listener *holder = NULL;
	size_t hi = 0;

	for (size_t i = 0; i < o->c.nls; i++) {
		const struct ejyml_listener *l = &o->c.ls[i];
		const struct ejyml_file *f = ejops_file(o, l);
		if (!l->tcp || !ejops_binds(o, l))
			continue;
		if (!l->port_known)
			return diag_set(o->d, EBADMSG, EXIT_DATAERR,
					"%s:%u: a listener whose port is not a number; cannot tell whether port %u is free",
					f->path, l->item->line, o->req->port);
		if (l->port != o->req->port)
			continue;
		if (!l->service)
			return diag_set(o->d, EADDRINUSE, EXIT_DATAERR,
					"%s:%u: port %u is taken by the %s listener; give the transport another port",
					f->path, l->item->line, o->req->port, l->module[0] ? l->module : "(no module)");
		if (!holder || (l->ours && !holder->ours))
			holder = l, hi = i;
	}
	if (holder)
		return ejops_join(o, holder, hi);
	if (!o->c.dropin_path)
		return ejops_new_listener(o, 0);
	if (o->c.dropin == SIZE_MAX)
		return ejops_create_dropin(o);
	if (!o->c.files[o->c.dropin].ours)
		return diag_set(o->d, EEXIST, EXIT_DATAERR,
				"%s: exists but does not start with \"%s\"; move it away or declare \"%s\" by hand",
				o->c.dropin_path, EJYML_DROPIN_MARK, o->req->host);
	return ejops_new_listener(o, o->c.dropin);
}

/* Queue every file's edits; a drop-in of ours left with nothing but its header goes. */
static int ejops_commit(struct ejops *o)
{
	int rc = 0;

	for (size_t fi = 0; fi < o->c.nfiles && rc == 0; fi++) {
		const struct ejyml_file *f = &o->c.files[fi];
		struct buf t = BUF_INIT;
		bool any = false;
		for (size_t i = 0; i < o->e.n; i++)
			any |= o->e.v[i].file == fi;
		if (!any)
			continue;
		rc = ejyml_apply_edits(&o->e, f, fi, &t);
		if (rc == -EINVAL)
			rc = diag_set(o->d, EINVAL, EXIT_SOFTWARE, "%s: overlapping edits (a bug); nothing written", f->path);
		if (rc == 0 && f->ours && t.len >= strlen(EJOPS_DROPIN_HEADER) &&
		    memcmp(t.data, EJOPS_DROPIN_HEADER, strlen(EJOPS_DROPIN_HEADER)) == 0 &&
		    strspn(t.data + strlen(EJOPS_DROPIN_HEADER), " \t\r\n") == t.len - strlen(EJOPS_DROPIN_HEADER))
			rc = changeset_remove(o->cs, f->path, &f->text);
		else if (rc == 0)
			rc = changeset_put(o->cs, f->path, &f->text, t.data, t.len, 0600);
		buf_free(&t);
	}
	return rc;
}

static void ejops_free(struct ejops *o)
{
	ejyml_free(&o->c);
	ejyml_edits_free(&o->e);
	buf_free(&o->quoted);
}

struct ejops_state {
	const struct ejyml_host *other; /* the admin's declaration */
	const struct ejyml_host *keep;  /* ours, on the transport's port */
	size_t nours;
	bool excluded, excluded_ours;
};

static struct ejops_state ejops_state(const struct ejops *o, const char *host, unsigned port)
{
	struct ejops_state s = { NULL, NULL, 0, false, false };
	for (size_t i = 0; i < o->c.nhs; i++) {
		const struct ejyml_host *h = &o->c.hs[i];
		const struct ejyml_listener *l = &o->c.ls[h->listener];
		if (strcmp(h->name, host) != 0)
			continue;
		if (!h->ours) {
			s.other = s.other ? s.other : h;
			continue;
		}
		s.nours++;
		if (!s.keep && l->port_known && l->port == port && ejops_binds(o, l))
			s.keep = h;
	}
	for (size_t i = 0; i < o->c.nex; i++)
		if (strcmp(o->c.ex[i].name, host) == 0) {
			s.excluded = true;
			s.excluded_ours |= o->c.ex[i].ours;
		}
	return s;
}

static bool ejops_secret_key(const struct yconf_node *k)
{
	static const char *const ends[] = { "password", "secret" };
	for (size_t i = 0; k && k->kind == YCONF_SCALAR && i < sizeof(ends) / sizeof(ends[0]); i++) {
		size_t n = strlen(ends[i]);
		if (k->len >= n && strncasecmp(k->value + k->len - n, ends[i], n) == 0)
			return true;
	}
	return false;
}

/*
 * Diff context may show other secrets of these files (another component's
 * password, an sql_password): hide each "KEY: VALUE" as "KEY: <hidden>".
 * SKIP (our own entry's old password) is redacted on its own.
 */
static int ejops_redact_tree(struct ejops *o, const struct ejyml_file *f, const struct yconf_node *n,
			     const struct yconf_node *skip)
{
	int rc = 0;
	for (size_t i = 0; n && rc == 0 && i < n->nkids; i++) {
		const struct yconf_node *k = n->kids[i], *v = i + 1 < n->nkids ? n->kids[i + 1] : NULL;
		if (n->kind == YCONF_MAP && i % 2 == 0 && v && v != skip && v->kind == YCONF_SCALAR && v->len &&
		    ejops_secret_key(k)) {
			struct buf pair = BUF_INIT, shown = BUF_INIT;
			rc = buf_append(&pair, f->text.data + k->start, v->end - k->start);
			if (rc == 0)
				rc = buf_append(&shown, f->text.data + k->start, k->end - k->start);
			if (rc == 0)
				rc = buf_puts(&shown, ": <hidden>");
			if (rc == 0)
				rc = changeset_redact(o->cs, buf_str(&pair), buf_str(&shown));
			buf_free(&pair);
			buf_free(&shown);
		}
		if (rc == 0)
			rc = ejops_redact_tree(o, f, k, skip);
	}
	return rc;
}

static int ejops_redact_all(struct ejops *o, const struct yconf_node *skip)
{
	int rc = 0;
	for (size_t fi = 0; fi < o->c.nfiles && rc == 0; fi++)
		rc = ejops_redact_tree(o, &o->c.files[fi], o->c.files[fi].y.root, skip);
	return rc;
}

/* Cut every entry of ours for HOST but KEEP (NULL: all of them). */
static int ejops_cut_all(struct ejops *o, const char *host, const struct ejyml_host *keep)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < o->c.nhs; i++)
		if (&o->c.hs[i] != keep && o->c.hs[i].ours && strcmp(o->c.hs[i].name, host) == 0)
			rc = ejops_cut_host(o, i);
	return rc;
}

/* Our entry on the right port: update its password if it differs. */
static int ejops_update(struct ejops *o, const struct ejyml_host *h, struct server_outcome *ret)
{
	const struct ejyml_listener *l = &o->c.ls[h->listener];
	const struct ejyml_file *f = ejops_file(o, l);
	const struct yconf_node *pw = h->password;
	const struct server_request *req = o->req;
	int rc;

	if (!pw || pw->kind != YCONF_SCALAR)
		return diag_set(o->d, EBADMSG, EXIT_DATAERR,
				"%s:%u: our entry for \"%s\" has no password; take it out (--remove) and run again",
				f->path, h->key->line, h->name);
	/* a diff must not show the old secret either */
	rc = changeset_redact_span(o->cs, f->text.data + pw->start, pw->end - pw->start, "<old secret>");
	if (rc < 0 || secret_equal(&req->secret, pw->value, pw->len))
		return rc;
	ret->result = RESULT_UPDATED;
	return ejyml_edit(&o->e, l->file, pw->start, pw->end, o->quoted.data, o->quoted.len);
}

static void ejops_init(struct ejops *o, const struct server_request *req, struct changeset *cs, struct diag *d)
{
	*o = (struct ejops){ .req = req, .c = EJYML_CONF_INIT, .e = EJYML_EDITS_INIT, .quoted = BUF_INIT_SENSITIVE,
			     .cs = cs, .d = d, .joined = SIZE_MAX };
}

/* A component named like one of ejabberd's own virtual hosts (hosts:) would take that host's traffic: refused. */
static int ejops_vhost_clash(const struct ejops *o, const char *host)
{
	for (size_t fi = 0; fi < o->c.nfiles; fi++) {
		const struct yconf_node *hs = yconf_map_get(o->c.files[fi].y.root, "hosts");
		for (size_t i = 0; hs && hs->kind == YCONF_SEQ && i < hs->nkids; i++)
			if (hs->kids[i]->kind == YCONF_SCALAR && strcasecmp(hs->kids[i]->value, host) == 0)
				return diag_set(o->d, EEXIST, EXIT_DATAERR,
						"%s:%u: \"%s\" is one of ejabberd's own virtual hosts (hosts:), not a name a "
						"component can take; give the transport a host of its own",
						o->c.files[fi].path, hs->kids[i]->line, host);
	}
	return 0;
}

int ejyml_apply(const struct server_request *req, const char *path, struct changeset *cs,
		struct server_outcome *ret, struct diag *d)
{
	struct ejops o;
	struct ejops_state s;
	int rc;

	ejops_init(&o, req, cs, d);
	rc = ejyml_load(req, path, &o.c, d);
	if (rc == 0)
		rc = ejops_vhost_clash(&o, req->host);
	if (rc == 0)
		rc = yconf_quote(req->secret.data, req->secret.len, &o.quoted);
	if (rc == 0)
		rc = changeset_redact(cs, buf_str(&o.quoted), "<secret>");
	if (rc < 0)
		goto out;
	s = ejops_state(&o, req->host, req->port);
	/* our entry's old password first: it shows as <old secret>, every other as <hidden> */
	if (s.keep && !s.other)
		rc = ejops_update(&o, s.keep, ret);
	if (rc == 0)
		rc = ejops_redact_all(&o, s.keep ? s.keep->password : NULL);
	if (rc < 0)
		goto out;
	if (s.other) {
		ret->result = RESULT_MANUAL;
	} else if (s.keep) {
		if (ret->result != RESULT_UPDATED)
			ret->result = s.nours > 1 ? RESULT_UPDATED : RESULT_UNCHANGED;
		/* the same host of ours anywhere else (an old port) goes */
		if (rc == 0)
			rc = ejops_cut_all(&o, req->host, s.keep);
	} else if (s.nours) {
		/* ours, on another port: it moves */
		ret->result = RESULT_UPDATED;
		rc = ejops_cut_all(&o, req->host, NULL);
		if (rc == 0)
			rc = ejops_add(&o);
	} else if (s.excluded) {
		ret->result = RESULT_EXCLUDED;
	} else {
		ret->result = RESULT_ADDED;
		rc = ejops_add(&o);
	}
	if (rc == 0)
		rc = ejops_prune(&o);
	if (rc == 0)
		rc = ejops_commit(&o);
out:
	ejops_free(&o);
	return rc;
}

int ejyml_remove(const struct server_request *req, const char *path, struct changeset *cs,
		 struct server_outcome *ret, struct diag *d)
{
	struct ejops o;
	struct ejops_state s;
	int rc;

	ejops_init(&o, req, cs, d);
	rc = ejyml_load(req, path, &o.c, d);
	if (rc < 0)
		goto out;
	s = ejops_state(&o, req->host, 0);
	rc = ejops_redact_all(&o, NULL);
	if (rc == 0 && s.nours) {
		ret->result = RESULT_REMOVED;
		rc = ejops_cut_all(&o, req->host, NULL);
		if (rc == 0)
			rc = ejops_prune(&o);
		if (rc == 0)
			rc = ejops_commit(&o);
	} else if (s.excluded_ours) {
		ret->result = RESULT_EXCLUDED; /* the admin's exclusion is what stops a re-add: it stays */
	} else if (s.other) {
		ret->result = RESULT_MANUAL;
	} else {
		ret->result = RESULT_ABSENT;
	}
out:
	ejops_free(&o);
	return rc;
}

int ejyml_list(const struct server_request *req, const char *path, struct buf *out, struct diag *d)
{
	struct ejops o;
	struct strv seen = STRV_INIT;
	int rc;

	ejops_init(&o, req, NULL, d);
	rc = ejyml_load(req, path, &o.c, d);

	for (size_t i = 0; rc == 0 && i < o.c.nhs + o.c.nex; i++) {
		const char *name = i < o.c.nhs ? o.c.hs[i].name : o.c.ex[i - o.c.nhs].name;
		struct ejops_state s;
		if (strv_contains(&seen, name))
			continue;
		s = ejops_state(&o, name, 0);
		rc = strv_push(&seen, name);
		if (rc == 0)
			rc = buf_printf(out, "%s %s\n",
					protocol_state_word(s.other ? STATE_MANUAL : s.nours ? STATE_MANAGED : STATE_EXCLUDED),
					name);
	}
	strv_free(&seen);
	ejops_free(&o);
	return rc;
}

int ejyml_endpoints(const struct server_request *req, const char *path, const char *host,
		    struct ejabberd_endpoint *ret, size_t max, size_t *n, struct diag *d)
{
	struct ejyml_conf c = EJYML_CONF_INIT;
	int rc = ejyml_load(req, path, &c, d);

	*n = 0;
	for (size_t i = 0; rc == 0 && i < c.nhs; i++) {
		const struct ejyml_listener *l = &c.ls[c.hs[i].listener];
		bool dup = false;
		if ((host ? strcmp(c.hs[i].name, host) != 0 : !c.hs[i].ours) || !l->port_known || !l->tcp || !l->service)
			continue;
		for (size_t k = 0; k < *n; k++)
			dup |= ret[k].port == l->port && strcmp(ret[k].ip, l->connect_ip) == 0;
		if (dup || *n == max)
			continue;
		snprintf(ret[*n].ip, sizeof(ret[*n].ip), "%s", l->connect_ip);
		ret[(*n)++].port = (unsigned)l->port;
	}
	ejyml_free(&c);
	return rc;
}
