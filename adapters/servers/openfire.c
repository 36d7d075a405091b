/* SPDX-License-Identifier: GPL-2.0-or-later */
/* openfire: server adapter for Openfire — rows of ofExtComponentConf in its embedded HSQLDB database, while it is stopped. */
#include "openfire.h"

#include "exitcode.h"
#include "validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * What can honestly be done without Openfire's admin console (facts from
 * Openfire's and HSQLDB's sources; docs/openfire.md has the whole story):
 *
 * - Openfire keeps external components in its database, not in a file: one
 *   row of ofExtComponentConf(subdomain, wildcard, secret, permission) per
 *   component, 'allowed' or 'blocked'.  A component is always SUB.DOMAIN,
 *   DOMAIN being the property xmpp.domain (table ofProperty); Openfire cuts
 *   the name a component asks for at the first occurrence of DOMAIN.  All of
 *   them connect to one port, xmpp.component.socket.port (default 5275).
 *   openfire.xml (--config, default /etc/openfire/openfire.xml) only says
 *   which database; its <autosetup>, like the REST API plugin, can set
 *   properties (one default secret for all), never rows.
 * - With the embedded database, that is the HSQLDB script
 *   embedded-db/openfire.script, which HSQLDB reads at start and rewrites
 *   from memory at every checkpoint and at shutdown.  So it is edited only
 *   while Openfire is stopped: a live heartbeat in openfire.lck (or an
 *   fcntl lock on it, or a pid file naming an openfire process) means
 *   running (exit 75); an unclean shutdown (openfire.properties modified=yes,
 *   a pending openfire.script.new) is refused, because HSQLDB would replay
 *   its log, or replace the script, after our edit.
 * - External databases (MySQL, PostgreSQL...) are refused with what to do by
 *   hand: this adapter does not connect to databases.
 * - Rows are written as HSQLDB's own writer does (conf-hsqldb.h): '' for a
 *   quote, \uXXXX for anything outside printable ASCII.
 * - HSQLDB scripts have no comments, so what is ours is recorded in
 *   /var/lib/jabber-dispatch/openfire-rows, keyed by the database's
 *   HSQLDB unique name (a restored or recreated database is another one).
 * - Exclusion, as an Openfire admin does it in the console (Server > Server
 *   Settings > External Components): block the subdomain (a 'blocked' row,
 *   ours or not, or a blocked wildcard row), or delete the row we added.
 *   Either way it is never added again.  A row the admin made, exact or
 *   wildcard, is "manual".
 * - Nothing is reloaded: Openfire reads the rows when it starts.  Every
 *   change answers "restart"; --reload only says so.
 * - The port is not imposed through the "shared" capability: that would
 *   impose one secret too, where Openfire keeps one per component.  A
 *   transport on another port is refused with the port it must use.
 */

/* HOST as Openfire would cut it: the subdomain, or a refusal saying why HOST cannot be had. */
static int subdomain_of(const struct db *db, const char *host, char *sub, size_t len, struct diag *d)
{
	size_t hl = strlen(host), dl = strlen(db->domain);
	const char *first = strstr(host, db->domain);

	if (hl <= dl + 1 || strcmp(host + hl - dl, db->domain) != 0 || host[hl - dl - 1] != '.')
		return diag_set(d, EINVAL, EXIT_DATAERR,
				"%s is not a subdomain of Openfire's domain \"%s\" (xmpp.domain): Openfire would register the "
				"component as %s.%s; give the transport a name ending in .%s",
				host, db->domain, host, db->domain, db->domain);
	if (first != host + hl - dl)
		return diag_set(d, EINVAL, EXIT_DATAERR,
				"%s holds Openfire's domain \"%s\" twice: Openfire cuts the name at the first one and would "
				"register another component; give the transport another name",
				host, db->domain);
	snprintf(sub, len, "%.*s", (int)(hl - dl - 1), host);
	return 0;
}

struct verdict {
	enum result result;
	const struct comp *exact; /* the row of SUB, if any */
};

/* What the rows say about SUB, before anything is written. */
static struct verdict judge(const struct db *db, const char *sub)
{
	struct verdict v = { RESULT_ADDED, NULL };
	const struct comp *wild = NULL;

	for (size_t i = 0; i < db->ncomps; i++) {
		const struct comp *c = &db->comps[i];
		if (!c->wildcard && strcmp(c->sub, sub) == 0)
			v.exact = c;
		else if (c->wildcard && !wild && hsqldb_like(sub, c->sub))
			wild = c; /* Openfire takes the first one its query returns; any blocked one excludes */
		else if (c->wildcard && wild && c->blocked && hsqldb_like(sub, c->sub))
			wild = c;
	}
	if (v.exact)
		v.result = v.exact->blocked ? RESULT_EXCLUDED : strv_contains(&db->ours, sub) ? RESULT_UNCHANGED : RESULT_MANUAL;
	else if (strv_contains(&db->ours, sub))
		v.result = RESULT_EXCLUDED; /* ours, deleted by the admin: never added again */
	else if (wild)
		v.result = wild->blocked ? RESULT_EXCLUDED : RESULT_MANUAL;
	return v;
}

