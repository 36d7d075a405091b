/* SPDX-License-Identifier: GPL-2.0-or-later */
/* server-adapter: the command line of protocol 1 for a server adapter, so each one only knows its syntax. */
#include "server-adapter.h"
#include "adapter-argv.h"
#include "adapter-inputs.h"
#include "exitcode.h"
#include "secret-file.h"
#include "secret-read.h"
#include "remote.h"
#include "validate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
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

enum server_flag {
	F_ROOT, F_CONFIG, F_HOST, F_PORT, F_PASSWORD, F_PASSWORD_STDIN, F_DRY_RUN, F_BIND_ADDRESS, F_SECRET_MAX,
	F_ADDED, F_REMOVED,
	/* the operations, which exclude each other */
	F_REMOVE, F_LIST, F_RELOAD, F_SHARED, F_LISTEN, F_BATCH,
};

/* What the command line said beyond REQ's own fields. */
struct server_args {
	const char *root;
	bool have_host, have_port, have_secret, password_stdin;
	bool op[F_BATCH + 1]; /* indexed by the operation flags */
};

static int take_host(struct server_request *req, const char *v, struct diag *d)
{
	const char *why;
	int rc;
	if (strlen(v) >= sizeof(req->host))
		return diag_set(d, EINVAL, EXIT_USAGE, "--host: longer than 253 bytes");
	snprintf(req->host, sizeof(req->host), "%s", v);
	if (!(why = validate_host(req->host)))
		return 0;
	struct buf q = BUF_INIT;
	validate_quote(&q, v, strlen(v), 80);
	rc = diag_set(d, EINVAL, EXIT_USAGE, "--host=%s: %s", buf_str(&q), why);
	buf_free(&q);
	return rc;
}

static int take_secret_max(struct server_request *req, const char *v, struct diag *d)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);
	if (*end || !*v || n < 1 || n > VALIDATE_SECRET_MAX)
		return diag_set(d, EINVAL, EXIT_USAGE, "--secret-max: a number of bytes from 1 to %d",
				VALIDATE_SECRET_MAX);
	req->secret_max = (unsigned)n;
	return 0;
}

/* --added=HOST or --removed=HOST, for a --reload. */
static int take_reload_host(struct strv *to, const char *flag, const char *v, struct diag *d)
{
	char host[254];
	snprintf(host, sizeof(host), "%s", v);
	if (strlen(v) >= sizeof(host) || validate_host(host))
		return diag_set(d, EINVAL, EXIT_USAGE, "%s=%s: not a domain name", flag, v);
	return strv_push(to, host);
}

/* One flag FLAG with value V (NULL for none) into REQ and ARGS. */
static int take_flag(enum server_flag flag, char *v, struct server_request *req, struct server_args *args,
		     struct buf *secret, struct diag *d)
{
	const char *why;

	switch (flag) {
	case F_ROOT:
		args->root = v;
		return 0;
	case F_CONFIG:
		req->config = v;
		return 0;
	case F_HOST:
		args->have_host = true;
		return take_host(req, v, d);
	case F_PORT:
		if ((why = validate_port(v, &req->port)))
			return diag_set(d, EINVAL, EXIT_USAGE, "--port: %s", why);
		args->have_port = true;
		return 0;
	case F_PASSWORD:
		/* Seed protocol fallback; the dispatcher uses it only for adapters without password-stdin. */
		buf_truncate(secret, 0);
		if (buf_puts(secret, v) < 0)
			return -ENOMEM;
		sodium_memzero(v, strlen(v)); /* off /proc/PID/cmdline from now on */
		args->have_secret = true;
		return 0;
	case F_PASSWORD_STDIN:
		args->password_stdin = true;
		return 0;
	case F_DRY_RUN:
		req->dry_run = true;
		return 0;
	case F_BIND_ADDRESS:
		if (strlen(v) >= sizeof(req->bind_address) || remote_address_invalid(v))
			return diag_set(d, EINVAL, EXIT_USAGE, "--bind-address: not a numeric IPv4 or IPv6 address");
		snprintf(req->bind_address, sizeof(req->bind_address), "%s", v);
		return 0;
	case F_SECRET_MAX:
		return take_secret_max(req, v, d);
	case F_ADDED:
		return take_reload_host(&req->added, "--added", v, d);
	case F_REMOVED:
		return take_reload_host(&req->removed, "--removed", v, d);
	default:
		args->op[flag] = true;
		return 0;
	}
}

