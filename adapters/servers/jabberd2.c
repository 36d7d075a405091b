/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jabberd2: server adapter for the jabberd2 router — one XEP-0114 port and secret, imposed on every transport. */
#include "jabberd2.h"

#include "exitcode.h"
#include "secret-file.h"
#include "xep0114.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/md5.h>
#include <sodium.h>

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
