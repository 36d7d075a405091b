/* SPDX-License-Identifier: GPL-2.0-or-later */
/* openfire: server adapter for Openfire — rows of ofExtComponentConf in its embedded HSQLDB database, while it is stopped. */
#include "grow.h"
#include "conf-hsqldb.h"
#include "conf-xml.h"
#include "exitcode.h"
#include "server-adapter.h"
#include "validate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

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

#define OPENFIRE_XML "/etc/openfire/openfire.xml"
#define DEB_SCRIPT "/var/lib/openfire/embedded-db/openfire.script" /* upstream .deb: openfire.links */
#define ROWS_PATH "/var/lib/jabber-dispatch/openfire-rows"
#define TABLE "OFEXTCOMPONENTCONF"
#define PROPS "OFPROPERTY"
#define DEFAULT_PORT 5275u              /* ConnectionSettings.Component: DEFAULT_COMPONENT_PORT */
#define SECRET_MAX 255                  /* ofExtComponentConf.secret VARCHAR(255) */
#define CONSOLE "Server > Server Settings > External Components"
#define MASK "ln -s /dev/null /etc/jabber-dispatch/servers/openfire"

struct comp {
	const struct hsqldb_row *row;
	const char *sub; /* as stored; a wildcard row ends with '%' */
	bool wildcard, blocked;
	const struct hsqldb_value *secret; /* NULL type for a NULL secret */
};

struct db {
	char *script;
	struct buf text; /* the script as read: sensitive, it holds every secret */
	struct hsqldb_script s;
	size_t table_index;
	const char *domain;
	unsigned port;
	const char *active; /* xmpp.component.socket.active, or NULL */
	struct comp *comps;
	size_t ncomps;
	struct buf rec;   /* ROWS_PATH as read */
	bool rec_existed;
	struct strv ours; /* subdomains recorded as ours in this very database */
};

static void db_free(struct db *db)
{
	free(db->script);
	buf_free(&db->text);
	hsqldb_free(&db->s);
	free(db->comps);
	buf_free(&db->rec);
	strv_free(&db->ours);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Trimmed text of the element at PATH under ROOT into OUT ("" when absent); its line in *LINE. */
static int xml_value(const struct xml_doc *doc, const char *path, struct buf *out, unsigned *line)
{
	const struct xml_node *n = xml_path(doc->root, path);
	size_t a = 0, b;
	int rc;

	buf_truncate(out, 0);
	if (!n)
		return 0;
	*line = n->line;
	rc = xml_text(doc, n, out);
	if (rc == -EINVAL)
		return buf_puts(out, "?"); /* child elements: no plain value */
	b = out->len;
	while (a < b && strchr(" \t\r\n", out->data[a]))
		a++;
	while (b > a && strchr(" \t\r\n", out->data[b - 1]))
		b--;
	memmove(out->data, out->data + a, b - a);
	buf_truncate(out, b - a);
	return rc;
}

/* Where the embedded database of bootstrap file CONFIG lives (Openfire's home/embedded-db). */
static char *script_for(const char *config)
{
	char *dir = safefs_dirname(config), *home = NULL, *path = NULL;
	if (strcmp(config, OPENFIRE_XML) == 0)
		path = strdup(DEB_SCRIPT); /* the links resolved: writes never follow a symlink */
	else if (dir && ends_with(dir, "/conf") && (home = safefs_dirname(dir)))
		path = safefs_join(home, "embedded-db/openfire.script");
	free(dir);
	free(home);
	return path;
}

/* Read openfire.xml: refuse what is not the embedded database, set *RET_SCRIPT. */
static int read_bootstrap(const struct server_request *req, char **ret_script, struct diag *d)
{
	struct buf text = BUF_INIT_SENSITIVE, provider = BUF_INIT, setup = BUF_INIT, driver = BUF_INIT, q = BUF_INIT;
	struct xml_doc doc = XML_DOC_INIT;
	unsigned pline = 1, sline = 1, dline = 1;
	const char *cfg = req->config;
	int rc;

	rc = safefs_read_file(&req->root, cfg, &text, d);
	if (rc == -ENOENT)
		rc = diag_set(d, ENOENT, EXIT_NOINPUT, "%s: no such file", cfg);
	if (rc == 0)
		rc = xml_parse(cfg, buf_str(&text), text.len, &doc, d);
	if (rc < 0)
		goto out;
	if (!doc.root || strcmp(doc.root->name, "jive") != 0) {
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: the document element is not <jive>: not an openfire.xml",
			      cfg, doc.root ? doc.root->line : 1);
		goto out;
	}
	rc = xml_value(&doc, "connectionProvider/className", &provider, &pline);
	if (rc == 0)
		rc = xml_value(&doc, "setup", &setup, &sline);
	if (rc == 0)
		rc = xml_value(&doc, "database/defaultProvider/driver", &driver, &dline);
	if (rc < 0)
		goto out;
	if (strcmp(buf_str(&provider), "org.jivesoftware.database.DefaultConnectionProvider") == 0) {
		validate_quote(&q, buf_str(&driver), driver.len, 60);
		/* The essentials first: the dispatcher quotes only the first 300 bytes. */
		rc = diag_set(d, ENOTSUP, EXIT_DATAERR,
			      "%s:%u: an external database (driver %s): jabber-dispatch edits only the embedded one; add "
			      "the component in the admin console (" CONSOLE "), then mask this adapter (" MASK "); the "
			      "SQL: INSERT INTO ofExtComponentConf (subdomain, wildcard, secret, permission) VALUES "
			      "('SUBDOMAIN', 0, 'SECRET', 'allowed'), SUBDOMAIN being the host without Openfire's domain",
			      cfg, pline, driver.len ? buf_str(&q) : "not named");
		goto out;
	}
	if (provider.len && strcmp(buf_str(&provider), "org.jivesoftware.database.EmbeddedConnectionProvider") != 0) {
		validate_quote(&q, buf_str(&provider), provider.len, 80);
		rc = diag_set(d, ENOTSUP, EXIT_DATAERR, "%s:%u: connection provider %s: only the embedded database is supported",
			      cfg, pline, buf_str(&q));
		goto out;
	}
	if (strcmp(buf_str(&setup), "true") != 0) {
		rc = diag_set(d, ENOENT, EXIT_NOINPUT,
			      "%s: Openfire is not set up yet (no <setup>true</setup>%s): finish its setup, stop it, then "
			      "run jabber-dispatch sync again",
			      cfg, xml_path(doc.root, "autosetup") ? "; <autosetup> runs at its first start" : "");
		goto out;
	}
	if (!(*ret_script = script_for(cfg)))
		rc = diag_set(d, EINVAL, EXIT_USAGE,
			      "%s: cannot tell where its embedded database is (neither " OPENFIRE_XML
			      " nor HOME/conf/openfire.xml): give --config=.../embedded-db/openfire.script",
			      cfg);
out:
	xml_free(&doc);
	buf_free(&text);
	buf_free(&provider);
	buf_free(&setup);
	buf_free(&driver);
	buf_free(&q);
	return rc;
}

