/* SPDX-License-Identifier: GPL-2.0-or-later */
/* import: install a link descriptor from a transport's machine as an admin transport adapter. */
#include "atomic.h"
#include "audit.h"
#include "ctx.h"
#include "exitcode.h"
#include "remote.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

/* An installed entry is an adapter: executable by its owner, readable by no one else. */
#define IMPORT_ENTRY_MODE 0700

/*
 * Open FILE ("-": standard input) and check it may be trusted with a
 * secret: no symlink, a regular file, owned by root or by whoever runs us,
 * and never readable or writable by others, whose copy of the secret
 * could then be in use elsewhere.
 */
static int import_open(const char *file, int *ret_fd, struct diag *d)
{
	struct stat st;
	int fd;

	if (strcmp(file, "-") == 0) {
		*ret_fd = STDIN_FILENO;
		return 0;
	}
	fd = open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && errno == ELOOP)
		return diag_set(d, ELOOP, EXIT_NOINPUT, "%s: a symlink: refused (name the file itself)", file);
	if (fd < 0)
		return diag_set(d, errno, EXIT_NOINPUT, "%s: %s", file, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return diag_set(d, EINVAL, EXIT_NOINPUT, "%s: not a regular file", file);
	}
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 077)) {
		close(fd);
		return diag_set(d, EPERM, EXIT_DATAERR,
				"%s: mode %04o, owner uid %u: a descriptor must be 0600 and ours, its secret may be known "
				"to others (export a new secret)",
				file, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
	}
	*ret_fd = fd;
	return 0;
}

/* The "checksum=..." line of TEXT, hidden in diffs: a hash of the secret is no business of a log. */
static int import_redact_sum(struct changeset *cs, const char *text, const char *shown)
{
	const char *sum = strstr(text, "\nchecksum=");
	char line[128];

	if (!sum)
		return 0;
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(sum + 1, "\n"), sum + 1);
	return changeset_redact(cs, line, shown);
}

/* Hide the old and the new secret (and their checksums) from the diff of a dry run. */
static int import_redact(struct changeset *cs, const struct remote_link *l, const struct buf *old,
			 const char *text)
{
	struct remote_link was = REMOTE_LINK_INIT;
	bool same;
	int rc = 0;

	if (old->len && remote_parse("old", buf_str(old), old->len, &was, &(struct diag)DIAG_INIT) == 0) {
		same = was.secret.len == l->secret.len && sodium_memcmp(was.secret.data, l->secret.data, l->secret.len) == 0;
		rc = changeset_redact(cs, buf_str(&was.secret), same ? "<secret>" : "<old secret>");
		if (rc == 0)
			rc = import_redact_sum(cs, buf_str(old), "checksum=<old>");
	}
	if (rc == 0)
		rc = changeset_redact(cs, buf_str(&l->secret), "<secret>");
	if (rc == 0)
		rc = import_redact_sum(cs, text, "checksum=<new>");
	remote_link_free(&was);
	return rc;
}

/*
 * An admin entry replaces the packaged adapter of its name: a domain that
 * is also the name of a packaged transport adapter ("biboumi") would
 * silently take that transport out.
 */
static int import_no_shadow(const struct root *r, const char *name, struct diag *d)
{
	char *vendor = safefs_join(PROTOCOL_VENDOR_DIR "/transports", name);
	int fd, rc = vendor ? safefs_open_read(r, vendor, O_PATH, &fd, &(struct diag)DIAG_INIT) : -ENOMEM;

	if (rc == 0) {
		close(fd);
		rc = diag_set(d, EEXIST, EXIT_CANTCREAT,
			      "%s: a packaged transport adapter has that name, which the import would override: "
			      "refused",
			      vendor);
	} else if (rc != -ENOMEM) {
		rc = 0;
	}
	free(vendor);
	return rc;
}

struct import_result {
	const char *path, *word; /* added, updated, unchanged */
	struct buf diff;
};

