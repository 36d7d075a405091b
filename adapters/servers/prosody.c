/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prosody: server adapter for Prosody — one managed conf.d drop-in per component. */
#include "adapter-fs.h"
#include "conf-lua.h"
#include "exitcode.h"
#include "server-adapter.h"
#include "prosody.h"
#include "prosody-conf.h"
#include "remote.h"
#include "syntax-check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where Prosody binds a private service such as mod_component by default (portmanager.lua). */
#define IFACES_LOOPBACK "\"127.0.0.1\", \"::1\""
#define PROSODY_COMPONENT_PORT 5347 /* mod_component's default_port */

/* Queue FILE's text with [start, end) replaced by REPL. */
static int splice_text(struct changeset *cs, const struct pfile *f, size_t start, size_t end, const char *repl,
		  size_t rlen)
{
	struct buf t = BUF_INIT;
	int rc = buf_append(&t, f->text.data, start);
	if (rc == 0)
		rc = buf_append(&t, repl, rlen);
	if (rc == 0)
		rc = buf_append(&t, f->text.data + end, f->text.len - end);
	if (rc == 0)
		rc = changeset_put(cs, f->path, &f->text, t.data, t.len, 0640);
	buf_free(&t);
	return rc;
}

/* The text of the current queued content of the main file, or its text as read. */
static const struct buf *current_text(struct changeset *cs, const struct pfile *f)
{
	struct change *ch = changeset_find(cs, f->path);
	return ch ? &ch->data : &f->text;
}

/*
 * Queue the main file with bytes [START, END) of its text replaced by LINE.
 * It may already be queued (our block): that text is edited, at the same
 * global offsets.  *CHANGED: whether LINE differs from what stands there.
 */
static int replace_global_line(struct changeset *cs, const struct pfile *mainf, size_t start, size_t end,
			       const struct buf *line, bool *changed)
{
	const struct buf *cur = current_text(cs, mainf);
	struct buf text = BUF_INIT;
	int rc;

	*changed = !(end - start == line->len && memcmp(cur->data + start, buf_str(line), line->len) == 0);
	if (!*changed)
		return 0;
	rc = buf_append(&text, cur->data, start);
	if (rc == 0)
		rc = buf_append(&text, line->data, line->len);
	if (rc == 0)
		rc = buf_append(&text, cur->data + end, cur->len - end);
	if (rc == 0)
		rc = changeset_put(cs, mainf->path, &mainf->text, text.data, text.len, 0640);
	buf_free(&text);
	return rc;
}

/* Whether HOST is an active component declared by us. */
static bool ours_active(const struct prosody_conf *c, const char *host)
{
	for (size_t i = 0; i < c->ndecls; i++)
		if (c->decls[i].ours && c->decls[i].component && !c->decls[i].commented && strcmp(c->decls[i].host, host) == 0)
			return true;
	return false;
}

/*
 * Our component_ports line records, after its marker, which of our hosts
 * needed which port ("HOST=PORT"): a port goes when none of our active
 * components needs it any more.  Ports written without a record (the
 * default 5347, an admin's addition, a line from an older version) stay.
 * RECORDED gets every recorded port; HOSTS and RPORTS the records that
 * stay (those of active components of ours).
 */
static int ports_records(const struct prosody_conf *c, struct strv *hosts, struct portv *rports,
			 struct portv *recorded)
{
	const struct buf *t = &c->files[0].text;
	const char *mark = memmem(t->data + c->ports_line_start, c->ports_line_end - c->ports_line_start, PORTS_MARK,
				  strlen(PORTS_MARK));
	const char *p = mark ? mark + strlen(PORTS_MARK) : NULL, *end = t->data + c->ports_line_end;
	int rc = 0;