/* Whether pid file PATH names a live openfire process (bash running openfire.sh, for the .deb's SysV script). */
static bool pidfile_live(const struct root *r, const char *path, long *ret_pid)
{
	struct buf t = BUF_INIT, cmd = BUF_INIT;
	char proc[64], chunk[4096], *end;
	bool live = false;
	ssize_t n;
	int fd;

	if (safefs_read_file(r, path, &t, &(struct diag)DIAG_INIT) == 0 && t.len) {
		long pid = strtol(buf_str(&t), &end, 10);
		/* /proc is the host's: processes are not inside the root. */
		snprintf(proc, sizeof(proc), "/proc/%ld/cmdline", pid);
		if (pid > 0 && (*end == '\n' || *end == '\0') && (fd = open(proc, O_RDONLY | O_CLOEXEC)) >= 0) {
			while ((n = read(fd, chunk, sizeof(chunk))) > 0 && cmd.len < (1u << 20))
				if (buf_append(&cmd, chunk, (size_t)n) < 0)
					break;
			close(fd);
			/* A pid reused by another program has no "openfire" in its command line. */
			live = cmd.len && memmem(cmd.data, cmd.len, "openfire", 8);
			*ret_pid = pid;
		}
	}
	buf_free(&t);
	buf_free(&cmd);
	return live;
}

/* Refuse while Openfire runs (under systemd only HSQLDB's lock tells), or while HSQLDB would not start from the script. */
static int check_stopped(const struct root *r, const char *script, struct diag *d)
{
	static const char *const pidfiles[] = { "/run/openfire.pid", "/var/run/openfire.pid" };
	long pid = 0;

	for (size_t i = 0; i < sizeof(pidfiles) / sizeof(pidfiles[0]); i++)
		if (pidfile_live(r, pidfiles[i], &pid))
			return diag_set(d, EBUSY, EXIT_TEMPFAIL, "Openfire is running (pid %ld, %s): stop it, run "
					"jabber-dispatch sync, start it again", pid, pidfiles[i]);
	return hsqldb_check_closed(r, script, "Openfire", d);
}

