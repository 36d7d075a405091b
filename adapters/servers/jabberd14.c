/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jabberd14: server adapter for jabberd 1.4 / jabberd14 — one <service id=HOST><accept> per component, each on its port. */
#include "grow.h"
#include "exitcode.h"
#include "server-adapter.h"
#include "validate.h"
#include "xml-edit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/*
 * What jabberd 1.4 does (COMPONENT_CONFIGS §1, jabberd14 base_accept.c,
 * config.c, xmlnode.c):
 *  - a component is a top-level <service id="HOST"> holding
 *    <accept><ip/><port/><secret/></accept>; <port> and <secret> are required;
 *  - each <accept> listens on its own port: a second one on a taken port
 *    fails at start, so every component keeps the static port it was given;
 *  - the connection is bound to the service that owns the port, whatever
 *    name the component sends; <host> children add names to a service;
 *  - element text is read exactly, entity by entity (xmlnode merges the
 *    pieces); the file is re-read on SIGHUP but new services are started
 *    only at a restart.
 *
 * Ours: a <service> right after a comment "jabber-dispatch: HOST ...".  The
 * admin keeps a component out by commenting out that <service> (XML
 * comments do not nest: our mark stays outside it, on its own line).
 */
#define J14_MARK "jabber-dispatch: "
#define J14_IP "127.0.0.1" /* loopback unless the admin edits <ip>: the transport runs here by default */

struct j14_service {
	char id[254];
	bool commented, ours;
	unsigned line;
	const struct xml_node *el; /* live services only */
	size_t start, end;         /* the service, or the comment that holds it */
	size_t mark_start;         /* ours: where our mark comment begins */
};

struct j14_port {
	unsigned port;
	unsigned line;
	char owner[254]; /* the id of the top-level element that listens, or its name */
};

struct j14_conf {
	struct xe_file f;
	struct j14_service *svc;
	size_t nsvc;
	struct j14_port *ports;
	size_t nports;
	struct strv hosts;      /* names live services take with <host> */
	struct strv comp_hosts; /* those of them that belong to a component (a service with <accept>) */
	struct strv secrets;    /* every <accept><secret> as written, live or commented out: hidden in diffs */
};

#define J14_CONF_INIT { .f = XE_FILE_INIT, .hosts = STRV_INIT, .comp_hosts = STRV_INIT, .secrets = STRV_INIT }

enum j14_state { J14_NONE, J14_MANAGED, J14_EXCLUDED, J14_MANUAL };

static void j14_free(struct j14_conf *c)
{
	xe_free(&c->f);
	free(c->svc);
	free(c->ports);
	strv_free(&c->hosts);
	strv_free(&c->comp_hosts);
	for (size_t i = 0; i < c->secrets.n; i++)
		sodium_memzero(c->secrets.v[i], strlen(c->secrets.v[i]));
	strv_free(&c->secrets);
}

/* The host named by our mark comment CM, into HOST; false when CM is no mark of ours. */
static bool j14_mark(const struct xml_doc *doc, const struct xml_node *cm, char *host, size_t len)
{
	const char *b = doc->text + cm->body_start, *e = doc->text + cm->body_end;
	size_t n;
	while (b < e && strchr(" \t\r\n", *b))
		b++;
	if ((size_t)(e - b) <= strlen(J14_MARK) || strncmp(b, J14_MARK, strlen(J14_MARK)) != 0)
		return false;
	b += strlen(J14_MARK);
	n = strcspn(b, " \t\r\n");
	if (n > (size_t)(e - b))
		n = (size_t)(e - b);
	if (n == 0 || n >= len)
		return false;
	memcpy(host, b, n);
	host[n] = '\0';
	return validate_host(host) == NULL;
}