	while (p && p < end && rc == 0) {
		const char *w = p + strspn(p, " \t"), *eq;
		size_t wl = strcspn(w, " \t\r\n");
		char host[254];
		unsigned long port;
		if (wl == 0 || w + wl > end)
			break; /* the end of the line */
		p = w + wl;
		if (!(eq = memchr(w, '=', wl)) || (size_t)(eq - w) >= sizeof(host))
			continue;
		memcpy(host, w, (size_t)(eq - w));
		host[eq - w] = '\0';
		port = strtoul(eq + 1, NULL, 10);
		if (port == 0 || port > 65535)
			continue;
		rc = portv_push(recorded, (unsigned)port);
		if (rc < 0 || !ours_active(c, host) || strv_contains(hosts, host))
			continue;
		rc = strv_push(hosts, host);
		if (rc == 0)
			rc = portv_push(rports, (unsigned)port);
	}
	return rc;
}

/* The text of our component_ports line: PORTS, then the records "HOST=PORT" of HOSTS (parallel to RPORTS). */
static int ports_line(struct buf *line, const struct portv *ports, const struct strv *hosts, const struct portv *rports)
{
	int rc = buf_puts(line, "component_ports = {");
	for (size_t i = 0; i < ports->n && rc == 0; i++)
		rc = buf_printf(line, "%s %u", i ? "," : "", ports->v[i]);
	if (rc == 0)
		rc = buf_puts(line, " } " PORTS_MARK " (a change needs a restart)");
	for (size_t i = 0; i < hosts->n && rc == 0; i++)
		rc = buf_printf(line, " %s=%u", hosts->v[i], rports->v[i]);
	return rc == 0 ? buf_putc(line, '\n') : rc;
}

/*
 * The ports our line must list for HOST now on PORT (PORT 0: HOST is
 * going): what is not recorded stays (without a line, Prosody's default),
 * then every port a record of ours needs.
 */
static int ports_wanted(const struct prosody_conf *c, const char *host, unsigned port, struct portv *ports,
			struct strv *hosts, struct portv *rports)
{
	struct portv recorded = { 0 }, need = { 0 };
	int rc = c->ports_set ? ports_records(c, hosts, rports, &recorded) : 0;
	size_t at = 0;

	if (rc == 0)
		rc = portv_push(ports, PROSODY_COMPONENT_PORT);
	for (size_t i = 0; rc == 0 && c->ports_set && i < c->ports.n; i++)
		if (!portv_has(&recorded, c->ports.v[i]) && !portv_has(ports, c->ports.v[i]))
			rc = portv_push(ports, c->ports.v[i]);
	/* HOST's record keeps its place, so the line does not change while nothing does. */
	while (at < hosts->n && strcmp(hosts->v[at], host) != 0)
		at++;
	if (rc == 0 && at < hosts->n && port && !portv_has(ports, port)) {
		rports->v[at] = port;
	} else if (rc == 0 && at < hosts->n) {
		free(hosts->v[at]);
		memmove(&hosts->v[at], &hosts->v[at + 1], (hosts->n - at) * sizeof(*hosts->v)); /* with the NULL */
		hosts->n--;
		memmove(&rports->v[at], &rports->v[at + 1], (rports->n - at - 1) * sizeof(*rports->v));
		rports->n--;
	} else if (rc == 0 && port && !portv_has(ports, port)) {
		rc = strv_push(hosts, host);
		if (rc == 0)
			rc = portv_push(rports, port);
	}
	for (size_t i = 0; rc == 0 && i < rports->n; i++)
		if (!portv_has(ports, rports->v[i]) && !portv_has(&need, rports->v[i]))
			rc = portv_push(&need, rports->v[i]);
	/* Those the line lists already first, in its order, then the new ones: the line changes no more than it must. */
	for (size_t i = 0; rc == 0 && c->ports_set && i < c->ports.n; i++)
		if (portv_has(&need, c->ports.v[i]) && !portv_has(ports, c->ports.v[i]))
			rc = portv_push(ports, c->ports.v[i]);
	for (size_t i = 0; rc == 0 && i < need.n; i++)
		if (!portv_has(ports, need.v[i]))
			rc = portv_push(ports, need.v[i]);
	free(recorded.v);
	free(need.v);
	return rc;
}

/*
 * Make the ports Prosody opens for components those our components need.
 * An admin's component_ports (no marker) is never edited: a missing port is
 * theirs to add.  Only another set of ports needs a restart.  QUEUED (when
 * not NULL) tells whether the line was queued for a change.
 */