/* The operation the flags name, once they are known not to conflict. */
static enum server_op pick_op(const struct server_args *args)
{
	return args->op[F_BATCH]    ? SERVER_OP_BATCH
	       : args->op[F_LISTEN] ? SERVER_OP_LISTEN
	       : args->op[F_REMOVE] ? SERVER_OP_REMOVE
	       : args->op[F_LIST]   ? SERVER_OP_LIST
	       : args->op[F_RELOAD] ? SERVER_OP_RELOAD
	       : args->op[F_SHARED] ? SERVER_OP_SHARED
				    : SERVER_OP_APPLY;
}

static int check_args(const struct server_args *args, struct server_request *req, struct diag *d)
{
	int nops = 0;
	for (int f = F_REMOVE; f <= F_BATCH; f++)
		nops += args->op[f];
	if (nops > 1)
		return diag_set(d, EINVAL, EXIT_USAGE,
				"--remove, --list, --reload, --shared, --listen and --batch exclude each other");
	if (args->op[F_BATCH] && (req->dry_run || args->have_host || args->have_port || args->have_secret ||
				  args->password_stdin || *req->bind_address))
		return diag_set(d, EINVAL, EXIT_USAGE, "--batch takes its components on stdin, and no --dry-run");
	req->op = pick_op(args);
	if ((req->op == SERVER_OP_APPLY || req->op == SERVER_OP_REMOVE || req->op == SERVER_OP_LISTEN) &&
	    !args->have_host)
		return diag_set(d, EINVAL, EXIT_USAGE, "--host=HOST is required");
	if (req->op == SERVER_OP_APPLY && !args->have_port)
		return diag_set(d, EINVAL, EXIT_USAGE, "--port=PORT is required");
	if (req->op == SERVER_OP_APPLY && !args->have_secret && !args->password_stdin)
		return diag_set(d, EINVAL, EXIT_USAGE, "the secret is required: --password-stdin");
	if (req->config[0] != '/')
		return diag_set(d, EINVAL, EXIT_USAGE, "--config=%s: must be an absolute path", req->config);
	return 0;
}

static int parse_args(int argc, char **argv, const struct server_ops *ops, struct server_request *req,
		      struct buf *secret, bool *password_stdin, struct diag *d)
{
	/* An operation's flag is taken only from an adapter that has the operation. */
	const struct adapter_opt table[] = {
		{ JD_FLAG_ROOT, F_ROOT, true },
		{ JD_FLAG_CONFIG, F_CONFIG, true },
		{ JD_FLAG_HOST, F_HOST, true },
		{ JD_FLAG_PORT, F_PORT, true },
		{ JD_FLAG_PASSWORD, F_PASSWORD, true },
		{ JD_FLAG_PASSWORD_STDIN, F_PASSWORD_STDIN, true },
		{ JD_FLAG_DRY_RUN, F_DRY_RUN, true },
		{ JD_FLAG_REMOVE, F_REMOVE, true },
		{ JD_FLAG_LIST, F_LIST, true },
		{ JD_FLAG_RELOAD, F_RELOAD, true },
		{ JD_FLAG_SHARED, F_SHARED, ops->shared != NULL },
		{ JD_FLAG_LISTEN, F_LISTEN, ops->listen != NULL },
		{ JD_FLAG_BATCH, F_BATCH, ops->batch },
		{ JD_FLAG_BIND_ADDRESS, F_BIND_ADDRESS, ops->bind_address },
		{ JD_FLAG_SECRET_MAX, F_SECRET_MAX, ops->shared != NULL },
		{ JD_FLAG_ADDED, F_ADDED, true },
		{ JD_FLAG_REMOVED, F_REMOVED, true },
	};
	struct server_args args = { .root = "/" };
	struct adapter_argv it;
	const char *v;
	int f, rc = 0;

