/* SPDX-License-Identifier: GPL-2.0-or-later */
/* server-adapter: the command line of protocol 1 for a server adapter, so each one only knows its syntax. */
#include "server-adapter.h"
#include "adapter-inputs.h"
#include "exitcode.h"
#include "secret-file.h"
#include "secret-read.h"
#include "remote.h"
#include "validate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#define SERVER_CAPS \
	(CAP_PROTOCOL1 | CAP_PASSWORD_STDIN | CAP_REMOVE | CAP_LIST | CAP_RELOAD | CAP_DRY_RUN | CAP_INPUTS)

static void server_usage(const struct server_ops *ops, FILE *to)
{
	fprintf(to,
		"usage: %s [--root=DIR] [--config=FILE] --host=HOST --port=PORT --password-stdin [--dry-run]\n"
		"       %s [--root=DIR] [--config=FILE] --remove --host=HOST [--dry-run]\n"
		"       %s [--root=DIR] [--config=FILE] --list\n"
		"       %s [--root=DIR] [--config=FILE] --reload [--added=HOST]... [--removed=HOST]...\n"
		"       %s [--root=DIR] [--config=FILE] --shared [--secret-max=N] [--dry-run]\n"
		"       %s [--root=DIR] [--config=FILE] --listen --host=HOST\n"
		"       %s [--root=DIR] [--config=FILE] --batch < RECORDS\n"
		"       %s --capabilities\n"
		"Declares the XMPP component HOST in the %s configuration (default %s).\n"
		"The secret is read from standard input; --password=SECRET is accepted for the\n"
		"seed protocol only, where it is visible to every user in the process list.\n",
		ops->name, ops->name, ops->name, ops->name, ops->name, ops->name, ops->name, ops->name, ops->name,
		ops->default_config);
}

/* "--name=value" -> value, or NULL when ARG is not that option. */
static const char *option_value(const char *arg, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(arg, name, n) == 0 && arg[n] == '=')
		return arg + n + 1;
	return NULL;
}

/* Largest --batch input: room for some 13,000 records of the longest kind. */
#define SERVER_BATCH_MAX_INPUT (16u << 20)

