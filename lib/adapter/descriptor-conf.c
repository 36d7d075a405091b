/* SPDX-License-Identifier: GPL-2.0-or-later */
/* descriptor-conf: what a descriptor's interpreter does with the transport's config — read the three values, adopt new ones. */
#include "conf-kv.h"
#include "conf-xml.h"
#include "descriptor.h"
#include "transport-adapter.h"
#include "exitcode.h"
#include "validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A domain with a label in capitals ("aim.SERVER.COM") is an example's stand-in, not a name. */
static bool descriptor_upper_label(const char *host)
{
	size_t upper = 0, lower = 0;
	for (const char *p = host;; p++) {
		if (*p == '.' || !*p) {
			if (upper >= 3 && lower == 0)
				return true;
			if (!*p)
				return false;
			upper = lower = 0;
		} else if (*p >= 'A' && *p <= 'Z') {
			upper++;
		} else if (*p >= 'a' && *p <= 'z') {
			lower++;
		}
	}
}

struct dconf {
	const struct descriptor *desc;
	const char *path;
	struct buf text; /* sensitive: holds the secret */
	struct kv_file kv;
	struct ini_file ini;
	struct xml_doc xml;
};

static void dconf_free(struct dconf *c)
{
	kv_free(&c->kv);
	ini_free(&c->ini);
	xml_free(&c->xml);
	buf_free(&c->text);
}

/* Read and parse PATH inside R.  -ENOENT (D untouched) when the file does not exist. */
static int dconf_load(const struct descriptor *desc, const struct root *r, const char *path, struct dconf *c,
		      struct diag *d)
{
	int rc;
	*c = (struct dconf){ .desc = desc, .path = path, .text = BUF_INIT_SENSITIVE, .kv = KV_FILE_INIT,
			     .ini = INI_FILE_INIT, .xml = XML_DOC_INIT };
	rc = safefs_read_file(r, path, &c->text, d);
	if (rc < 0)
		return rc;
	if (desc->format == DESCRIPTOR_KV)
		return kv_parse(path, buf_str(&c->text), c->text.len, &c->kv, d);
	if (desc->format == DESCRIPTOR_INI)
		return ini_parse(path, buf_str(&c->text), c->text.len, desc->dialect, &c->ini, d);
	return xml_parse(path, buf_str(&c->text), c->text.len, &c->xml, d);
}

static bool descriptor_xpath_match(const struct xml_node *n, const struct descriptor_xpath_step *st)
{
	if (n->type != XML_ELEMENT || strcmp(n->name, st->name) != 0)
		return false;
	if (!st->child[0])
		return true;
	return (xml_child(n, st->child) != NULL) != st->without;
}

/* The element KEY leads to (and its attribute, when the key names one), or NULL. */
static struct xml_node *descriptor_xpath_find(const struct xml_doc *doc, const struct descriptor_xpath *k)
{
	struct xml_node *n = doc->root;
	if (!n || !descriptor_xpath_match(n, &k->steps[0]))
		return NULL;
	for (size_t i = 1; i < k->n && n; i++) {
		struct xml_node *c;
		for (c = xml_child(n, k->steps[i].name); c && !descriptor_xpath_match(c, &k->steps[i]);
		     c = xml_next(c, k->steps[i].name))
			;
		n = c;
	}
	return n;
}

/*
 * The value of KEY in C into OUT.  *RET_FOUND false when absent.  *RET_LINE
 * the line it is on.  An XML element with elements inside: -EBADMSG.
 */
