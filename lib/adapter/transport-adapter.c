/* SPDX-License-Identifier: GPL-2.0-or-later */
/* transport-adapter: the pkg-config style command line of protocol 1 for a transport adapter. */
#include "transport-adapter.h"
#include "adapter-argv.h"
#include "adapter-inputs.h"
#include "exitcode.h"
#include "secret-file.h"
#include "secret-read.h"
#include "validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

static void transport_usage(const struct transport_ops *ops)
{
	printf("usage: %s [--root=DIR] [--config=FILE] [--host] [--port] [--password]\n"
	       "       %s [--root=DIR] [--config=FILE] [--set-port=PORT] [--set-password] [--dry-run]\n"
	       "       %s [--root=DIR] [--config=FILE] --fill --set-host=HOST [--set-port=PORT] [--set-password]\n"
	       "       %s --capabilities\n"
	       "Prints, one line per flag and in the order given, the component domain, the\n"
	       "server port and the secret of %s, read from %s.\n"
	       "Exit status 1: the transport is not configured yet.  --set-password reads\n"
	       "the new secret from standard input.\n",
	       ops->name, ops->name, ops->name, ops->name, ops->name, ops->default_config);
}

/*
 * The config receives a secret: queue it as such, so the commit makes it
 * unreadable by others with the daemon's group reading it instead.
 */
static int transport_mark_secret(const struct transport_ops *ops, const struct root *r, struct changeset *cs)
{
	int rc = 0;
	for (size_t i = 0; ops->reader_group && rc == 0 && i < cs->n; i++)
		rc = secret_file_mark(ops->name, r, cs, cs->v[i].path, ops->reader_group);
	return rc;
}

/* What --set-* and --fill ask for. */
struct transport_set_args {
	const char *host; /* --set-host, with --fill only */
	unsigned port;
	bool secret, fill, dry_run;
};

/*
 * --set-port / --set-password: adopt what a server imposes; with --fill,
 * complete an unfinished config.  Written the project's one safe way.
 */
static int transport_set_main(const struct transport_ops *ops, const char *root_path, const char *config,
			      const struct transport_set_args *args)
{
	struct buf secret = BUF_INIT_SENSITIVE, out = BUF_INIT;
	struct changeset cs = CHANGESET_INIT;
	struct root r = ROOT_INIT;
	struct diag d = DIAG_INIT;
	enum result result = RESULT_UNCHANGED;
	struct secret view;
	int rc;

	if (args->secret && (rc = secret_read(0, &secret, &d)) < 0)
		goto out;
	view = secret_of(&secret);
	rc = safefs_root_open(root_path, &r, &d);
	if (rc == 0 && args->fill)
		rc = ops->fill(&r, config, args->host, args->port, args->secret ? &view : NULL, &cs, &result, &d);
	else if (rc == 0)
		rc = ops->set(&r, config, args->port, args->secret ? &view : NULL, &cs, &result, &d);
	if (rc == 0 && args->secret)
		rc = transport_mark_secret(ops, &r, &cs);
	if (rc == 0 && args->dry_run)
		rc = changeset_diff(&cs, &out);
	else if (rc == 0)
		rc = changeset_commit(&cs, &r, &d);
	if (rc == 0 && !args->dry_run)
		secret_file_say(ops->name, &cs);
out:
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", ops->name, diag_is_set(&d) ? d.msg : strerror(-rc));
	else
		printf("%s%s\n%s", protocol_result_word(result), result == RESULT_UPDATED ? " restart" : "",
		       buf_str(&out));
	changeset_free(&cs);
	buf_free(&secret);
	buf_free(&out);
	safefs_root_close(&r);
	return rc < 0 ? (d.exit_code ? d.exit_code : exitcode_from_errno(rc)) : EXIT_OK;
}

int transport_secret(struct component *ret, const char *value, size_t len, const char *where, unsigned line,
		     const char *key, struct diag *d)
{
	const char *why = validate_secret(value, len);

	if (why && line)
		return diag_set(d, EINVAL, EXIT_DATAERR, "%s:%u: %s is unusable: %s", where, line, key, why);
	if (why)
		return diag_set(d, EINVAL, EXIT_DATAERR, "%s: %s is unusable: %s", where, key, why);
	buf_truncate(&ret->secret, 0);
	return buf_append(&ret->secret, value, len);
}

enum transport_flag { T_HOST, T_PORT, T_PASSWORD, T_ADDRESS, T_CAPABILITIES, T_HELP, T_ROOT, T_CONFIG,
		      T_SET_PORT, T_SET_PASSWORD, T_DRY_RUN, T_FILL, T_SET_HOST };

