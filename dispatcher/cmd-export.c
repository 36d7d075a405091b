/* SPDX-License-Identifier: GPL-2.0-or-later */
/* export: a transport's link data as a descriptor for the machine of its server (`import` there). */
#include "atomic.h"
#include "audit.h"
#include "ctx.h"
#include "exitcode.h"
#include "remote.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct export_opts {
	const char *server_address, *output;
};

static const struct cli_option export_options[] = {
	{ "server-address", 0, CLI_VALUE, offsetof(struct export_opts, server_address), 0, "ADDR",
	  "the server's address the transport connects to (numeric); the server will listen there" },
	{ "output", 'o', CLI_VALUE, offsetof(struct export_opts, output), 0, "FILE",
	  "write the descriptor to FILE (a path on this machine, mode 0600) instead of standard output" },
	{ NULL },
};

/* The transport's answer, as a link: host, port and secret from its adapter. */
static int export_query(struct ctx *ctx, const char *name, const char *address, struct remote_link *ret)
{
	struct adapter_list l = ADAPTER_LIST_INIT;
	struct component c = COMPONENT_INIT;
	struct adapter_call call = ctx_call(ctx);
	struct diag d = DIAG_INIT;
	struct adapter *a = NULL;
	int rc, code = EXIT_OK;

	rc = adapter_discover(&ctx->root, ADAPTER_TRANSPORT, &l, &d);
	for (size_t i = 0; rc == 0 && i < l.n && !a; i++)
		if (strcmp(l.v[i].name, name) == 0)
			a = &l.v[i];
	if (rc == 0 && !a) {
		ctx_error("export: transport \"%.100s\": no such adapter (see `jabber-dispatch adapters`)", name);
		code = EXIT_USAGE;
	} else if (rc == 0 && !adapter_usable(a)) {
		ctx_error("export: transport %s: %s", name, a->masked ? "masked" : a->skipped);
		code = EXIT_UNAVAILABLE;
	} else if (rc == 0 && (rc = transport_query(&call, a, &c, &d)) < 0 && !d.exit_code) {
		ctx_error("export: %s", d.msg); /* not configured or not installed: nothing to export */
		code = EXIT_NOINPUT;
	}
	if (rc < 0 && code == EXIT_OK) {
		ctx_error("%s", d.msg);
		code = d.exit_code ? d.exit_code : EXIT_UNAVAILABLE;
	}
	if (code == EXIT_OK) {
		snprintf(ret->transport, sizeof(ret->transport), "%s", name);
		memcpy(ret->host, c.host, sizeof(ret->host));
		ret->port = c.port;
		snprintf(ret->server_address, sizeof(ret->server_address), "%s", address ? address : "");
		if (buf_append(&ret->secret, c.secret.data, c.secret.len) < 0)
			code = EXIT_OSERR;
	}
	component_free(&c);
	adapter_list_free(&l);
	return code;
}

/* FILE as an absolute path on the host: it travels between machines, it is not inside --root. */
static char *export_host_path(const char *file)
{
	char cwd[PATH_MAX];

	if (file[0] == '/')
		return strdup(file);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	return safefs_join(cwd, file);
}

/*
 * What FILE holds now, into OLD; *EXISTS false when nothing is there.  A
 * file others can read is not overwritten: the new secret would land in it.
 */
static int export_read_old(const struct root *host, const char *path, struct buf *old, bool *exists,
			   struct diag *d)
{
	struct stat st;
	int fd, rc;

	*exists = false;
	rc = safefs_open_read(host, path, O_RDONLY | O_NOFOLLOW, &fd, d);
	if (rc == -ENOENT)
		return 0;
	if (rc == -ELOOP)
		return diag_set(d, ELOOP, EXIT_CANTCREAT, "%s: a symlink: refused", path);
	if (rc < 0)
		return rc;
	if (fstat(fd, &st) < 0)
		rc = diag_set(d, errno, EXIT_OSERR, "%s: %s", path, strerror(errno));
	else if (st.st_mode & 077)
		rc = diag_set(d, EPERM, EXIT_CANTCREAT,
			      "%s: exists with mode %04o, open to group or others: remove it first", path,
			      (unsigned)(st.st_mode & 07777));
	close(fd);
	if (rc == 0 && (rc = safefs_read_file(host, path, old, d)) == 0)
		*exists = true;
	return rc;
}