static int j14_add_port(struct j14_conf *c, unsigned port, unsigned line, const char *owner)
{
	struct j14_port *v = grow_one(c->ports, c->nports, sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->ports = v;
	c->ports[c->nports] = (struct j14_port){ .port = port, .line = line };
	snprintf(c->ports[c->nports++].owner, sizeof(v->owner), "%s", owner);
	return 0;
}

/* Every port="N" attribute under N (listeners of c2s, s2s, proxy65...). */
static int j14_scan_port_attrs(struct j14_conf *c, const struct xml_node *n, const char *owner)
{
	int rc = 0;
	for (; n && rc == 0; n = n->next) {
		const struct xml_attr *a;
		struct buf v = BUF_INIT;
		unsigned port;
		if (n->type != XML_ELEMENT)
			continue;
		if ((a = xml_attr(n, "port")) && xml_attr_value(&c->f.doc, a, &v) == 0 && !validate_port(buf_str(&v), &port))
			rc = j14_add_port(c, port, n->line, owner);
		buf_free(&v);
		if (rc == 0)
			rc = j14_scan_port_attrs(c, n->children, owner);
	}
	return rc;
}

static struct j14_service *j14_add_service(struct j14_conf *c)
{
	struct j14_service *v = grow_one(c->svc, c->nsvc, sizeof(*v));
	if (!v)
		return NULL;
	c->svc = v;
	v = &c->svc[c->nsvc++];
	memset(v, 0, sizeof(*v));
	return v;
}

/* The id of service EL if it is a plain host name, else "". */
static void j14_id(const struct xml_doc *doc, const struct xml_node *el, char *id, size_t len)
{
	const struct xml_attr *a = xml_attr(el, "id");
	struct buf v = BUF_INIT;
	id[0] = '\0';
	if (a && xml_attr_value(doc, a, &v) == 0 && v.len > 0 && v.len < len) {
		memcpy(id, v.data, v.len + 1);
		if (validate_host(id))
			id[0] = '\0';
	}
	buf_free(&v);
}

static int j14_live_service(struct j14_conf *c, const struct xml_node *el, const char *mark, struct diag *d)
{
	struct j14_service *s = j14_add_service(c);
	const struct xml_node *acc, *port, *h;
	struct buf v = BUF_INIT;
	unsigned p;
	int rc = 0;

	if (!s)
		return -ENOMEM;
	j14_id(&c->f.doc, el, s->id, sizeof(s->id));
	s->line = el->line;
	s->el = el;
	s->start = el->start;
	s->end = el->end;
	s->ours = mark && s->id[0] && strcmp(mark, s->id) == 0;
	for (size_t i = 0; i + 1 < c->nsvc; i++)
		if (s->id[0] && !c->svc[i].commented && strcmp(c->svc[i].id, s->id) == 0)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: a second <service id=\"%s\"> (first at line %u)",
					c->f.path, el->line, s->id, c->svc[i].line);
	for (h = xml_child(el, "host"); h && rc == 0; h = xml_next(h, "host")) {
		buf_truncate(&v, 0);
		/* <host><jabberd:cmdline .../></host> names a host only at run time: nothing to compare. */
		/* A service naming itself again is no other claim on the name. */
		if (xe_text_trimmed(&c->f.doc, h, &v) == 0 && v.len && strcmp(v.data, s->id) != 0) {
			rc = strv_push(&c->hosts, v.data);
			if (rc == 0 && xml_child(el, "accept"))
				rc = strv_push(&c->comp_hosts, v.data);
		}
	}
	for (acc = xml_child(el, "accept"); acc && rc == 0; acc = xml_next(acc, "accept")) {
		for (const struct xml_node *sec = xml_child(acc, "secret"); sec && rc == 0; sec = xml_next(sec, "secret"))
			rc = xe_collect_secret(&c->secrets, c->f.doc.text, sec);
		port = xml_child(acc, "port");
		buf_truncate(&v, 0);
		if (port && xe_text_trimmed(&c->f.doc, port, &v) == 0 && !validate_port(buf_str(&v), &p))
			rc = j14_add_port(c, p, port->line, s->id[0] ? s->id : "service");
	}
	if (rc == 0)
		rc = j14_scan_port_attrs(c, el->children, s->id[0] ? s->id : "service");
	buf_free(&v);
	return rc;
}

