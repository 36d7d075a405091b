/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jabberd2-conf: router.xml as the jabberd2 adapter reads it: <local>, its values, the records, the aliases. */
#include "jabberd2.h"

#include "exitcode.h"
#include "grow.h"
#include "validate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

void j2_free(struct j2_conf *c)
{
	xe_free(&c->f);
	buf_free(&c->secret_value);
	free(c->recs);
	strv_free(&c->aliases);
	for (size_t i = 0; i < c->secrets.n; i++)
		sodium_memzero(c->secrets.v[i], strlen(c->secrets.v[i]));
	strv_free(&c->secrets);
}

bool j2_has_expansion(const char *s, size_t len)
{
	return memmem(s, len, "${", 2) != NULL;
}

/* A one-value element (<ip>, <port>) as trimmed text, with what the router would make of it refused. */
static int j2_value(const struct j2_conf *c, const struct xml_node *el, struct buf *out, struct diag *d)
{
	int rc = xe_text_trimmed(&c->f.doc, el, out);
	if (rc == -EINVAL)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: <%s> holds elements, not a value", c->f.path, el->line,
				el->name);
	if (rc == 0 && j2_has_expansion(buf_str(out), out->len))
		return diag_set(d, EBADMSG, EXIT_DATAERR,
				"%s:%u: <%s> uses ${...} substitution, which jabber-dispatch does not evaluate", c->f.path,
				el->line, el->name);
	return rc;
}

static int j2_add_record(struct j2_conf *c, const struct xml_doc *doc, const struct xml_node *el, bool commented,
			 const struct xml_node *span, struct diag *d)
{
	const struct xml_attr *a = xml_attr(el, "host");
	struct buf v = BUF_INIT;
	struct j2_record *r;
	int rc = 0;

	if (a)
		rc = xml_attr_value(doc, a, &v);
	if (rc == -ENOMEM)
		goto out;
	if (!a || rc < 0 || v.len == 0 || v.len >= sizeof(r->host) || validate_host(v.data)) {
		/* An admin's note in a comment may mention us loosely: only a live record must be exact. */
		rc = commented ? 0
			       : diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: <" J2_RECORD "> without a valid host=\"...\"",
					  c->f.path, el->line);
		goto out;
	}
	r = grow_one(c->recs, c->nrecs, sizeof(*r));
	if (!r) {
		rc = -ENOMEM;
		goto out;
	}
	c->recs = r;
	r = &c->recs[c->nrecs++];
	snprintf(r->host, sizeof(r->host), "%s", v.data);
	r->commented = commented;
	r->line = el->line;
	r->start = span->start;
	r->end = span->end;
out:
	buf_free(&v);
	return rc;
}

/* What lies in a comment that is a child of <router> or <local>: records, a <secret>, our keep-ip mark. */
static int j2_scan_comment(struct j2_conf *c, const struct xml_node *cm, bool in_local, struct diag *d)
{
	struct xml_doc frag = XML_DOC_INIT;
	int rc = 0;

	if (in_local && memmem(c->f.doc.text + cm->body_start, cm->body_end - cm->body_start, J2_KEEP_IP,
			       strlen(J2_KEEP_IP)))
		c->keep_ip = true;
	if (in_local && memmem(c->f.doc.text + cm->body_start, cm->body_end - cm->body_start, J2_HARDEN,
			       strlen(J2_HARDEN)))
		c->harden = true;
	if (xml_parse_fragment(c->f.doc.text, cm->body_start, cm->body_end, cm->line, &frag) < 0)
		return 0; /* prose, not XML: nothing commented out */
	for (const struct xml_node *n = frag.root; n && rc == 0; n = n->next) {
		if (n->type != XML_ELEMENT)
			continue;
		if (in_local && strcmp(n->name, "secret") == 0) {
			c->secret_comment_line = c->secret_comment_line ? c->secret_comment_line : n->line;
			rc = xe_collect_secret(&c->secrets, c->f.doc.text, n);
		} else if (!in_local && strcmp(n->name, J2_RECORD) == 0)
			rc = j2_add_record(c, &frag, n, true, cm, d);
	}
	xml_free(&frag);
	return rc;
}

