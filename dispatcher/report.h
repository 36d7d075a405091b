/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report: what every command's output shares: JSON strings and the envelope, columns sized from the data. */
#ifndef JD_REPORT_H
#define JD_REPORT_H

#include <stddef.h>

#include "buf.h"

/* The version of every --json output's shape: fields are only ever added within a version. */
#define REPORT_JSON_VERSION 1

/* Append S as a JSON string (NULL: null); bytes that are not UTF-8 (an odd file name) become U+FFFD. */
int report_json_str(struct buf *out, const char *s);
/* Open the object every --json output is: {"version":1,"command":"NAME" (the caller goes on with ,"..."). */
int report_json_begin(struct buf *out, const char *command);
/* Append ,"KEY":VALUE with VALUE a JSON string (NULL: null), inside an object begun above. */
int report_json_field(struct buf *out, const char *key, const char *value);
/* Write OUT to standard output and free it. */
void report_flush(struct buf *out);

/* Widths of text columns: each the longest cell seen, at least its minimum. */
struct report_columns {
	size_t n;
	size_t width[8];
};

void report_columns_init(struct report_columns *c, size_t n, const size_t *min);
void report_columns_see(struct report_columns *c, size_t col, const char *cell);

#endif
