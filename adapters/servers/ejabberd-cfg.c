/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ejabberd-cfg: components in an ejabberd 2.x ejabberd.cfg (Erlang terms), one ejabberd_service listener each. */
#include "grow.h"
#include "conf-erl.h"
#include "ejabberd.h"
#include "exitcode.h"
#include "validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * ejabberd 2.x (COMPONENT_CONFIGS §3b): every listener sits in the one
 * {listen, [...]} term (a later one replaces an earlier one), and an
 * ejabberd_service listener has one password for all its hosts: "add an
 * ejabberd_service for each service".  So a component gets a listener of
 * its own, on one line that ends with "% jabber-dispatch", put first in the
 * list so that its comma is on its own line too.  2.x reads its config at
 * start only: every change needs a restart.
 */

/* Ends our marker when the line break before our line is ours too. */
#define EJCFG_BREAK_MARK " (with the line break above)"

struct ejcfg_host {
	char name[254];
	const struct erl_term *listener; /* the {Port, ejabberd_service, Opts} tuple */
	const struct erl_term *password; /* the string, NULL when none */
	unsigned long port;
	bool port_known;
	bool ours;
};

struct ejcfg_excl {
	char name[254];
	bool ours;
};

struct ejcfg {
	const char *path;
	struct buf text;
	struct erl_file f;
	const struct erl_term *listen; /* the list of the last {listen, [...]} */
	struct ejcfg_host *hs;
	size_t nhs;
	struct ejcfg_excl *ex;
	size_t nex;
	const char *nl; /* "\n", or "\r\n" in a file written so */
};

static void ejcfg_free(struct ejcfg *c)
{
	erl_file_free(&c->f);
	buf_free(&c->text);
	free(c->hs);
	free(c->ex);
}

static size_t ejcfg_line_start(const struct ejcfg *c, size_t off)
{
	while (off > 0 && c->text.data[off - 1] != '\n')
		off--;
	return off;
}

static size_t ejcfg_line_end(const struct ejcfg *c, size_t off)
{
	const char *nl = memchr(c->text.data + off, '\n', c->text.len - off);
	return nl ? (size_t)(nl - c->text.data) + 1 : c->text.len;
}

/* Whether a comment on the line of OFF, after it, carries our marker. */
static bool ejcfg_marked(const struct ejcfg *c, size_t off)
{
	size_t end = ejcfg_line_end(c, off);
	for (size_t i = 0; i < c->f.ncomments; i++) {
		const struct erl_comment *cm = &c->f.comments[i];
		if (cm->start >= off && cm->start < end)
			return memmem(c->text.data + cm->start, cm->end - cm->start, EJABBERD_MARK, strlen(EJABBERD_MARK));
	}
	return false;
}

static int ejcfg_add_host(struct ejcfg *c, const struct erl_term *lst, const struct erl_term *name,
			  const struct erl_term *hopts)
{
	struct ejcfg_host *h;
	const struct erl_term *pw = erl_lookup(hopts, "password");
	const struct erl_term *port = lst->kids[0];
	char v[254];

	if (!name || name->kind != ERL_STRING || name->len == 0 || name->len >= sizeof(v) || memchr(name->value, 0, name->len))
		return 0;
	memcpy(v, name->value, name->len + 1);
	if (validate_host(v))
		return 0;
	h = grow_one(c->hs, c->nhs, sizeof(*h));
	if (!h)
		return -ENOMEM;
	c->hs = h;
	h = &c->hs[c->nhs++];
	*h = (struct ejcfg_host){ .listener = lst, .ours = ejcfg_marked(c, lst->start) };
	memcpy(h->name, v, sizeof(v));
	h->password = pw && pw->nkids == 2 && pw->kids[1]->kind == ERL_STRING ? pw->kids[1] : NULL;
	if (port->kind == ERL_TUPLE && port->nkids)
		port = port->kids[0];
	h->port_known = erl_uint(port, &h->port);
	return 0;
}

/* {hosts, ["a", "b"], [{password, "s"}]} and 1.x's {host, "a", [...]} in a service listener. */
static int ejcfg_service(struct ejcfg *c, const struct erl_term *lst)
{
	const struct erl_term *opts = lst->kids[2];
	int rc = 0;

	for (size_t i = 0; rc == 0 && opts->kind == ERL_LIST && i < opts->nkids; i++) {
		const struct erl_term *o = opts->kids[i];
		if (o->kind != ERL_TUPLE || o->nkids != 3)
			continue;
		if (erl_is_atom(o->kids[0], "host"))
			rc = ejcfg_add_host(c, lst, o->kids[1], o->kids[2]);
		for (size_t k = 0; rc == 0 && erl_is_atom(o->kids[0], "hosts") && o->kids[1]->kind == ERL_LIST &&
				   k < o->kids[1]->nkids;
		     k++)
			rc = ejcfg_add_host(c, lst, o->kids[1]->kids[k], o->kids[2]);
	}
	return rc;
}