static int dconf_get(struct dconf *c, const char *key, struct buf *out, bool *ret_found, unsigned *ret_line,
		     struct diag *d)
{
	*ret_found = false;
	if (c->desc->format == DESCRIPTOR_KV) {
		const struct kv_entry *e = kv_get(&c->kv, key);
		if (!e)
			return 0;
		*ret_found = true;
		*ret_line = e->line;
		return buf_puts(out, e->value);
	}
	if (c->desc->format == DESCRIPTOR_INI) {
		const char *dot = c->desc->dialect == INI_CONFIGARGPARSE ? NULL : strchr(key, '.');
		char *section = dot ? strndup(key, (size_t)(dot - key)) : strdup("");
		const struct ini_entry *e;
		if (!section)
			return -ENOMEM;
		e = ini_get(&c->ini, section, dot ? dot + 1 : key);
		free(section);
		if (!e)
			return 0;
		*ret_found = true;
		*ret_line = e->line;
		if (e->interpolated)
			return diag_set(d, EBADMSG, EXIT_DATAERR,
					"%s:%u: %s uses configparser interpolation (\"%%(name)s\" or a lone '%%'), which "
					"this adapter does not resolve",
					c->path, e->line, key);
		if (e->multiline)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s spans several lines", c->path, e->line,
					key);
		return buf_puts(out, e->value);
	}
	{
		struct descriptor_xpath k;
		struct xml_node *n;
		const struct xml_attr *a;
		int rc;

		descriptor_xpath_parse(key, &k);
		n = descriptor_xpath_find(&c->xml, &k);
		if (!n)
			return 0;
		*ret_line = n->line;
		if (k.attr[0]) {
			if (!(a = xml_attr(n, k.attr)))
				return 0;
			*ret_found = true;
			return xml_attr_value(&c->xml, a, out);
		}
		*ret_found = true;
		rc = xml_text(&c->xml, n, out);
		if (rc == -EINVAL)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: <%s> holds elements, not a value", c->path,
					n->line, n->name);
		return rc;
	}
}

/* Trim blanks and line breaks around B (a host or port written across lines in XML). */
static void descriptor_trim(struct buf *b)
{
	size_t s = 0, e = b->len;
	if (!b->len)
		return;
	while (s < e && strchr(" \t\r\n", b->data[s]))
		s++;
	while (e > s && strchr(" \t\r\n", b->data[e - 1]))
		e--;
	memmove(b->data, b->data + s, e - s);
	buf_truncate(b, e - s);
}

/* ------------------------------------------------------------------ read */

/* Look KEY up in the config, then in the fallback config. */
static int descriptor_lookup(struct dconf *main, struct dconf *fallback, const char *key, struct buf *out,
			     bool *found, unsigned *line, const char **where, struct diag *d)
{
	int rc = dconf_get(main, key, out, found, line, d);
	*where = main->path;
	if (rc == 0 && !*found && fallback->path) {
		rc = dconf_get(fallback, key, out, found, line, d);
		*where = fallback->path;
	}
	return rc;
}

static int descriptor_not_configured(const struct descriptor *desc, struct diag *d, int err, const char *fmt,
				     const char *a, const char *b)
{
	char msg[600];
	snprintf(msg, sizeof(msg), fmt, a, b);
	return diag_set(d, err, EXIT_CHECK_FAILED, "%s%s%s", msg, desc->hint ? "; " : "",
			desc->hint ? desc->hint : "");
}

/* The secret: from the config, or from the file a config key names (sms4you). */
static int descriptor_secret(const struct descriptor *desc, const struct root *r, struct dconf *main,
			     struct dconf *fallback, struct buf *out, struct diag *d)
{
	struct buf file = BUF_INIT;
	const char *where;
	unsigned line = 0;
	bool found;
	int rc;

	if (desc->secret_key) {
		rc = descriptor_lookup(main, fallback, desc->secret_key, out, &found, &line, &where, d);
		if (rc == 0 && (!found || out->len == 0))
			rc = descriptor_not_configured(desc, d, ENODATA, "%s: %s is not set", main->path, desc->secret_key);
		if (rc == 0 && descriptor_secret_placeholder(buf_str(out)))
			rc = diag_set(d, ENODATA, EXIT_CHECK_FAILED, "%s:%u: %s is a template placeholder, not a secret",
				      where, line, desc->secret_key);
		return rc;
	}
	rc = descriptor_lookup(main, fallback, desc->secret_file_key, &file, &found, &line, &where, d);
	if (rc == 0 && !found && desc->secret_file_default)
		rc = buf_puts(&file, desc->secret_file_default);
	if (rc == 0 && file.len == 0)
		rc = descriptor_not_configured(desc, d, ENODATA, "%s: %s (the file holding the secret) is not set", main->path,
					       desc->secret_file_key);
	if (rc == 0 && file.data[0] != '/')
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s is not an absolute path", where, line,
			      desc->secret_file_key);
	if (rc == 0) {
		rc = safefs_read_file(r, file.data, out, d);
		if (rc == -ENOENT)
			rc = descriptor_not_configured(desc, d, ENODATA, "%s: no such file (it holds the secret)%s", file.data, "");
	}
	if (rc == 0) {
		/* The program strips what surrounds the secret (Python's str.strip()). */
		descriptor_trim(out);
		if (out->len == 0)
			rc = descriptor_not_configured(desc, d, ENODATA, "%s: the secret file is empty%s", file.data, "");
	}
	buf_free(&file);
	return rc;
}