/* A row as written in the script, and as shown in diffs. */
static int render_row(const char *sub, const char *secret, size_t slen, const char *shown, struct buf *out)
{
	int rc = buf_puts(out, "INSERT INTO " TABLE " VALUES(");
	if (rc == 0)
		rc = hsqldb_quote(sub, strlen(sub), out);
	if (rc == 0)
		rc = buf_puts(out, ",0,");
	if (rc == 0)
		rc = shown ? buf_puts(out, shown) : hsqldb_quote(secret, slen, out);
	if (rc == 0)
		rc = buf_puts(out, ",'allowed')");
	return rc;
}

/*
 * Hide from diffs the rows around offset AT, those the context lines can
 * show: other components' secrets, and whatever other tables hold there.
 * Four rows either side cover three lines; lines that are no rows only
 * push rows further away.
 */
static int redact_neighbours(const struct db *db, size_t at, struct changeset *cs)
{
	const char *text = buf_str(&db->text);
	size_t k = 0;
	int rc = 0;

	while (k < db->s.nrows && db->s.rows[k].start < at)
		k++;
	for (size_t i = k > 4 ? k - 4 : 0; i < db->s.nrows && i < k + 4 && rc == 0; i++) {
		const struct hsqldb_row *r = &db->s.rows[i];
		struct buf line = BUF_INIT_SENSITIVE, shown = BUF_INIT;
		rc = buf_append(&line, text + r->start, r->end - r->start);
		if (rc == 0 && strcmp(r->table, TABLE) == 0 && r->v && r->n == 4) {
			rc = buf_puts(&shown, "INSERT INTO " TABLE " VALUES(");
			if (rc == 0)
				rc = hsqldb_quote(r->v[0].text, r->v[0].len, &shown);
			if (rc == 0)
				rc = buf_printf(&shown, ",%s,<hidden>,'%s')", r->v[1].text, r->v[3].text);
		} else if (rc == 0)
			rc = buf_printf(&shown, "INSERT INTO %s VALUES(<hidden>)", r->table);
		if (rc == 0 && line.data[line.len - 1] == '\n')
			rc = buf_putc(&shown, '\n');
		if (rc == 0)
			rc = changeset_redact(cs, line.data, shown.data);
		buf_free(&line);
		buf_free(&shown);
	}
	return rc;
}

/* Queue the script with bytes [START, END) replaced by REPL. */
static int script_put(const struct db *db, struct changeset *cs, size_t start, size_t end, const char *repl, size_t rlen)
{
	struct buf t = BUF_INIT_SENSITIVE;
	int rc = buf_append(&t, db->text.data, start);
	if (rc == 0)
		rc = buf_append(&t, repl, rlen);
	if (rc == 0)
		rc = buf_append(&t, db->text.data + end, db->text.len - end);
	if (rc == 0)
		rc = changeset_put(cs, db->script, &db->text, t.data, t.len, 0640);
	buf_free(&t);
	return rc;
}

/* Queue our record with "UNIQUE-NAME SUB" added (ADD) or taken out. */
static int record_put(const struct db *db, struct changeset *cs, const char *sub, bool add)
{
	struct buf t = BUF_INIT, entry = BUF_INIT;
	const char *p = buf_str(&db->rec);
	int rc = buf_printf(&entry, "%s %s", db->s.unique_name, sub);

	if (rc == 0 && !db->rec_existed)
		rc = buf_puts(&t, "# Rows of Openfire's ofExtComponentConf that jabber-dispatch added: \"DATABASE SUBDOMAIN\",\n"
				  "# DATABASE being the HSQLDB unique name of the embedded database.  A row listed here\n"
				  "# that is gone from its database was deleted by the admin, and is never added again:\n"
				  "# delete its line here to let jabber-dispatch add it again.\n");
	while (rc == 0 && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (add || n != entry.len || memcmp(p, entry.data, n) != 0) {
			rc = buf_append(&t, p, n);
			if (rc == 0)
				rc = buf_putc(&t, '\n');
		}
		p += n + (nl ? 1 : 0);
	}
	if (rc == 0 && add)
		rc = buf_printf(&t, "%s\n", entry.data);
	if (rc == 0)
		rc = changeset_put_mkdir(cs, ROWS_PATH, db->rec_existed ? &db->rec : NULL, t.data, t.len, 0644, 0755);
	buf_free(&t);
	buf_free(&entry);
	return rc;
}

