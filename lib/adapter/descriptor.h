/* SPDX-License-Identifier: GPL-2.0-or-later */
/* descriptor: a transport adapter written as data — which file, which syntax, which three keys. */
#ifndef JD_DESCRIPTOR_H
#define JD_DESCRIPTOR_H

#include <stdbool.h>

#include "adapter.h"
#include "atomic.h"
#include "conf-ini.h"
#include "diag.h"
#include "protocol.h"
#include "safefs.h"
#include "secret.h"
#include "strv.h"

/*
 * A descriptor is a small key=value file (conf-kv syntax: no blank before
 * '=', '#' comments, so its "#!" line is a comment) that an interpreter
 * turns into a transport adapter.  docs/transport-side.md documents the
 * keys; in short:
 *
 *   format=kv | ini | xml          the syntax of the transport's config
 *   ini-dialect=configparser | boost | configargparse   (format=ini only)
 *   config=/etc/...                the config file (--config overrides)
 *   fallback-config=/etc/...       read-only: keys missing from config come from here
 *   host=KEY  port=KEY  secret=KEY where the three values are:
 *       kv:  the key;  ini: SECTION.KEY, or KEY outside sections;
 *       xml: an element path from the document element, "/jcr/name", whose
 *            steps may be NAME[CHILD] (the first NAME with a CHILD element) or
 *            NAME[!CHILD] (without one), ending in "@ATTR" for an attribute
 *   secret-file=KEY                instead of secret: KEY names a file holding the secret
 *   secret-file-default=/path      the file when KEY is absent
 *   default-host=H, default-port=P the transport's own defaults for an absent key
 *   example-secret=S               (repeatable) a secret shipped in examples: "not configured"
 *   hint=TEXT                      added to "not configured" messages
 *   reader-group=GROUP             the transport's daemon's group: a config that receives a
 *                                  secret loses its other-read bit, GROUP reading it instead
 *
 * Every key is checked when the descriptor is read: an unknown key, a key
 * given twice, a bad value or a missing required key is refused with
 * "FILE:LINE: reason", before any config is looked at.
 */
enum descriptor_format { DESCRIPTOR_KV, DESCRIPTOR_INI, DESCRIPTOR_XML };

struct descriptor {
	char *path;
	char *name; /* the descriptor's file name: the adapter's name in messages */
	enum descriptor_format format;
	enum ini_dialect dialect;
	char *config, *fallback_config;
	char *host_key, *port_key, *secret_key;
	char *secret_file_key, *secret_file_default;
	char *default_host;
	unsigned default_port;
	unsigned secret_max; /* secret-max=: the longest secret the transport authenticates with, 0 none */
	struct strv example_secrets;
	char *hint;
	char *reader_group;
};

#define DESCRIPTOR_INIT { .example_secrets = STRV_INIT }

/* Parse descriptor TEXT, named PATH.  -EBADMSG with "PATH:LINE: reason" (or "PATH: reason"). */
int descriptor_parse(const char *path, const char *text, size_t len, struct descriptor *ret, struct diag *d);
/* Read and parse the descriptor at PATH (a path on the host: the one the kernel ran). */
int descriptor_load(const char *path, struct descriptor *ret, struct diag *d);
void descriptor_free(struct descriptor *desc);

/*
 * The transport_ops read(): host, port and secret from CONFIG inside R.
 * -ENODATA (exit 1, reason in D) when the transport is not configured: the
 * file is missing, a key is absent or empty, a value is a template
 * placeholder ("$VAR", "{{x}}", "@X@", "--X--", CHANGE-ME...) or the secret
 * is one of the examples.  A file its program would refuse: -EBADMSG with
 * "FILE:LINE: reason".
 */
int descriptor_read(const struct descriptor *desc, const struct root *r, const char *config,
		    struct component *ret, struct diag *d);
/* The transport_ops set(): write PORT and/or SECRET into CONFIG (or the secret file) via CS. */
int descriptor_set(const struct descriptor *desc, const struct root *r, const char *config, unsigned port,
		   const struct secret *secret, struct changeset *cs, enum result *ret_result, struct diag *d);

/* Whether VALUE looks like a template placeholder or a variable some program would expand. */
bool descriptor_placeholder(const char *value);
/*
 * The same for a secret, where '$', '@', '{' and capitals are ordinary
 * characters: only a value that is a placeholder as a whole ("${SECRET}",
 * "$SECRET", "{{ secret }}", "@SECRET@", CHANGE-ME, a word in capitals).
 */
bool descriptor_secret_placeholder(const char *value);

/* For descriptor*.c: an XML key, "/a/b[c]/d[!e]@f", parsed. */
#define DESCRIPTOR_XPATH_STEPS 16
struct descriptor_xpath_step {
	char name[64];
	char child[64]; /* "" or the child element the step requires (or, WITHOUT, forbids) */
	bool without;
};
struct descriptor_xpath {
	struct descriptor_xpath_step steps[DESCRIPTOR_XPATH_STEPS];
	size_t n;
	char attr[64]; /* "" for the element's text */
};
/* False when S is not of that shape. */
bool descriptor_xpath_parse(const char *s, struct descriptor_xpath *ret);

#endif