int descriptor_read(const struct descriptor *desc, const struct root *r, const char *config, struct component *ret,
		    struct diag *d)
{
	struct dconf main = { .text = BUF_INIT_SENSITIVE }, fallback = { .text = BUF_INIT_SENSITIVE };
	struct buf host = BUF_INIT, port = BUF_INIT, secret = BUF_INIT_SENSITIVE;
	const char *where = config, *why;
	struct secret view;
	unsigned line = 0;
	bool found = false;
	int rc;

	rc = dconf_load(desc, r, config, &main, d);
	if (rc == -ENOENT) {
		rc = descriptor_not_configured(desc, d, ENOENT, "%s: no such file%s", config, "");
		goto out;
	}
	if (rc == 0 && desc->fallback_config) {
		rc = dconf_load(desc, r, desc->fallback_config, &fallback, d);
		if (rc == -ENOENT) {
			fallback.path = NULL;
			rc = 0;
		}
	}
	if (rc < 0)
		goto out;

	/* Host */
	if (desc->host_key)
		rc = descriptor_lookup(&main, &fallback, desc->host_key, &host, &found, &line, &where, d);
	if (rc < 0)
		goto out;
	descriptor_trim(&host);
	if (!found && desc->default_host)
		rc = buf_puts(&host, desc->default_host);
	else if (!found || host.len == 0)
		rc = descriptor_not_configured(desc, d, ENODATA, "%s: %s is not set", config, desc->host_key);
	else if (descriptor_placeholder(buf_str(&host)) || descriptor_upper_label(buf_str(&host)))
		rc = diag_set(d, ENODATA, EXIT_CHECK_FAILED, "%s:%u: %s is a template placeholder (%.80s), not a domain",
			      where, line, desc->host_key, buf_str(&host));
	else if (host.len >= sizeof(ret->host))
		rc = diag_set(d, EINVAL, EXIT_DATAERR, "%s:%u: %s is longer than 253 bytes", where, line,
			      desc->host_key);
	if (rc < 0)
		goto out;
	snprintf(ret->host, sizeof(ret->host), "%s", buf_str(&host));
	if ((why = validate_host(ret->host))) {
		struct buf q = BUF_INIT;
		validate_quote(&q, buf_str(&host), host.len, 80);
		rc = diag_set(d, EINVAL, EXIT_DATAERR, "%s:%u: %s %s is %s", where, line,
			      desc->host_key ? desc->host_key : "default-host", buf_str(&q), why);
		buf_free(&q);
		goto out;
	}

	/* Port */
	found = false;
	if (desc->port_key)
		rc = descriptor_lookup(&main, &fallback, desc->port_key, &port, &found, &line, &where, d);
	if (rc < 0)
		goto out;
	descriptor_trim(&port);
	if (!found && desc->default_port) {
		ret->port = desc->default_port;
	} else if (!found || port.len == 0) {
		rc = descriptor_not_configured(desc, d, ENODATA, "%s: %s is not set", config, desc->port_key);
		goto out;
	} else if ((why = validate_port(buf_str(&port), &ret->port))) {
		struct buf q = BUF_INIT;
		validate_quote(&q, buf_str(&port), port.len, 40);
		if (descriptor_placeholder(buf_str(&port)))
			rc = diag_set(d, ENODATA, EXIT_CHECK_FAILED, "%s:%u: %s is a template placeholder (%s)", where,
				      line, desc->port_key, buf_str(&q));
		else
			rc = diag_set(d, EINVAL, EXIT_DATAERR, "%s:%u: %s %s is %s", where, line, desc->port_key,
				      buf_str(&q), why);
		buf_free(&q);
		goto out;
	}

	/* Secret: never quoted back in a message, not even a bad one. */
	rc = descriptor_secret(desc, r, &main, &fallback, &secret, d);
	if (rc < 0)
		goto out;
	view = secret_of(&secret);
	for (size_t i = 0; i < desc->example_secrets.n; i++)
		if (secret_equal_str(&view, desc->example_secrets.v[i])) {
			rc = descriptor_not_configured(desc, d, ENODATA,
						       "%s: the secret is still the example shipped with %s; generate "
						       "a config with jabber-dispatch transport-init or set your own",
						       config, desc->name);
			goto out;
		}
	rc = transport_secret(ret, buf_str(&secret), secret.len, config, 0,
			      desc->secret_key ? desc->secret_key : desc->secret_file_key, d);
out:
	dconf_free(&main);
	dconf_free(&fallback);
	buf_free(&host);
	buf_free(&port);
	buf_free(&secret);
	return rc;
}

