/* SPDX-License-Identifier: GPL-2.0-or-later */
/* transport-adapter: the pkg-config style command line of protocol 1 for a transport adapter. */
#include "transport-adapter.h"
#include "exitcode.h"
#include "validate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

static void transport_usage(const struct transport_ops *ops)
{
	printf("usage: %s [--root=DIR] [--config=FILE] [--host] [--port] [--password]\n"
	       "       %s --capabilities\n"
	       "Prints, one line per flag and in the order given, the component domain, the\n"
	       "server port and the secret of %s, read from %s.\n"
	       "Exit status 1: the transport is not configured yet.\n",
	       ops->name, ops->name, ops->name, ops->default_config);
}

int transport_adapter_main(int argc, char **argv, const struct transport_ops *ops)
{
	struct component c = COMPONENT_INIT;
	struct root r = ROOT_INIT;
	struct diag d = DIAG_INIT;
	struct buf out = BUF_INIT_SENSITIVE;
	const char *root = "/", *config = ops->default_config, *why = NULL;
	enum { FLAG_HOST, FLAG_PORT, FLAG_PASSWORD } flags[8];
	size_t nflags = 0;
	int rc, code = EXIT_OK;

	if (sodium_init() < 0)
		return EXIT_SOFTWARE;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--capabilities") == 0) {
			printf("protocol=1\n");
			return EXIT_OK;
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
		} else {
			fprintf(stderr, "%s: unknown option \"%.60s\" (see --help)\n", ops->name, a);
			return EXIT_USAGE;
		}
	}
	if (nflags == 0) {
		fprintf(stderr, "%s: nothing asked: give --host, --port and/or --password\n", ops->name);
		return EXIT_USAGE;
	}
	rc = safefs_root_open(root, &r, &d);
	if (rc == 0)
		rc = ops->read(&r, config, &c, &d);
	if (rc == -ENODATA) {
		fprintf(stderr, "%s: %s\n", ops->name, d.msg);
		code = EXIT_CHECK_FAILED;
		goto out;
	}
	if (rc == 0 && (why = validate_host(c.host)))
		rc = diag_set(&d, EINVAL, EXIT_DATAERR, "%s: the component domain is %s", config, why);
	if (rc == 0 && (c.port < 1 || c.port > 65535))
		rc = diag_set(&d, EINVAL, EXIT_DATAERR, "%s: the port is not in 1-65535", config);
	if (rc == 0 && (why = validate_secret(buf_str(&c.secret), c.secret.len)))
		rc = diag_set(&d, EINVAL, EXIT_DATAERR, "%s: the secret is unusable: %s", config, why);
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
		else if ((rc = buf_append(&out, c.secret.data, c.secret.len)) == 0)
			rc = buf_putc(&out, '\n');
	}
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
	safefs_root_close(&r);
	return code;
}
