/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report: what every command's output shares: JSON strings and the envelope, columns sized from the data. */
#include "report.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>

int report_json_str(struct buf *out, const char *s)
{
	size_t len;
	int rc;

	if (!s)
		return buf_puts(out, "null");
	len = strlen(s);
	rc = buf_putc(out, '"');
	for (size_t i = 0; i < len && rc == 0;) {
		unsigned char c = (unsigned char)s[i];
		size_t n = validate_utf8_char(s + i, len - i);
		if (n == 0) {
			rc = buf_puts(out, "\\ufffd");
			i++;
			continue;
		}
		if (c == '"' || c == '\\')
			rc = buf_printf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			rc = buf_printf(out, "\\u%04x", c);
		else
			rc = buf_append(out, s + i, n);
		i += n;
	}
	return rc ? rc : buf_putc(out, '"');
}

int report_json_begin(struct buf *out, const char *command)
{
	int rc = buf_printf(out, "{\"version\":%d,\"command\":", REPORT_JSON_VERSION);
	return rc ? rc : report_json_str(out, command);
}

int report_json_field(struct buf *out, const char *key, const char *value)
{
	int rc = buf_printf(out, ",\"%s\":", key);
	return rc ? rc : report_json_str(out, value);
}

void report_flush(struct buf *out)
{
	fwrite(buf_str(out), 1, out->len, stdout);
	buf_free(out);
}

void report_columns_init(struct report_columns *c, size_t n, const size_t *min)
{
	c->n = n < 8 ? n : 8;
	for (size_t i = 0; i < c->n; i++)
		c->width[i] = min ? min[i] : 0;
}

void report_columns_see(struct report_columns *c, size_t col, const char *cell)
{
	size_t len = cell ? strlen(cell) : 0;
	if (col < c->n && len > c->width[col])
		c->width[col] = len;
}