/* ------------------------------------------------------------------ set */

/* C's text with KEY set to VALUE, into OUT; the new text is checked by parsing it again. */
static int dconf_set(struct dconf *c, const char *key, const char *value, struct buf *out, struct diag *d)
{
	const char *text = buf_str(&c->text);
	size_t len = c->text.len;
	int rc;

	if (c->desc->format == DESCRIPTOR_KV) {
		if (strchr(value, '\n'))
			return diag_set(d, EINVAL, EXIT_DATAERR, "%s: a value with a line break cannot be written", c->path);
		return kv_set(text, len, &c->kv, key, value, out);
	}
	if (c->desc->format == DESCRIPTOR_INI) {
		const char *dot = c->desc->dialect == INI_CONFIGARGPARSE ? NULL : strchr(key, '.');
		char *section = dot ? strndup(key, (size_t)(dot - key)) : strdup("");
		const char *why = ini_unwritable(&c->ini, value);
		if (!section)
			return -ENOMEM;
		rc = why ? diag_set(d, EINVAL, EXIT_DATAERR, "%s: %s cannot be written: %s", c->path, key, why)
			 : ini_set(text, len, &c->ini, section, dot ? dot + 1 : key, value, out);
		if (rc == -EINVAL && !diag_is_set(d))
			rc = diag_set(d, EINVAL, EXIT_DATAERR, "%s: %s cannot be set in place (it spans several lines)",
				      c->path, key);
		free(section);
		return rc;
	}
	{
		struct descriptor_xpath k;
		struct xml_node *n;
		const struct xml_attr *a = NULL;

		descriptor_xpath_parse(key, &k);
		n = descriptor_xpath_find(&c->xml, &k);
		if (!n || (k.attr[0] && !(a = xml_attr(n, k.attr))))
			return diag_set(d, ENOENT, EXIT_DATAERR, "%s: no %s to set (elements are not added)", c->path, key);
		if (!k.attr[0]) {
			if (xml_child(n, NULL))
				return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: <%s> holds elements, not a value",
						c->path, n->line, n->name);
			return xml_set_text(&c->xml, n, value, strlen(value), out);
		}
		rc = buf_append(out, text, a->value_start);
		if (rc == 0)
			rc = xml_escape_attr(value, strlen(value), out);
		if (rc == 0)
			rc = buf_append(out, text + a->value_end, len - a->value_end);
		return rc;
	}
}

/* Replace C's text with NEW and parse it again, as the next edit and the final check need. */
static int dconf_replace(struct dconf *c, struct buf *new_text, struct diag *d)
{
	kv_free(&c->kv);
	ini_free(&c->ini);
	xml_free(&c->xml);
	buf_free(&c->text);
	c->text = *new_text;
	*new_text = (struct buf)BUF_INIT_SENSITIVE;
	if (c->desc->format == DESCRIPTOR_KV)
		return kv_parse(c->path, buf_str(&c->text), c->text.len, &c->kv, d);
	if (c->desc->format == DESCRIPTOR_INI)
		return ini_parse(c->path, buf_str(&c->text), c->text.len, c->desc->dialect, &c->ini, d);
	return xml_parse(c->path, buf_str(&c->text), c->text.len, &c->xml, d);
}

/*
 * Hide SECRET from diffs as the config's syntax writes it (escaped, doubled)
 * and as it is.  The longer written forms go first: redaction takes the
 * first match, and the raw secret is a prefix of its escaped form.
 */
static int descriptor_redact(const struct descriptor *desc, struct changeset *cs, const char *secret,
			     const char *shown)
{
	struct buf enc = BUF_INIT_SENSITIVE;
	int rc = 0;

	if (desc->format == DESCRIPTOR_XML) {
		rc = xml_escape_text(secret, strlen(secret), &enc);
		if (rc == 0 && strcmp(buf_str(&enc), secret) != 0)
			rc = changeset_redact(cs, buf_str(&enc), shown);
		buf_truncate(&enc, 0);
		if (rc == 0)
			rc = xml_escape_attr(secret, strlen(secret), &enc);
	} else if (desc->format == DESCRIPTOR_INI && desc->dialect == INI_CONFIGPARSER) {
		for (const char *p = secret; *p && rc == 0; p++)
			rc = *p == '%' ? buf_puts(&enc, "%%") : buf_putc(&enc, *p);
	}
	if (rc == 0 && enc.len && strcmp(buf_str(&enc), secret) != 0)
		rc = changeset_redact(cs, buf_str(&enc), shown);
	if (rc == 0)
		rc = changeset_redact(cs, secret, shown);
	buf_free(&enc);
	return rc;
}

