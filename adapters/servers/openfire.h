/* SPDX-License-Identifier: GPL-2.0-or-later */
/* openfire: what the Openfire adapter's files share: its database as read, and where things are. */
#ifndef JD_ADAPTER_OPENFIRE_H
#define JD_ADAPTER_OPENFIRE_H

#include "conf-hsqldb.h"
#include "server-adapter.h"

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

/* Everything apply, remove and list need, checked: REQ's database found through openfire.xml (or
 * named by --config), Openfire stopped and shut down cleanly, the tables read, our record read. */
int openfire_db_load(const struct server_request *req, struct db *db, struct diag *d);
void openfire_db_free(struct db *db);

#endif
