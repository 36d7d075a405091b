/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diff: unified diffs between two in-memory texts, for showing what --dry-run would change. */
#ifndef JD_DIFF_H
#define JD_DIFF_H

#include <stddef.h>

#include "buf.h"

/*
 * Append to OUT a unified diff (3 lines of context, like `diff -u`) turning OLD into NEW.
 * Labels go on the ---/+++ lines as given ("a/etc/x", "/dev/null" for a created file...).
 * old_len/new_len are byte lengths; either side may be empty (creation/removal), and an
 * empty side may be NULL.
 * A side whose last line has no final newline gets the "\ No newline at end of file" marker.
 * Appends nothing when the two are byte-identical. Returns 0 or -ENOMEM (OUT may then hold a
 * partial diff; this implementation in fact truncates it back to its original length).
 *
 * Lines end at '\n' and may hold any other byte, NUL included.  The output is meant to be
 * byte-identical to GNU `diff -u --label OLD_LABEL --label NEW_LABEL` (plus `-a` when a text
 * holds NUL bytes, which GNU diff would otherwise call binary): same hunk headers, same
 * merging of changes whose contexts touch, same choice among equally short diffs.
 * Memory is linear in the input; time grows with the edited middle times the number of
 * edits, and past a few thousand edits the diff stops being minimal, as GNU diff's does.
 */
int diff_unified(const char *old, size_t old_len, const char *new, size_t new_len,
		 const char *old_label, const char *new_label, struct buf *out);

#endif
