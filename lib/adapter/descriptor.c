/* SPDX-License-Identifier: GPL-2.0-or-later */
/* descriptor: a transport adapter written as data — which file, which syntax, which three keys. */
#include "descriptor.h"
#include "conf-kv.h"
#include "exitcode.h"
#include "validate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <jabber-dispatch/adapter.h>

#define DESCRIPTOR_MAX_SIZE (64u << 10)

/* ------------------------------------------------------------------ the descriptor file */

void descriptor_free(struct descriptor *desc)
{
	char **fields[] = { &desc->path,	    &desc->name,	    &desc->config,
			    &desc->fallback_config, &desc->host_key,	    &desc->port_key,
			    &desc->secret_key,	    &desc->secret_file_key, &desc->secret_file_default,
			    &desc->default_host,    &desc->hint,	    &desc->reader_group };
	for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
		free(*fields[i]);
		*fields[i] = NULL;
	}
	for (size_t i = 0; i < desc->example_secrets.n; i++)
		sodium_memzero(desc->example_secrets.v[i], strlen(desc->example_secrets.v[i]));
	strv_free(&desc->example_secrets);
}

static bool descriptor_name_char(char c)
{
	return c && !strchr("/[]!@ \t<>&\"'=", c);
}

/* Parse "/a/b[c]/d[!e]@f" into K; false when it is not that shape. */
bool descriptor_xpath_parse(const char *s, struct descriptor_xpath *k)
{
	memset(k, 0, sizeof(*k));
	if (*s != '/')
		return false;
	while (*s == '/') {
		struct descriptor_xpath_step *st;
		size_t n = 0;
		if (k->n == DESCRIPTOR_XPATH_STEPS)
			return false;
		st = &k->steps[k->n++];
		for (s++; descriptor_name_char(*s) && n < sizeof(st->name) - 1; s++)
			st->name[n++] = *s;
		if (n == 0 || descriptor_name_char(*s))
			return false;
		if (*s == '[') {
			s++;
			if (*s == '!') {
				st->without = true;
				s++;
			}
			for (n = 0; descriptor_name_char(*s) && n < sizeof(st->child) - 1; s++)
				st->child[n++] = *s;
			if (n == 0 || *s != ']')
				return false;
			s++;
		}
	}
	if (*s == '@') {
		size_t n = 0;
		for (s++; descriptor_name_char(*s) && n < sizeof(k->attr) - 1; s++)
			k->attr[n++] = *s;
		if (n == 0)
			return false;
	}
	return *s == '\0';
}

/* Whether KEY is well-formed for FORMAT (checked when the descriptor is read). */
static bool descriptor_key_ok(enum descriptor_format format, const char *key)
{
	struct descriptor_xpath k;
	if (format == DESCRIPTOR_XML)
		return descriptor_xpath_parse(key, &k);
	if (!*key || key[0] == '.' || key[strlen(key) - 1] == '.')
		return false;
	for (const char *p = key; *p; p++)
		if (*p == ' ' || *p == '\t' || *p == '=' || *p == '#' || (format == DESCRIPTOR_KV && *p == '.'))
			return false;
	return true;
}

enum desc_field {
	F_FORMAT, F_DIALECT, F_CONFIG, F_FALLBACK, F_HOST, F_PORT, F_SECRET, F_SECRET_FILE, F_SECRET_FILE_DEFAULT,
	F_DEFAULT_HOST, F_DEFAULT_PORT, F_EXAMPLE_SECRET, F_HINT, F_READER_GROUP, F_SECRET_MAX, F_COUNT
};