static int sync_ports(const struct prosody_conf *c, const char *host, unsigned port, struct changeset *cs,
		      struct server_outcome *ret, bool *queued, struct diag *d)
{
	struct portv ports = { 0 }, rports = { 0 };
	struct strv hosts = STRV_INIT;
	struct buf line = BUF_INIT;
	const struct pfile *mainf = &c->files[0];
	int rc = 0;

	if (c->ports_set && !c->ports_ours) {
		if (port && !portv_has(&c->ports, port))
			return diag_set(d, EINVAL, EXIT_DATAERR,
					"%s:%u: component_ports does not list port %u, which the transport uses: add it "
					"there and restart prosody",
					mainf->path, c->ports_line, port);
		return 0;
	}
	rc = ports_wanted(c, host, port, &ports, &hosts, &rports);
	/* nothing but the default left, and no record: the line goes, and the file is as it was */
	if (rc == 0 && !(ports.n == 1 && hosts.n == 0))
		rc = ports_line(&line, &ports, &hosts, &rports);
	if (rc < 0)
		goto out;
	size_t start = c->ports_set ? c->ports_line_start : c->first_section;
	size_t end = c->ports_set ? c->ports_line_end : c->first_section;
	bool changed;
	rc = replace_global_line(cs, mainf, start, end, &line, &changed);
	if (rc < 0 || !changed)
		goto out;
	if (queued)
		*queued = true;
	bool same = ports.n == (c->ports_set ? c->ports.n : 1);
	for (size_t i = 0; same && i < ports.n; i++)
		same = c->ports_set ? portv_has(&c->ports, ports.v[i]) : ports.v[i] == PROSODY_COMPONENT_PORT;
	if (!same)
		ret->restart = true;
out:
	free(ports.v);
	free(rports.v);
	strv_free(&hosts);
	buf_free(&line);
	return rc;
}

/* A record "HOST=ADDR" of our component_interfaces line. */
static int ifaces_push(struct strv *recs, const char *host, const char *addr)
{
	char *s;
	return asprintf(&s, "%s=%s", host, addr) < 0 ? -ENOMEM : strv_push_owned(recs, s);
}

/*
 * Our component_interfaces line records, after its marker, which of our
 * hosts needs which address ("HOST=ADDR"): a transport on another machine
 * connects there.  RECS gets the records that stay: those of active
 * components of ours other than SKIP_HOST.
 */
static int ifaces_records(const struct prosody_conf *c, const char *skip_host, struct strv *recs)
{
	const struct buf *t = &c->files[0].text;
	const char *p, *end = t->data + c->ifaces_line_end;
	int rc = 0;

	p = memmem(t->data + c->ifaces_line_start, c->ifaces_line_end - c->ifaces_line_start, IFACES_MARK,
		   strlen(IFACES_MARK));
	for (p = p ? p + strlen(IFACES_MARK) : NULL; p && p < end && rc == 0;) {
		const char *w = p + strspn(p, " \t"), *eq;
		size_t wl = strcspn(w, " \t\r\n");
		char host[254], addr[64];
		if (wl == 0 || w + wl > end)
			break;
		p = w + wl;
		if (!(eq = memchr(w, '=', wl)) || (size_t)(eq - w) >= sizeof(host) || (size_t)(w + wl - eq) > sizeof(addr))
			continue;
		snprintf(host, sizeof(host), "%.*s", (int)(eq - w), w);
		snprintf(addr, sizeof(addr), "%.*s", (int)(w + wl - eq - 1), eq + 1);
		if (remote_address_invalid(addr) || !ours_active(c, host) || (skip_host && strcmp(host, skip_host) == 0))
			continue;
		rc = ifaces_push(recs, host, addr);
	}
	return rc;
}

/* Our line: loopback, then every address of RECS ("HOST=ADDR", sorted) once, then the records. */
static int ifaces_line(struct buf *line, struct strv *recs)
{
	int rc = buf_puts(line, "component_interfaces = { " IFACES_LOOPBACK);

	strv_sort(recs);
	for (size_t i = 0; i < recs->n && rc == 0; i++) {
		const char *addr = strchr(recs->v[i], '=') + 1;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(strchr(recs->v[j], '=') + 1, addr) == 0;
		rc = seen ? 0 : buf_printf(line, ", \"%s\"", addr);
	}
	if (rc == 0)
		rc = buf_puts(line, " } " IFACES_MARK " (a change needs a restart)");
	for (size_t i = 0; i < recs->n && rc == 0; i++)
		rc = buf_printf(line, " %s", recs->v[i]);
	return rc == 0 ? buf_putc(line, '\n') : rc;
}

