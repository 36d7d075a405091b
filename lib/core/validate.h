/* SPDX-License-Identifier: GPL-2.0-or-later */
/* validate: what a component's host, port and secret may be, whoever produced them. */
#ifndef JD_VALIDATE_H
#define JD_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include <jabber-dispatch/adapter.h>

#include "buf.h"

/* Longest secret accepted; every server syntax and XEP-0114 handshake copes with it. */
#define VALIDATE_SECRET_MAX JD_SECRET_MAX

/*
 * Each returns NULL when the value is acceptable, or a short reason
 * ("not a domain name") for the message the caller prints.
 */
/* A DNS name: labels of letters, digits and '-', 1-63 bytes, 253 in all; upper case is folded in place. */
const char *validate_host(char *s);
/* A decimal TCP port 1-65535, nothing else. */
const char *validate_port(const char *s, unsigned *ret_port);
/* Valid UTF-8, no control characters, no surrounding blanks, 1..VALIDATE_SECRET_MAX bytes. */
const char *validate_secret(const char *s, size_t len);

/* Adapters are named after packages: letters, digits and "+-._", 1-100 bytes; nothing a line or a path breaks on. */
bool validate_adapter_name(const char *name);
/* Decode the UTF-8 sequence at S (LEN bytes left): its length, and the code point in *CP; 0 when invalid. */
size_t validate_utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Length of the valid UTF-8 sequence at S (at most LEN bytes), 0 when there is none. */
size_t validate_utf8_char(const char *s, size_t len);

/*
 * Append S to OUT quoted for a one-line message: "..." with \n, \", \\ and
 * other non-printable bytes escaped, cut at MAX bytes with "...".  Used for
 * values that came from outside and may be hostile; never for secrets.
 */
int validate_quote(struct buf *out, const char *s, size_t len, size_t max);

#endif