/* Write TEXT to FILE, mode 0600, the one atomic way; *CHANGED whether its bytes changed. */
static int export_write(struct ctx *ctx, const char *file, const struct buf *text, bool *changed)
{
	struct buf old = BUF_INIT_SENSITIVE;
	struct changeset cs = CHANGESET_INIT;
	struct root host = ROOT_INIT;
	struct diag d = DIAG_INIT;
	char *path = export_host_path(file);
	bool exists;
	int rc = path ? safefs_root_open("/", &host, &d) : -ENOMEM;

	if (rc == 0)
		rc = export_read_old(&host, path, &old, &exists, &d);
	if (rc == 0)
		rc = changeset_put(&cs, path, exists ? &old : NULL, text->data, text->len, 0600);
	*changed = !changeset_empty(&cs);
	if (rc == 0 && !ctx->dry_run)
		rc = changeset_commit(&cs, &host, &d);
	if (rc < 0)
		ctx_error("export: %s", diag_is_set(&d) ? d.msg : strerror(-rc));
	changeset_free(&cs);
	buf_free(&old);
	safefs_root_close(&host);
	free(path);
	return rc < 0 ? (d.exit_code ? d.exit_code : exitcode_from_errno(rc)) : EXIT_OK;
}

static void export_report(const struct ctx *ctx, const struct remote_link *l, const char *file, bool changed)
{
	struct buf out = BUF_INIT;

	if (!ctx->json) {
		printf("%s: %s (transport %s, %s port %u%s%s)\n", file,
		       changed ? (ctx->dry_run ? "would be written" : "written") : "unchanged", l->transport, l->host,
		       l->port, l->server_address[0] ? ", server address " : "", l->server_address);
		return;
	}
	report_json_begin(&out, "export");
	report_json_field(&out, "transport", l->transport);
	report_json_field(&out, "host", l->host);
	buf_printf(&out, ",\"port\":%u", l->port);
	report_json_field(&out, "server_address", l->server_address[0] ? l->server_address : NULL);
	report_json_field(&out, "path", file);
	buf_printf(&out, ",\"changed\":%s,\"dry_run\":%s}\n", changed ? "true" : "false",
		   ctx->dry_run ? "true" : "false");
	report_flush(&out);
}

static int run_export(struct ctx *ctx, void *opts, int nargs, char **args)
{
	const struct export_opts *o = opts;
	struct remote_link l = REMOTE_LINK_INIT;
	struct buf text = BUF_INIT_SENSITIVE;
	struct diag d = DIAG_INIT;
	struct audit au;
	bool changed = false;
	int code;

	(void)nargs;
	if (o->server_address && remote_address_invalid(o->server_address)) {
		ctx_error("export: --server-address=%.60s: %s", o->server_address,
			  remote_address_invalid(o->server_address));
		return EXIT_USAGE;
	}
	if (ctx->json && !o->output) {
		ctx_error("export: --json reports on a written file: give -o FILE");
		return EXIT_USAGE;
	}
	code = export_query(ctx, args[0], o->server_address, &l);
	if (code == EXIT_OK && remote_format(&l, &text) < 0)
		code = EXIT_OSERR;
	if (code == EXIT_OK && !o->output)
		fwrite(text.data, 1, text.len, stdout);
	else if (code == EXIT_OK)
		code = export_write(ctx, o->output, &text, &changed);
	if (code == EXIT_OK && o->output)
		export_report(ctx, &l, o->output, changed);
	audit_init(&au, &ctx->root);
	if (code == EXIT_OK && changed && !ctx->dry_run &&
	    audit_log(&au, &d, "export transport=%s host=%s port=%u output=%s", l.transport, l.host, l.port,
		      o->output) < 0)
		ctx_error("%s", d.msg); /* the file is written; a log that cannot be is no failure here */
	audit_close(&au);
	buf_free(&text);
	remote_link_free(&l);
	return code;
}

const struct command command_export = {
	.name = "export",
	.args = "TRANSPORT",
	.min_args = 1,
	.max_args = 1,
	.flags = CMD_ROOT,
	.summary = "write a transport's link data (with its secret) for a server on another machine",
	.options = export_options,
	.opts_size = sizeof(struct export_opts),
	.run = run_export,
};
