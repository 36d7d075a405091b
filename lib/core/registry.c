/* SPDX-License-Identifier: GPL-2.0-or-later */
/* registry: the static port and host prefix assigned to each transport package, from layered files. */
#include "grow.h"
#include "registry.h"
#include "buf.h"
#include "exitcode.h"
#include "strv.h"
#include "validate.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REGISTRY_PACKAGE_MAX 100

/*
 * Ports that would clash with what every XMPP machine already uses.  5347 is
 * the one port the shared-port servers (jabberd2's router, Prosody, every
 * component's default) listen on: a static port there would put a
 * per-component listener on top of the shared one ("Overlapping listeners"
 * in ejabberd) or take jabberd2's router port.
 */
static const struct {
	unsigned port;
	const char *why;
} registry_reserved[] = {
	{ 5222, "the XMPP client port" },
	{ 5223, "the legacy XMPP client TLS port" },
	{ 5269, "the XMPP server-to-server port" },
	{ 5275, "Openfire's component port" },
	{ 5276, "Openfire's component TLS port" },
	{ 5280, "the XMPP HTTP (BOSH/websocket) port" },
	{ 5281, "the XMPP HTTPS port" },
	{ 5347, "the shared component port of jabberd2, Prosody and every component's default" },
	{ 5443, "ejabberd's HTTPS port" },
};

const char *registry_port_refused(unsigned port)
{
	if (port < 1024)
		return "a privileged port";
	/* Linux's default ip_local_port_range: an outgoing connection could hold it when the server binds. */
	if (port >= 32768 && port <= 60999)
		return "in the ephemeral port range (32768-60999)";
	for (size_t i = 0; i < sizeof(registry_reserved) / sizeof(*registry_reserved); i++)
		if (registry_reserved[i].port == port)
			return registry_reserved[i].why;
	return NULL;
}

/* Debian's rule for package names: [a-z0-9][a-z0-9+.-]+. */
static bool registry_package_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > REGISTRY_PACKAGE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '+' && c != '-' && c != '.')))
			return false;
	}
	return true;
}

static void registry_entry_free(struct registry_entry *e)
{
	free(e->package);
	free(e->prefix);
	free(e->file);
}

void registry_free(struct registry *reg)
{
	for (size_t i = 0; i < reg->n; i++)
		registry_entry_free(&reg->v[i]);
	free(reg->v);
	reg->v = NULL;
	reg->n = 0;
	reg->seq = 0;
}

static struct registry_entry *registry_lookup(const struct registry *reg, const char *package)
{
	for (size_t i = 0; i < reg->n; i++)
		if (strcmp(reg->v[i].package, package) == 0)
			return &reg->v[i];
	return NULL;
}

const struct registry_entry *registry_find(const struct registry *reg, const char *package)
{
	return registry_lookup(reg, package);
}

/* Split LINE (NUL-terminated, comment removed) into at most N blank-separated fields. */
static size_t registry_fields(char *line, char **f, size_t n)
{
	size_t count = 0;
	char *save = NULL;
	for (char *tok = strtok_r(line, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
		if (count == n)
			return n + 1;
		f[count++] = tok;
	}
	return count;
}

/* Validate the fields of one line and store them as a new entry or over an overridden one. */
static int registry_add(struct registry *reg, const char *path, unsigned line, char **f, bool admin,
			struct diag *d)
{
	struct registry_entry e = { .line = line, .admin = admin }, *old, *v;
	char prefix[254];
	const char *why;
	unsigned port;

	if (!registry_package_ok(f[0]))
		return diag_set(d, EBADMSG, EXIT_DATAERR,
				"%s:%u: \"%.100s\" is not a package name ([a-z0-9][a-z0-9+.-]+)", path, line, f[0]);
	if ((why = validate_port(f[1], &port)))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s: port \"%.20s\" is %s", path, line, f[0], f[1],
				why);
	if ((why = registry_port_refused(port)))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s: port %u is %s", path, line, f[0], port, why);
	if (strlen(f[2]) >= sizeof(prefix) - 2)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s: the prefix is too long", path, line, f[0]);
	snprintf(prefix, sizeof(prefix), "%s", f[2]);
	if ((why = validate_host(prefix)))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s: prefix \"%.60s\" is %s", path, line, f[0],
				f[2], why);
	old = registry_lookup(reg, f[0]);
	/* Within one layer a package is defined once; only the admin layer replaces the vendor's. */
	if (old && (old->admin || !admin))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s is already registered at %s:%u", path, line,
				f[0], old->file, old->line);
	e.port = port;
	e.seq = ++reg->seq;
	e.package = strdup(f[0]);
	e.prefix = strdup(prefix);
	e.file = strdup(path);
	if (!e.package || !e.prefix || !e.file) {
		registry_entry_free(&e);
		return -ENOMEM;
	}
	if (old) {
		registry_entry_free(old);
		e.overrides = true;
		*old = e;
		return 0;
	}
	v = grow_one(reg->v, reg->n, sizeof(*v));
	if (!v) {
		registry_entry_free(&e);
		return -ENOMEM;
	}
	reg->v = v;
	reg->v[reg->n++] = e;
	return 0;
}