/* All of stdin into IN; -E2BIG past MAX bytes. */
static int read_stdin(struct buf *in, size_t max)
{
	for (;;) {
		ssize_t n;
		if (buf_reserve(in, 4096) < 0)
			return -ENOMEM;
		n = read(0, in->data + in->len, in->cap - in->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		in->len += (size_t)n;
		in->data[in->len] = '\0';
		if (in->len > max)
			return -E2BIG;
	}
}

/*
 * One --batch record, LINE (its number LINENO), into REQ: "apply HOST PORT
 * SECRET" (the secret is the rest of the line) or "remove HOST".  A message
 * never quotes the secret.
 */
static int batch_record(char *line, size_t lineno, struct server_request *req, struct buf *secret_buf,
			enum server_op *op, struct diag *d)
{
	char *host, *port = NULL, *secret = NULL, *sp = strchr(line, ' ');
	const char *why = NULL;
	int rc;

	if (sp)
		*sp = '\0';
	host = sp ? sp + 1 : NULL;
	if (strcmp(line, PROTOCOL_BATCH_APPLY) == 0 && host && (sp = strchr(host, ' '))) {
		*sp = '\0';
		port = sp + 1;
		if ((sp = strchr(port, ' '))) {
			*sp = '\0';
			secret = sp + 1;
		}
	}
	*op = port ? SERVER_OP_APPLY : SERVER_OP_REMOVE;
	if (!host || (port ? !secret : strcmp(line, PROTOCOL_BATCH_REMOVE) != 0 || strchr(host, ' ')))
		return diag_set(d, EINVAL, EXIT_USAGE, "stdin:%zu: not \"apply HOST PORT SECRET\" or \"remove HOST\"",
				lineno);
	if (strlen(host) >= sizeof(req->host) || (why = validate_host(host)))
		return diag_set(d, EINVAL, EXIT_USAGE, "stdin:%zu: the host: %s", lineno, why ? why : "longer than 253 bytes");
	snprintf(req->host, sizeof(req->host), "%s", host);
	if (!port)
		return 0;
	if ((why = validate_port(port, &req->port)))
		return diag_set(d, EINVAL, EXIT_USAGE, "stdin:%zu: the port: %s", lineno, why);
	buf_free(secret_buf);
	if (buf_puts(secret_buf, secret) < 0)
		return -ENOMEM;
	rc = secret_accept(secret_buf, "in a --batch record", d);
	req->secret = secret_of(secret_buf);
	return rc;
}

/*
 * --batch: every record through the one changeset, each seeing what those
 * before it queued (the view), then one commit; one line per record in OUT.
 * Any failure fails the whole call, and nothing is written: the dispatcher
 * then asks again component by component, for a message of each.
 */
static int run_batch(const struct server_ops *ops, struct server_request *req, struct changeset *cs, struct buf *out,
		     struct diag *d)
{
	struct buf in = BUF_INIT_SENSITIVE, secret = BUF_INIT_SENSITIVE;
	struct safefs_view *view = NULL;
	size_t lineno = 0;
	char *p;
	int rc = read_stdin(&in, SERVER_BATCH_MAX_INPUT);

	if (rc == -E2BIG)
		rc = diag_set(d, E2BIG, EXIT_USAGE, "--batch: more than %u bytes on stdin", SERVER_BATCH_MAX_INPUT);
	else if (rc < 0)
		rc = diag_set(d, -rc, EXIT_OSERR, "--batch: cannot read stdin: %s", strerror(-rc));
	if (rc == 0 && (rc = safefs_view_new(&view)) == 0)
		req->root.view = cs->view = view;
	for (p = in.data; rc == 0 && p && *p;) {
		char *nl = strchr(p, '\n');
		struct server_outcome outcome = { RESULT_INVALID, false };
		enum server_op op;
		if (nl)
			*nl = '\0';
		rc = batch_record(p, ++lineno, req, &secret, &op, d);
		if (rc == 0)
			rc = op == SERVER_OP_APPLY ? ops->apply(req, cs, &outcome, d) : ops->remove(req, cs, &outcome, d);
		if (rc == 0)
			rc = buf_printf(out, "%s %s%s\n", req->host, protocol_result_word(outcome.result),
					outcome.restart ? " restart" : "");
		p = nl ? nl + 1 : NULL;
	}
	if (rc == 0)
		rc = changeset_commit(cs, &req->root, d);
	if (rc == 0)
		secret_file_say(ops->name, cs);
	if (rc == 0 && adapter_inputs_wanted()) {
		/* Which config is read depends on which exists.  Written already: a list not had claims nothing. */
		const char *looked[] = { req->config, ops->default_config, ops->legacy_config, NULL };
		(void)adapter_inputs_append(out, view, looked);
	}
	req->root.view = cs->view = NULL;
	req->secret = (struct secret){ "", 0 }; /* the buffer it showed is freed below */
	safefs_view_free(view);
	buf_free(&secret);
	buf_free(&in);
	return rc;
}

static bool config_exists(const struct root *r, const char *path)
{
	int fd;
	struct diag d = DIAG_INIT;
	int rc = safefs_open_read(r, path, O_PATH, &fd, &d);
	if (rc == 0)
		close(fd);
	return rc != -ENOENT;
}

static int fail(const struct server_ops *ops, struct diag *d, int rc)
{
	int code = d->exit_code ? d->exit_code : exitcode_from_errno(rc);
	if (diag_is_set(d))
		fprintf(stderr, "%s: %s\n", ops->name, d->msg);
	else
		fprintf(stderr, "%s: %s\n", ops->name, strerror(-rc));
	return code ? code : EXIT_SOFTWARE;
}

static int parse_args(int argc, char **argv, const struct server_ops *ops, struct server_request *req,
		      struct buf *secret, bool *password_stdin, struct diag *d)
{
	const char *root = "/", *v;
	bool have_host = false, have_port = false, have_secret = false, remove = false, list = false,
	     reload = false, shared = false, listen = false, batch = false;
	int rc;

	req->config = ops->default_config;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((v = option_value(a, "--root")))
			root = v;
		else if ((v = option_value(a, "--config")))
			req->config = v;
		else if ((v = option_value(a, "--host"))) {
			const char *why;
			if (strlen(v) >= sizeof(req->host))
				return diag_set(d, EINVAL, EXIT_USAGE, "--host: longer than 253 bytes");
			snprintf(req->host, sizeof(req->host), "%s", v);
			if ((why = validate_host(req->host))) {
				struct buf q = BUF_INIT;
				validate_quote(&q, v, strlen(v), 80);
				rc = diag_set(d, EINVAL, EXIT_USAGE, "--host=%s: %s", buf_str(&q), why);
				buf_free(&q);
				return rc;
			}
			have_host = true;
		} else if ((v = option_value(a, "--port"))) {
			const char *why = validate_port(v, &req->port);
			if (why)
				return diag_set(d, EINVAL, EXIT_USAGE, "--port: %s", why);
			have_port = true;
		} else if ((v = option_value(a, "--password"))) {
			/* Seed protocol fallback; the dispatcher uses it only for adapters without password-stdin. */
			buf_truncate(secret, 0);
			if (buf_puts(secret, v) < 0)
				return -ENOMEM;
			sodium_memzero((char *)v, strlen(v)); /* off /proc/PID/cmdline from now on */
			have_secret = true;
		} else if (strcmp(a, "--password-stdin") == 0)
			*password_stdin = true;
		else if (strcmp(a, "--dry-run") == 0)
			req->dry_run = true;
		else if (strcmp(a, "--remove") == 0)
			remove = true;
		else if (strcmp(a, "--list") == 0)
			list = true;
		else if (strcmp(a, "--reload") == 0)
			reload = true;
		else if (strcmp(a, "--shared") == 0 && ops->shared)
			shared = true;
		else if (strcmp(a, "--listen") == 0 && ops->listen)
			listen = true;
		else if (strcmp(a, "--batch") == 0 && ops->batch)
			batch = true;
		else if ((v = option_value(a, "--bind-address")) && ops->bind_address) {
			if (strlen(v) >= sizeof(req->bind_address) || remote_address_invalid(v))
				return diag_set(d, EINVAL, EXIT_USAGE, "--bind-address: not a numeric IPv4 or IPv6 address");
			snprintf(req->bind_address, sizeof(req->bind_address), "%s", v);
		} else if ((v = option_value(a, "--secret-max")) && ops->shared) {
			char *end;
			unsigned long n = strtoul(v, &end, 10);
			if (*end || !*v || n < 1 || n > VALIDATE_SECRET_MAX)
				return diag_set(d, EINVAL, EXIT_USAGE, "--secret-max: a number of bytes from 1 to %d",
						VALIDATE_SECRET_MAX);
			req->secret_max = (unsigned)n;
		}
		else if ((v = option_value(a, "--added")) || (v = option_value(a, "--removed"))) {
			char host[254];
			snprintf(host, sizeof(host), "%s", v);
			if (strlen(v) >= sizeof(host) || validate_host(host))
				return diag_set(d, EINVAL, EXIT_USAGE, "%s: not a domain name", a);
			rc = strv_push(a[2] == 'a' ? &req->added : &req->removed, host);
			if (rc < 0)
				return rc;
		} else
			return diag_set(d, EINVAL, EXIT_USAGE, "unknown option \"%.60s\" (see --help)", a);
	}
	if (remove + list + reload + shared + listen + batch > 1)
		return diag_set(d, EINVAL, EXIT_USAGE,
				"--remove, --list, --reload, --shared, --listen and --batch exclude each other");
	if (batch && (req->dry_run || have_host || have_port || have_secret || *password_stdin || *req->bind_address))
		return diag_set(d, EINVAL, EXIT_USAGE, "--batch takes its components on stdin, and no --dry-run");
	req->op = batch	   ? SERVER_OP_BATCH
		  : listen ? SERVER_OP_LISTEN
		  : remove ? SERVER_OP_REMOVE
		  : list   ? SERVER_OP_LIST
		  : reload ? SERVER_OP_RELOAD
		  : shared ? SERVER_OP_SHARED
			   : SERVER_OP_APPLY;
	if ((req->op == SERVER_OP_APPLY || req->op == SERVER_OP_REMOVE || req->op == SERVER_OP_LISTEN) && !have_host)
		return diag_set(d, EINVAL, EXIT_USAGE, "--host=HOST is required");
	if (req->op == SERVER_OP_APPLY && !have_port)
		return diag_set(d, EINVAL, EXIT_USAGE, "--port=PORT is required");
	if (req->op == SERVER_OP_APPLY && !have_secret && !*password_stdin)
		return diag_set(d, EINVAL, EXIT_USAGE, "the secret is required: --password-stdin");
	if (req->config[0] != '/')
		return diag_set(d, EINVAL, EXIT_USAGE, "--config=%s: must be an absolute path", req->config);
	return safefs_root_open(root, &req->root, d);
}

