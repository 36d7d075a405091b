/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jabberd2: what the jabberd2 adapter's files share: the router's config as read, and the records in it. */
#ifndef JD_ADAPTER_JABBERD2_H
#define JD_ADAPTER_JABBERD2_H

#include "server-adapter.h"
#include "xml-edit.h"

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

void j2_free(struct j2_conf *c);
/* Whether S (LEN bytes) holds "${", which the router would replace by another config value. */
bool j2_has_expansion(const char *s, size_t len);
/* C's view of the XML parsed into C->f: <local> and its values, the records, the aliases. */
int j2_analyse(struct j2_conf *c, struct diag *d);
/* REQ's router.xml read (FOR_WRITE: a symlink in its place refused) and analysed into C; a host recorded twice is refused. */
int j2_load(const struct server_request *req, bool for_write, struct j2_conf *c, struct diag *d);
/* HOST's state in C, and the record that says so (*RET, NULL when none). */
enum j2_state j2_state(const struct j2_conf *c, const char *host, const struct j2_record **ret);

#endif