static const char *const desc_words[F_COUNT] = {
	JD_DESC_FORMAT,		     JD_DESC_INI_DIALECT,  JD_DESC_CONFIG,	   JD_DESC_FALLBACK_CONFIG,
	JD_DESC_HOST,		     JD_DESC_PORT,	   JD_DESC_SECRET,	   JD_DESC_SECRET_FILE,
	JD_DESC_SECRET_FILE_DEFAULT, JD_DESC_DEFAULT_HOST, JD_DESC_DEFAULT_PORT,   JD_DESC_EXAMPLE_SECRET,
	JD_DESC_HINT,		     JD_DESC_READER_GROUP, JD_DESC_SECRET_MAX,
};

static int descriptor_check(const char *path, struct descriptor *dsc, const unsigned *lines, struct diag *d)
{
	const char *why;
	char host[254];

	if (!lines[F_FORMAT])
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s: no format= line", path);
	if (!lines[F_CONFIG])
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s: no config= line", path);
	if (!lines[F_HOST] && !lines[F_DEFAULT_HOST])
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s: no host= line", path);
	if (!lines[F_PORT] && !lines[F_DEFAULT_PORT])
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s: no port= or default-port= line", path);
	if (!lines[F_SECRET] == !lines[F_SECRET_FILE])
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s: give exactly one of secret= and secret-file=", path);
	if ((dsc->format == DESCRIPTOR_INI) != (lines[F_DIALECT] != 0))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: ini-dialect= goes with format=ini, and only there",
				path, lines[F_DIALECT] ? lines[F_DIALECT] : lines[F_FORMAT]);
	if (lines[F_SECRET_FILE_DEFAULT] && !lines[F_SECRET_FILE])
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: secret-file-default= needs secret-file=", path,
				lines[F_SECRET_FILE_DEFAULT]);
	{
		const struct {
			enum desc_field f;
			const char *key;
		} keys[] = { { F_HOST, dsc->host_key }, { F_PORT, dsc->port_key }, { F_SECRET, dsc->secret_key },
			     { F_SECRET_FILE, dsc->secret_file_key } };
		for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
			if (keys[i].key && !descriptor_key_ok(dsc->format, keys[i].key))
				return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: \"%.100s\" is not a key of format %s", path,
						lines[keys[i].f], keys[i].key,
						dsc->format == DESCRIPTOR_XML	? "xml (/element/path[@attribute])"
						: dsc->format == DESCRIPTOR_INI ? "ini (SECTION.KEY or KEY)"
										: "kv");
	}
	{
		const struct {
			enum desc_field f;
			const char *p;
		} paths[] = { { F_CONFIG, dsc->config },
			      { F_FALLBACK, dsc->fallback_config },
			      { F_SECRET_FILE_DEFAULT, dsc->secret_file_default } };
		for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++)
			if (paths[i].p && paths[i].p[0] != '/')
				return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s= takes an absolute path", path,
						lines[paths[i].f], desc_words[paths[i].f]);
	}
	if (dsc->default_host) {
		if (strlen(dsc->default_host) >= sizeof(host))
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: default-host= is too long", path,
					lines[F_DEFAULT_HOST]);
		snprintf(host, sizeof(host), "%s", dsc->default_host);
		if ((why = validate_host(host)))
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: default-host= is %s", path,
					lines[F_DEFAULT_HOST], why);
	}
	return 0;
}