/* An admin's own component_interface(s) is never edited: it must already take ADDR. */
static int ifaces_admin_check(const struct prosody_conf *c, const char *addr, struct diag *d)
{
	if (c->iface[0] && !c->iface_unclear &&
	    (strcmp(c->iface, addr) == 0 || strcmp(c->iface, "*") == 0 || strcmp(c->iface, "0.0.0.0") == 0 ||
	     strcmp(c->iface, "::") == 0))
		return 0;
	return diag_set(d, EINVAL, EXIT_DATAERR,
			"%s: component_interfaces is set by hand: make it listen on %s too (a transport on another "
			"machine connects there) and restart prosody",
			c->files[0].path, addr);
}

/*
 * Make Prosody's component ports listen where our transports on other
 * machines connect: ADDR for HOST ("" for a local one, NULL when HOST
 * goes).  component_interfaces is one setting for every component port,
 * so the line lists loopback and every address our records need, and goes
 * when no record is left; QUEUED as in sync_ports.  Done before sync_ports:
 * the offsets after our line that C holds are moved by what the edit added
 * or took.
 */
static int sync_ifaces(struct prosody_conf *c, const char *host, const char *addr, struct changeset *cs,
		       struct server_outcome *ret, bool *queued, bool dry_run, struct diag *d)
{
	struct strv recs = STRV_INIT;
	struct buf line = BUF_INIT;
	const struct pfile *mainf = &c->files[0];
	size_t start, end;
	bool changed = false;
	int rc = 0;

	if (c->ifaces_admin)
		return addr && *addr ? ifaces_admin_check(c, addr, d) : 0;
	if (!c->ifaces_ours && !(addr && *addr))
		return 0;
	rc = c->ifaces_ours ? ifaces_records(c, host, &recs) : 0;
	if (rc == 0 && addr && *addr)
		rc = ifaces_push(&recs, host, addr);
	if (rc == 0 && recs.n)
		rc = ifaces_line(&line, &recs);
	start = c->ifaces_ours ? c->ifaces_line_start : c->first_section;
	end = c->ifaces_ours ? c->ifaces_line_end : c->first_section;
	if (rc == 0)
		rc = replace_global_line(cs, mainf, start, end, &line, &changed);
	if (rc < 0 || !changed)
		goto out;
	ret->restart = true;
	if (queued)
		*queued = true;
	if (c->ports_line_start >= end)
		c->ports_line_start = c->ports_line_start + line.len - (end - start),
		c->ports_line_end = c->ports_line_end + line.len - (end - start);
	if (c->first_section >= end)
		c->first_section = c->first_section + line.len - (end - start);
	if (rc == 0 && addr && *addr)
		rc = server_note("component_interfaces is one setting for every component port: each %s on %s too",
				dry_run ? "would listen" : "now listens", addr);
out:
	strv_free(&recs);
	buf_free(&line);
	return rc;
}

static int prosody_apply(const struct server_request *req, struct changeset *cs, struct server_outcome *ret,
			 struct diag *d)
{
	struct prosody_conf c = { 0 };
	struct host_state s;
	struct buf quoted = BUF_INIT_SENSITIVE, body = BUF_INIT_SENSITIVE, old = BUF_INIT_SENSITIVE;
	char *path = NULL;
	int rc;