	req->config = ops->default_config;
	adapter_argv_init(&it, argc, argv, table, sizeof(table) / sizeof(*table));
	while (rc == 0 && (f = adapter_argv_next(&it, &v)) != ADAPTER_ARGV_END) {
		if (f == ADAPTER_ARGV_UNKNOWN)
			return diag_set(d, EINVAL, EXIT_USAGE, "unknown option \"%.60s\" (see --help)", it.bad);
		rc = take_flag((enum server_flag)f, (char *)v, req, &args, secret, d);
	}
	*password_stdin = args.password_stdin;
	if (rc == 0)
		rc = check_args(&args, req, d);
	return rc < 0 ? rc : safefs_root_open(args.root, &req->root, d);
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

/* --capabilities or --help anywhere answers alone: the exit status, or -1 when neither is there. */
static int early_answer(int argc, char **argv, const struct server_ops *ops)
{
	char caps[160];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], JD_FLAG_CAPABILITIES) == 0) {
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
	return -1;
}

/* The one check at this boundary, whichever way the secret came. */
static int take_secret(const struct server_request *req, bool password_stdin, struct buf *secret, struct diag *d)
{
	if (req->op != SERVER_OP_APPLY)
		return 0;
	if (password_stdin) {
		buf_free(secret); /* stdin wins over a --password= given too */
		return secret_read(0, secret, d);
	}
	return secret_accept(secret, "given by --password=", d);
}

/* Whether there is a config to edit (said on stderr when not, with the inputs in OUT when asked). */
static bool find_config(const struct server_ops *ops, struct server_request *req, struct buf *out)
{
	const char *looked[] = { NULL, ops->legacy_config, NULL };
	struct safefs_view *none = NULL;

	/* An older release's config where the default one is absent: the server reads that one. */
	if (req->config == ops->default_config && ops->legacy_config && !config_exists(&req->root, req->config) &&
	    config_exists(&req->root, ops->legacy_config))
		req->config = ops->legacy_config;
	/* No main config: the server is not installed here (or was removed, its adapter left). */
	if (config_exists(&req->root, req->config))
		return true;
	/* What would make it installed: its config appearing. */
	looked[0] = req->config;
	if (adapter_inputs_wanted() && safefs_view_new(&none) == 0 && adapter_inputs_append(out, none, looked) == 0)
		fwrite(buf_str(out), 1, out->len, stdout);
	safefs_view_free(none);
	fprintf(stderr, "%s: %s: no such file: the server is not installed here\n", ops->name, req->config);
	return false;
}

static int say_result(struct buf *out, const struct server_outcome *outcome)
{
	return buf_printf(out, "%s%s\n", protocol_result_word(outcome->result), outcome->restart ? " restart" : "");
}

/* --shared: commit (never a diff: it would show the secret being printed anyway), then port and secret. */
static int finish_shared(const struct server_ops *ops, struct server_request *req, struct changeset *cs,
			 struct server_outcome *outcome, struct buf *out, struct diag *d)
{
	struct buf shared_secret = BUF_INIT_SENSITIVE;
	unsigned shared_port = 0;
	int rc = ops->shared(req, cs, outcome, &shared_port, &shared_secret, d);

	if (rc == 0 && !req->dry_run && (rc = changeset_commit(cs, &req->root, d)) == 0)
		secret_file_say(ops->name, cs);
	if (rc == 0)
		rc = buf_printf(out, "%s%s\n%u\n", protocol_result_word(outcome->result),
				outcome->restart ? " restart" : "", shared_port);
	if (rc == 0)
		rc = buf_append(out, shared_secret.data, shared_secret.len);
	if (rc == 0)
		rc = buf_putc(out, '\n');
	if (rc == 0)
		(void)adapter_inputs_append(out, req->root.view, NULL); /* committed: a list not had claims nothing */
	buf_free(&shared_secret);
	return rc;
}

/* An apply or a remove: the result word and the diff under --dry-run, else the commit and the word. */
static int run_change(const struct server_ops *ops, struct server_request *req, struct changeset *cs,
		      struct buf *out, struct diag *d)
{
	struct server_outcome outcome = { RESULT_INVALID, false };
	int rc;

	/* --shared says what its answer depends on (its reads, through a view). */
	if (req->op == SERVER_OP_SHARED && adapter_inputs_wanted() && (rc = safefs_view_new(&req->root.view)) < 0)
		return rc;
	cs->view = req->root.view;
	if (req->op == SERVER_OP_SHARED)
		return finish_shared(ops, req, cs, &outcome, out, d);
	rc = req->op == SERVER_OP_APPLY ? ops->apply(req, cs, &outcome, d) : ops->remove(req, cs, &outcome, d);
	if (rc < 0)
		return rc;
	if (req->dry_run) {
		rc = say_result(out, &outcome);
		return rc < 0 ? rc : changeset_diff(cs, out);
	}
	rc = changeset_commit(cs, &req->root, d);
	if (rc == 0)
		secret_file_say(ops->name, cs);
	return rc < 0 ? rc : say_result(out, &outcome);
}