/* The command line: a query (flags to print in order) or what --set-* and --fill ask for. */
struct transport_args {
	const char *root, *config;
	enum transport_flag query[32]; /* T_HOST .. T_ADDRESS */
	size_t nquery;
	struct transport_set_args set;
	char host[254];
};

static void transport_capabilities(const struct transport_ops *ops)
{
	printf("protocol=1 inputs%s%s", ops->set ? " set-password set-port" : "", ops->fill ? " fill" : "");
	if (ops->secret_max)
		printf(" " PROTOCOL_SECRET_MAX_WORD "%u", ops->secret_max);
	if (ops->server_address)
		printf(" " JD_CAP_SERVER_ADDRESS);
	putchar('\n');
}

/* One flag into ARGS: -1 to go on, else the exit status (a message said). */
static int transport_flag(const struct transport_ops *ops, int flag, const char *v, const char *arg,
			  struct transport_args *args)
{
	const char *why = NULL;

	switch (flag) {
	case T_CAPABILITIES:
		transport_capabilities(ops);
		return EXIT_OK;
	case T_HELP:
		transport_usage(ops);
		return EXIT_OK;
	case T_ROOT:
		args->root = v;
		return -1;
	case T_CONFIG:
		args->config = v;
		return -1;
	case T_SET_PORT:
		if ((why = validate_port(v, &args->set.port)))
			fprintf(stderr, "%s: --set-port: %s\n", ops->name, why);
		return why ? EXIT_USAGE : -1;
	case T_SET_HOST:
		snprintf(args->host, sizeof(args->host), "%.253s", v);
		if ((why = validate_host(args->host)))
			fprintf(stderr, "%s: --set-host: %s\n", ops->name, why);
		args->set.host = args->host;
		return why ? EXIT_USAGE : -1;
	case T_SET_PASSWORD:
		args->set.secret = true;
		return -1;
	case T_DRY_RUN:
		args->set.dry_run = true;
		return -1;
	case T_FILL:
		args->set.fill = true;
		return -1;
	default:
		if (args->nquery < sizeof(args->query) / sizeof(*args->query)) {
			args->query[args->nquery++] = (enum transport_flag)flag;
			return -1;
		}
		fprintf(stderr, "%s: unknown option \"%.60s\" (see --help)\n", ops->name, arg);
		return EXIT_USAGE;
	}
}

/* The command line into ARGS: -1 to go on, else the exit status (answered, or refused with a message). */
static int transport_parse(int argc, char **argv, const struct transport_ops *ops, struct transport_args *args)
{
	/* --set-* and --dry-run only for an adapter that can set, --fill and --set-host for one that can fill. */
	const struct adapter_opt table[] = {
		{ JD_FLAG_CAPABILITIES, T_CAPABILITIES, true },
		{ "--help", T_HELP, true },
		{ "-h", T_HELP, true },
		{ JD_FLAG_ROOT, T_ROOT, true },
		{ JD_FLAG_CONFIG, T_CONFIG, true },
		{ JD_FLAG_SET_PORT, T_SET_PORT, ops->set != NULL },
		{ JD_FLAG_SET_PASSWORD, T_SET_PASSWORD, ops->set != NULL },
		{ JD_FLAG_DRY_RUN, T_DRY_RUN, ops->set != NULL },
		{ JD_FLAG_FILL, T_FILL, ops->fill != NULL },
		{ JD_FLAG_SET_HOST, T_SET_HOST, ops->fill != NULL },
		{ JD_FLAG_QUERY_HOST, T_HOST, true },
		{ JD_FLAG_QUERY_PORT, T_PORT, true },
		{ JD_FLAG_QUERY_PASSWORD, T_PASSWORD, true },
		{ JD_FLAG_QUERY_SERVER_ADDRESS, T_ADDRESS, ops->server_address != NULL },
	};
	struct adapter_argv it;
	const char *v;
	int f, code = -1;

	adapter_argv_init(&it, argc, argv, table, sizeof(table) / sizeof(*table));
	while (code < 0 && (f = adapter_argv_next(&it, &v)) != ADAPTER_ARGV_END) {
		if (f == ADAPTER_ARGV_UNKNOWN) {
			fprintf(stderr, "%s: unknown option \"%.60s\" (see --help)\n", ops->name, it.bad);
			return EXIT_USAGE;
		}
		code = transport_flag(ops, f, v, it.bad, args);
	}
	if (code >= 0)
		return code;
	if (args->set.fill != (args->set.host != NULL)) {
		fprintf(stderr, "%s: --fill and --set-host go together\n", ops->name);
		return EXIT_USAGE;
	}
	if ((args->set.port || args->set.secret || args->set.fill) && args->nquery) {
		fprintf(stderr, "%s: --set-*, --fill and --host/--port/--password exclude each other\n", ops->name);
		return EXIT_USAGE;
	}
	if (!(args->set.port || args->set.secret || args->set.fill) && args->nquery == 0) {
		fprintf(stderr, "%s: nothing asked: give --host, --port and/or --password\n", ops->name);
		return EXIT_USAGE;
	}
	return -1;
}

