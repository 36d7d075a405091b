/* SPDX-License-Identifier: GPL-2.0-or-later */
/* registry: the static port and host prefix assigned to each transport package, from layered files. */
#ifndef JD_REGISTRY_H
#define JD_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "safefs.h"

/*
 * Where the entries come from, read in this order (paths inside the root):
 *   REGISTRY_VENDOR_FILE        the project's list of known transport packages;
 *   REGISTRY_VENDOR_DIR/<name>  drop-ins of packages the project does not know;
 *   REGISTRY_ADMIN_DIR/<name>   the admin's: an entry here replaces the entry of
 *                               the same package from the two layers above, and a
 *                               file here hides the vendor drop-in of the same name.
 * Drop-in names are read in bytewise order; names a package manager or an
 * editor leaves behind (dotfiles, "*~", "*.dpkg-*", "*.rpm*", ...) are skipped.
 *
 * A file holds one entry per line, "PACKAGE PORT PREFIX" separated by blanks;
 * '#' starts a comment, blank lines are ignored.  After all layers are merged,
 * no two packages may share a port or a prefix: both may be installed on one
 * machine, and a server that needs one listener per component (jabberd14,
 * ejabberd 2.x) would then get two components on one port.
 */
#define REGISTRY_VENDOR_FILE "/usr/share/jabber-dispatch/registry/transports"
#define REGISTRY_VENDOR_DIR "/usr/share/jabber-dispatch/registry.d"
#define REGISTRY_ADMIN_DIR "/etc/jabber-dispatch/registry.d"

struct registry_entry {
	char *package;
	unsigned port;
	char *prefix;  /* one or more DNS labels: the host is PREFIX.DOMAIN */
	char *file;    /* where it was defined (inside the root), for messages */
	unsigned line;
	bool admin;    /* defined in REGISTRY_ADMIN_DIR */
	bool overrides; /* an admin entry that replaced a vendor one */
	unsigned seq;   /* order of definition: collisions are reported at the later one */
};

struct registry {
	struct registry_entry *v;
	size_t n;
	unsigned seq;
};

#define REGISTRY_INIT { NULL, 0, 0 }

/*
 * Add the entries of one file, TEXT, named PATH in messages.  ADMIN: the file
 * is an admin override (replaces entries of the same package added by a
 * non-admin file).  A package defined twice in one layer, a malformed line,
 * a bad package name, port or prefix: -EBADMSG with "PATH:LINE: reason".
 * On failure REG holds the entries added before the bad line.
 */
int registry_parse(struct registry *reg, const char *path, const char *text, size_t len, bool admin,
		   struct diag *d);
/* No two entries share a port or a prefix: -EEXIST with "FILE:LINE: reason" naming both. */
int registry_check(const struct registry *reg, struct diag *d);
/* Read every layer inside R, then registry_check.  A missing file or directory is no error. */
int registry_load(const struct root *r, struct registry *ret, struct diag *d);
/* The entry of PACKAGE, or NULL. */
const struct registry_entry *registry_find(const struct registry *reg, const char *package);
/* Why PORT may not be assigned to a transport, or NULL when it may. */
const char *registry_port_refused(unsigned port);
void registry_free(struct registry *reg);

#endif
