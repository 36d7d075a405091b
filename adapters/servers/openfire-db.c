/* SPDX-License-Identifier: GPL-2.0-or-later */
/* openfire-db: Openfire's embedded database as the adapter reads it, refused unless Openfire is stopped. */
#include "openfire.h"

#include "conf-xml.h"
#include "exitcode.h"
#include "grow.h"
#include "validate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void openfire_db_free(struct db *db)
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

int openfire_db_load(const struct server_request *req, struct db *db, struct diag *d)
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
