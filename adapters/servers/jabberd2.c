/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jabberd2: server adapter for the jabberd2 router — one XEP-0114 port and secret, imposed on every transport. */
#include "grow.h"
#include "exitcode.h"
#include "secret-file.h"
#include "server-adapter.h"
#include "validate.h"
#include "xep0114.h"
#include "xml-edit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/md5.h>
#include <sodium.h>

/*
 * What the router does (LAB_FACTS §3-§5, jabberd2 router/main.c, util/config.c):
 *  - it reads router.xml once, at start; SIGHUP does not re-read <local>;
 *  - every XEP-0114 component authenticates with the one <local><secret>, on
 *    the one <local><port>, under any name it likes; without <secret> XEP-0114
 *    is off; only an <alias name=...> keeps a name from being bound;
 *  - values are looked up by path ("local.port", first one in document
 *    order), unknown elements are ignored, and "${key}" inside a value is
 *    replaced by another config value (a missing key stops the router).
 *
 * So there is nothing to declare per component.  The strategy:
 *  - --shared gives the port and secret every transport must adopt; a stock
 *    ("secret"), empty or missing secret is first replaced by a generated one
 *    (and, unless <local> holds J2_KEEP_IP, a 0.0.0.0 listener is moved to
 *    127.0.0.1 in the same edit): a restart of the router is then needed;
 *  - apply checks that the transport uses exactly them, then records the
 *    component with one line <jabber-dispatch-component host="..."/> at the
 *    top level of router.xml, which the router ignores.  The record is what
 *    --list and --remove work from, and the admin keeps a component off by
 *    commenting that line out, like everywhere else.  An <alias name=HOST>
 *    is the admin's (manual): the router refuses that name to components.
 *    The record lives in router.xml rather than in a state file so that it
 *    travels with the config (backups, etckeeper) and is excluded where the
 *    admin already looks;
 *  - --reload restarts nothing: it asks the running router, by one
 *    handshake, whether it already takes the secret, and says "restart
 *    needed" when it does not.
 */
#define J2_DEFAULT_PORT 5347 /* router/main.c */
#define J2_STOCK_SECRET "secret"
#define J2_GROUP "jabber" /* the group the router runs as (Debian's postinst) */
#define J2_RECORD "jabber-dispatch-component"
#define J2_KEEP_IP "jabber-dispatch: keep-ip"
#define J2_HARDEN "jabber-dispatch: harden"
#define J2_DPKG_STATUS "/var/lib/dpkg/status"
#define J2_LOOPBACK "127.0.0.1"
#define J2_SECRET_BYTES 24 /* 192 bits */
#define J2_SECRET_MIN 12   /* characters of a generated secret, at the least (72 bits) */
#define J2_PROBE_NAME "jabber-dispatch-check.invalid"

struct j2_record {
	char host[254];
	bool commented;
	unsigned line;
	size_t start, end;
};

struct j2_conf {
	struct xe_file f;
	const struct xml_node *local, *ip, *port, *secret;
	unsigned secret_comment_line; /* a <secret> commented out in <local>: XEP-0114 switched off */
	unsigned port_value;
	char ip_value[64];
	struct buf secret_value; /* sensitive */
	bool secret_weak;
	bool keep_ip;
	bool harden; /* the admin's opt-in: replace a stock secret even in an edited file */
	bool ip_settled; /* a transport on another machine decided <ip> in this call: hardening leaves it */
	struct j2_record *recs;
	size_t nrecs;
	struct strv aliases;
	struct strv secrets; /* every <secret> of <local> as written, live or commented out: hidden in diffs */
};

#define J2_CONF_INIT { .f = XE_FILE_INIT, .secret_value = BUF_INIT_SENSITIVE, .aliases = STRV_INIT, .secrets = STRV_INIT }

enum j2_state { J2_NONE, J2_MANAGED, J2_EXCLUDED, J2_MANUAL };

static void j2_free(struct j2_conf *c)
{
	xe_free(&c->f);
	buf_free(&c->secret_value);
	free(c->recs);
	strv_free(&c->aliases);
	for (size_t i = 0; i < c->secrets.n; i++)
		sodium_memzero(c->secrets.v[i], strlen(c->secrets.v[i]));
	strv_free(&c->secrets);
}

