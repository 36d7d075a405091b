/* SPDX-License-Identifier: GPL-2.0-or-later */
/* adapter-inputs: an adapter saying which files its answer depends on, so an unchanged world is not asked again. */
#include "adapter-inputs.h"
#include "protocol.h"

#include <stdlib.h>
#include <string.h>

bool adapter_inputs_wanted(void)
{
	const char *v = getenv(PROTOCOL_INPUTS_ENV);
	return v && strcmp(v, "1") == 0;
}

int adapter_inputs_append(struct buf *out, const struct safefs_view *v, const char *const *extra)
{
	struct strv paths = STRV_INIT;
	struct buf lines = BUF_INIT;
	bool whole = true;
	int rc;

	if (!v)
		return 0;
	rc = safefs_view_paths(v, &paths);
	for (size_t i = 0; rc == 0 && extra && extra[i]; i++)
		rc = strv_push(&paths, extra[i]);
	for (size_t i = 0; rc == 0 && i < paths.n; i++) {
		if (strchr(paths.v[i], '\n'))
			whole = false;
		else
			rc = buf_printf(&lines, PROTOCOL_INPUT_LINE "%s\n", paths.v[i]);
	}
	/* All or, as a list known to miss something must not pass for whole, a line without a path. */
	if (rc == 0 && whole)
		rc = buf_append(out, buf_str(&lines), lines.len);
	if (rc < 0 || !whole)
		rc = buf_puts(out, PROTOCOL_INPUT_LINE "\n");
	strv_free(&paths);
	buf_free(&lines);
	return rc;
}