static int ejcfg_add_excl(struct ejcfg *c, const char *s, size_t n, bool ours)
{
	struct ejcfg_excl *x;
	char name[254];

	if (n == 0 || n >= sizeof(name) || !memchr(s, '.', n) || memchr(s, '\n', n))
		return 0;
	memcpy(name, s, n);
	name[n] = '\0';
	if (validate_host(name))
		return 0;
	x = grow_one(c->ex, c->nex, sizeof(*x));
	if (!x)
		return -ENOMEM;
	c->ex = x;
	x = &c->ex[c->nex++];
	memcpy(x->name, name, sizeof(name));
	x->ours = ours;
	return 0;
}

/* The quoted names of "{hosts, [...]" or "{host, "..."" in the comment text [p, end). */
static int ejcfg_commented_hosts(struct ejcfg *c, const char *p, const char *end, bool ours)
{
	int rc = 0;
	while (rc == 0 && (p = memmem(p, (size_t)(end - p), "{host", 5))) {
		bool list = p + 5 < end && p[5] == 's';
		const char *stop = list ? memchr(p, ']', (size_t)(end - p)) : end;
		p += 5;
		if (!stop)
			stop = end;
		while (rc == 0 && p < stop) {
			const char *q0 = memchr(p, '"', (size_t)(stop - p)), *q1;
			if (!q0 || !(q1 = memchr(q0 + 1, '"', (size_t)(end - q0 - 1))))
				break;
			rc = ejcfg_add_excl(c, q0 + 1, (size_t)(q1 - q0 - 1), ours);
			p = q1 + 1;
			if (!list)
				break;
		}
	}
	return rc;
}

/*
 * A run of whole-line comments holding a commented-out ejabberd_service
 * listener excludes the hosts of its {hosts, [...]} (or 1.x {host, "..."}):
 * from each "ejabberd_service" to the next listener module or the end of the run.
 */
static int ejcfg_exclusions(struct ejcfg *c)
{
	const char *t = c->text.data;
	int rc = 0;

	for (size_t i = 0; i < c->f.ncomments && rc == 0;) {
		size_t j = i;
		if (!c->f.comments[i].whole_line) {
			i++;
			continue;
		}
		while (j + 1 < c->f.ncomments && c->f.comments[j + 1].whole_line &&
		       c->f.comments[j + 1].line == c->f.comments[j].line + 1)
			j++;
		const char *end = t + c->f.comments[j].end, *p = t + c->f.comments[i].start;
		bool ours = memmem(p, (size_t)(end - p), EJABBERD_MARK, strlen(EJABBERD_MARK)) != NULL;
		while (rc == 0 && (p = memmem(p, (size_t)(end - p), "ejabberd_service", 16))) {
			const char *next = memmem(p + 16, (size_t)(end - p - 16), "ejabberd_", 9);
			rc = ejcfg_commented_hosts(c, p, next ? next : end, ours);
			p = next ? next : end;
		}
		i = j + 1;
	}
	return rc;
}

static int ejcfg_load(const struct server_request *req, const char *path, struct ejcfg *c, struct diag *d)
{
	int rc;

	*c = (struct ejcfg){ .path = path, .text = BUF_INIT_SENSITIVE, .f = ERL_FILE_INIT, .nl = "\n" };
	rc = safefs_read_file(&req->root, path, &c->text, d);
	if (rc == -ENOENT)
		return diag_set(d, ENOENT, EXIT_NOINPUT, "%s: no such file", path);
	if (rc == 0)
		rc = erl_parse(path, buf_str(&c->text), c->text.len, &c->f, d);
	if (rc < 0)
		return rc;
	const char *nl = c->text.len ? memchr(c->text.data, '\n', c->text.len) : NULL;
	if (nl && nl > c->text.data && nl[-1] == '\r')
		c->nl = "\r\n"; /* the Windows build's config */
	for (size_t i = 0; i < c->f.nterms; i++) {
		const struct erl_term *t = c->f.terms[i];
		if (t->kind == ERL_TUPLE && t->nkids == 2 && erl_is_atom(t->kids[0], "listen")) {
			if (t->kids[1]->kind != ERL_LIST || t->kids[1]->improper)
				return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: listen is not a list of listeners", path,
						t->line);
			c->listen = t->kids[1]; /* a later {listen, ...} replaces an earlier one */
		}
	}
	for (size_t i = 0; c->listen && i < c->listen->nkids; i++) {
		const struct erl_term *l = c->listen->kids[i];
		if (l->kind != ERL_TUPLE || l->nkids < 3)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: a listener that is not {Port, Module, Options}",
					path, l->line);
		if (erl_is_atom(l->kids[1], "ejabberd_service") && (rc = ejcfg_service(c, l)) < 0)
			return rc;
	}
	return ejcfg_exclusions(c);
}