/* The script must be a plain file reached without any symlink: it is replaced in place. */
static int check_plain(const struct root *r, const char *script, struct diag *d)
{
	struct diag scratch = DIAG_INIT;
	const char *name;
	struct stat st;
	int dirfd = -1, rc = safefs_open_parent(r, script, 0, &dirfd, &name, &scratch);

	if (rc == 0 && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		rc = -errno;
	if (rc == -ENOENT)
		rc = diag_set(d, ENOENT, EXIT_NOINPUT, "%s: no such file: Openfire's embedded database is not created yet "
			      "(finish its setup, stop it, then run jabber-dispatch sync again)", script);
	else if (rc < 0 && diag_is_set(&scratch))
		rc = diag_set(d, -rc, scratch.exit_code, "%s", scratch.msg);
	else if (rc < 0)
		rc = diag_set(d, -rc, EXIT_OSERR, "%s: %s", script, strerror(-rc));
	else if (S_ISLNK(st.st_mode))
		rc = diag_set(d, ELOOP, EXIT_DATAERR, "%s: is a symlink; refusing to replace what it points to", script);
	else if (!S_ISREG(st.st_mode))
		rc = diag_set(d, EINVAL, EXIT_DATAERR, "%s: not a regular file", script);
	if (dirfd >= 0)
		close(dirfd);
	return rc;
}

/* Our record: "UNIQUE-NAME SUBDOMAIN" lines; those of this database go to db->ours. */
static int read_record(const struct root *r, struct db *db, struct diag *d)
{
	unsigned line = 0;
	int rc = safefs_read_file(r, ROWS_PATH, &db->rec, d);

	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	db->rec_existed = true;
	for (const char *p = buf_str(&db->rec); *p && rc == 0;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char name[128], sub[256];
		int used = 0;
		line++;
		if (n && p[0] != '#') {
			char *l = strndup(p, n);
			if (!l)
				return -ENOMEM;
			/* One space exactly: the line is compared byte for byte when it is taken out. */
			if (sscanf(l, "%127[A-Za-z0-9_] %255[a-z0-9.-]%n", name, sub, &used) != 2 || (size_t)used != n ||
			    l[strlen(name)] != ' ' || l[strlen(name) + 1] == ' ' || validate_host(sub))
				rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: not a \"DATABASE SUBDOMAIN\" line", ROWS_PATH, line);
			else if (strcmp(name, db->s.unique_name) == 0 && !strv_contains(&db->ours, sub))
				rc = strv_push(&db->ours, sub);
			free(l);
		}
		p += n + (nl ? 1 : 0);
	}
	return rc;
}

static bool is_text(const struct hsqldb_value *v, const char *s)
{
	return v->type == HSQLDB_STRING && strcmp(v->text, s) == 0;
}

/* The properties this adapter needs, from ofProperty rows. */
static int read_properties(struct db *db, const struct hsqldb_table *t, struct diag *d)
{
	static const char *const names[] = { "xmpp.domain", "xmpp.component.socket.port", "xmpp.component.socket.active" };
	const struct hsqldb_row *seen[3] = { NULL, NULL, NULL };
	const char *path = db->script;

	for (size_t i = 0; i < db->s.nrows; i++) {
		const struct hsqldb_row *r = &db->s.rows[i];
		if (strcmp(r->table, PROPS) != 0 || strcmp(r->schema, "PUBLIC") != 0)
			continue;
		if (r->n != t->ncolumns || r->v[0].type != HSQLDB_STRING)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: a row of %s with %zu values for its %zu columns",
					path, r->line, PROPS, r->n, t->ncolumns);
		for (size_t k = 0; k < 3; k++) {
			if (!is_text(&r->v[0], names[k]))
				continue;
			if (seen[k])
				return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: a second row for property %s (the first is on line %u)",
						path, r->line, names[k], seen[k]->line);
			if (r->lossy || r->v[1].type != HSQLDB_STRING)
				return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: property %s is not a plain string", path, r->line,
						names[k]);
			if (r->n >= 3 && r->v[2].type == HSQLDB_OTHER && strcmp(r->v[2].text, "0") != 0)
				return diag_set(d, EBADMSG, EXIT_DATAERR,
						"%s:%u: property %s is encrypted (Openfire's property encryption); this adapter "
						"cannot read it", path, r->line, names[k]);
			seen[k] = r;
		}
	}
	if (!seen[0])
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s: no property xmpp.domain: Openfire's setup did not finish; "
				"finish it, stop Openfire, then run jabber-dispatch sync again", path);
	db->domain = seen[0]->v[1].text;
	db->port = DEFAULT_PORT;
	if (seen[1] && validate_port(seen[1]->v[1].text, &db->port))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: xmpp.component.socket.port is not a port number", path,
				seen[1]->line);
	db->active = seen[2] ? seen[2]->v[1].text : NULL;
	return 0;
}

