/* SPDX-License-Identifier: GPL-2.0-or-later */
/* forget: remove a transport that `import` installed; the next sync takes its component out of every server. */
#include "atomic.h"
#include "audit.h"
#include "ctx.h"
#include "exitcode.h"
#include "remote.h"
#include "report.h"
#include "validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void forget_report(const struct ctx *ctx, const char *name, const char *path, const char *word)
{
	bool changed = strcmp(word, "removed") == 0;
	struct buf out = BUF_INIT;

	if (!ctx->json) {
		if (changed)
			printf("%s: %sremoved (%s); the next `jabber-dispatch sync` takes its component out of every "
			       "server\n", name, ctx->dry_run ? "would be " : "", path);
		else
			printf("%s: no imported transport of that name: nothing to forget\n", name);
		return;
	}
	report_json_begin(&out, "forget");
	report_json_field(&out, "name", name);
	report_json_field(&out, "path", path);
	report_json_field(&out, "result", word);
	buf_printf(&out, ",\"changed\":%s,\"dry_run\":%s}\n", changed ? "true" : "false",
		   ctx->dry_run ? "true" : "false");
	report_flush(&out);
}

static int run_forget(struct ctx *ctx, void *opts, int nargs, char **args)
{
	struct buf old = BUF_INIT_SENSITIVE;
	struct changeset cs = CHANGESET_INIT;
	struct diag d = DIAG_INIT;
	struct audit au;
	const char *name = args[0], *word = "removed";
	char *path = NULL;
	int rc = 0;

	(void)opts;
	(void)nargs;
	if (!validate_adapter_name(name)) {
		ctx_error("forget: \"%.100s\": not the name of an imported transport (its domain)", name);
		return EXIT_USAGE;
	}
	audit_init(&au, &ctx->root);
	if (!(path = remote_entry_path(name)))
		rc = -ENOMEM;
	if (rc == 0 && (rc = remote_entry_read(&ctx->root, path, &old, &d)) == -ENOENT) {
		word = "absent";
		rc = 0;
	} else if (rc == 0) {
		rc = changeset_remove(&cs, path, &old);
	}
	if (rc == 0 && !ctx->dry_run && !changeset_empty(&cs) && (rc = changeset_commit(&cs, &ctx->root, &d)) == 0)
		rc = audit_log(&au, &d, "forget name=%s result=removed", name);
	if (rc == 0)
		rc = audit_finish(&au, &d);
	if (rc == 0)
		forget_report(ctx, name, path, word);
	else
		ctx_error("forget: %s", diag_is_set(&d) ? d.msg : strerror(-rc));
	audit_close(&au);
	changeset_free(&cs);
	buf_free(&old);
	free(path);
	return rc < 0 ? (d.exit_code ? d.exit_code : exitcode_from_errno(rc)) : EXIT_OK;
}

const struct command command_forget = {
	.name = "forget",
	.args = "NAME",
	.min_args = 1,
	.max_args = 1,
	.flags = CMD_ROOT | CMD_LOCK,
	.summary = "remove a transport that import installed (NAME: its domain); sync then unwires it",
	.options = NULL,
	.opts_size = 0,
	.run = run_forget,
};
