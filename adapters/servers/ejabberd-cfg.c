/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ejabberd-cfg: placeholder until the legacy ejabberd.cfg support lands. */
#include "ejabberd.h"
#include "exitcode.h"

#include <errno.h>

int ejcfg_apply(const struct server_request *req, const char *path, struct changeset *cs,
		struct server_outcome *ret, struct diag *d)
{
	(void)req, (void)cs, (void)ret;
	return diag_set(d, ENOTSUP, EXIT_DATAERR, "%s: not supported yet", path);
}

int ejcfg_remove(const struct server_request *req, const char *path, struct changeset *cs,
		 struct server_outcome *ret, struct diag *d)
{
	(void)req, (void)cs, (void)ret;
	return diag_set(d, ENOTSUP, EXIT_DATAERR, "%s: not supported yet", path);
}

int ejcfg_list(const struct server_request *req, const char *path, struct buf *out, struct diag *d)
{
	(void)req, (void)out;
	return diag_set(d, ENOTSUP, EXIT_DATAERR, "%s: not supported yet", path);
}