int descriptor_parse(const char *path, const char *text, size_t len, struct descriptor *ret, struct diag *d)
{
	struct descriptor dsc = DESCRIPTOR_INIT;
	struct kv_file kv = KV_FILE_INIT;
	unsigned lines[F_COUNT] = { 0 };
	const char *base = strrchr(path, '/');
	int rc;

	rc = kv_parse(path, text, len, &kv, d);
	if (rc < 0)
		return rc;
	dsc.path = strdup(path);
	dsc.name = strdup(base ? base + 1 : path);
	if (!dsc.path || !dsc.name) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < kv.n && rc == 0; i++) {
		const struct kv_entry *e = &kv.v[i];
		char **slot = NULL;
		const char *why;
		size_t f;

		for (f = 0; f < F_COUNT && strcmp(e->key, desc_words[f]) != 0; f++)
			;
		if (f == F_COUNT) {
			rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: unknown key \"%.60s\"", path, e->line, e->key);
			break;
		}
		if (lines[f] && f != F_EXAMPLE_SECRET) {
			rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s= given twice (first on line %u)", path, e->line,
				      e->key, lines[f]);
			break;
		}
		lines[f] = e->line;
		if (!e->value[0] || e->value[0] == ' ' || e->value[0] == '\t' ||
		    strchr(" \t", e->value[strlen(e->value) - 1])) {
			rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s= %s", path, e->line, e->key,
				      e->value[0] ? "has blanks around its value" : "is empty");
			break;
		}
		switch ((enum desc_field)f) {
		case F_FORMAT:
			if (strcmp(e->value, "kv") == 0)
				dsc.format = DESCRIPTOR_KV;
			else if (strcmp(e->value, "ini") == 0)
				dsc.format = DESCRIPTOR_INI;
			else if (strcmp(e->value, "xml") == 0)
				dsc.format = DESCRIPTOR_XML;
			else
				rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: format= takes kv, ini or xml", path, e->line);
			break;
		case F_DIALECT:
			if (strcmp(e->value, "configparser") == 0)
				dsc.dialect = INI_CONFIGPARSER;
			else if (strcmp(e->value, "boost") == 0)
				dsc.dialect = INI_BOOST;
			else if (strcmp(e->value, "configargparse") == 0)
				dsc.dialect = INI_CONFIGARGPARSE;
			else
				rc = diag_set(d, EBADMSG, EXIT_DATAERR,
					      "%s:%u: ini-dialect= takes configparser, boost or configargparse", path,
					      e->line);
			break;
		case F_DEFAULT_PORT:
			if ((why = validate_port(e->value, &dsc.default_port)))
				rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: default-port= is %s", path, e->line, why);
			break;
		case F_EXAMPLE_SECRET:
			rc = strv_push(&dsc.example_secrets, e->value);
			break;
		case F_SECRET_MAX: {
			char *end;
			unsigned long n = strtoul(e->value, &end, 10);
			if (*end || e->value[0] < '1' || e->value[0] > '9' || n > VALIDATE_SECRET_MAX)
				rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: secret-max= takes a number of bytes from 1 to %d",
					      path, e->line, VALIDATE_SECRET_MAX);
			dsc.secret_max = (unsigned)n;
			break;
		}
		case F_CONFIG: slot = &dsc.config; break;
		case F_FALLBACK: slot = &dsc.fallback_config; break;
		case F_HOST: slot = &dsc.host_key; break;
		case F_PORT: slot = &dsc.port_key; break;
		case F_SECRET: slot = &dsc.secret_key; break;
		case F_SECRET_FILE: slot = &dsc.secret_file_key; break;
		case F_SECRET_FILE_DEFAULT: slot = &dsc.secret_file_default; break;
		case F_DEFAULT_HOST: slot = &dsc.default_host; break;
		case F_HINT: slot = &dsc.hint; break;
		case F_READER_GROUP: slot = &dsc.reader_group; break;
		case F_COUNT: break;
		}
		if (slot && !(*slot = strdup(e->value)))
			rc = -ENOMEM;
	}
	if (rc == 0)
		rc = descriptor_check(path, &dsc, lines, d);
out:
	kv_free(&kv);
	if (rc < 0) {
		descriptor_free(&dsc);
		return rc;
	}
	*ret = dsc;
	return 0;
}