static int j14_comment(struct j14_conf *c, const struct xml_node *cm, const char *mark)
{
	struct xml_doc frag = XML_DOC_INIT;
	int rc = 0;

	if (xml_parse_fragment(c->f.doc.text, cm->body_start, cm->body_end, cm->line, &frag) < 0)
		return 0; /* prose */
	for (const struct xml_node *n = frag.root; n && rc == 0; n = n->next) {
		struct j14_service *s;
		if (n->type != XML_ELEMENT || strcmp(n->name, "service") != 0)
			continue;
		if (!(s = j14_add_service(c))) {
			rc = -ENOMEM;
			break;
		}
		for (const struct xml_node *acc = xml_child(n, "accept"); acc && rc == 0; acc = xml_next(acc, "accept"))
			for (const struct xml_node *sec = xml_child(acc, "secret"); sec && rc == 0; sec = xml_next(sec, "secret"))
				rc = xe_collect_secret(&c->secrets, c->f.doc.text, sec);
		j14_id(&frag, n, s->id, sizeof(s->id));
		s->commented = true;
		s->line = n->line;
		s->start = cm->start;
		s->end = cm->end;
		s->ours = mark && s->id[0] && strcmp(mark, s->id) == 0;
		if (!s->id[0])
			c->nsvc--;
	}
	xml_free(&frag);
	return rc;
}

static int j14_analyse(struct j14_conf *c, struct diag *d)
{
	const struct xml_node *root = c->f.doc.root;
	char markbuf[254];
	const char *mark = NULL; /* the host of our mark, until the next non-blank node */
	size_t mark_start = 0;
	int rc = 0;

	if (!root || strcmp(root->name, "jabber") != 0)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: the document element is <%s>, not <jabber>: not a jabberd 1.4 config",
				c->f.path, root ? root->line : 1, root ? root->name : "");
	for (const struct xml_node *n = root->children; n && rc == 0; n = n->next) {
		size_t before = c->nsvc;
		if (n->type == XML_TEXT && xe_blank(c->f.doc.text, n->body_start, n->body_end))
			continue;
		if (n->type == XML_ELEMENT && strcmp(n->name, "service") == 0) {
			rc = j14_live_service(c, n, mark, d);
		} else if (n->type == XML_COMMENT) {
			rc = j14_comment(c, n, mark);
		} else if (n->type == XML_ELEMENT) {
			rc = j14_scan_port_attrs(c, n->children, n->name);
		}
		for (size_t i = before; i < c->nsvc; i++)
			if (c->svc[i].ours)
				c->svc[i].mark_start = mark_start;
		mark = NULL;
		if (n->type == XML_COMMENT && j14_mark(&c->f.doc, n, markbuf, sizeof(markbuf))) {
			mark = markbuf;
			mark_start = n->start;
		}
	}
	return rc;
}

/*
 * Say, for the config as read, that each top-level include is beyond our
 * port check.  Not part of j14_analyse: that also reads back the text an
 * edit produced, which would say it again with the lines moved.
 */
static int j14_include_notes(const struct j14_conf *c)
{
	int rc = 0;

	for (const struct xml_node *n = c->f.doc.root->children; n && rc == 0; n = n->next) {
		const char *colon = n->type == XML_ELEMENT ? strchr(n->name, ':') : NULL;
		if (n->type == XML_ELEMENT && strcmp(colon ? colon + 1 : n->name, "include") == 0)
			rc = server_note("%s:%u: services in included files are not checked for port clashes",
					 c->f.path, n->line);
	}
	return rc;
}

static int j14_load(const struct server_request *req, bool for_write, struct j14_conf *c, struct diag *d)
{
	int rc = xe_load(&req->root, req->config, for_write, &c->f, d);
	if (rc == 0)
		rc = j14_analyse(c, d);
	return rc < 0 ? rc : j14_include_notes(c);
}

static enum j14_state j14_state(const struct j14_conf *c, const char *host, const struct j14_service **ret)
{
	const struct j14_service *ours = NULL, *commented = NULL;
	*ret = NULL;
	for (size_t i = 0; i < c->nsvc; i++) {
		const struct j14_service *s = &c->svc[i];
		if (strcmp(s->id, host) != 0)
			continue;
		if (!s->commented && !s->ours)
			return J14_MANUAL;
		if (!s->commented)
			ours = s;
		else if (!commented)
			commented = s;
	}
	if (strv_contains(&c->hosts, host))
		return J14_MANUAL;
	*ret = ours ? ours : commented;
	return ours ? J14_MANAGED : commented ? J14_EXCLUDED : J14_NONE;
}

