/* SPDX-License-Identifier: GPL-2.0-or-later */
/* describe: the interpreter of declarative transport adapters ("#!/usr/lib/jabber-dispatch/describe"). */
#include "descriptor.h"
#include "exitcode.h"
#include "transport-adapter.h"

#include <stdio.h>
#include <string.h>

/*
 * The kernel runs a descriptor DESC whose first line is "#!.../describe" as
 * `describe DESC ARGS...`.  From then on this is the transport adapter DESC
 * stands for: the protocol is the framework's, the config knowledge the
 * descriptor's.  The framework's callbacks take no context pointer, hence
 * the one file-local descriptor.
 */
static struct descriptor describe_desc = DESCRIPTOR_INIT;

static int describe_read(const struct root *r, const char *config, struct component *ret, struct diag *d)
{
	return descriptor_read(&describe_desc, r, config, ret, d);
}

static int describe_set(const struct root *r, const char *config, unsigned port, const struct secret *secret,
			struct changeset *cs, enum result *ret_result, struct diag *d)
{
	return descriptor_set(&describe_desc, r, config, port, secret, cs, ret_result, d);
}

int main(int argc, char **argv)
{
	struct transport_ops ops = { .read = describe_read, .set = describe_set };
	struct diag d = DIAG_INIT;
	int code;

	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "describe: usage: describe DESCRIPTOR [ADAPTER OPTIONS...]\n"
				"the interpreter of a descriptor file whose first line is \"#!%s\"\n",
			argv[0]);
		return EXIT_USAGE;
	}
	if (descriptor_load(argv[1], &describe_desc, &d) < 0) {
		fprintf(stderr, "describe: %s\n", d.msg);
		return d.exit_code ? d.exit_code : EXIT_DATAERR;
	}
	ops.name = describe_desc.name;
	ops.default_config = describe_desc.config;
	ops.reader_group = describe_desc.reader_group;
	ops.secret_max = describe_desc.secret_max;
	code = transport_adapter_main(argc - 1, argv + 1, &ops);
	descriptor_free(&describe_desc);
	return code;
}