/*
 * Where a new row goes: before the first row of a table created after ours,
 * else after the last row of the PUBLIC schema, so that the rows stay
 * grouped by table in creation order, as HSQLDB writes them.
 */
static size_t insert_at(const struct db *db, bool *need_nl, bool *need_schema)
{
	const struct hsqldb_row *last = NULL;
	const char *text = buf_str(&db->text), *cached = NULL;
	size_t len = db->text.len, ti = 0;

	for (size_t i = 0; i < db->s.nrows; i++) {
		const struct hsqldb_row *r = &db->s.rows[i];
		if (strcmp(r->schema, "PUBLIC") != 0)
			continue;
		if (!cached || strcmp(cached, r->table) != 0) {
			cached = r->table;
			ti = hsqldb_table_index(&db->s, "PUBLIC", r->table);
		}
		if (ti != (size_t)-1 && ti > db->table_index)
			return r->start;
		last = r;
	}
	*need_nl = len > 0 && text[len - 1] != '\n' && (!last || last->end == len);
	*need_schema = !last && strcmp(db->s.end_schema, "PUBLIC") != 0;
	return last ? last->end : len;
}

static bool secret_is(const struct hsqldb_value *v, const struct secret *secret)
{
	return v->type == HSQLDB_STRING && secret_equal(secret, v->text, v->len);
}

/* Hide the line RAW (a row of SUB, its newline included) from diffs, shown with WORD for its secret. */
static int redact_line(struct changeset *cs, const char *raw, size_t len, const char *sub, const char *word)
{
	struct buf line = BUF_INIT_SENSITIVE, shown = BUF_INIT;
	int rc = buf_append(&line, raw, len);
	if (rc == 0)
		rc = render_row(sub, NULL, 0, word, &shown);
	if (rc == 0 && len && raw[len - 1] == '\n')
		rc = buf_putc(&shown, '\n');
	if (rc == 0)
		rc = changeset_redact(cs, buf_str(&line), buf_str(&shown));
	buf_free(&line);
	buf_free(&shown);
	return rc;
}

static int openfire_apply(const struct server_request *req, struct changeset *cs, struct server_outcome *ret,
			  struct diag *d)
{
	struct db db = { 0 };
	struct buf line = BUF_INIT_SENSITIVE, add = BUF_INIT_SENSITIVE;
	char sub[254];
	struct verdict v;
	size_t at;
	int rc;

	rc = openfire_db_load(req, &db, d);
	if (rc == 0)
		rc = subdomain_of(&db, req->host, sub, sizeof(sub), d);
	if (rc < 0)
		goto out;
	v = judge(&db, sub);
	ret->result = v.result;
	if (v.result == RESULT_EXCLUDED || v.result == RESULT_MANUAL)
		goto out;
	if (db.active && strcasecmp(db.active, "true") != 0) {
		rc = diag_set(d, EINVAL, EXIT_DATAERR,
			      "external components are switched off in Openfire (xmpp.component.socket.active is \"%.20s\"): "
			      "enable them in the admin console (" CONSOLE ") first", db.active);
		goto out;
	}
	if (req->port != db.port) {
		rc = diag_set(d, EINVAL, EXIT_DATAERR,
			      "Openfire takes every external component on port %u (xmpp.component.socket.port), the "
			      "transport connects to port %u: set the transport's port to %u, or Openfire's in the admin "
			      "console (" CONSOLE ")", db.port, req->port, db.port);
		goto out;
	}
	if (hsqldb_char_length(req->secret.data, req->secret.len) > SECRET_MAX) {
		rc = diag_set(d, EINVAL, EXIT_DATAERR, "the secret is longer than the %d characters of Openfire's "
			      "ofExtComponentConf.secret", SECRET_MAX);
		goto out;
	}
	if (v.exact && secret_is(v.exact->secret, &req->secret)) {
		ret->result = RESULT_UNCHANGED;
		goto out;
	}
	rc = render_row(sub, req->secret.data, req->secret.len, NULL, &line);
	if (rc == 0 && v.exact) {
		const struct hsqldb_row *r = v.exact->row;
		at = r->start;
		if (db.text.data[r->end - 1] == '\n')
			rc = buf_putc(&line, '\n');
		if (rc == 0)
			rc = redact_line(cs, db.text.data + r->start, r->end - r->start, sub, "<old secret>");
		if (rc == 0)
			rc = script_put(&db, cs, r->start, r->end, line.data, line.len);
		ret->result = RESULT_UPDATED;
	} else if (rc == 0) {
		bool need_nl = false, need_schema = false;
		at = insert_at(&db, &need_nl, &need_schema);
		if (!need_nl)
			rc = buf_putc(&line, '\n'); /* else the file keeps its habit of no final newline */
		if (rc == 0)
			rc = buf_printf(&add, "%s%s", need_nl ? "\n" : "", need_schema ? "SET SCHEMA PUBLIC\n" : "");
		if (rc == 0)
			rc = buf_append(&add, line.data, line.len);
		if (rc == 0)
			rc = script_put(&db, cs, at, at, add.data, add.len);
		if (rc == 0)
			rc = record_put(&db, cs, sub, true);
		ret->result = RESULT_ADDED;
	}
	/* Ours first: the neighbours' window may hold our old line too. */
	if (rc == 0)
		rc = redact_line(cs, line.data, line.len, sub, "<secret>");
	if (rc == 0)
		rc = redact_neighbours(&db, at, cs);
	ret->restart = true;
out:
	buf_free(&line);
	buf_free(&add);
	openfire_db_free(&db);
	return rc;
}