int j2_analyse(struct j2_conf *c, struct diag *d)
{
	const struct xml_node *root = c->f.doc.root, *n;
	struct buf v = BUF_INIT;
	const char *why;
	int rc = 0;

	if (!root || strcmp(root->name, "router") != 0)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: the document element is <%s>, not <router>: not a jabberd2 router config",
				c->f.path, root ? root->line : 1, root ? root->name : "");
	c->local = xml_child(root, "local");
	if (!c->local)
		return diag_set(d, EBADMSG, EXIT_DATAERR,
				"%s:%u: <router> has no <local>, where jabberd2 takes the component port and secret", c->f.path,
				root->line);
	if ((n = xml_next(c->local, "local")))
		return diag_set(d, EBADMSG, EXIT_DATAERR,
				"%s:%u: a second <local> (first at line %u): jabberd2 mixes the values of both; keep one", c->f.path,
				n->line, c->local->line);
	c->ip = xml_child(c->local, "ip");
	c->port = xml_child(c->local, "port");
	c->secret = xml_child(c->local, "secret");
	for (n = c->local->children; n && rc == 0; n = n->next)
		if (n->type == XML_COMMENT)
			rc = j2_scan_comment(c, n, true, d);
	if (rc < 0)
		goto out;

	c->port_value = J2_DEFAULT_PORT;
	if (c->port) {
		rc = j2_value(c, c->port, &v, d);
		if (rc == 0 && (why = validate_port(buf_str(&v), &c->port_value)))
			rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: <port>: %s", c->f.path, c->port->line, why);
		if (rc < 0)
			goto out;
	}
	snprintf(c->ip_value, sizeof(c->ip_value), "0.0.0.0"); /* the router's default */
	if (c->ip) {
		buf_truncate(&v, 0);
		rc = j2_value(c, c->ip, &v, d);
		if (rc == 0 && (v.len == 0 || v.len >= sizeof(c->ip_value) || strspn(v.data, "0123456789abcdefABCDEF.:") != v.len))
			rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: <ip> is not a numeric address", c->f.path, c->ip->line);
		if (rc < 0)
			goto out;
		snprintf(c->ip_value, sizeof(c->ip_value), "%s", v.data);
	}
	if (c->secret) {
		/* The router takes the text exactly as written, blanks and all (an empty element means "1"). */
		const char *s;
		size_t len;
		rc = xml_text(&c->f.doc, c->secret, &c->secret_value);
		if (rc == 0)
			rc = xe_collect_secret(&c->secrets, c->f.doc.text, c->secret);
		if (rc == -EINVAL)
			rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: <secret> holds elements, not a value", c->f.path,
				      c->secret->line);
		if (rc < 0)
			goto out;
		s = buf_str(&c->secret_value);
		len = c->secret_value.len;
		c->secret_weak = len == 0 || strspn(s, " \t\r\n") == len ||
				 secret_equal_str(&(struct secret){ s, len }, J2_STOCK_SECRET);
		if (j2_has_expansion(s, len)) {
			rc = diag_set(d, EBADMSG, EXIT_DATAERR,
				      "%s:%u: <secret> uses ${...} substitution, which jabber-dispatch does not evaluate", c->f.path,
				      c->secret->line);
			goto out;
		}
		if (!c->secret_weak && (why = validate_secret(s, len))) {
			rc = diag_set(d, EBADMSG, EXIT_DATAERR,
				      "%s:%u: <secret> cannot be handed to a transport: %s (jabberd2 takes the text between the tags as it is)",
				      c->f.path, c->secret->line, why);
			goto out;
		}
	} else {
		c->secret_weak = true;
	}

	for (n = root->children; n && rc == 0; n = n->next) {
		if (n->type == XML_COMMENT)
			rc = j2_scan_comment(c, n, false, d);
		else if (n->type == XML_ELEMENT && strcmp(n->name, J2_RECORD) == 0)
			rc = j2_add_record(c, &c->f.doc, n, false, n, d);
		else if (n->type == XML_ELEMENT && strcmp(n->name, "aliases") == 0)
			for (const struct xml_node *al = xml_child(n, "alias"); al && rc == 0; al = xml_next(al, "alias")) {
				const struct xml_attr *a = xml_attr(al, "name");
				buf_truncate(&v, 0);
				/* The router skips an alias without both attributes. */
				if (!a || !xml_attr(al, "target"))
					continue;
				rc = xml_attr_value(&c->f.doc, a, &v);
				if (rc == 0)
					rc = strv_push(&c->aliases, buf_str(&v));
			}
	}
out:
	buf_free(&v);
	return rc;
}

static int j2_record_cmp(const void *a, const void *b)
{
	const struct j2_record *x = *(const struct j2_record *const *)a, *y = *(const struct j2_record *const *)b;
	int c = strcmp(x->host, y->host);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/*
 * A host with two live records is refused, naming the second in the file
 * that repeats a host and the first of that host.  Sorted, not pairwise: a
 * batch loads a router.xml of a thousand records once per record.
 */
static int j2_duplicates(const struct j2_conf *c, struct diag *d)
{
	const struct j2_record **live = calloc(c->nrecs + 1, sizeof(*live)), *first = NULL, *second = NULL;
	size_t n = 0;

	if (!live)
		return -ENOMEM;
	for (size_t i = 0; i < c->nrecs; i++)
		if (!c->recs[i].commented)
			live[n++] = &c->recs[i];
	qsort(live, n, sizeof(*live), j2_record_cmp);
	for (size_t i = 1; i < n; i++)
		if (strcmp(live[i]->host, live[i - 1]->host) == 0 && (!second || live[i]->line < second->line) &&
		    (i < 2 || strcmp(live[i - 2]->host, live[i]->host) != 0))
			first = live[i - 1], second = live[i];
	free(live);
	if (!second)
		return 0;
	return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: a second <" J2_RECORD " host=\"%s\"> (first at line %u)", c->f.path,
			second->line, second->host, first->line);
}

int j2_load(const struct server_request *req, bool for_write, struct j2_conf *c, struct diag *d)
{
	int rc = xe_load(&req->root, req->config, for_write, &c->f, d);
	if (rc == 0)
		rc = j2_analyse(c, d);
	return rc < 0 ? rc : j2_duplicates(c, d);
}

enum j2_state j2_state(const struct j2_conf *c, const char *host, const struct j2_record **ret)
{
	const struct j2_record *active = NULL, *commented = NULL;
	for (size_t i = 0; i < c->nrecs; i++) {
		if (strcmp(c->recs[i].host, host) != 0)
			continue;
		if (!c->recs[i].commented)
			active = &c->recs[i];
		else if (!commented)
			commented = &c->recs[i];
	}
	/* As everywhere: manual wins over managed, which wins over excluded. */
	*ret = active ? active : commented;
	if (strv_contains(&c->aliases, host))
		return J2_MANUAL;
	return active ? J2_MANAGED : commented ? J2_EXCLUDED : J2_NONE;
}