static int read_components(struct db *db, struct diag *d)
{
	const char *path = db->script;
	for (size_t i = 0; i < db->s.nrows; i++) {
		const struct hsqldb_row *r = &db->s.rows[i];
		struct comp c = { .row = r };
		if (strcmp(r->table, TABLE) != 0 || strcmp(r->schema, "PUBLIC") != 0)
			continue;
		if (r->n != 4)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: a row of %s with %zu values for its 4 columns", path,
					r->line, TABLE, r->n);
		if (r->lossy)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: a lone UTF-16 surrogate in a row of %s", path, r->line,
					TABLE);
		if (r->v[0].type != HSQLDB_STRING || !r->v[0].len)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: the subdomain is not a string", path, r->line);
		if (r->v[1].type != HSQLDB_OTHER || (strcmp(r->v[1].text, "0") != 0 && strcmp(r->v[1].text, "1") != 0))
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: wildcard is neither 0 nor 1", path, r->line);
		if (r->v[2].type == HSQLDB_OTHER)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: the secret is neither a string nor NULL", path, r->line);
		if (!is_text(&r->v[3], "allowed") && !is_text(&r->v[3], "blocked"))
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: permission is neither 'allowed' nor 'blocked'", path,
					r->line);
		c.sub = r->v[0].text;
		c.wildcard = r->v[1].text[0] == '1';
		c.blocked = is_text(&r->v[3], "blocked");
		c.secret = &r->v[2];
		for (size_t k = 0; k < db->ncomps; k++)
			if (strcmp(db->comps[k].sub, c.sub) == 0)
				return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: a second row for subdomain \"%s\" (the first is on line %u)",
						path, r->line, c.sub, db->comps[k].row->line);
		struct comp *v = grow_one(db->comps, db->ncomps, sizeof(*v));
		if (!v)
			return -ENOMEM;
		db->comps = v;
		db->comps[db->ncomps++] = c;
	}
	return 0;
}

static bool columns_are(const struct hsqldb_table *t, const char *const *want, size_t n, bool prefix)
{
	if (!t->columns || (prefix ? t->ncolumns < n : t->ncolumns != n))
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(t->columns[i], want[i]) != 0)
			return false;
	return true;
}

/* Everything apply, remove and list need, checked. */
static int db_load(const struct server_request *req, struct db *db, struct diag *d)
{
	static const char *const keep[] = { PROPS, TABLE, NULL };
	static const char *const comp_cols[] = { "SUBDOMAIN", "WILDCARD", "SECRET", "PERMISSION" };
	static const char *const prop_cols[] = { "NAME", "PROPVALUE", "ENCRYPTED", "IV" };
	const struct hsqldb_table *t, *p;
	int rc;

	db->text = (struct buf)BUF_INIT_SENSITIVE;
	if (ends_with(req->config, ".script"))
		rc = (db->script = strdup(req->config)) ? 0 : -ENOMEM;
	else
		rc = read_bootstrap(req, &db->script, d);
	if (rc == 0)
		rc = check_stopped(&req->root, db->script, d);
	if (rc == 0)
		rc = check_plain(&req->root, db->script, d);
	if (rc == 0)
		rc = safefs_read_file(&req->root, db->script, &db->text, d);
	if (rc == 0)
		rc = hsqldb_parse(db->script, buf_str(&db->text), db->text.len, keep, &db->s, d);
	if (rc < 0)
		return rc;
	t = hsqldb_table(&db->s, "PUBLIC", TABLE);
	p = hsqldb_table(&db->s, "PUBLIC", PROPS);
	if (!t || !p)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s: no table %s: not an Openfire database", db->script,
				t ? PROPS : TABLE);
	if (strcmp(t->type, "MEMORY") != 0 || strcmp(p->type, "MEMORY") != 0)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: table %s is not a MEMORY table: its rows are not in this file",
				db->script, strcmp(t->type, "MEMORY") ? t->line : p->line, strcmp(t->type, "MEMORY") ? TABLE : PROPS);
	if (!columns_are(t, comp_cols, 4, false))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s does not have the columns (SUBDOMAIN, WILDCARD, SECRET, "
				"PERMISSION) of Openfire's schema", db->script, t->line, TABLE);
	if (!columns_are(p, prop_cols, 2, true) || p->ncolumns > 4 || (p->ncolumns > 2 && !columns_are(p, prop_cols, p->ncolumns, false)))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s does not have the columns (NAME, PROPVALUE, ENCRYPTED, IV) "
				"of Openfire's schema", db->script, p->line, PROPS);
	db->table_index = hsqldb_table_index(&db->s, "PUBLIC", TABLE);
	rc = read_properties(db, p, d);
	if (rc == 0)
		rc = read_components(db, d);
	if (rc == 0)
		rc = read_record(&req->root, db, d);
	return rc;
}

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

	rc = db_load(req, &db, d);
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
	db_free(&db);
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
	int rc = db_load(req, &db, d);

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
	db_free(&db);
	return rc;
}

static int openfire_list(const struct server_request *req, struct buf *out, struct diag *d)
{
	struct db db = { 0 };
	int rc = db_load(req, &db, d);

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
	db_free(&db);
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
