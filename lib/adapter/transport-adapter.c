/* SPDX-License-Identifier: GPL-2.0-or-later */
/* transport-adapter: the pkg-config style command line of protocol 1 for a transport adapter. */
#include "transport-adapter.h"
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

int transport_adapter_main(int argc, char **argv, const struct transport_ops *ops)
{
	struct component c = COMPONENT_INIT;
	struct root r = ROOT_INIT;
	struct diag d = DIAG_INIT;
	struct buf out = BUF_INIT_SENSITIVE;
	const char *root = "/", *config = ops->default_config, *why = NULL;
	enum { FLAG_HOST, FLAG_PORT, FLAG_PASSWORD, FLAG_ADDRESS } flags[32];
	size_t nflags = 0;
	struct transport_set_args set = { 0 };
	char host[254];
	int rc, code = EXIT_OK;

	if (sodium_init() < 0)
		return EXIT_SOFTWARE;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--capabilities") == 0) {
			printf("protocol=1 inputs%s%s", ops->set ? " set-password set-port" : "", ops->fill ? " fill" : "");
			if (ops->secret_max)
				printf(" " PROTOCOL_SECRET_MAX_WORD "%u", ops->secret_max);
			if (ops->server_address)
				printf(" " JD_CAP_SERVER_ADDRESS);
			putchar('\n');
			return EXIT_OK;
		} else if (ops->set && strncmp(a, "--set-port=", 11) == 0) {
			if ((why = validate_port(a + 11, &set.port))) {
				fprintf(stderr, "%s: --set-port: %s\n", ops->name, why);
				return EXIT_USAGE;
			}
		} else if (ops->set && strcmp(a, "--set-password") == 0) {
			set.secret = true;
		} else if (ops->set && strcmp(a, "--dry-run") == 0) {
			set.dry_run = true;
		} else if (ops->fill && strcmp(a, "--fill") == 0) {
			set.fill = true;
		} else if (ops->fill && strncmp(a, "--set-host=", 11) == 0) {
			snprintf(host, sizeof(host), "%.253s", a + 11);
			if ((why = validate_host(host))) {
				fprintf(stderr, "%s: --set-host: %s\n", ops->name, why);
				return EXIT_USAGE;
			}
			set.host = host;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			transport_usage(ops);
			return EXIT_OK;
		} else if (strncmp(a, "--root=", 7) == 0) {
			root = a + 7;
		} else if (strncmp(a, "--config=", 9) == 0) {
			config = a + 9;
		} else if (nflags < sizeof(flags) / sizeof(*flags) &&
			   (strcmp(a, "--host") == 0 || strcmp(a, "--port") == 0 || strcmp(a, "--password") == 0)) {
			flags[nflags++] = a[2] == 'h' ? FLAG_HOST : a[3] == 'o' ? FLAG_PORT : FLAG_PASSWORD;
		} else if (ops->server_address && nflags < sizeof(flags) / sizeof(*flags) &&
			   strcmp(a, "--server-address") == 0) {
			flags[nflags++] = FLAG_ADDRESS;
		} else {
			fprintf(stderr, "%s: unknown option \"%.60s\" (see --help)\n", ops->name, a);
			return EXIT_USAGE;
		}
	}
	if (set.fill != (set.host != NULL)) {
		fprintf(stderr, "%s: --fill and --set-host go together\n", ops->name);
		return EXIT_USAGE;
	}
	if (set.port || set.secret || set.fill) {
		if (nflags) {
			fprintf(stderr, "%s: --set-*, --fill and --host/--port/--password exclude each other\n",
				ops->name);
			return EXIT_USAGE;
		}
		return transport_set_main(ops, root, config, &set);
	}
	if (nflags == 0) {
		fprintf(stderr, "%s: nothing asked: give --host, --port and/or --password\n", ops->name);
		return EXIT_USAGE;
	}
	rc = safefs_root_open(root, &r, &d);
	if (rc == 0 && adapter_inputs_wanted())
		rc = safefs_view_new(&r.view);
	if (rc == 0)
		rc = ops->read(&r, config, &c, &d);
	if (rc == -ENODATA || (rc == -ENOENT && d.exit_code == EXIT_CHECK_FAILED)) {
		/* No config file at all: the transport's package is not installed here. */
		if (rc == -ENOENT)
			buf_printf(&out, "%s\n", PROTOCOL_NOT_INSTALLED);
		if (adapter_inputs_append(&out, r.view, NULL) == 0)
			fwrite(buf_str(&out), 1, out.len, stdout);
		fprintf(stderr, "%s: %s\n", ops->name, d.msg);
		code = EXIT_CHECK_FAILED;
		goto out;
	}
	if (rc == 0 && (why = validate_host(c.host)))
		rc = diag_set(&d, EINVAL, EXIT_DATAERR, "%s: the component domain is %s", config, why);
	if (rc == 0 && (c.port < 1 || c.port > 65535))
		rc = diag_set(&d, EINVAL, EXIT_DATAERR, "%s: the port is not in 1-65535", config);
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", ops->name, diag_is_set(&d) ? d.msg : strerror(-rc));
		code = d.exit_code ? d.exit_code : exitcode_from_errno(rc);
		goto out;
	}
	for (size_t i = 0; i < nflags && rc == 0; i++) {
		if (flags[i] == FLAG_HOST)
			rc = buf_printf(&out, "%s\n", c.host);
		else if (flags[i] == FLAG_PORT)
			rc = buf_printf(&out, "%u\n", c.port);
		else if (flags[i] == FLAG_ADDRESS)
			rc = buf_printf(&out, "%s\n", ops->server_address);
		else if ((rc = buf_append(&out, c.secret.data, c.secret.len)) == 0)
			rc = buf_putc(&out, '\n');
	}
	if (rc == 0)
		rc = adapter_inputs_append(&out, r.view, NULL);
	if (rc < 0) {
		code = EXIT_OSERR;
		goto out;
	}
	fwrite(out.data, 1, out.len, stdout);
	if (fflush(stdout) != 0)
		code = EXIT_OSERR;
out:
	buf_free(&out);
	component_free(&c);
	safefs_view_free(r.view);
	r.view = NULL;
	safefs_root_close(&r);
	return code;
}