/* The component the config declares, checked as the dispatcher will: an exit status, or -1 when it is sound. */
static int transport_read(const struct transport_ops *ops, const struct transport_args *args, struct root *r,
			  struct component *c)
{
	struct diag d = DIAG_INIT;
	const char *why;
	int rc = safefs_root_open(args->root, r, &d);

	if (rc == 0 && adapter_inputs_wanted())
		rc = safefs_view_new(&r->view);
	if (rc == 0)
		rc = ops->read(r, args->config, c, &d);
	if (rc == -ENODATA || (rc == -ENOENT && d.exit_code == EXIT_CHECK_FAILED)) {
		struct buf out = BUF_INIT;
		/* No config file at all: the transport's package is not installed here. */
		if (rc == -ENOENT)
			buf_printf(&out, "%s\n", PROTOCOL_NOT_INSTALLED);
		if (adapter_inputs_append(&out, r->view, NULL) == 0)
			fwrite(buf_str(&out), 1, out.len, stdout);
		buf_free(&out);
		fprintf(stderr, "%s: %s\n", ops->name, d.msg);
		return EXIT_CHECK_FAILED;
	}
	if (rc == 0 && (why = validate_host(c->host)))
		rc = diag_set(&d, EINVAL, EXIT_DATAERR, "%s: the component domain is %s", args->config, why);
	if (rc == 0 && (c->port < 1 || c->port > 65535))
		rc = diag_set(&d, EINVAL, EXIT_DATAERR, "%s: the port is not in 1-65535", args->config);
	if (rc == 0)
		return -1;
	fprintf(stderr, "%s: %s\n", ops->name, diag_is_set(&d) ? d.msg : strerror(-rc));
	return d.exit_code ? d.exit_code : exitcode_from_errno(rc);
}

/* One line per query flag, in the order given, then the inputs when asked. */
static int transport_answer(const struct transport_ops *ops, const struct transport_args *args,
			    const struct root *r, const struct component *c)
{
	struct buf out = BUF_INIT_SENSITIVE;
	int rc = 0, code = EXIT_OK;

	for (size_t i = 0; i < args->nquery && rc == 0; i++) {
		if (args->query[i] == T_HOST)
			rc = buf_printf(&out, "%s\n", c->host);
		else if (args->query[i] == T_PORT)
			rc = buf_printf(&out, "%u\n", c->port);
		else if (args->query[i] == T_ADDRESS)
			rc = buf_printf(&out, "%s\n", ops->server_address);
		else if ((rc = buf_append(&out, c->secret.data, c->secret.len)) == 0)
			rc = buf_putc(&out, '\n');
	}
	if (rc == 0)
		rc = adapter_inputs_append(&out, r->view, NULL);
	if (rc < 0)
		code = EXIT_OSERR;
	else {
		fwrite(out.data, 1, out.len, stdout);
		if (fflush(stdout) != 0)
			code = EXIT_OSERR;
	}
	buf_free(&out);
	return code;
}

int transport_adapter_main(int argc, char **argv, const struct transport_ops *ops)
{
	struct transport_args args = { .root = "/", .config = ops->default_config };
	struct component c = COMPONENT_INIT;
	struct root r = ROOT_INIT;
	int code;

	if (sodium_init() < 0)
		return EXIT_SOFTWARE;
	if ((code = transport_parse(argc, argv, ops, &args)) >= 0)
		return code;
	if (args.nquery == 0)
		return transport_set_main(ops, args.root, args.config, &args.set);
	if ((code = transport_read(ops, &args, &r, &c)) < 0)
		code = transport_answer(ops, &args, &r, &c);
	component_free(&c);
	safefs_view_free(r.view);
	r.view = NULL;
	safefs_root_close(&r);
	return code;
}