static bool j2_has_expansion(const char *s, size_t len)
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

static int j2_analyse(struct j2_conf *c, struct diag *d)
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

static int j2_load(const struct server_request *req, bool for_write, struct j2_conf *c, struct diag *d)
{
	int rc = xe_load(&req->root, req->config, for_write, &c->f, d);
	if (rc == 0)
		rc = j2_analyse(c, d);
	return rc < 0 ? rc : j2_duplicates(c, d);
}

static enum j2_state j2_state(const struct j2_conf *c, const char *host, const struct j2_record **ret)
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

static bool j2_ip_public(const struct j2_conf *c)
{
	return strcmp(c->ip_value, "0.0.0.0") == 0 || strcmp(c->ip_value, "::") == 0;
}

/* Indentation of the line holding OFF, plus EXTRA levels of the file's unit. */
static int j2_indent(const struct j2_conf *c, size_t off, int extra, struct buf *out)
{
	const char *start;
	char unit[32];
	size_t n = xml_indent(c->f.doc.text, off, &start);
	int rc = buf_append(out, start, n);
	xe_indent_unit(&c->f.doc, unit, sizeof(unit));
	while (rc == 0 && extra-- > 0)
		rc = buf_puts(out, unit);
	return rc;
}

/*
 * router.xml as the package shipped it, which nobody can have pointed a
 * remote transport at with its stock secret: its MD5 is the one dpkg
 * recorded for the conffile (var/lib/dpkg/status inside the root), or that
 * of a stock text we know.
 */
static const char *const j2_stock_md5[] = {
	"28ece954bbd37c4bdaf128114d9f66bc", /* Debian 12, jabberd2 2.7.0-4 */
};

