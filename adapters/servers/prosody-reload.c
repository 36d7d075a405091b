/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prosody-reload: applying a changed config to a running Prosody, with prosodyctl. */
#include "exitcode.h"
#include "prosody.h"
#include "spawn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define PROSODYCTL "/usr/bin/prosodyctl"

/* Run prosodyctl with ARGS on our config; 0 and the exit status in *status, or -errno. */
static int prosodyctl(const struct server_request *req, const char *const *args, int *status, struct buf *said)
{
	struct child ch = CHILD_INIT;
	struct strv argv = STRV_INIT;
	char *config = safefs_host_path(&req->root, req->config);
	int rc;

	rc = config ? strv_push(&argv, "prosodyctl") : -ENOMEM;
	if (rc == 0)
		rc = strv_push(&argv, "--config");
	if (rc == 0)
		rc = strv_push(&argv, config);
	for (size_t i = 0; rc == 0 && args[i]; i++)
		rc = strv_push(&argv, args[i]);
	if (rc == 0) {
		ch.path = PROSODYCTL;
		ch.argv = argv.v;
		ch.timeout_ms = 30000;
		rc = spawn_run(&ch);
	}
	if (rc == 0) {
		*status = spawn_succeeded(&ch) ? 0 : ch.exec_errno ? -ch.exec_errno : WIFEXITED(ch.status) ? WEXITSTATUS(ch.status) : 128;
		buf_append(said, buf_str(&ch.out), ch.out.len);
		buf_append(said, buf_str(&ch.err), ch.err.len);
	}
	child_free(&ch);
	strv_free(&argv);
	free(config);
	return rc;
}

int prosody_reload(const struct server_request *req, struct buf *out, struct diag *d)
{
	struct buf said = BUF_INIT;
	int status, rc;

	rc = prosodyctl(req, (const char *const[]){ "status", NULL }, &status, &said);
	if (rc < 0 || status < 0) {
		rc = diag_set(d, rc < 0 ? -rc : -status, EXIT_UNAVAILABLE, "cannot run %s", PROSODYCTL);
		goto out;
	}
	if (status != 0) {
		rc = buf_puts(out, "not running: nothing to reload\n");
		goto out;
	}
	/* prosodyctl reload checks the config first and refuses (rc 1) to signal a broken one. */
	buf_truncate(&said, 0);
	rc = prosodyctl(req, (const char *const[]){ "reload", NULL }, &status, &said);
	if (rc == 0 && status != 0) {
		buf_chomp(&said);
		rc = diag_set(d, EIO, EXIT_UNAVAILABLE, "prosodyctl reload failed (status %d): %.200s", status,
			      buf_str(&said));
		goto out;
	}
	if (rc == 0)
		rc = buf_puts(out, "reloaded\n");
	/* A reload does not activate new components (LAB_FACTS §3): activate each, after the reload. */
	for (size_t i = 0; rc == 0 && i < req->added.n; i++) {
		buf_truncate(&said, 0);
		rc = prosodyctl(req, (const char *const[]){ "shell", "host", "activate", req->added.v[i], NULL },
				&status, &said);
		if (rc == 0 && status != 0 && !strstr(buf_str(&said), "already activated"))
			rc = diag_set(d, EIO, EXIT_UNAVAILABLE, "cannot activate host \"%s\" (status %d)",
				      req->added.v[i], status);
		if (rc == 0)
			rc = buf_printf(out, "activated %s\n", req->added.v[i]);
	}
	for (size_t i = 0; rc == 0 && i < req->removed.n; i++) {
		buf_truncate(&said, 0);
		rc = prosodyctl(req, (const char *const[]){ "shell", "host", "deactivate", req->removed.v[i], NULL },
				&status, &said);
		if (rc == 0)
			rc = buf_printf(out, "deactivated %s\n", req->removed.v[i]);
	}
out:
	buf_free(&said);
	return rc;
}