	rc = lua_quote(req->secret.data, req->secret.len, &quoted);
	if (rc == 0 && req->dry_run)
		rc = changeset_redact(cs, quoted.data, "<secret>");
	if (rc == 0)
		rc = prosody_conf_load(req, &c, cs, d);
	if (rc < 0)
		goto out;
	s = prosody_host_state(&c, req->host);
	if (s.other_active) {
		ret->result = RESULT_MANUAL;
		goto out;
	}
	if (s.ours_active) {
		const struct decl *dd = s.ours_active;
		const struct pfile *f = &c.files[dd->file];
		if (dd->has_secret) {
			struct lua_token tok = { .type = LUA_STRING, .start = dd->secret_start, .end = dd->secret_end };
			rc = lua_string_value(f->text.data, &tok, &old);
			if (rc < 0)
				goto out;
			if (secret_equal(&req->secret, old.data, old.len)) {
				ret->result = RESULT_UNCHANGED;
			} else {
				rc = splice_text(cs, f, dd->secret_start, dd->secret_end, quoted.data, quoted.len);
				ret->result = RESULT_UPDATED;
			}
		} else {
			rc = buf_printf(&body, "\n\tcomponent_secret = %s", quoted.data);
			if (rc == 0)
				rc = splice_text(cs, f, dd->stmt_end, dd->stmt_end, body.data, body.len);
			ret->result = RESULT_UPDATED;
		}
	} else if (s.ours_commented || s.other_commented) {
		ret->result = RESULT_EXCLUDED;
		goto out;
	} else if ((path = prosody_dropin_path(&c, req->host)) && safefs_read_file(&req->root, path, &old, &(struct diag)DIAG_INIT) != -ENOENT) {
		rc = diag_set(d, EEXIST, EXIT_DATAERR,
			      "%s: exists but does not declare Component \"%s\" as ours; move it away or declare "
			      "the component there by hand",
			      path, req->host);
		goto out;
	} else if (path && adapter_entry_exists(&req->root, c.dropin_dir)) {
		rc = buf_printf(&body,
				DROPIN_MARK ": \"jabber-dispatch sync\" keeps this file in line with the transport.\n"
				"-- To keep this component out of Prosody, comment out the Component line: it will\n"
				"-- then never be added again.\n"
				"Component \"%s\"\n"
				"\tcomponent_secret = %s\n",
				req->host, quoted.data);
		if (rc == 0)
			rc = changeset_put(cs, path, NULL, body.data, body.len, 0640);
		ret->result = RESULT_ADDED;
	} else {
		const struct pfile *f = &c.files[0];
		/*
		 * One newline, then the block; the block keeps the file's own habit of
		 * ending with a newline or not.  --remove takes away exactly that
		 * newline and the block, so the file comes back byte for byte.
		 */
		bool nl = f->text.len > 0 && f->text.data[f->text.len - 1] == '\n';
		rc = buf_printf(&body,
				"\n" BLOCK_BEGIN "%s (comment out the Component line to keep it out)\n"
				"Component \"%s\"\n"
				"\tcomponent_secret = %s\n" BLOCK_END "%s%s",
				req->host, req->host, quoted.data, req->host, nl ? "\n" : "");
		if (rc == 0)
			rc = splice_text(cs, f, f->text.len, f->text.len, body.data, body.len);
		ret->result = RESULT_ADDED;
	}
	if (rc == 0 && ret->result != RESULT_EXCLUDED && ret->result != RESULT_MANUAL) {
		bool queued = false;
		rc = sync_ifaces(&c, req->host, req->bind_address, cs, ret, &queued, req->dry_run, d);
		if (rc == 0)
			rc = sync_ports(&c, req->host, req->port, cs, ret, &queued, d);
		/* Only the port was missing: that is a change too, and it needs the restart. */
		if (rc == 0 && ret->result == RESULT_UNCHANGED && queued)
			ret->result = RESULT_UPDATED;
	}
	if (rc == 0)
		rc = syntax_verify_changes(cs, lua_compile_check, d);
out:
	free(path);
	buf_free(&quoted);
	buf_free(&body);
	buf_free(&old);
	prosody_conf_free(&c);
	return rc;
}

static int prosody_remove(const struct server_request *req, struct changeset *cs, struct server_outcome *ret,
			  struct diag *d)
{
	struct prosody_conf c = { 0 };
	struct host_state s;
	int rc;