/* Does listener L take 127.0.0.1:PORT over TCP?  A port or address it cannot read counts as yes. */
static bool ejcfg_takes(const struct erl_term *l, unsigned port)
{
	const struct erl_term *spec = l->kids[0], *ip = NULL;
	unsigned long p;

	if (spec->kind == ERL_TUPLE) {
		for (size_t i = 1; i < spec->nkids; i++) {
			if (erl_is_atom(spec->kids[i], "udp"))
				return false;
			if (spec->kids[i]->kind == ERL_TUPLE)
				ip = spec->kids[i];
		}
		spec = spec->nkids ? spec->kids[0] : spec;
	}
	if (!erl_uint(spec, &p))
		return true;
	if (p != port)
		return false;
	if (!ip && erl_lookup(l->kids[2], "ip") && erl_lookup(l->kids[2], "ip")->nkids == 2)
		ip = erl_lookup(l->kids[2], "ip")->kids[1];
	if (!ip || ip->kind != ERL_TUPLE || ip->nkids != 4)
		return true; /* all interfaces, IPv6, or unreadable */
	unsigned long a[4];
	for (size_t i = 0; i < 4; i++)
		if (!erl_uint(ip->kids[i], &a[i]))
			return true;
	return (a[0] == 127 && a[1] == 0 && a[2] == 0 && a[3] == 1) || (a[0] | a[1] | a[2] | a[3]) == 0;
}

/* Queue TEXT over bytes [start, end) of the file. */
static int ejcfg_splice(struct ejcfg *c, struct changeset *cs, size_t start, size_t end, const char *text)
{
	struct buf t = BUF_INIT;
	int rc = buf_append(&t, c->text.data, start);
	if (rc == 0)
		rc = buf_puts(&t, text);
	if (rc == 0)
		rc = buf_append(&t, c->text.data + end, c->text.len - end);
	if (rc == 0)
		rc = changeset_put(cs, c->path, &c->text, t.data, t.len, 0600);
	buf_free(&t);
	return rc;
}

static int ejcfg_new_listener(struct ejcfg *c, const struct server_request *req, const struct buf *quoted,
			      struct changeset *cs, struct diag *d)
{
	const struct erl_term *first;
	struct buf t = BUF_INIT, item = BUF_INIT;
	size_t at, ls;
	int rc = 0;

	if (!c->listen)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s: no {listen, [...]} term: ejabberd would listen nowhere",
				c->path);
	for (size_t i = 0; i < c->listen->nkids; i++) {
		const struct erl_term *l = c->listen->kids[i];
		if (ejcfg_takes(l, req->port))
			return diag_set(d, EADDRINUSE, EXIT_DATAERR,
					"%s:%u: port %u is taken by the %s listener (or one whose address cannot be read); "
					"ejabberd 2.x gives each component a listener of its own: give the transport "
					"another port",
					c->path, l->line, req->port, l->kids[1]->kind == ERL_ATOM ? l->kids[1]->value : "?");
	}
	rc = buf_printf(&item,
			"{%u, ejabberd_service, [{ip, {127,0,0,1}}, {access, all}, {shaper_rule, fast}, "
			"{hosts, [\"%s\"], [{password, %s}]}]}",
			req->port, req->host, buf_str(quoted));
	if (rc < 0) {
		buf_free(&item);
		return rc;
	}
	/*
	 * Ours goes first, on a line of its own (so the admin can comment it out
	 * with '%'), its comma on that line too.  Above the first listener when
	 * that starts its line; else the first listener leaves the '[' line for
	 * a line of its own, at its old column, and our marker says that the
	 * line break before ours goes with it on removal.
	 */
	first = c->listen->nkids ? c->listen->kids[0] : NULL;
	ls = first ? ejcfg_line_start(c, first->start) : 0;
	if (first && strspn(c->text.data + ls, " \t") == first->start - ls) {
		at = ls;
		rc = buf_append(&t, c->text.data + ls, first->start - ls);
		if (rc == 0)
			rc = buf_printf(&t, "%s, %% " EJABBERD_MARK "%s", buf_str(&item), c->nl);
	} else {
		at = first ? first->start : c->listen->end - 1; /* before the first, or before ']' */
		rc = buf_printf(&t, "%s  %s%s %% " EJABBERD_MARK EJCFG_BREAK_MARK "%s", c->nl, buf_str(&item),
				first ? "," : "", c->nl);
		if (rc == 0 && first)
			rc = buf_printf(&t, "%*s", (int)(first->start - ls), "");
	}
	if (rc == 0)
		rc = ejcfg_splice(c, cs, at, at, t.data);
	buf_free(&t);
	buf_free(&item);
	return rc;
}

