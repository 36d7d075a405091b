/* SPDX-License-Identifier: GPL-2.0-or-later */
/* secret-read: the one reader of a secret handed to an adapter on stdin. */
#ifndef JD_SECRET_READ_H
#define JD_SECRET_READ_H

#include "buf.h"
#include "diag.h"

/*
 * Read the secret from FD to end of file, as protocol 1 passes it: the
 * secret, then one newline.  Exactly one final newline is removed (none is
 * fine too); what remains must pass validate_secret(), so a NUL, a second
 * line or an empty secret is refused.  The bytes go straight into RET, which
 * must be sensitive (BUF_INIT_SENSITIVE) and empty; they are never copied
 * elsewhere.  Reading stops past VALIDATE_SECRET_MAX + 1 bytes.
 *
 * Returns 0, or -errno with D filled ("the secret on stdin ...", exit 64
 * for a bad secret, 71 for a read error); RET is then emptied and wiped.
 */
int secret_read(int fd, struct buf *ret, struct diag *d);

/*
 * The check secret_read() makes, for a secret that came another way
 * (ORIGIN: "given by --password=", for messages): 0, or -EINVAL / -E2BIG
 * with D filled (exit 64) and SECRET emptied and wiped.
 */
int secret_accept(struct buf *secret, const char *origin, struct diag *d);

#endif