/* Refuse PORT when a listener other than service SELF (may be NULL) holds it. */
static int j14_port_free(const struct j14_conf *c, unsigned port, const char *self, struct diag *d)
{
	for (size_t i = 0; i < c->nports; i++)
		if (c->ports[i].port == port && (!self || strcmp(c->ports[i].owner, self) != 0))
			return diag_set(d, EADDRINUSE, EXIT_DATAERR,
					"%s:%u: port %u is already taken by \"%s\"; jabberd 1.4 listens on a port of its own for "
					"every component: give the transport another one",
					c->f.path, c->ports[i].line, port, c->ports[i].owner);
	return 0;
}

static int j14_service_text(const struct j14_conf *c, const struct server_request *req, struct buf *out)
{
	char unit[32];
	int rc;

	xe_indent_unit(&c->f.doc, unit, sizeof(unit));
	rc = buf_printf(out,
			"\n%s<!-- " J14_MARK "%s (added by jabber-dispatch sync; comment out the service below to keep it out) -->\n"
			"%s<service id=\"%s\">\n%s%s<accept>\n%s%s%s<ip>" J14_IP "</ip>\n%s%s%s<port>%u</port>\n%s%s%s<secret>",
			unit, req->host, unit, req->host, unit, unit, unit, unit, unit, unit, unit, unit, req->port, unit, unit, unit);
	if (rc == 0)
		rc = xml_escape_text(req->secret.data, req->secret.len, out);
	if (rc == 0)
		rc = buf_printf(out, "</secret>\n%s%s</accept>\n%s</service>\n", unit, unit, unit);
	return rc;
}

/* Queue a new service block: after the last live service (or before </jabber>). */
static int j14_add(const struct j14_conf *c, const struct server_request *req, struct xe_edits *e)
{
	const char *text = c->f.doc.text;
	const struct xml_node *root = c->f.doc.root, *after = NULL;
	size_t at, le;
	struct buf *r;
	int rc;

	for (size_t i = 0; i < c->nsvc; i++)
		if (!c->svc[i].commented)
			after = c->svc[i].el;
	if (after) {
		le = xe_line_end(text, c->f.doc.len, after->end);
		at = xe_blank(text, after->end, le) && le > after->end && text[le - 1] == '\n' ? le : after->end;
	} else {
		at = xe_line_start(text, root->close_start);
		if (!xe_blank(text, at, root->close_start))
			at = root->close_start;
	}
	r = xe_edit_add(e, at, at);
	if (!r)
		return -ENOMEM;
	/* Inserted mid-line: start on a line of its own. */
	if (at > 0 && text[at - 1] != '\n' && (rc = buf_putc(r, '\n')) < 0)
		return rc;
	return j14_service_text(c, req, r);
}

static int j14_commit(const struct j14_conf *c, struct xe_edits *e, const char *host, enum j14_state want,
		      struct changeset *cs, struct diag *d)
{
	struct j14_conf after = J14_CONF_INIT;
	const struct j14_service *s;
	struct diag cd = DIAG_INIT;
	int rc;

	if (e->n == 0)
		return 0;
	after.f.path = c->f.path;
	rc = xe_edits_apply(&c->f, e, &after.f.text);
	if (rc == 0 && (xe_parse(&after.f, &cd) < 0 || j14_analyse(&after, &cd) < 0 || j14_state(&after, host, &s) != want))
		rc = diag_set(d, EPROTO, EXIT_SOFTWARE, "%s: the edit would not read back as intended%s%s; nothing written",
			      c->f.path, cd.msg[0] ? ": " : "", cd.msg);
	if (rc == 0)
		rc = xe_put_parsed(cs, &c->f, &after.f, d);
	j14_free(&after);
	return rc;
}