static int run_op(const struct server_ops *ops, struct server_request *req, struct changeset *cs, struct buf *out,
		  struct diag *d)
{
	switch (req->op) {
	case SERVER_OP_LIST:
		return ops->list(req, out, d);
	case SERVER_OP_RELOAD:
		return ops->reload(req, out, d);
	case SERVER_OP_LISTEN:
		return ops->listen(req, out, d);
	case SERVER_OP_BATCH:
		return run_batch(ops, req, cs, out, d);
	default:
		return run_change(ops, req, cs, out, d);
	}
}

/* The notes of this call (server_note): lines, each ending in '\n'. */
static struct buf server_notes = BUF_INIT;

/* Whether the LEN bytes at LINE (a line with its newline) stand among the first N bytes of the notes. */
static bool note_queued(size_t n, const char *line, size_t len)
{
	for (size_t at = 0; at + len <= n;) {
		const char *nl = memchr(server_notes.data + at, '\n', n - at);
		size_t here = (size_t)(nl - (server_notes.data + at)) + 1;
		if (here == len && memcmp(server_notes.data + at, line, len) == 0)
			return true;
		at += here;
	}
	return false;
}

int server_note(const char *fmt, ...)
{
	size_t start = server_notes.len;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(&server_notes, fmt, ap);
	va_end(ap);
	if (rc == 0)
		rc = buf_putc(&server_notes, '\n');
	if (rc < 0 || note_queued(start, server_notes.data + start, server_notes.len - start))
		buf_truncate(&server_notes, start);
	return rc;
}

/* Print the queued notes, each "NAME: NOTE". */
static void notes_print(const struct server_ops *ops)
{
	const char *p = buf_str(&server_notes), *nl;

	for (; (nl = strchr(p, '\n')); p = nl + 1)
		fprintf(stderr, "%s: %.*s\n", ops->name, (int)(nl - p), p);
}

int server_adapter_main(int argc, char **argv, const struct server_ops *ops)
{
	struct server_request req = { .root = ROOT_INIT, .added = STRV_INIT, .removed = STRV_INIT };
	struct buf secret = BUF_INIT_SENSITIVE; /* what req.secret shows the operation */
	struct changeset cs = CHANGESET_INIT;
	struct buf out = BUF_INIT_SENSITIVE; /* --shared prints a secret */
	struct diag d = DIAG_INIT;
	bool password_stdin = false;
	int rc, code = EXIT_OK;

	if (sodium_init() < 0) {
		fprintf(stderr, "%s: cannot initialise libsodium\n", ops->name);
		return EXIT_SOFTWARE;
	}
	if ((code = early_answer(argc, argv, ops)) >= 0)
		return code;
	code = EXIT_OK;
	rc = parse_args(argc, argv, ops, &req, &secret, &password_stdin, &d);
	if (rc == 0)
		rc = take_secret(&req, password_stdin, &secret, &d);
	req.secret = secret_of(&secret);
	cs.diffless = !req.dry_run; /* only a dry run shows a diff */
	if (rc < 0) {
		code = fail(ops, &d, rc);
		if (d.exit_code == EXIT_USAGE)
			fprintf(stderr, "%s: see --help\n", ops->name);
	} else if (!find_config(ops, &req, &out))
		code = EXIT_CHECK_FAILED;
	else if ((rc = run_op(ops, &req, &cs, &out, &d)) < 0)
		code = fail(ops, &d, rc);
	else {
		fwrite(buf_str(&out), 1, out.len, stdout);
		if (fflush(stdout) != 0)
			code = EXIT_OSERR;
		else
			notes_print(ops);
	}
	buf_free(&server_notes);
	if (ops->forget)
		ops->forget();
	safefs_view_free(req.root.view);
	req.root.view = cs.view = NULL;
	changeset_free(&cs);
	buf_free(&out);
	buf_free(&secret);
	strv_free(&req.added);
	strv_free(&req.removed);
	safefs_root_close(&req.root);
	return code;
}
