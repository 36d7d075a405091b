/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ids: a user or group given by name or number, looked up on the running system. */
#ifndef JD_IDS_H
#define JD_IDS_H

#include <sys/types.h>

/*
 * A decimal number is taken as the id itself; anything else is looked up
 * (getpwnam/getgrnam, so NSS of the running system: under --root the names
 * are still the machine's).  -ENOENT when there is no such name.
 * ids_resolve_user also gives the user's primary group in *RET_GID (may be NULL).
 */
int ids_resolve_user(const char *name, uid_t *ret_uid, gid_t *ret_gid);
int ids_resolve_group(const char *name, gid_t *ret);

#endif
