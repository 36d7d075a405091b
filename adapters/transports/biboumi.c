/* SPDX-License-Identifier: GPL-2.0-or-later */
/* biboumi: transport adapter for the biboumi XMPP-IRC gateway (/etc/biboumi/biboumi.cfg). */
#include "conf-kv.h"
#include "exitcode.h"
#include "transport-adapter.h"
#include "validate.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* biboumi's own defaults for keys the file leaves out (its admin guide). */
#define BIBOUMI_DEFAULT_PORT 5347

static int biboumi_read(const struct root *r, const char *config, struct component *ret, struct diag *d)
{
	struct buf text = BUF_INIT_SENSITIVE;
	struct kv_file kv = KV_FILE_INIT;
	const struct kv_entry *host, *secret, *port;
	const char *why;
	int rc;

	rc = safefs_read_file(r, config, &text, d);
	if (rc == -ENOENT) {
		rc = diag_set(d, ENOENT, EXIT_CHECK_FAILED, "%s: no such file", config);
		goto out;
	}
	if (rc < 0)
		goto out;
	rc = kv_parse(config, buf_str(&text), text.len, &kv, d);
	if (rc < 0)
		goto out;
	host = kv_get(&kv, "hostname");
	secret = kv_get(&kv, "password");
	port = kv_get(&kv, "port");
	/* The stock file ships "hostname=" and "password=" empty: installed, not configured yet. */
	if (!host || !host->value[0]) {
		rc = diag_set(d, ENODATA, EXIT_CHECK_FAILED, "%s: hostname is not set", config);
		goto out;
	}
	if (!secret || !secret->value[0]) {
		rc = diag_set(d, ENODATA, EXIT_CHECK_FAILED, "%s: password is not set", config);
		goto out;
	}
	if (strlen(host->value) >= sizeof(ret->host)) {
		rc = diag_set(d, EINVAL, EXIT_DATAERR, "%s:%u: hostname is longer than 253 bytes", config,
			      host->line);
		goto out;
	}
	snprintf(ret->host, sizeof(ret->host), "%s", host->value);
	if ((why = validate_host(ret->host))) {
		rc = diag_set(d, EINVAL, EXIT_DATAERR, "%s:%u: hostname: %s", config, host->line, why);
		goto out;
	}
	ret->port = BIBOUMI_DEFAULT_PORT;
	if (port && (why = validate_port(port->value, &ret->port))) {
		rc = diag_set(d, EINVAL, EXIT_DATAERR, "%s:%u: port: %s", config, port->line, why);
		goto out;
	}
	rc = transport_secret(ret, secret->value, strlen(secret->value), config, secret->line, "password", d);
out:
	kv_free(&kv);
	buf_free(&text);
	return rc;
}

/*
 * Write KEYS[i]=VALUES[i] for each value given (not NULL), every other byte
 * kept.  FILL: only where the key is absent or empty ("hostname=" and
 * "password=" in the stock file); a port left out is biboumi's default, so
 * it counts as set.
 */
static int biboumi_edit(const struct root *r, const char *config, const char *const *keys, const char *const *values,
			size_t n, bool fill, struct changeset *cs, enum result *ret_result, struct diag *d)
{
	struct buf text = BUF_INIT_SENSITIVE, step = BUF_INIT_SENSITIVE, next = BUF_INIT_SENSITIVE;
	struct buf old_secret = BUF_INIT_SENSITIVE;
	struct kv_file kv = KV_FILE_INIT;
	int rc;

	rc = safefs_read_file(r, config, &text, d);
	if (rc == -ENOENT)
		rc = diag_set(d, ENOENT, EXIT_NOINPUT, "%s: no such file", config);
	if (rc < 0)
		goto out;
	rc = kv_parse(config, buf_str(&text), text.len, &kv, d);
	if (rc < 0)
		goto out;
	/* The old secret, for the diff to hide: the entries are parsed again below. */
	if (kv_get(&kv, "password") && kv_get(&kv, "password")->value[0])
		rc = buf_puts(&old_secret, kv_get(&kv, "password")->value);
	if (rc == 0)
		rc = buf_append(&step, buf_str(&text), text.len);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct kv_entry *e;
		if (!values[i])
			continue;
		kv_free(&kv);
		rc = kv_parse(config, buf_str(&step), step.len, &kv, d);
		e = rc == 0 ? kv_get(&kv, keys[i]) : NULL;
		if (rc < 0 || (fill && e && e->value[0]) || (fill && !e && strcmp(keys[i], "port") == 0))
			continue;
		rc = kv_set(buf_str(&step), step.len, &kv, keys[i], values[i], &next);
		if (rc == 0) {
			buf_free(&step);
			step = next;
			next = (struct buf)BUF_INIT_SENSITIVE;
		}
	}
	if (rc == 0)
		rc = changeset_put(cs, config, &text, step.data, step.len, 0640);
	if (rc == 0 && values[n - 1])
		rc = changeset_redact(cs, values[n - 1], "<secret>");
	if (rc == 0 && old_secret.len)
		rc = changeset_redact(cs, buf_str(&old_secret), "<old secret>");
	*ret_result = changeset_empty(cs) ? RESULT_UNCHANGED : RESULT_UPDATED;
out:
	kv_free(&kv);
	buf_free(&text);
	buf_free(&step);
	buf_free(&next);
	buf_free(&old_secret);
	return rc;
}

/* The secret goes last: biboumi_edit hides the last value in diffs. */
static const char *const biboumi_keys[] = { "hostname", "port", "password" };

/* Adopt a server's port and secret: only those values change, every other byte stays. */
static int biboumi_set(const struct root *r, const char *config, unsigned port, const struct secret *secret,
		       struct changeset *cs, enum result *ret_result, struct diag *d)
{
	char portstr[16];
	const char *values[] = { NULL, port ? portstr : NULL, secret ? secret->data : NULL };

	snprintf(portstr, sizeof(portstr), "%u", port);
	return biboumi_edit(r, config, biboumi_keys, values, 3, false, cs, ret_result, d);
}

/* transport-init on the stock file: fill in the empty hostname= and password=, keep everything else. */
static int biboumi_fill(const struct root *r, const char *config, const char *host, unsigned port,
			const struct secret *secret, struct changeset *cs, enum result *ret_result, struct diag *d)
{
	char portstr[16];
	const char *values[] = { host, port ? portstr : NULL, secret ? secret->data : NULL };

	snprintf(portstr, sizeof(portstr), "%u", port);
	return biboumi_edit(r, config, biboumi_keys, values, 3, true, cs, ret_result, d);
}

static const struct transport_ops biboumi_ops = {
	.name = "biboumi",
	.default_config = "/etc/biboumi/biboumi.cfg",
	.read = biboumi_read,
	.set = biboumi_set,
	.fill = biboumi_fill,
	.reader_group = "_biboumi", /* Debian's biboumi.service: User=_biboumi */
};

int main(int argc, char **argv)
{
	return transport_adapter_main(argc, argv, &biboumi_ops);
}
