/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf-ini: INI files as the programs that own them read them, with byte offsets for positional edits. */
#ifndef JD_CONF_INI_H
#define JD_CONF_INI_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "diag.h"

/*
 * "INI" is a family, not a format: each dialect below follows the parser of
 * the programs that read such files, so a value is what the program will
 * see, and a file the program would refuse is refused here too.
 */
enum ini_dialect {
	/*
	 * Python's configparser with its defaults (mrim, sms4you): "[section]"
	 * first, "key = value" or "key: value", '#' and ';' comments on their own
	 * line, indented lines continue a value, keys case-insensitive, a key or
	 * section given twice is an error, [DEFAULT] supplies missing keys, and
	 * values are interpolated: "%%" is a '%', "%(name)s" a reference.
	 */
	INI_CONFIGPARSER,
	/*
	 * boost::program_options (Spectrum 2): "key = value" under "[section]",
	 * '#' anywhere starts a comment, an option given twice is an error,
	 * quotes are part of the value.
	 */
	INI_BOOST,
	/*
	 * configargparse's default parser (Slidge): sections are ignored,
	 * "key=value", "key: value" or "key value", one pair of quotes around a
	 * value is removed, " #" or " ;" starts a comment, the last one counts.
	 */
	INI_CONFIGARGPARSE,
};

struct ini_entry {
	char *section;   /* "" for keys before the first section (and always for INI_CONFIGARGPARSE) */
	char *key;
	char *value;     /* as the program sees it: trimmed, unquoted, comment and %% undone */
	unsigned line;   /* 1-based */
	size_t value_start, value_end; /* the raw value in the text (quotes included), for replacing */
	bool multiline;  /* INI_CONFIGPARSER: continues on indented lines (not editable in place) */
	bool interpolated; /* INI_CONFIGPARSER: holds a %(name)s reference (value is then raw) */
};

struct ini_file {
	enum ini_dialect dialect;
	struct ini_entry *v;
	size_t n;
	/* Where each section's last line ends, for adding a key to it. */
	struct ini_section {
		char *name;
		size_t end; /* offset after the last line that belongs to the section */
	} *sections;
	size_t nsections;
};

#define INI_FILE_INIT { INI_CONFIGPARSER, NULL, 0, NULL, 0 }

/*
 * Parse TEXT (PATH names it in messages) the way DIALECT's program does.
 * What that program refuses is refused: -EBADMSG with "PATH:LINE: reason".
 * A NUL byte is refused in every dialect.
 */
int ini_parse(const char *path, const char *text, size_t len, enum ini_dialect dialect, struct ini_file *ret,
	      struct diag *d);
/*
 * The entry that gives KEY in SECTION its value, or NULL: the last one, and
 * for INI_CONFIGPARSER a [DEFAULT] entry when SECTION has none.  SECTION is
 * ignored for INI_CONFIGARGPARSE.
 */
const struct ini_entry *ini_get(const struct ini_file *f, const char *section, const char *key);
/*
 * Why VALUE cannot be written in F's dialect so that the program reads it
 * back unchanged (a '#' for boost, a leading quote for configargparse...),
 * or NULL when it can.
 */
const char *ini_unwritable(const struct ini_file *f, const char *value);
/*
 * Append to OUT the text of F (parsed from TEXT) with KEY in SECTION set to
 * VALUE, every other byte kept: the value that counts is replaced in place;
 * a missing key is added after the last line of its section; a missing
 * section is added at the end.  VALUE is encoded for the dialect ("%" as
 * "%%").  -EINVAL when ini_unwritable() refuses VALUE or the entry is
 * multi-line.
 */
int ini_set(const char *text, size_t len, const struct ini_file *f, const char *section, const char *key,
	    const char *value, struct buf *out);
/* Wipes values: they may be secrets. */
void ini_free(struct ini_file *f);

#endif