static int openfire_remove(const struct server_request *req, struct changeset *cs, struct server_outcome *ret,
			   struct diag *d)
{
	struct db db = { 0 };
	const struct hsqldb_row *r;
	char sub[254];
	struct verdict v;
	size_t start;
	int rc = openfire_db_load(req, &db, d);

	if (rc < 0)
		goto out;
	if (subdomain_of(&db, req->host, sub, sizeof(sub), &(struct diag)DIAG_INIT) < 0) {
		ret->result = RESULT_ABSENT; /* not a name Openfire could give: nothing of ours */
		goto out;
	}
	v = judge(&db, sub);
	ret->result = v.result == RESULT_ADDED ? RESULT_ABSENT : v.result;
	if (v.result != RESULT_UNCHANGED)
		goto out; /* excluded (blocked, or deleted by the admin: the record is what keeps it out), manual, absent */
	r = v.exact->row;
	start = r->start;
	/* A last line without a newline came with the newline before it. */
	if (r->end == db.text.len && db.text.data[r->end - 1] != '\n' && start > 0)
		start--;
	rc = redact_line(cs, db.text.data + r->start, r->end - r->start, sub, "<old secret>");
	if (rc == 0)
		rc = redact_neighbours(&db, r->start, cs);
	if (rc == 0)
		rc = script_put(&db, cs, start, r->end, "", 0);
	if (rc == 0)
		rc = record_put(&db, cs, sub, false);
	ret->result = RESULT_REMOVED;
	ret->restart = true;
out:
	openfire_db_free(&db);
	return rc;
}

static int openfire_list(const struct server_request *req, struct buf *out, struct diag *d)
{
	struct db db = { 0 };
	int rc = openfire_db_load(req, &db, d);

	/* Exact rows only: a wildcard row names no host. */
	for (size_t i = 0; rc == 0 && i < db.ncomps; i++) {
		const struct comp *c = &db.comps[i];
		char host[300], as_is[300];
		enum state st = c->blocked ? STATE_EXCLUDED : strv_contains(&db.ours, c->sub) ? STATE_MANAGED : STATE_MANUAL;
		snprintf(host, sizeof(host), "%s.%s", c->sub, db.domain);
		snprintf(as_is, sizeof(as_is), "%s", host);
		/* Openfire compares names as they are: an upper-case row is no host a transport can have. */
		if (c->wildcard || strlen(host) > 253 || validate_host(host) || strcmp(host, as_is) != 0)
			continue;
		rc = buf_printf(out, "%s %s\n", protocol_state_word(st), host);
	}
	for (size_t i = 0; rc == 0 && i < db.ours.n; i++) {
		bool present = false;
		for (size_t k = 0; k < db.ncomps; k++)
			present |= !db.comps[k].wildcard && strcmp(db.comps[k].sub, db.ours.v[i]) == 0;
		if (!present) /* deleted by the admin: kept out */
			rc = buf_printf(out, "%s %s.%s\n", protocol_state_word(STATE_EXCLUDED), db.ours.v[i], db.domain);
	}
	openfire_db_free(&db);
	return rc;
}

static int openfire_reload(const struct server_request *req, struct buf *out, struct diag *d)
{
	(void)req;
	(void)d;
	/* Openfire reads ofExtComponentConf from its database at start; this adapter writes only while it is stopped. */
	return buf_puts(out, "restart needed: Openfire has no reload for external components; start (or restart) "
			     "openfire\n");
}

static const struct server_ops openfire_ops = {
	.name = "openfire",
	.default_config = OPENFIRE_XML,
	.apply = openfire_apply,
	.remove = openfire_remove,
	.list = openfire_list,
	.reload = openfire_reload,
};

int main(int argc, char **argv)
{
	return server_adapter_main(argc, argv, &openfire_ops);
}