/* Queue the entry for L (and, with --dry-run, its diff); commit it unless dry. */
static int import_install(struct ctx *ctx, const struct remote_link *l, struct import_result *res, struct diag *d)
{
	struct buf old = BUF_INIT_SENSITIVE, text = BUF_INIT_SENSITIVE;
	struct changeset cs = CHANGESET_INIT;
	int rc = remote_entry_read(&ctx->root, res->path, &old, d);
	bool exists = rc == 0;

	if (rc == -ENOENT)
		rc = 0;
	if (rc == 0)
		rc = buf_puts(&text, "#!" REMOTE_INTERPRETER "\n");
	if (rc == 0)
		rc = remote_format(l, &text);
	if (rc == 0)
		rc = changeset_put_mkdir(&cs, res->path, exists ? &old : NULL, text.data, text.len, IMPORT_ENTRY_MODE,
					 0755);
	res->word = changeset_empty(&cs) ? "unchanged" : exists ? "updated" : "added";
	if (rc == 0 && !changeset_empty(&cs))
		rc = changeset_mark_secret(&cs, res->path, (gid_t)-1);
	if (rc == 0 && ctx->dry_run && (rc = import_redact(&cs, l, &old, buf_str(&text))) == 0)
		rc = changeset_diff(&cs, &res->diff);
	else if (rc == 0)
		rc = changeset_commit(&cs, &ctx->root, d);
	changeset_free(&cs);
	buf_free(&old);
	buf_free(&text);
	return rc;
}

static void import_report(const struct ctx *ctx, const struct remote_link *l, const struct import_result *res)
{
	bool changed = strcmp(res->word, "unchanged") != 0;
	struct buf out = BUF_INIT;

	if (!ctx->json) {
		printf("%s: %s%s (%s)%s\n%s", l->host, changed && ctx->dry_run ? "would be " : "", res->word, res->path,
		       changed && !ctx->dry_run ? "; `jabber-dispatch sync` wires it" : "", buf_str(&res->diff));
		if (!l->server_address[0])
			printf("%s: no server address: the servers keep listening on loopback only, the transport "
			       "must reach them through a tunnel\n", l->host);
		return;
	}
	report_json_begin(&out, "import");
	report_json_field(&out, "name", l->host);
	report_json_field(&out, "transport", l->transport);
	buf_printf(&out, ",\"port\":%u", l->port);
	report_json_field(&out, "server_address", l->server_address[0] ? l->server_address : NULL);
	report_json_field(&out, "path", res->path);
	report_json_field(&out, "result", res->word);
	buf_printf(&out, ",\"changed\":%s,\"dry_run\":%s", changed ? "true" : "false", ctx->dry_run ? "true" : "false");
	report_json_field(&out, "diff", res->diff.len ? buf_str(&res->diff) : NULL);
	buf_puts(&out, "}\n");
	report_flush(&out);
}

static int run_import(struct ctx *ctx, void *opts, int nargs, char **args)
{
	struct remote_link l = REMOTE_LINK_INIT;
	struct import_result res = { .diff = BUF_INIT };
	struct diag d = DIAG_INIT;
	struct audit au;
	int fd = -1, rc;

	(void)opts;
	(void)nargs;
	audit_init(&au, &ctx->root);
	rc = import_open(args[0], &fd, &d);
	if (rc == 0)
		rc = remote_load(fd, strcmp(args[0], "-") == 0 ? "standard input" : args[0], &l, &d);
	if (fd > STDIN_FILENO)
		close(fd);
	if (rc == 0 && !(res.path = remote_entry_path(l.host)))
		rc = -ENOMEM;
	if (rc == 0)
		rc = import_no_shadow(&ctx->root, l.host, &d);
	if (rc == 0)
		rc = import_install(ctx, &l, &res, &d);
	if (rc == 0 && !ctx->dry_run && strcmp(res.word, "unchanged") != 0)
		rc = audit_log(&au, &d, "import name=%s transport=%s port=%u server-address=%s result=%s", l.host,
			       l.transport, l.port, l.server_address[0] ? l.server_address : "-", res.word);
	if (rc == 0)
		rc = audit_finish(&au, &d);
	if (rc == 0)
		import_report(ctx, &l, &res);
	else
		ctx_error("import: %s", diag_is_set(&d) ? d.msg : strerror(-rc));
	audit_close(&au);
	free((char *)res.path);
	buf_free(&res.diff);
	remote_link_free(&l);
	return rc < 0 ? (d.exit_code ? d.exit_code : exitcode_from_errno(rc)) : EXIT_OK;
}

const struct command command_import = {
	.name = "import",
	.args = "FILE",
	.min_args = 1,
	.max_args = 1,
	.flags = CMD_ROOT | CMD_LOCK,
	.summary = "install a transport exported on another machine (FILE, or - for standard input)",
	.options = NULL,
	.opts_size = 0,
	.run = run_import,
};
