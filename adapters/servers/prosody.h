/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prosody: what the Prosody adapter's files share. */
#ifndef JD_ADAPTER_PROSODY_H
#define JD_ADAPTER_PROSODY_H

#include "server-adapter.h"

/*
 * --reload: prosodyctl reload (it checks the config first), then `shell host
 * activate` for each added host, as a reload alone does not activate new
 * components (LAB_FACTS §3), and `host deactivate` for each removed one.
 */
int prosody_reload(const struct server_request *req, struct buf *out, struct diag *d);

#endif
