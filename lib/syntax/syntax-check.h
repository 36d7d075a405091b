/* SPDX-License-Identifier: GPL-2.0-or-later */
/* syntax-check: a config text judged by the parser its server uses (liblua), and a whole changeset re-checked. */
#ifndef JD_SYNTAX_CHECK_H
#define JD_SYNTAX_CHECK_H

#include <stddef.h>

#include "atomic.h"
#include "diag.h"

/*
 * Whether Lua 5.4 compiles TEXT as Prosody loads a config: text only, not
 * run.  -EBADMSG with "PATH:LINE: what Lua says" otherwise (the "near ..."
 * part left out: it may quote a secret).  The compiler's memory is capped.
 */
int lua_compile_check(const char *path, const char *text, size_t len, struct diag *d);

/* A checker: 0 when TEXT (the new content of PATH) is what its server can read, or -errno with D set. */
typedef int (*syntax_check_fn)(const char *path, const char *text, size_t len, struct diag *d);

/*
 * Run CHECK on the new content of every file CS would write.  A refusal
 * means our own edit is wrong: -EPROTO, "PATH: our edit would not be read
 * by the server (REASON); nothing written", exit 70.  A content that passed
 * CHECK is marked, and not checked again until it changes.
 */
int syntax_verify_changes(struct changeset *cs, syntax_check_fn check, struct diag *d);

#endif