	rc = prosody_conf_load(req, &c, cs, d);
	if (rc < 0)
		goto out;
	s = prosody_host_state(&c, req->host);
	if (s.ours_active) {
		const struct pfile *f = &c.files[s.ours_active->file];
		ret->result = RESULT_REMOVED;
		if (s.ours_active->file != 0) {
			rc = changeset_remove(cs, f->path, &f->text);
		} else {
			for (size_t b = 0; b < c.nblocks; b++) {
				const struct block *bl = &c.blocks[b];
				if (bl->end && strcmp(bl->host, req->host) == 0) {
					size_t start = bl->begin;
					/* The newline written before the block goes with it. */
					if (start >= 1 && f->text.data[start - 1] == '\n')
						start--;
					rc = splice_text(cs, f, start, bl->end, "", 0);
					break;
				}
			}
		}
	} else if (s.ours_commented) {
		ret->result = RESULT_EXCLUDED; /* keep the admin's exclusion: it is what stops a re-add */
	} else if (s.other_active) {
		ret->result = RESULT_MANUAL;
	} else {
		ret->result = RESULT_ABSENT;
	}
	/* the port it needed goes when no other component of ours needs it */
	if (rc == 0 && ret->result == RESULT_REMOVED)
		rc = sync_ifaces(&c, req->host, NULL, cs, ret, NULL, req->dry_run, d);
	if (rc == 0 && ret->result == RESULT_REMOVED)
		rc = sync_ports(&c, req->host, 0, cs, ret, NULL, d);
	if (rc == 0)
		rc = syntax_verify_changes(cs, lua_compile_check, d);
out:
	prosody_conf_free(&c);
	return rc;
}

static int prosody_list(const struct server_request *req, struct buf *out, struct diag *d)
{
	struct prosody_conf c = { 0 };
	struct strv seen = STRV_INIT;
	int rc;

	rc = prosody_conf_load(req, &c, NULL, d);
	for (size_t i = 0; rc == 0 && i < c.ndecls; i++) {
		const struct decl *dd = &c.decls[i];
		struct host_state s;
		enum state st;
		if (!dd->component || strv_contains(&seen, dd->host))
			continue;
		s = prosody_host_state(&c, dd->host);
		st = s.other_active ? STATE_MANUAL : s.ours_active ? STATE_MANAGED : STATE_EXCLUDED;
		rc = strv_push(&seen, dd->host);
		if (rc == 0)
			rc = buf_printf(out, "%s %s\n", protocol_state_word(st), dd->host);
	}
	strv_free(&seen);
	prosody_conf_free(&c);
	return rc;
}

/*
 * Prosody refuses a second login as a connected component with <conflict/>
 * after checking the secret (kick_new, the default, LAB_FACTS §2), so a
 * check may log in as HOST; under another policy it would kick the
 * transport, so then no login is safe.
 */
static int prosody_listen(const struct server_request *req, struct buf *out, struct diag *d)
{
	struct prosody_conf c = { 0 };
	struct host_state s;
	unsigned def = PROSODY_COMPONENT_PORT;
	const unsigned *ports;
	size_t nports;
	int rc = prosody_conf_load(req, &c, NULL, d);

	if (rc < 0)
		goto out;
	s = prosody_host_state(&c, req->host);
	if (!(s.ours_active && s.ours_active->component) && !(s.other_active && s.other_active->component)) {
		rc = buf_puts(out, "undeclared\n");
		goto out;
	}
	nports = c.ports_set ? c.ports.n : 1;
	ports = c.ports_set ? c.ports.v : &def;
	/* A private service of Prosody listens on loopback unless told otherwise. */
	for (size_t i = 0; rc == 0 && i < nports; i++)
		rc = server_listen_line(out, c.iface[0] ? c.iface : "127.0.0.1", ports[i],
					c.kick_old || c.iface_unclear ? LISTEN_UNKNOWN : LISTEN_KICK_NEW);
out:
	prosody_conf_free(&c);
	return rc;
}

static const struct server_ops prosody_ops = {
	.name = "prosody",
	.default_config = "/etc/prosody/prosody.cfg.lua",
	.apply = prosody_apply,
	.remove = prosody_remove,
	.list = prosody_list,
	.reload = prosody_reload,
	.listen = prosody_listen,
	.bind_address = true,
	.batch = true,
};

int main(int argc, char **argv)
{
	return server_adapter_main(argc, argv, &prosody_ops);
}
