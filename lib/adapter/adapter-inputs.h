/* SPDX-License-Identifier: GPL-2.0-or-later */
/* adapter-inputs: an adapter saying which files its answer depends on, so an unchanged world is not asked again. */
#ifndef JD_ADAPTER_INPUTS_H
#define JD_ADAPTER_INPUTS_H

#include <stdbool.h>

#include "buf.h"
#include "safefs.h"

/* Whether the dispatcher asks which files the answer depends on (PROTOCOL_INPUTS_ENV is "1"). */
bool adapter_inputs_wanted(void);
/*
 * With V (NULL: nothing at all), append to OUT a line "input PATH" for every
 * path read or listed through V and every path of EXTRA (NULL-terminated,
 * may be NULL).  A list it cannot make whole (a path with a newline, no
 * memory) is one line "input " without a path, which claims nothing.
 * -ENOMEM when not even that could be appended.
 */
int adapter_inputs_append(struct buf *out, const struct safefs_view *v, const char *const *extra);

#endif