/* Take our listener L out: exactly what ejcfg_new_listener() put in, when it is still as put. */
static int ejcfg_cut_listener(struct ejcfg *c, const struct erl_term *l, struct changeset *cs, struct diag *d)
{
	const char *t = c->text.data;
	const struct erl_term *next = NULL;
	size_t ls = ejcfg_line_start(c, l->start), le = ejcfg_line_end(c, l->end), a, b;
	bool with_break = memmem(t + l->end, le - l->end, EJCFG_BREAK_MARK, strlen(EJCFG_BREAK_MARK)) != NULL;

	for (size_t i = 0; i + 1 < c->listen->nkids; i++)
		if (c->listen->kids[i] == l)
			next = c->listen->kids[i + 1];
	if (strspn(t + ls, " \t") != l->start - ls || (next && next->start < le))
		return diag_set(d, EBADMSG, EXIT_DATAERR,
				"%s:%u: our listener for this component shares its line now; take it out by hand",
				c->path, l->line);
	if (with_break) {
		/* from the line break before ours to the next listener, or to ']' */
		a = ls - strlen(c->nl);
		b = next ? next->start : c->listen->end - 1;
		if (ls < strlen(c->nl) || memcmp(t + a, c->nl, strlen(c->nl)) != 0 || b < le)
			return diag_set(d, EBADMSG, EXIT_DATAERR,
					"%s:%u: our listener for this component is not as we wrote it; take it out by hand",
					c->path, l->line);
	} else {
		a = ls;
		b = le;
	}
	/* what is cut must be our listener, its comma, blanks and our marker comment, nothing else */
	for (size_t q = l->end; q < b; q++) {
		if (t[q] == '%') {
			if (!memmem(t + q, ejcfg_line_end(c, q) - q, EJABBERD_MARK, strlen(EJABBERD_MARK)))
				return diag_set(d, EBADMSG, EXIT_DATAERR,
						"%s:%u: a comment of the admin's sits by our listener; take it out by hand",
						c->path, l->line);
			q = ejcfg_line_end(c, q) - 1;
		} else if (!strchr(" \t\r\n,", t[q]) || (t[q] == ',' && !next)) {
			return diag_set(d, EBADMSG, EXIT_DATAERR,
					"%s:%u: our listener for this component is not as we wrote it; take it out by hand",
					c->path, l->line);
		}
	}
	return ejcfg_splice(c, cs, a, b, "");
}

/* Every other password of the file, shown as <hidden> in diff context. */
static int ejcfg_redact(struct ejcfg *c, struct changeset *cs, const struct erl_term *skip)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < c->nhs; i++) {
		const struct erl_term *pw = c->hs[i].password;
		if (pw && pw != skip) {
			rc = changeset_redact_span(cs, c->text.data + pw->start, pw->end - pw->start, "<hidden>");
		}
	}
	return rc;
}

struct ejcfg_state {
	const struct ejcfg_host *other, *ours;
	bool excluded, excluded_ours;
};

static struct ejcfg_state ejcfg_state(const struct ejcfg *c, const char *host)
{
	struct ejcfg_state s = { NULL, NULL, false, false };
	for (size_t i = 0; i < c->nhs; i++)
		if (strcmp(c->hs[i].name, host) == 0) {
			if (c->hs[i].ours)
				s.ours = s.ours ? s.ours : &c->hs[i];
			else
				s.other = s.other ? s.other : &c->hs[i];
		}
	for (size_t i = 0; i < c->nex; i++)
		if (strcmp(c->ex[i].name, host) == 0) {
			s.excluded = true;
			s.excluded_ours |= c->ex[i].ours;
		}
	return s;
}

