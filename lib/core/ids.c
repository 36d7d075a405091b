/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ids: a user or group given by name or number, looked up on the running system. */
#include "ids.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>

static bool ids_number(const char *s, unsigned long *ret)
{
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*ret = strtoul(s, &end, 10);
	return !*end && !errno && *ret < (unsigned long)(uid_t)-1;
}

int ids_resolve_user(const char *name, uid_t *ret_uid, gid_t *ret_gid)
{
	struct passwd *p;
	unsigned long id;

	if (ids_number(name, &id)) {
		p = getpwuid((uid_t)id);
		*ret_uid = (uid_t)id;
		if (ret_gid)
			*ret_gid = p ? p->pw_gid : (gid_t)id;
		return 0;
	}
	p = getpwnam(name);
	if (!p)
		return -ENOENT;
	*ret_uid = p->pw_uid;
	if (ret_gid)
		*ret_gid = p->pw_gid;
	return 0;
}

int ids_resolve_group(const char *name, gid_t *ret)
{
	struct group *g;
	unsigned long id;

	if (ids_number(name, &id)) {
		*ret = (gid_t)id;
		return 0;
	}
	g = getgrnam(name);
	if (!g)
		return -ENOENT;
	*ret = g->gr_gid;
	return 0;
}