int server_listen_line(struct buf *out, const char *ip, unsigned port, enum listen_mode mode)
{
	/* A server listening on every address is reached on loopback, where the transports are. */
	if (strcmp(ip, "0.0.0.0") == 0 || strcmp(ip, "*") == 0)
		ip = "127.0.0.1";
	else if (strcmp(ip, "::") == 0)
		ip = "::1";
	return buf_printf(out, "%s %u %s\n", ip, port, protocol_listen_mode_word(mode));
}

int server_adapter_main(int argc, char **argv, const struct server_ops *ops)
{
	struct server_request req = { .root = ROOT_INIT, .added = STRV_INIT, .removed = STRV_INIT };
	struct buf secret = BUF_INIT_SENSITIVE; /* what req.secret shows the operation */
	struct server_outcome outcome = { RESULT_INVALID, false };
	struct changeset cs = CHANGESET_INIT;
	struct buf out = BUF_INIT_SENSITIVE; /* --shared prints a secret */
	struct buf shared_secret = BUF_INIT_SENSITIVE;
	unsigned shared_port = 0;
	struct diag d = DIAG_INIT;
	bool password_stdin = false;
	char caps[160];
	int rc, code = EXIT_OK;

	if (sodium_init() < 0) {
		fprintf(stderr, "%s: cannot initialise libsodium\n", ops->name);
		return EXIT_SOFTWARE;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--capabilities") == 0) {
			protocol_caps_format(SERVER_CAPS | (ops->shared ? CAP_SHARED | CAP_SECRET_MAX : 0) |
						     (ops->listen ? CAP_LISTEN : 0) | (ops->batch ? CAP_BATCH : 0) |
						     (ops->bind_address ? CAP_BIND_ADDRESS : 0),
					     caps, sizeof(caps));
			printf("%s\n", caps);
			return EXIT_OK;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			server_usage(ops, stdout);
			return EXIT_OK;
		}
	}
	rc = parse_args(argc, argv, ops, &req, &secret, &password_stdin, &d);
	/* The one check at this boundary, whichever way the secret came. */
	if (rc == 0 && req.op == SERVER_OP_APPLY && password_stdin) {
		buf_free(&secret); /* stdin wins over a --password= given too */
		rc = secret_read(0, &secret, &d);
	} else if (rc == 0 && req.op == SERVER_OP_APPLY)
		rc = secret_accept(&secret, "given by --password=", &d);
	req.secret = secret_of(&secret);
	if (rc < 0) {
		code = fail(ops, &d, rc);
		if (d.exit_code == EXIT_USAGE)
			fprintf(stderr, "%s: see --help\n", ops->name);
		goto out;
	}
	/* An older release's config where the default one is absent: the server reads that one. */
	if (req.config == ops->default_config && ops->legacy_config && !config_exists(&req.root, req.config) &&
	    config_exists(&req.root, ops->legacy_config))
		req.config = ops->legacy_config;
	/* No main config: the server is not installed here (or was removed, its adapter left). */
	if (!config_exists(&req.root, req.config)) {
		const char *looked[] = { req.config, ops->legacy_config, NULL };
		struct safefs_view *none = NULL;
		/* What would make it installed: its config appearing. */
		if (adapter_inputs_wanted() && safefs_view_new(&none) == 0 && adapter_inputs_append(&out, none, looked) == 0)
			fwrite(buf_str(&out), 1, out.len, stdout);
		safefs_view_free(none);
		fprintf(stderr, "%s: %s: no such file: the server is not installed here\n", ops->name, req.config);
		code = EXIT_CHECK_FAILED;
		goto out;
	}

	cs.diffless = !req.dry_run; /* only a dry run shows a diff */
	switch (req.op) {
	case SERVER_OP_LIST:
		rc = ops->list(&req, &out, &d);
		break;
	case SERVER_OP_RELOAD:
		rc = ops->reload(&req, &out, &d);
		break;
	case SERVER_OP_LISTEN:
		rc = ops->listen(&req, &out, &d);
		break;
	case SERVER_OP_BATCH:
		rc = run_batch(ops, &req, &cs, &out, &d);
		break;
	case SERVER_OP_APPLY:
	case SERVER_OP_REMOVE:
	case SERVER_OP_SHARED:
		/* --shared says what its answer depends on (its reads, through a view). */
		if (req.op == SERVER_OP_SHARED && adapter_inputs_wanted() && (rc = safefs_view_new(&req.root.view)) < 0)
			break;
		cs.view = req.root.view;
		rc = req.op == SERVER_OP_APPLY	  ? ops->apply(&req, &cs, &outcome, &d)
		     : req.op == SERVER_OP_REMOVE ? ops->remove(&req, &cs, &outcome, &d)
						  : ops->shared(&req, &cs, &outcome, &shared_port, &shared_secret, &d);
		if (rc < 0)
			break;
		if (req.op == SERVER_OP_SHARED) {
			/* Never a diff here: it would show the secret being printed anyway. */
			if (!req.dry_run && (rc = changeset_commit(&cs, &req.root, &d)) == 0)
				secret_file_say(ops->name, &cs);
			if (rc == 0)
				rc = buf_printf(&out, "%s%s\n%u\n", protocol_result_word(outcome.result),
						outcome.restart ? " restart" : "", shared_port);
			if (rc == 0)
				rc = buf_append(&out, shared_secret.data, shared_secret.len);
			if (rc == 0)
				rc = buf_putc(&out, '\n');
			if (rc == 0)
				(void)adapter_inputs_append(&out, req.root.view, NULL); /* committed: a list not had claims nothing */
			break;
		}
		if (req.dry_run) {
			rc = buf_printf(&out, "%s%s\n", protocol_result_word(outcome.result),
					outcome.restart ? " restart" : "");
			if (rc == 0)
				rc = changeset_diff(&cs, &out);
		} else {
			rc = changeset_commit(&cs, &req.root, &d);
			if (rc == 0)
				secret_file_say(ops->name, &cs);
			if (rc == 0)
				rc = buf_printf(&out, "%s%s\n", protocol_result_word(outcome.result),
						outcome.restart ? " restart" : "");
		}
		break;
	}
	if (rc < 0) {
		code = fail(ops, &d, rc);
		goto out;
	}
	fwrite(buf_str(&out), 1, out.len, stdout);
	if (fflush(stdout) != 0)
		code = EXIT_OSERR;
out:
	safefs_view_free(req.root.view);
	req.root.view = cs.view = NULL;
	changeset_free(&cs);
	buf_free(&out);
	buf_free(&shared_secret);
	buf_free(&secret);
	strv_free(&req.added);
	strv_free(&req.removed);
	safefs_root_close(&req.root);
	return code;
}