/* {hosts, [...]}: a component named like one of ejabberd's own virtual hosts would take its traffic. */
static int ejcfg_vhost_clash(const struct ejcfg *c, const char *host, struct diag *d)
{
	for (size_t i = 0; i < c->f.nterms; i++) {
		const struct erl_term *t = c->f.terms[i], *hs;
		if (t->kind != ERL_TUPLE || t->nkids != 2 || !erl_is_atom(t->kids[0], "hosts"))
			continue;
		hs = t->kids[1];
		for (size_t k = 0; hs->kind == ERL_LIST && k < hs->nkids; k++)
			if (hs->kids[k]->kind == ERL_STRING && strcasecmp(hs->kids[k]->value, host) == 0)
				return diag_set(d, EEXIST, EXIT_DATAERR,
						"%s:%u: \"%s\" is one of ejabberd's own virtual hosts (hosts), not a name a "
						"component can take; give the transport a host of its own",
						c->path, hs->kids[k]->line, host);
	}
	return 0;
}

int ejcfg_apply(const struct server_request *req, const char *path, struct changeset *cs,
		struct server_outcome *ret, struct diag *d)
{
	struct ejcfg c;
	struct ejcfg_state s;
	struct buf quoted = BUF_INIT_SENSITIVE;
	int rc;

	rc = ejcfg_load(req, path, &c, d);
	if (rc == 0)
		rc = ejcfg_vhost_clash(&c, req->host, d);
	if (rc == 0)
		rc = erl_quote(req->secret.data, req->secret.len, &quoted);
	if (rc == 0)
		rc = changeset_redact(cs, buf_str(&quoted), "<secret>");
	if (rc < 0)
		goto out;
	s = ejcfg_state(&c, req->host);
	if (s.ours && s.ours->password)
		rc = changeset_redact_span(cs, c.text.data + s.ours->password->start,
					   s.ours->password->end - s.ours->password->start, "<old secret>");
	if (rc == 0)
		rc = ejcfg_redact(&c, cs, s.ours ? s.ours->password : NULL);
	if (rc < 0)
		goto out;
	if (s.other) {
		ret->result = RESULT_MANUAL;
	} else if (s.ours && s.ours->port_known && s.ours->port == req->port && s.ours->password) {
		const struct erl_term *pw = s.ours->password;
		ret->result = RESULT_UNCHANGED;
		if (!secret_equal(&req->secret, pw->value, pw->len)) {
			ret->result = RESULT_UPDATED;
			ret->restart = true;
			rc = ejcfg_splice(&c, cs, pw->start, pw->end, buf_str(&quoted));
		}
	} else if (s.ours) {
		rc = diag_set(d, EEXIST, EXIT_DATAERR,
			      "%s:%u: our listener for \"%s\" is not on port %u any more (or has no password); take it "
			      "out (--remove) and run again",
			      path, s.ours->listener->line, req->host, req->port);
	} else if (s.excluded) {
		ret->result = RESULT_EXCLUDED;
	} else {
		ret->result = RESULT_ADDED;
		ret->restart = true;
		rc = ejcfg_new_listener(&c, req, &quoted, cs, d);
	}
out:
	buf_free(&quoted);
	ejcfg_free(&c);
	return rc;
}

int ejcfg_remove(const struct server_request *req, const char *path, struct changeset *cs,
		 struct server_outcome *ret, struct diag *d)
{
	struct ejcfg c;
	struct ejcfg_state s;
	int rc;

	rc = ejcfg_load(req, path, &c, d);
	if (rc == 0)
		rc = ejcfg_redact(&c, cs, NULL);
	if (rc < 0)
		goto out;
	s = ejcfg_state(&c, req->host);
	if (s.ours) {
		ret->result = RESULT_REMOVED;
		ret->restart = true;
		rc = ejcfg_cut_listener(&c, s.ours->listener, cs, d);
	} else if (s.excluded_ours) {
		ret->result = RESULT_EXCLUDED;
	} else if (s.other) {
		ret->result = RESULT_MANUAL;
	} else {
		ret->result = RESULT_ABSENT;
	}
out:
	ejcfg_free(&c);
	return rc;
}

int ejcfg_list(const struct server_request *req, const char *path, struct buf *out, struct diag *d)
{
	struct ejcfg c;
	struct strv seen = STRV_INIT;
	int rc = ejcfg_load(req, path, &c, d);

	for (size_t i = 0; rc == 0 && i < c.nhs + c.nex; i++) {
		const char *name = i < c.nhs ? c.hs[i].name : c.ex[i - c.nhs].name;
		struct ejcfg_state s;
		if (strv_contains(&seen, name))
			continue;
		s = ejcfg_state(&c, name);
		rc = strv_push(&seen, name);
		if (rc == 0)
			rc = buf_printf(out, "%s %s\n",
					protocol_state_word(s.other ? STATE_MANUAL : s.ours ? STATE_MANAGED : STATE_EXCLUDED),
					name);
	}
	strv_free(&seen);
	ejcfg_free(&c);
	return rc;
}