int descriptor_load(const char *path, struct descriptor *ret, struct diag *d)
{
	struct buf text = BUF_INIT;
	struct stat st;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return diag_set(d, errno, EXIT_NOINPUT, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > DESCRIPTOR_MAX_SIZE) {
		rc = diag_set(d, EINVAL, EXIT_DATAERR, "%s: not a regular file of at most %u bytes", path,
			      DESCRIPTOR_MAX_SIZE);
		goto out;
	}
	rc = buf_read_fd(&text, fd, DESCRIPTOR_MAX_SIZE);
	if (rc == -EFBIG)
		rc = diag_set(d, EFBIG, EXIT_DATAERR, "%s: larger than %u bytes", path, DESCRIPTOR_MAX_SIZE);
	else if (rc < 0)
		rc = diag_set(d, -rc, EXIT_NOINPUT, "%s: %s", path, strerror(-rc));
	if (rc == 0)
		rc = descriptor_parse(path, buf_str(&text), text.len, ret, d);
out:
	close(fd);
	buf_free(&text);
	return rc;
}

/* ------------------------------------------------------------------ placeholders */

static bool descriptor_upper_word(const char *s)
{
	size_t letters = 0;
	for (; *s; s++) {
		if (*s >= 'A' && *s <= 'Z')
			letters++;
		else if (!((*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	}
	return letters >= 4;
}

bool descriptor_placeholder(const char *v)
{
	const char *p;
	/* "$VAR", "${VAR}", "$(cmd)": shell, sed and Spectrum variables */
	for (p = strchr(v, '$'); p; p = strchr(p + 1, '$'))
		if (p[1] == '{' || p[1] == '(' || p[1] == '_' || (p[1] >= 'A' && p[1] <= 'Z') ||
		    (p[1] >= 'a' && p[1] <= 'z'))
			return true;
	if (strstr(v, "{{") || strstr(v, "}}") || strstr(v, "%(") || strncmp(v, "CHANGE", 6) == 0 ||
	    strstr(v, "CHANGE-ME") || strstr(v, "CHANGEME"))
		return true;
	/* "@NAME@" (autoconf, our own templates) and "--NAME--" */
	for (p = v; *p; p++) {
		const char *q;
		if ((p[0] == '@' || (p[0] == '-' && p[1] == '-')) && (q = p + (p[0] == '@' ? 1 : 2)) &&
		    *q >= 'A' && *q <= 'Z') {
			while ((*q >= 'A' && *q <= 'Z') || *q == '_' || (*q >= '0' && *q <= '9'))
				q++;
			if ((p[0] == '@' && *q == '@') || (p[0] == '-' && q[0] == '-' && q[1] == '-'))
				return true;
		}
	}
	/* A word in capitals: SECRET, PASSWORD, SERVICE_DOMAIN */
	return descriptor_upper_word(v);
}

/* The length of the identifier at S: letters, digits and '_', not starting with a digit. */
static size_t descriptor_ident(const char *s, bool upper_only)
{
	size_t n = 0;
	while ((s[n] >= 'A' && s[n] <= 'Z') || s[n] == '_' || (n && s[n] >= '0' && s[n] <= '9') ||
	       (!upper_only && s[n] >= 'a' && s[n] <= 'z'))
		n++;
	return n;
}

bool descriptor_secret_placeholder(const char *v)
{
	size_t n = strlen(v), id;

	if (n >= 4 && ((v[0] == '$' && (v[1] == '{' || v[1] == '(') && v[n - 1] == (v[1] == '{' ? '}' : ')')) ||
		       (strncmp(v, "{{", 2) == 0 && strcmp(v + n - 2, "}}") == 0) ||
		       (strncmp(v, "%(", 2) == 0 && strcmp(v + n - 2, ")s") == 0)))
		return true;
	/* "$SECRET" as a whole: a shell or Spectrum variable; "$ecret" is a secret */
	if (v[0] == '$' && (id = descriptor_ident(v + 1, true)) > 0 && v[1 + id] == '\0')
		return true;
	if (v[0] == '@' && n > 2 && v[n - 1] == '@' && (id = descriptor_ident(v + 1, true)) == n - 2)
		return true;
	if (strncmp(v, "CHANGE", 6) == 0 || strstr(v, "CHANGE-ME") || strstr(v, "CHANGEME"))
		return true;
	return descriptor_upper_word(v);
}