int descriptor_set(const struct descriptor *desc, const struct root *r, const char *config, unsigned port,
		   const struct secret *secret, struct changeset *cs, enum result *ret_result, struct diag *d)
{
	struct dconf c = { .text = BUF_INIT }, fallback = { .text = BUF_INIT };
	struct buf orig = BUF_INIT_SENSITIVE, next = BUF_INIT_SENSITIVE, old_secret = BUF_INIT_SENSITIVE;
	struct buf file = BUF_INIT, old_file = BUF_INIT_SENSITIVE;
	bool found;
	unsigned line;
	const char *where;
	char portstr[16];
	int rc;

	rc = dconf_load(desc, r, config, &c, d);
	if (rc == -ENOENT)
		rc = diag_set(d, ENOENT, EXIT_NOINPUT, "%s: no such file", config);
	if (rc < 0)
		goto out;
	if (desc->fallback_config && (rc = dconf_load(desc, r, desc->fallback_config, &fallback, d)) == -ENOENT) {
		fallback.path = NULL;
		rc = 0;
	}
	if (rc < 0)
		goto out;
	rc = buf_append(&orig, buf_str(&c.text), c.text.len);
	if (rc == 0 && port && !desc->port_key)
		rc = diag_set(d, ENOTSUP, EXIT_DATAERR, "%s: the descriptor names no port key to set", desc->path);
	if (rc == 0 && port) {
		snprintf(portstr, sizeof(portstr), "%u", port);
		rc = dconf_set(&c, desc->port_key, portstr, &next, d);
		if (rc == 0)
			rc = dconf_replace(&c, &next, d);
	}
	if (rc == 0 && secret && desc->secret_key) {
		/* The old secret, for the diff to hide. */
		rc = dconf_get(&c, desc->secret_key, &old_secret, &found, &line, d);
		if (rc == 0)
			rc = dconf_set(&c, desc->secret_key, secret->data, &next, d);
		if (rc == 0)
			rc = dconf_replace(&c, &next, d);
	} else if (rc == 0 && secret) {
		/* The secret lives in a file of its own: write that file, the config stays. */
		rc = descriptor_lookup(&c, &fallback, desc->secret_file_key, &file, &found, &line, &where, d);
		if (rc == 0 && !found && desc->secret_file_default)
			rc = buf_puts(&file, desc->secret_file_default);
		if (rc == 0 && (file.len == 0 || file.data[0] != '/'))
			rc = diag_set(d, EINVAL, EXIT_DATAERR, "%s: %s names no absolute path to write the secret to",
				      config, desc->secret_file_key);
		if (rc == 0) {
			rc = safefs_read_file(r, file.data, &old_file, d);
			if (rc == 0 || rc == -ENOENT) {
				struct buf data = BUF_INIT_SENSITIVE;
				bool existed = rc == 0;
				rc = buf_printf(&data, "%s\n", secret->data);
				if (rc == 0)
					rc = changeset_put(cs, file.data, existed ? &old_file : NULL, data.data, data.len,
							   0640);
				buf_free(&data);
				if (rc == 0 && existed) {
					descriptor_trim(&old_file);
					rc = buf_append(&old_secret, buf_str(&old_file), old_file.len);
				}
			}
		}
	}
	if (rc == 0)
		rc = changeset_put(cs, config, &orig, c.text.data, c.text.len, 0640);
	if (rc == 0 && secret)
		rc = descriptor_redact(desc, cs, secret->data, "<secret>");
	/* An example secret is public: hiding it would only garble the diff wherever its word occurs. */
	if (rc == 0 && old_secret.len && !strv_contains(&desc->example_secrets, buf_str(&old_secret)))
		rc = descriptor_redact(desc, cs, buf_str(&old_secret), "<old secret>");
	if (rc == 0)
		*ret_result = changeset_empty(cs) ? RESULT_UNCHANGED : RESULT_UPDATED;
out:
	dconf_free(&c);
	dconf_free(&fallback);
	buf_free(&orig);
	buf_free(&next);
	buf_free(&old_secret);
	buf_free(&file);
	buf_free(&old_file);
	return rc;
}
