/* SPDX-License-Identifier: GPL-2.0-or-later */
/* validate: what a component's host, port and secret may be, whoever produced them. */
#include "validate.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

const char *validate_host(char *s)
{
	size_t total = strlen(s), label = 0;

	if (total == 0)
		return "empty";
	if (total > 253)
		return "longer than 253 bytes";
	for (size_t i = 0; i <= total; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '.' || ch == '\0') {
			if (label == 0)
				return "not a domain name (empty label)";
			if (s[i - 1] == '-')
				return "not a domain name (a label ends with '-')";
			label = 0;
			continue;
		}
		if (ch >= 'A' && ch <= 'Z')
			s[i] = (char)(ch - 'A' + 'a'); /* JID domains compare case-insensitively */
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
			return "not a domain name";
		if (label == 0 && ch == '-')
			return "not a domain name (a label starts with '-')";
		if (++label > 63)
			return "not a domain name (a label is longer than 63 bytes)";
	}
	return NULL;
}

const char *validate_port(const char *s, unsigned *ret_port)
{
	unsigned long v = 0;
	size_t n = strlen(s);

	if (n == 0)
		return "empty";
	if (n > 5)
		return "not a port number (1-65535)";
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return "not a port number (1-65535)";
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535 || s[0] == '0')
		return "not a port number (1-65535)";
	*ret_port = (unsigned)v;
	return NULL;
}

/* Length of the UTF-8 sequence at S (at most N bytes), or 0 when it is not valid UTF-8. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *ret_cp)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80) {
		*ret_cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*ret_cp = cp;
	return len;
}

size_t validate_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	return len ? utf8_seq((const unsigned char *)s, len, cp) : 0;
}

size_t validate_utf8_char(const char *s, size_t len)
{
	uint32_t cp;
	return len ? utf8_seq((const unsigned char *)s, len, &cp) : 0;
}

const char *validate_secret(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	if (len == 0)
		return "empty";
	if (len > VALIDATE_SECRET_MAX)
		return "longer than 1024 bytes";
	if (p[0] == ' ' || p[len - 1] == ' ')
		return "starts or ends with a blank";
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_seq(p + i, len - i, &cp);
		if (n == 0)
			return "not valid UTF-8";
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			return "contains a control character";
		i += n;
	}
	return NULL;
}

int validate_quote(struct buf *out, const char *s, size_t len, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	int rc = buf_putc(out, '"');

	for (size_t i = 0; i < len && rc == 0; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (i >= max) {
			rc = buf_puts(out, "...");
			break;
		}
		if (ch == '"' || ch == '\\') {
			char esc[2] = { '\\', (char)ch };
			rc = buf_append(out, esc, 2);
		} else if (ch == '\n') {
			rc = buf_puts(out, "\\n");
		} else if (ch < 0x20 || ch >= 0x7f) {
			char esc[4] = { '\\', 'x', hex[ch >> 4], hex[ch & 15] };
			rc = buf_append(out, esc, 4);
		} else {
			rc = buf_putc(out, (char)ch);
		}
	}
	if (rc == 0)
		rc = buf_putc(out, '"');
	return rc;
}

bool validate_adapter_name(const char *name)
{
	if (!*name || strlen(name) > 100)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("+-._", *p)))
			return false;
	return true;
}
