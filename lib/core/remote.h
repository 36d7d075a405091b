/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remote: a transport's link data as a file that travels to the machine of its server (docs/link-descriptor.md). */
#ifndef JD_REMOTE_H
#define JD_REMOTE_H

#include "buf.h"
#include "diag.h"
#include "protocol.h"
#include "safefs.h"

/*
 * A link descriptor, as `jabber-dispatch export` writes it:
 *
 *   # jabber-dispatch link descriptor: this file holds a secret ...   (REMOTE_FIRST_LINE)
 *   format=1
 *   transport=biboumi              the adapter's name on the transport's machine
 *   host=irc.example.org
 *   port=5347
 *   server-address=10.0.0.1        optional: where the transport connects to the server
 *   secret=...
 *   checksum=sha256:HEX            of every byte above this line
 *
 * The keys come in this order, each once.  `import` installs the same text
 * behind a "#!" line naming REMOTE_INTERPRETER, as an admin transport adapter.
 * The checksum catches a file cut or changed on the way; it is no signature:
 * the file must travel over a channel the admin trusts, as any secret does.
 */
#define REMOTE_FORMAT 1
#define REMOTE_FIRST_LINE \
	"# jabber-dispatch link descriptor: this file holds a secret; keep it mode 0600 and move it only over a private channel"
#define REMOTE_INTERPRETER PROTOCOL_VENDOR_DIR "/imported"
/* A descriptor is a few hundred bytes: a larger file is not one. */
#define REMOTE_MAX_SIZE (16u << 10)

struct remote_link {
	char transport[101];     /* the adapter's name where it was exported */
	char host[254];
	unsigned port;
	char server_address[64]; /* numeric IPv4 or IPv6, "" for none */
	struct buf secret;       /* sensitive */
};

#define REMOTE_LINK_INIT { { 0 }, { 0 }, 0, { 0 }, BUF_INIT_SENSITIVE }

void remote_link_free(struct remote_link *l);

/* Append L as a descriptor (the lines above, checksum included) to OUT, which should be sensitive. */
int remote_format(const struct remote_link *l, struct buf *out);
/*
 * Parse descriptor TEXT, read from PATH (named in messages).  A first line
 * "#!" REMOTE_INTERPRETER is skipped: the installed form.  -EBADMSG with
 * "PATH:LINE: reason" (exit 65) for anything else than a whole, unchanged
 * descriptor of a format this program reads, holding valid values.  The
 * secret is never quoted in a message.
 */
int remote_parse(const char *path, const char *text, size_t len, struct remote_link *ret, struct diag *d);
/* Read a descriptor from FD (a file or a pipe), named PATH, and parse it: remote_parse's errors, and read errors. */
int remote_load(int fd, const char *path, struct remote_link *ret, struct diag *d);
/* The admin entry NAME is installed as: PROTOCOL_ADMIN_DIR/transports/NAME, malloc'd. */
char *remote_entry_path(const char *name);
/*
 * Read the entry at PATH (from remote_entry_path) into OLD (sensitive):
 * -ENOENT, D untouched, when there is none.  Anything but a regular file
 * that `import` wrote (a symlink, a mask, the admin's own adapter, a
 * directory) is refused, -errno with D saying what stands there: import
 * and forget never replace what they did not make.
 */
int remote_entry_read(const struct root *r, const char *path, struct buf *old, struct diag *d);
/* NULL when S is a numeric IPv4 or IPv6 address, else why not. */
const char *remote_address_invalid(const char *s);

#endif