/* Bring our live service S to PORT and SECRET, editing only those values. */
static int j14_update(const struct j14_conf *c, const struct j14_service *s, const struct server_request *req,
		      struct xe_edits *e, struct changeset *cs, struct diag *d)
{
	const struct xml_node *acc = xml_child(s->el, "accept");
	const struct xml_node *port = acc ? xml_child(acc, "port") : NULL, *sec = acc ? xml_child(acc, "secret") : NULL;
	struct buf v = BUF_INIT_SENSITIVE, *r;
	unsigned have = 0;
	int rc;

	if (!port || !sec || xml_next(acc, "accept"))
		return diag_set(d, EBADMSG, EXIT_DATAERR,
				"%s:%u: the <service id=\"%s\"> marked as jabber-dispatch's has not one <accept> with <port> and "
				"<secret>: fix it or take the mark away",
				c->f.path, s->line, s->id);
	rc = xe_text_trimmed(&c->f.doc, port, &v);
	if (rc < 0 || validate_port(buf_str(&v), &have)) {
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: <port> is not a port number", c->f.path, port->line);
		goto out;
	}
	/* Checked even when it does not change: a neighbour on our port keeps jabberd from starting. */
	rc = j14_port_free(c, req->port, s->id, d);
	if (rc < 0)
		goto out;
	if (have != req->port) {
		if (!(r = xe_edit_add(e, port->open_end, port->close_start)))
			rc = -ENOMEM;
		if (rc == 0)
			rc = buf_printf(r, "%u", req->port);
		if (rc < 0)
			goto out;
	}
	buf_truncate(&v, 0);
	rc = xml_text(&c->f.doc, sec, &v);
	if (rc == -EINVAL)
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: <secret> holds elements, not a value", c->f.path, sec->line);
	if (rc < 0)
		goto out;
	if (!secret_equal(&req->secret, v.data, v.len)) {
		rc = changeset_redact_span(cs, c->f.doc.text + sec->open_end, sec->close_start - sec->open_end,
					   "<old secret>");
		if (rc == 0) {
			r = sec->empty ? xe_edit_add(e, sec->start, sec->end) : xe_edit_add(e, sec->open_end, sec->close_start);
			rc = r ? 0 : -ENOMEM;
		}
		if (rc == 0 && sec->empty)
			rc = buf_puts(r, "<secret>");
		if (rc == 0)
			rc = xml_escape_text(req->secret.data, req->secret.len, r);
		if (rc == 0 && sec->empty)
			rc = buf_puts(r, "</secret>");
	}
out:
	buf_free(&v);
	return rc;
}

static int j14_apply(const struct server_request *req, struct changeset *cs, struct server_outcome *ret,
		     struct diag *d)
{
	struct j14_conf c = J14_CONF_INIT;
	struct xe_edits e = { .n = 0 };
	const struct j14_service *s;
	enum j14_state st;
	int rc;

	rc = j14_load(req, true, &c, d);
	if (rc < 0)
		goto out;
	rc = xe_redact_text(cs, req->secret.data, req->secret.len, "<secret>");
	if (rc < 0)
		goto out;
	st = j14_state(&c, req->host, &s);
	/* Our own old secret is named first (in j14_update), so only the neighbours' show as <hidden>. */
	switch (st) {
	case J14_MANUAL:
		ret->result = RESULT_MANUAL;
		break;
	case J14_EXCLUDED:
		ret->result = RESULT_EXCLUDED;
		break;
	case J14_MANAGED:
		rc = j14_update(&c, s, req, &e, cs, d);
		if (rc == 0)
			rc = xe_redact_all(cs, &c.secrets, "<hidden>");
		if (rc == 0)
			rc = j14_commit(&c, &e, req->host, J14_MANAGED, cs, d);
		ret->result = e.n ? RESULT_UPDATED : RESULT_UNCHANGED;
		ret->restart = e.n > 0;
		break;
	case J14_NONE:
		rc = j14_port_free(&c, req->port, NULL, d);
		if (rc == 0)
			rc = xe_redact_all(cs, &c.secrets, "<hidden>");
		if (rc == 0)
			rc = j14_add(&c, req, &e);
		if (rc == 0)
			rc = j14_commit(&c, &e, req->host, J14_MANAGED, cs, d);
		ret->result = RESULT_ADDED;
		ret->restart = true;
		break;
	}
out:
	xe_edits_free(&e);
	j14_free(&c);
	return rc;
}

