/* SPDX-License-Identifier: GPL-2.0-or-later */
/* layout: create, fix, print as tmpfiles.d lines, or remove a service's /var/{log,lib,spool}/PACKAGE. */
#include "audit.h"
#include "ctx.h"
#include "exitcode.h"
#include "ids.h"
#include "layout.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LAYOUT_DEFAULT_MODE 0750

struct layout_opts {
	const char *package, *user, *group, *mode;
	bool tmpfiles, remove, force, dry_run;
};

static const struct cli_option layout_options[] = {
	{ "user", 0, CLI_VALUE, offsetof(struct layout_opts, user), 0, "USER", "owner of the directories (root)" },
	{ "group", 0, CLI_VALUE, offsetof(struct layout_opts, group), 0, "GROUP", "their group (the user's primary group)" },
	{ "mode", 0, CLI_VALUE, offsetof(struct layout_opts, mode), 0, "MODE", "their mode, octal (0750)" },
	{ "tmpfiles", 0, CLI_FLAG, offsetof(struct layout_opts, tmpfiles), 0, NULL, "print the tmpfiles.d(5) lines instead" },
	{ "remove", 0, CLI_FLAG, offsetof(struct layout_opts, remove), 0, NULL, "remove them (at purge): the empty ones" },
	{ "force", 0, CLI_FLAG, offsetof(struct layout_opts, force), 0, NULL, "with --remove: also those with content" },
	{ NULL },
};

/* What getopt cannot check: which options go together. */
static int layout_check(const struct layout_opts *o)
{
	if (o->remove && (o->tmpfiles || o->user || o->group || o->mode)) {
		ctx_error("layout: --remove takes no --tmpfiles, --user, --group or --mode");
		return -EINVAL;
	}
	if (o->force && !o->remove) {
		ctx_error("layout: --force goes with --remove");
		return -EINVAL;
	}
	return 0;
}

/* Owner and mode asked for: root:root and 0750 unless told; a user alone brings its primary group. */
static int layout_spec_of(const struct layout_opts *o, struct layout_spec *spec)
{
	char *end;
	unsigned long mode = LAYOUT_DEFAULT_MODE;

	*spec = (struct layout_spec){ .uid = 0, .gid = 0 };
	if (o->user && ids_resolve_user(o->user, &spec->uid, &spec->gid) < 0) {
		ctx_error("layout: --user=%.60s: no such user on this machine", o->user);
		return -EINVAL;
	}
	if (o->group && ids_resolve_group(o->group, &spec->gid) < 0) {
		ctx_error("layout: --group=%.60s: no such group on this machine", o->group);
		return -EINVAL;
	}
	if (o->mode) {
		mode = strtoul(o->mode, &end, 8);
		if (!*o->mode || *end || mode > 07777) {
			ctx_error("layout: --mode=%.20s: expected an octal mode such as 0750", o->mode);
			return -EINVAL;
		}
	}
	spec->mode = (mode_t)mode;
	return 0;
}

static void layout_print(struct ctx *ctx, const struct layout_opts *o, const struct layout_spec *spec,
			 const struct layout_entry *e, struct audit *au)
{
	struct diag d = DIAG_INIT;
	const char *word = layout_action_word(e->action);
	const char *would = o->dry_run ? "would be " : "";
	int rc;

	switch (e->action) {
	case LAYOUT_CREATED:
		printf("%s: %s%s (%u:%u %04o)\n", e->path, would, word, (unsigned)spec->uid, (unsigned)spec->gid,
		       (unsigned)spec->mode);
		break;
	case LAYOUT_FIXED:
		printf("%s: %s%s (%u:%u %04o, was %u:%u %04o)\n", e->path, would, word, (unsigned)spec->uid,
		       (unsigned)spec->gid, (unsigned)spec->mode, (unsigned)e->old_uid, (unsigned)e->old_gid,
		       (unsigned)e->old_mode);
		break;
	case LAYOUT_REMOVED:
		printf("%s: %s%s\n", e->path, would, word);
		break;
	case LAYOUT_KEPT:
		printf("%s: not empty, kept (--force removes it with its content)\n", e->path);
		break;
	default:
		if (ctx->verbose)
			printf("%s: %s\n", e->path, word);
		return;
	}
	if (o->dry_run || e->action == LAYOUT_KEPT)
		return;
	if (e->action == LAYOUT_REMOVED)
		rc = audit_log(au, &d, "layout path=%s result=removed", e->path);
	else
		rc = audit_log(au, &d, "layout path=%s result=%s owner=%u:%u mode=%04o", e->path, word,
			       (unsigned)spec->uid, (unsigned)spec->gid, (unsigned)spec->mode);
	if (rc < 0)
		ctx_error("%s", d.msg); /* the directory is made; a log that cannot be written is no failure */
}

static int run_layout(struct ctx *ctx, void *opts, int nargs, char **args)
{
	struct layout_opts o = *(struct layout_opts *)opts;
	struct layout_spec spec;
	struct layout_report rep;
	struct diag d = DIAG_INIT;
	struct audit au;
	int rc;

	(void)nargs;
	o.package = args[0];
	o.dry_run = ctx->dry_run;
	if (layout_check(&o) < 0 || layout_spec_of(&o, &spec) < 0)
		return EXIT_USAGE;
	if (layout_check_name(o.package)) {
		ctx_error("layout: \"%.100s\": %s", o.package, layout_check_name(o.package));
		return EXIT_USAGE;
	}
	if (o.tmpfiles) {
		struct buf out = BUF_INIT;
		rc = layout_tmpfiles(o.package, o.user ? o.user : "root", o.group ? o.group : o.user ? o.user : "root",
				     spec.mode, &out);
		if (rc == 0)
			fputs(buf_str(&out), stdout);
		buf_free(&out);
		return rc < 0 ? EXIT_OSERR : EXIT_OK;
	}
	memset(&rep, 0, sizeof(rep));
	for (size_t i = 0; i < LAYOUT_NDIRS; i++)
		rep.v[i].action = LAYOUT_ABSENT; /* entries after a refusal stay silent */
	rc = o.remove ? layout_remove(&ctx->root, o.package, o.force, o.dry_run, &rep, &d)
		      : layout_apply(&ctx->root, o.package, &spec, o.dry_run, &rep, &d);
	audit_init(&au, &ctx->root);
	for (size_t i = 0; i < LAYOUT_NDIRS; i++)
		if (rep.v[i].path[0])
			layout_print(ctx, &o, &spec, &rep.v[i], &au);
	audit_close(&au);
	if (rc < 0) {
		ctx_error("%s", diag_is_set(&d) ? d.msg : strerror(-rc));
		return d.exit_code ? d.exit_code : exitcode_from_errno(rc);
	}
	return EXIT_OK;
}

const struct command command_layout = {
	.name = "layout",
	.args = "PACKAGE",
	.min_args = 1,
	.max_args = 1,
	.flags = CMD_ROOT | CMD_LOCK,
	.summary = "create or fix /var/{log,lib,spool}/PACKAGE; --tmpfiles, --remove",
	.options = layout_options,
	.opts_size = sizeof(struct layout_opts),
	.run = run_layout,
};