int registry_parse(struct registry *reg, const char *path, const char *text, size_t len, bool admin,
		   struct diag *d)
{
	unsigned line = 0;
	size_t pos = 0;
	int rc = 0;

	if (memchr(text, '\0', len))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s: contains a NUL byte", path);
	while (pos < len && rc == 0) {
		const char *start = text + pos, *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		char *copy, *hash, *f[3];
		size_t nf;

		pos += n + (nl ? 1 : 0);
		line++;
		copy = strndup(start, n);
		if (!copy)
			return -ENOMEM;
		if ((hash = strchr(copy, '#')))
			*hash = '\0';
		nf = registry_fields(copy, f, 3);
		if (nf == 3)
			rc = registry_add(reg, path, line, f, admin, d);
		else if (nf != 0)
			rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: expected \"PACKAGE PORT PREFIX\", found %s fields",
				      path, line, nf > 3 ? "more" : nf == 1 ? "1" : "2");
		free(copy);
	}
	return rc;
}

int registry_check(const struct registry *reg, struct diag *d)
{
	for (size_t i = 0; i < reg->n; i++) {
		const struct registry_entry *a = &reg->v[i];
		for (size_t k = 0; k < i; k++) {
			const struct registry_entry *b = &reg->v[k];
			/* Report at the later definition: that is the line to change. */
			const struct registry_entry *late = b->seq > a->seq ? b : a;
			const struct registry_entry *early = late == a ? b : a;
			if (a->port == b->port)
				return diag_set(d, EEXIST, EXIT_DATAERR,
						"%s:%u: port %u of %s is already assigned to %s (%s:%u)", late->file,
						late->line, a->port, late->package, early->package, early->file,
						early->line);
			if (strcmp(a->prefix, b->prefix) == 0)
				return diag_set(d, EEXIST, EXIT_DATAERR,
						"%s:%u: prefix \"%s\" of %s is already assigned to %s (%s:%u)", late->file,
						late->line, a->prefix, late->package, early->package, early->file,
						early->line);
		}
	}
	return 0;
}

/* Names a package manager or an editor leaves behind, never registry files. */
static bool registry_name_ignored(const char *name)
{
	static const char *const patterns[] = { ".*", "*~", "*.dpkg-*", "*.rpm*", "#*#", "*.ucf-*", "*.swp" };
	for (size_t i = 0; i < sizeof(patterns) / sizeof(*patterns); i++)
		if (fnmatch(patterns[i], name, 0) == 0)
			return true;
	return false;
}

static int registry_read(const struct root *r, struct registry *reg, const char *path, bool admin,
			 struct diag *d)
{
	struct buf text = BUF_INIT;
	int rc = safefs_read_file(r, path, &text, d);
	if (rc == -ENOENT)
		rc = 0;
	else if (rc == 0)
		rc = registry_parse(reg, path, buf_str(&text), text.len, admin, d);
	buf_free(&text);
	return rc;
}

/* Read every file of drop-in directory DIR, skipping the names in HIDDEN. */
static int registry_read_dir(const struct root *r, struct registry *reg, const char *dir, bool admin,
			     const struct strv *hidden, struct diag *d)
{
	struct strv names = STRV_INIT;
	int rc = safefs_list_dir(r, dir, &names, d);

	if (rc == -ENOENT || rc == -ENOTDIR) {
		strv_free(&names);
		return 0;
	}
	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		char *path;
		if (registry_name_ignored(names.v[i]) || (hidden && strv_contains(hidden, names.v[i])))
			continue;
		path = safefs_join(dir, names.v[i]);
		if (!path) {
			rc = -ENOMEM;
			break;
		}
		rc = registry_read(r, reg, path, admin, d);
		free(path);
	}
	strv_free(&names);
	return rc;
}

int registry_load(const struct root *r, struct registry *ret, struct diag *d)
{
	struct registry reg = REGISTRY_INIT;
	struct strv admin_names = STRV_INIT;
	int rc;

	/* The admin's file names first: one of them hides the vendor drop-in of the same name. */
	rc = safefs_list_dir(r, REGISTRY_ADMIN_DIR, &admin_names, d);
	if (rc == -ENOENT || rc == -ENOTDIR)
		rc = 0;
	if (rc == 0)
		rc = registry_read(r, &reg, REGISTRY_VENDOR_FILE, false, d);
	if (rc == 0)
		rc = registry_read_dir(r, &reg, REGISTRY_VENDOR_DIR, false, &admin_names, d);
	if (rc == 0)
		rc = registry_read_dir(r, &reg, REGISTRY_ADMIN_DIR, true, NULL, d);
	if (rc == 0)
		rc = registry_check(&reg, d);
	strv_free(&admin_names);
	if (rc < 0) {
		registry_free(&reg);
		return rc;
	}
	*ret = reg;
	return 0;
}