static int j14_remove(const struct server_request *req, struct changeset *cs, struct server_outcome *ret,
		      struct diag *d)
{
	struct j14_conf c = J14_CONF_INIT;
	struct xe_edits e = { .n = 0 };
	const struct j14_service *s;
	const char *text;
	size_t a, b;
	int rc;

	rc = j14_load(req, true, &c, d);
	if (rc < 0)
		goto out;
	text = c.f.doc.text;
	switch (j14_state(&c, req->host, &s)) {
	case J14_MANUAL:
		ret->result = RESULT_MANUAL;
		break;
	case J14_EXCLUDED:
		ret->result = RESULT_EXCLUDED; /* the admin's exclusion stops a re-add: keep it */
		break;
	case J14_NONE:
		ret->result = RESULT_ABSENT;
		break;
	case J14_MANAGED:
		/* From our mark to the end of the service, with the blank line we put before it. */
		xe_cut_span(text, c.f.doc.len, s->mark_start, s->end, &a, &b);
		if (a == xe_line_start(text, s->mark_start) && a >= 2 && text[a - 1] == '\n' &&
		    xe_blank(text, xe_line_start(text, a - 1), a))
			a = xe_line_start(text, a - 1);
		rc = xe_redact_all(cs, &c.secrets, "<hidden>");
		if (rc == 0)
			rc = xe_edit_add(&e, a, b) ? j14_commit(&c, &e, req->host, J14_NONE, cs, d) : -ENOMEM;
		ret->result = RESULT_REMOVED;
		ret->restart = true;
		break;
	}
out:
	xe_edits_free(&e);
	j14_free(&c);
	return rc;
}

static int j14_list(const struct server_request *req, struct buf *out, struct diag *d)
{
	struct j14_conf c = J14_CONF_INIT;
	struct strv seen = STRV_INIT;
	int rc = j14_load(req, false, &c, d);

	for (size_t i = 0; rc == 0 && i < c.nsvc; i++) {
		const struct j14_service *s = &c.svc[i], *any;
		enum j14_state st;
		/* Live services without <accept> (c2s, the session manager...) are no components. */
		if (strv_contains(&seen, s->id) || (!s->commented && !s->ours && !xml_child(s->el, "accept")))
			continue;
		st = j14_state(&c, s->id, &any);
		rc = strv_push(&seen, s->id);
		if (rc == 0)
			rc = buf_printf(out, "%s %s\n",
					protocol_state_word(st == J14_MANAGED ? STATE_MANAGED : st == J14_MANUAL ? STATE_MANUAL : STATE_EXCLUDED),
					s->id);
	}
	for (size_t i = 0; rc == 0 && i < c.comp_hosts.n; i++)
		if (!strv_contains(&seen, c.comp_hosts.v[i]) && (rc = strv_push(&seen, c.comp_hosts.v[i])) == 0)
			rc = buf_printf(out, "%s %s\n", protocol_state_word(STATE_MANUAL), c.comp_hosts.v[i]);
	strv_free(&seen);
	j14_free(&c);
	return rc;
}

static int j14_reload(const struct server_request *req, struct buf *out, struct diag *d)
{
	(void)req;
	(void)d;
	/* SIGHUP re-reads jabber.xml but starts and stops no service (jabberd.c: "not much is done"). */
	return buf_puts(out, "restart needed: jabberd 1.4 starts and stops <service> sections only when it starts; "
			     "restart it, then the transports\n");
}

static const struct server_ops j14_ops = {
	.name = "jabberd14",
	.default_config = "/etc/jabber/jabber.xml",
	.apply = j14_apply,
	.remove = j14_remove,
	.batch = true,
	.forget = xe_forget,
	.list = j14_list,
	.reload = j14_reload,
};

int main(int argc, char **argv)
{
	return server_adapter_main(argc, argv, &j14_ops);
}