static bool j2_pristine(const struct server_request *req, const struct j2_conf *c)
{
	struct md5_ctx ctx;
	uint8_t digest[MD5_DIGEST_SIZE];
	char hex[2 * MD5_DIGEST_SIZE + 1], *want = NULL;
	struct buf status = BUF_INIT;
	const char *p;
	bool same = false;

	md5_init(&ctx);
	md5_update(&ctx, c->f.text.len, (const uint8_t *)c->f.text.data);
	md5_digest(&ctx, sizeof(digest), digest);
	for (size_t i = 0; i < sizeof(digest); i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	for (size_t i = 0; i < sizeof(j2_stock_md5) / sizeof(*j2_stock_md5); i++)
		same |= strcmp(hex, j2_stock_md5[i]) == 0;
	/* A conffile line of the status file: " /etc/jabberd2/router.xml MD5[ obsolete]" */
	if (!same && asprintf(&want, "\n %s ", req->config) >= 0 &&
	    safefs_read_file(&req->root, J2_DPKG_STATUS, &status, &(struct diag)DIAG_INIT) == 0 &&
	    (p = strstr(buf_str(&status), want)))
		same = strncmp(p + strlen(want), hex, strlen(hex)) == 0 && strchr(" \n", p[strlen(want) + strlen(hex)]);
	free(want);
	buf_free(&status);
	return same;
}

/*
 * Whether the stock (or empty) secret and a public <ip> may be changed: a
 * transport on another host may connect with them to a router.xml the admin
 * edited, and would be cut off at the next restart.  A missing <secret>
 * means XEP-0114 is off: nobody can be cut off.
 */
static int j2_may_harden(const struct server_request *req, const struct j2_conf *c, struct diag *d)
{
	/* keep-ip already says: replace the secret, transports elsewhere will follow it */
	if (!c->secret || c->harden || c->keep_ip || j2_pristine(req, c))
		return 0;
	return diag_set(d, EPERM, EXIT_DATAERR,
			"%s:%u: the stock component secret, in a router.xml edited since it was installed: left alone, "
			"transports on other hosts may use it; set a secret of your own, or put <!-- " J2_HARDEN " --> "
			"in <local> to have it replaced%s",
			c->f.path, c->secret->line, j2_ip_public(c) && !c->keep_ip ? " and 127.0.0.1 bound" : "");
}

/* Queue the edits that replace a weak secret by SECRET (and bind loopback); notes say what was done. */
static int j2_secure(const struct j2_conf *c, const struct secret *secret, bool generated, struct xe_edits *e, bool dry_run)
{
	const struct xml_node *after = c->port ? c->port : c->ip;
	struct buf *r;
	int rc;

	if (c->secret) {
		r = c->secret->empty ? xe_edit_add(e, c->secret->start, c->secret->end)
				     : xe_edit_add(e, c->secret->open_end, c->secret->close_start);
		if (!r)
			return -ENOMEM;
		rc = c->secret->empty ? buf_puts(r, "<secret>") : 0;
		if (rc == 0)
			rc = xml_escape_text(secret->data, secret->len, r);
		if (rc == 0 && c->secret->empty)
			rc = buf_puts(r, "</secret>");
	} else {
		size_t at = after ? after->end : c->local->open_end;
		r = xe_edit_add(e, at, at);
		rc = r ? buf_putc(r, '\n') : -ENOMEM;
		if (rc == 0)
			rc = after ? j2_indent(c, after->start, 0, r) : j2_indent(c, c->local->start, 1, r);
		if (rc == 0)
			rc = buf_puts(r, "<secret>");
		if (rc == 0)
			rc = xml_escape_text(secret->data, secret->len, r);
		if (rc == 0)
			rc = buf_puts(r, "</secret>");
	}
	if (rc == 0)
		rc = server_note("%s: %s the %s component secret by %s: restart jabberd2, then the transports",
				c->f.path, dry_run ? "would replace" : "replaced", !c->secret ? "missing" : c->secret_value.len ? "stock" : "empty",
				generated ? "a generated one" : "the transport's");
	if (rc < 0 || !j2_ip_public(c) || c->ip_settled)
		return rc;
	if (c->keep_ip)
		return server_note("%s: <local> says \"" J2_KEEP_IP "\": the router keeps listening on %s",
				  c->f.path, c->ip_value);
	if (c->ip) {
		r = xe_edit_add(e, c->ip->open_end, c->ip->close_start);
		rc = r ? buf_puts(r, J2_LOOPBACK) : -ENOMEM;
	} else {
		r = xe_edit_add(e, c->local->open_end, c->local->open_end);
		rc = r ? buf_putc(r, '\n') : -ENOMEM;
		if (rc == 0)
			rc = j2_indent(c, c->local->start, 1, r);
		if (rc == 0)
			rc = buf_puts(r, "<ip>" J2_LOOPBACK "</ip>");
	}
	if (rc == 0)
		rc = server_note(
				"%s: %s the component port to " J2_LOOPBACK " (it was %s): a transport on another host "
				"needs <ip> set to an address it can reach, and <!-- " J2_KEEP_IP " --> in <local>",
				c->f.path, dry_run ? "would bind" : "bound", c->ip_value);
	return rc;
}

/*
 * A transport on another machine connects to ADDR, and the router has one
 * listener for every component.  A wildcard, or ADDR itself, takes it
 * already.  The loopback, what hardening binds, becomes the wildcard of
 * ADDR's family, marked keep-ip so that nothing narrows it again; any other
 * address was set by hand, and stays.
 */
static int j2_open_for(struct j2_conf *c, const char *addr, struct xe_edits *e, bool dry_run, struct diag *d)
{
	bool v6 = strchr(addr, ':') != NULL;
	const char *any = v6 ? "::" : "0.0.0.0";
	struct buf *r;
	int rc;

	c->ip_settled = true;
	if (strcmp(c->ip_value, addr) == 0 || strcmp(c->ip_value, any) == 0 || strcmp(c->ip_value, "::") == 0)
		return 0;
	if (!c->ip || (strcmp(c->ip_value, J2_LOOPBACK) != 0 && strcmp(c->ip_value, "::1") != 0))
		return diag_set(d, EPERM, EXIT_DATAERR,
				"%s:%u: the router takes every component on %s, which a transport connecting to %s cannot reach: "
				"set <ip> to %s or %s and restart jabberd2",
				c->f.path, c->ip ? c->ip->line : c->local->line, c->ip_value, addr, addr, any);
	r = xe_edit_add(e, c->ip->open_end, c->ip->close_start);
	rc = r ? buf_puts(r, any) : -ENOMEM;
	if (rc == 0 && !c->keep_ip) {
		r = xe_edit_add(e, c->ip->end, c->ip->end);
		rc = r ? buf_putc(r, '\n') : -ENOMEM;
		if (rc == 0)
			rc = j2_indent(c, c->ip->start, 0, r);
		if (rc == 0)
			rc = buf_puts(r, "<!-- " J2_KEEP_IP " (a transport on another machine) -->");
	}
	if (rc == 0)
		rc = server_note(
				"%s: %s <ip> from %s to %s for a transport connecting to %s: the router has one "
				"address for every component, so port %u is open on every interface, not only %s",
				c->f.path, dry_run ? "would change" : "changed", c->ip_value, any, addr, c->port_value, addr);
	return rc;
}

/* Queue a new record line for HOST: after the last live record, else after </local>. */
static int j2_add_record_line(const struct j2_conf *c, const char *host, struct xe_edits *e)
{
	const char *text = c->f.doc.text;
	size_t len = c->f.doc.len, after = c->local->end;
	size_t le;
	struct buf *r;
	int rc;

	for (size_t i = 0; i < c->nrecs; i++)
		if (!c->recs[i].commented && c->recs[i].end > after)
			after = c->recs[i].end;
	le = xe_line_end(text, len, after);
	if (xe_blank(text, after, le) && le > after && text[le - 1] == '\n') {
		r = xe_edit_add(e, le, le);
		rc = r ? j2_indent(c, c->local->start, 0, r) : -ENOMEM;
		if (rc == 0)
			rc = buf_printf(r, "<" J2_RECORD " host=\"%s\"/>\n", host);
	} else {
		r = xe_edit_add(e, after, after);
		rc = r ? buf_putc(r, '\n') : -ENOMEM;
		if (rc == 0)
			rc = j2_indent(c, c->local->start, 0, r);
		if (rc == 0)
			rc = buf_printf(r, "<" J2_RECORD " host=\"%s\"/>", host);
	}
	return rc;
}

/*
 * Apply the edits, check the result reads back as intended (HOST in state
 * WANT, the secret SECRET when given), and queue it.
 */
static int j2_commit(const struct j2_conf *c, struct xe_edits *e, const char *host, enum j2_state want,
		     const struct secret *secret, struct changeset *cs, struct diag *d)
{
	struct j2_conf after = J2_CONF_INIT;
	const struct j2_record *rec;
	struct diag cd = DIAG_INIT;
	int rc;

	if (e->n == 0)
		return 0;
	after.f.path = c->f.path;
	rc = xe_edits_apply(&c->f, e, &after.f.text);
	if (rc == 0 && (xe_parse(&after.f, &cd) < 0 || j2_analyse(&after, &cd) < 0 ||
			(host && j2_state(&after, host, &rec) != want) ||
			(secret && !secret_equal(secret, after.secret_value.data, after.secret_value.len))))
		rc = diag_set(d, EPROTO, EXIT_SOFTWARE, "%s: the edit would not read back as intended%s%s; nothing written",
			      c->f.path, cd.msg[0] ? ": " : "", cd.msg);
	if (rc == 0)
		rc = xe_put_parsed(cs, &c->f, &after.f, d);
	j2_free(&after);
	return rc;
}

/* Hide the secrets of this edit from diffs: the new one always, the old one unless it is no secret at all. */
static int j2_redact(struct changeset *cs, const struct j2_conf *c, const struct secret *secret)
{
	int rc = xe_redact_text(cs, secret->data, secret->len, "<secret>");
	if (rc == 0 && c->secret && !c->secret_weak && !secret_equal(secret, c->secret_value.data, c->secret_value.len))
		rc = changeset_redact_span(cs, c->f.doc.text + c->secret->open_end,
					   c->secret->close_start - c->secret->open_end, "<old secret>");
	return rc == 0 ? xe_redact_all(cs, &c->secrets, "<hidden>") : rc;
}

/* A random secret; at most MAX characters when MAX is not 0 (6 bits each). */
static int j2_generate(struct buf *out, unsigned max)
{
	unsigned char raw[J2_SECRET_BYTES];
	char enc[sodium_base64_ENCODED_LEN(J2_SECRET_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	int rc;

	/* base64url without padding: letters, digits, '-' and '_', which no config syntax needs to escape. */
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(enc, sizeof(enc), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (max && max < strlen(enc))
		enc[max] = '\0';
	rc = buf_puts(out, enc);
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(enc, sizeof(enc));
	return rc;
}

static int j2_shared(const struct server_request *req, struct changeset *cs, struct server_outcome *ret,
		     unsigned *ret_port, struct buf *ret_secret, struct diag *d)
{
	struct j2_conf c = J2_CONF_INIT;
	struct xe_edits e = { .n = 0 };
	struct secret generated;
	int rc;

	rc = j2_load(req, true, &c, d);
	if (rc < 0)
		goto out;
	if (!c.secret && c.secret_comment_line) {
		rc = diag_set(d, EPERM, EXIT_DATAERR,
			      "%s:%u: <secret> is commented out, which switches XEP-0114 components off in jabberd2; "
			      "uncomment it (jabber-dispatch then replaces a stock secret) to let transports in",
			      c.f.path, c.secret_comment_line);
		goto out;
	}
	*ret_port = c.port_value;
	ret->result = RESULT_UNCHANGED;
	if (!c.secret_weak) {
		rc = buf_append(ret_secret, c.secret_value.data, c.secret_value.len);
		goto out;
	}
	rc = j2_may_harden(req, &c, d);
	/* Below 12 characters (72 bits) a generated secret is too weak to impose on every transport. */
	if (rc == 0 && req->secret_max && req->secret_max < J2_SECRET_MIN)
		rc = diag_set(d, EINVAL, EXIT_DATAERR,
			      "%s: a transport takes secrets of at most %u bytes, too short to generate a safe one (%d at "
			      "least): set <secret> by hand",
			      c.f.path, req->secret_max, J2_SECRET_MIN);
	if (rc == 0)
		rc = j2_generate(ret_secret, req->secret_max);
	generated = secret_of(ret_secret);
	if (rc == 0)
		rc = j2_secure(&c, &generated, true, &e, req->dry_run);
	if (rc == 0)
		rc = j2_commit(&c, &e, NULL, J2_NONE, &generated, cs, d);
	if (rc == 0)
		rc = secret_file_mark("jabberd2", &req->root, cs, c.f.path, J2_GROUP);
	ret->result = RESULT_UPDATED;
	ret->restart = true;
out:
	xe_edits_free(&e);
	j2_free(&c);
	return rc;
}

static int j2_apply(const struct server_request *req, struct changeset *cs, struct server_outcome *ret,
		    struct diag *d)
{
	struct j2_conf c = J2_CONF_INIT;
	struct xe_edits e = { .n = 0 };
	const struct j2_record *rec;
	enum j2_state st;
	int rc;

	rc = j2_load(req, true, &c, d);
	if (rc < 0)
		goto out;
	if (j2_has_expansion(req->secret.data, req->secret.len)) {
		rc = diag_set(d, EINVAL, EXIT_DATAERR,
			      "the secret holds \"${\", which jabberd2 would expand as a config reference: it cannot be written to %s",
			      c.f.path);
		goto out;
	}
	if (req->port != c.port_value) {
		rc = diag_set(d, EINVAL, EXIT_DATAERR,
			      "the router takes every component on its one port %u (%s), not %u: the transport must adopt it "
			      "(jabber-dispatch sync does, through --set-port)",
			      c.port_value, c.f.path, req->port);
		goto out;
	}
	if (!c.secret_weak && !secret_equal(&req->secret, c.secret_value.data, c.secret_value.len)) {
		rc = diag_set(d, EINVAL, EXIT_DATAERR,
			      "the router takes one secret for every component (%s:%u), and the transport's is another: the "
			      "transport must adopt it (jabber-dispatch sync does, through --set-password)",
			      c.f.path, c.secret->line);
		goto out;
	}
	if (c.secret_weak && secret_equal_str(&req->secret, J2_STOCK_SECRET)) {
		rc = diag_set(d, EINVAL, EXIT_DATAERR, "the transport's secret is jabberd2's stock one: refusing to keep it");
		goto out;
	}
	if (!c.secret && c.secret_comment_line) {
		rc = diag_set(d, EPERM, EXIT_DATAERR,
			      "%s:%u: <secret> is commented out, which switches XEP-0114 components off in jabberd2",
			      c.f.path, c.secret_comment_line);
		goto out;
	}
	st = j2_state(&c, req->host, &rec);
	if (st == J2_EXCLUDED || st == J2_MANUAL) {
		ret->result = st == J2_EXCLUDED ? RESULT_EXCLUDED : RESULT_MANUAL;
		if (st == J2_EXCLUDED && !strv_contains(&c.aliases, req->host))
			rc = server_note(
					"%s:%u: %s is excluded, but the router still lets any component bind it with the "
					"shared secret; <alias name=\"%s\" target=\"...\"/> in <aliases> blocks it",
					c.f.path, rec->line, req->host, req->host);
		goto out;
	}
	if (req->bind_address[0]) {
		size_t before = e.n;
		rc = j2_open_for(&c, req->bind_address, &e, req->dry_run, d);
		if (rc < 0)
			goto out;
		ret->restart |= e.n > before;
	}
	/* A stock secret here means no --shared ran first (seed protocol): the first transport's secret becomes the one. */
	if (c.secret_weak) {
		rc = j2_may_harden(req, &c, d);
		if (rc == 0)
			rc = j2_secure(&c, &req->secret, false, &e, req->dry_run);
		ret->restart = true;
	}
	if (rc == 0 && st == J2_NONE)
		rc = j2_add_record_line(&c, req->host, &e);
	if (rc == 0)
		rc = j2_redact(cs, &c, &req->secret);
	if (rc == 0)
		rc = j2_commit(&c, &e, req->host, J2_MANAGED, &req->secret, cs, d);
	/* The router.xml that just received a secret is no one else's to read. */
	if (rc == 0 && c.secret_weak)
		rc = secret_file_mark("jabberd2", &req->root, cs, c.f.path, J2_GROUP);
	ret->result = st == J2_NONE ? RESULT_ADDED : e.n ? RESULT_UPDATED : RESULT_UNCHANGED;
out:
	xe_edits_free(&e);
	j2_free(&c);
	return rc;
}

static int j2_remove(const struct server_request *req, struct changeset *cs, struct server_outcome *ret,
		     struct diag *d)
{
	struct j2_conf c = J2_CONF_INIT;
	struct xe_edits e = { .n = 0 };
	const struct j2_record *rec;
	size_t a, b;
	int rc;

	rc = j2_load(req, true, &c, d);
	if (rc < 0)
		goto out;
	switch (j2_state(&c, req->host, &rec)) {
	case J2_EXCLUDED:
		ret->result = RESULT_EXCLUDED; /* the admin's exclusion is what stops a re-add: keep it */
		break;
	case J2_MANUAL:
		ret->result = RESULT_MANUAL;
		break;
	case J2_NONE:
		ret->result = RESULT_ABSENT;
		break;
	case J2_MANAGED:
		/* The shared secret stays: other components use it. */
		xe_cut_span(c.f.doc.text, c.f.doc.len, rec->start, rec->end, &a, &b);
		rc = xe_redact_all(cs, &c.secrets, "<hidden>");
		if (rc == 0)
			rc = xe_edit_add(&e, a, b) ? j2_commit(&c, &e, req->host, J2_NONE, NULL, cs, d) : -ENOMEM;
		ret->result = RESULT_REMOVED;
		break;
	}
out:
	xe_edits_free(&e);
	j2_free(&c);
	return rc;
}

static int j2_list(const struct server_request *req, struct buf *out, struct diag *d)
{
	struct j2_conf c = J2_CONF_INIT;
	struct strv seen = STRV_INIT;
	int rc = j2_load(req, false, &c, d);

	for (size_t i = 0; rc == 0 && i < c.nrecs + c.aliases.n; i++) {
		const char *host = i < c.nrecs ? c.recs[i].host : c.aliases.v[i - c.nrecs];
		const struct j2_record *rec;
		enum j2_state st;
		if (strv_contains(&seen, host))
			continue;
		st = j2_state(&c, host, &rec);
		rc = strv_push(&seen, host);
		if (rc == 0)
			rc = buf_printf(out, "%s %s\n",
					protocol_state_word(st == J2_MANAGED ? STATE_MANAGED : st == J2_MANUAL ? STATE_MANUAL : STATE_EXCLUDED),
					host);
	}
	strv_free(&seen);
	j2_free(&c);
	return rc;
}

static int j2_reload(const struct server_request *req, struct buf *out, struct diag *d)
{
	struct j2_conf c = J2_CONF_INIT;
	struct xep0114_result r;
	const char *ip;
	int rc = j2_load(req, false, &c, d);

	if (rc < 0)
		goto out;
	if (c.secret_weak) {
		rc = buf_puts(out, "nothing to reload: the component secret is still the stock one (run jabber-dispatch sync)\n");
		goto out;
	}
	/* Records and aliases need nothing at run time; only a secret the router has not read yet does. */
	ip = strcmp(c.ip_value, "0.0.0.0") == 0 ? "127.0.0.1" : strcmp(c.ip_value, "::") == 0 ? "::1" : c.ip_value;
	rc = xep0114_connect(ip, c.port_value, J2_PROBE_NAME, &c.secret_value, 5000, &r, NULL);
	if (rc < 0) {
		rc = diag_set(d, -rc, EXIT_OSERR, "cannot ask the router on %s port %u: %s", ip, c.port_value, strerror(-rc));
		goto out;
	}
	switch (r.status) {
	case XEP0114_ACCEPTED:
		rc = buf_printf(out, "nothing to reload: the router on %s port %u already takes the component secret\n", ip,
				c.port_value);
		break;
	case XEP0114_REFUSED:
		rc = buf_printf(out, "not running (nothing answers on %s port %u: %s): it reads the config when it starts\n", ip,
				c.port_value, r.text);
		break;
	case XEP0114_NOT_AUTHORIZED:
		rc = buf_printf(out,
				"restart needed: the router on %s port %u still runs with another component secret; jabberd2 "
				"reads router.xml only when it starts, so restart it (e.g. \"service jabberd2 restart\"), then "
				"the transports\n",
				ip, c.port_value);
		break;
	case XEP0114_STREAM_ERROR:
		if (strcmp(r.condition, "invalid-namespace") == 0) {
			rc = buf_printf(out,
					"restart needed: the router on %s port %u runs without XEP-0114; jabberd2 reads "
					"router.xml only when it starts, so restart it (e.g. \"service jabberd2 restart\"), "
					"then the transports\n",
					ip, c.port_value);
			break;
		}
		/* fall through */
	default:
		rc = buf_printf(out, "restart may be needed: the router on %s port %u answered %s%s%s%s\n", ip, c.port_value,
				r.condition[0] ? r.condition : xep0114_status_word(r.status), r.text[0] ? " (" : "", r.text,
				r.text[0] ? ")" : "");
		break;
	}
out:
	j2_free(&c);
	return rc;
}

/*
 * The router takes every name with the one secret (LAB_FACTS §5), so a check
 * logs in under a name of its own and asks HOST by disco#info through the
 * router: a second login as HOST would share its traffic (§2).
 */
static int j2_listen(const struct server_request *req, struct buf *out, struct diag *d)
{
	struct j2_conf c = J2_CONF_INIT;
	const struct j2_record *rec;
	int rc = j2_load(req, false, &c, d);

	if (rc == 0 && j2_state(&c, req->host, &rec) == J2_MANAGED)
		rc = server_listen_line(out, c.ip_value, c.port_value, LISTEN_ANY_NAME);
	else if (rc == 0)
		rc = buf_puts(out, "undeclared\n");
	j2_free(&c);
	return rc;
}

static const struct server_ops j2_ops = {
	.name = "jabberd2",
	.default_config = "/etc/jabberd2/router.xml",
	.apply = j2_apply,
	.remove = j2_remove,
	.list = j2_list,
	.reload = j2_reload,
	.shared = j2_shared,
	.listen = j2_listen,
	.batch = true,
	.forget = xe_forget,
	.bind_address = true,
};

int main(int argc, char **argv)
{
	return server_adapter_main(argc, argv, &j2_ops);
}
