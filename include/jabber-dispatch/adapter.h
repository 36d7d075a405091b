/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jabber-dispatch/adapter.h: the adapter protocol, version 1, for adapters
 * written in C.  The contract is jabber-dispatch-adapter(7); this header
 * states the same words and numbers, and a test keeps the two in agreement.
 * Preprocessor constants and enums only: nothing to link.
 */
#ifndef JABBER_DISPATCH_ADAPTER_H
#define JABBER_DISPATCH_ADAPTER_H

#define JD_PROTOCOL_VERSION 1
/* Set to "1" in the environment of every adapter the dispatcher runs. */
#define JD_ENV_PROTOCOL "JABBER_DISPATCH_PROTOCOL"
/* Set to "1" where the dispatcher asks which files an answer depends on (JD_CAP_INPUTS, JD_WORD_INPUT). */
#define JD_ENV_INPUTS "JABBER_DISPATCH_INPUTS"

/* Where adapters live (inside the root): the packages' and the admin's. */
#define JD_VENDOR_DIR "/usr/lib/jabber-dispatch"
#define JD_ADMIN_DIR "/etc/jabber-dispatch"

/* Flags an adapter receives.  A trailing '=' means the value follows in the same argument. */
#define JD_FLAG_CAPABILITIES "--capabilities"
#define JD_FLAG_ROOT "--root="
#define JD_FLAG_CONFIG "--config="
#define JD_FLAG_DRY_RUN "--dry-run"
/* transport adapter: print one line per flag, in the order given */
#define JD_FLAG_QUERY_HOST "--host"
#define JD_FLAG_QUERY_PORT "--port"
#define JD_FLAG_QUERY_PASSWORD "--password"
#define JD_FLAG_QUERY_SERVER_ADDRESS "--server-address" /* with JD_CAP_SERVER_ADDRESS: where the transport connects */
/* transport adapter: adopt a server's port and secret (secret on stdin), or fill in an unfinished config */
#define JD_FLAG_SET_PORT "--set-port="
#define JD_FLAG_SET_PASSWORD "--set-password"
#define JD_FLAG_FILL "--fill"
#define JD_FLAG_SET_HOST "--set-host="
/* server adapter */
#define JD_FLAG_HOST "--host="
#define JD_FLAG_PORT "--port="
#define JD_FLAG_PASSWORD_STDIN "--password-stdin"
#define JD_FLAG_PASSWORD "--password=" /* the 2007 seed protocol only: the secret is then visible in ps */
#define JD_FLAG_REMOVE "--remove"
#define JD_FLAG_LIST "--list"
#define JD_FLAG_RELOAD "--reload"
#define JD_FLAG_ADDED "--added="
#define JD_FLAG_REMOVED "--removed="
#define JD_FLAG_SHARED "--shared"
#define JD_FLAG_SECRET_MAX "--secret-max="
#define JD_FLAG_LISTEN "--listen"
#define JD_FLAG_BATCH "--batch" /* every component of a run on stdin, one record a line */
#define JD_FLAG_BIND_ADDRESS "--bind-address=" /* with an apply: the component port must listen on this address too */

/* Capability words, answered to --capabilities, blank-separated. */
#define JD_CAP_PROTOCOL1 "protocol=1"
#define JD_CAP_PASSWORD_STDIN "password-stdin"
#define JD_CAP_DRY_RUN "dry-run"
#define JD_CAP_RELOAD "reload"
#define JD_CAP_REMOVE "remove"
#define JD_CAP_LIST "list"
#define JD_CAP_SHARED "shared"
#define JD_CAP_SECRET_MAX "secret-max"    /* server: takes --shared --secret-max=N */
#define JD_CAP_LISTEN "listen"
#define JD_CAP_SET_PORT "set-port"
#define JD_CAP_SET_PASSWORD "set-password"
#define JD_CAP_FILL "fill"
#define JD_CAP_BATCH "batch"            /* server: takes --batch */
#define JD_CAP_INPUTS "inputs"          /* both: says, with JD_ENV_INPUTS set, which files an answer depends on */
#define JD_CAP_SECRET_MAX_N "secret-max=" /* transport: "secret-max=N", N in 1..JD_SECRET_MAX */
#define JD_CAP_SERVER_ADDRESS "server-address" /* transport: on another machine, answers --server-address */
#define JD_CAP_BIND_ADDRESS "bind-address"     /* server: an apply takes --bind-address=ADDR */

/* Result words: the first word of the answer to an apply, --remove, --shared, --set-* or --fill. */
#define JD_RESULT_ADDED "added"
#define JD_RESULT_UPDATED "updated"
#define JD_RESULT_UNCHANGED "unchanged"
#define JD_RESULT_EXCLUDED "excluded"
#define JD_RESULT_MANUAL "manual"
#define JD_RESULT_REMOVED "removed"
#define JD_RESULT_ABSENT "absent"

/* Other words of an answer. */
#define JD_WORD_RESTART "restart"             /* after a result word: takes effect only after a restart */
#define JD_WORD_NOT_INSTALLED "not-installed" /* transport, exit 1: its package is not installed here */
#define JD_WORD_UNDECLARED "undeclared"       /* --listen: the config does not declare HOST */
#define JD_WORD_INPUT "input"                 /* "input PATH": a file the answer depends on (JD_ENV_INPUTS) */

/* The first word of a --batch record: "apply HOST PORT SECRET" or "remove HOST". */
#define JD_BATCH_APPLY "apply"
#define JD_BATCH_REMOVE "remove"

/* States of a --list line "STATE HOST". */
#define JD_STATE_MANAGED "managed"
#define JD_STATE_EXCLUDED "excluded"
#define JD_STATE_MANUAL "manual"

/* Modes of a --listen line "ADDRESS PORT MODE": how a check may log in without disturbing HOST. */
#define JD_LISTEN_KICK_NEW "kick-new"
#define JD_LISTEN_ANY_NAME "any-name"
#define JD_LISTEN_CONNECTED "connected"
#define JD_LISTEN_NOT_CONNECTED "not-connected"
#define JD_LISTEN_UNKNOWN "unknown"

/* Keys of a descriptor: a transport adapter written as "#!" JD_VENDOR_DIR "/describe" and KEY=VALUE lines. */
#define JD_DESC_FORMAT "format"
#define JD_DESC_INI_DIALECT "ini-dialect"
#define JD_DESC_CONFIG "config"
#define JD_DESC_FALLBACK_CONFIG "fallback-config"
#define JD_DESC_HOST "host"
#define JD_DESC_PORT "port"
#define JD_DESC_SECRET "secret"
#define JD_DESC_SECRET_FILE "secret-file"
#define JD_DESC_SECRET_FILE_DEFAULT "secret-file-default"
#define JD_DESC_DEFAULT_HOST "default-host"
#define JD_DESC_DEFAULT_PORT "default-port"
#define JD_DESC_EXAMPLE_SECRET "example-secret"
#define JD_DESC_HINT "hint"
#define JD_DESC_READER_GROUP "reader-group"
#define JD_DESC_SECRET_MAX "secret-max"

/* Exit statuses, of the adapters and of jabber-dispatch (sysexits.h numbers). */
enum jd_exit {
	JD_EXIT_OK = 0,
	JD_EXIT_NOT_HERE = 1,     /* transport: not configured (or not installed); server: not installed */
	JD_EXIT_USAGE = 64,       /* bad command line, or a value outside the rules */
	JD_EXIT_DATAERR = 65,     /* a config that cannot be parsed, or bad adapter output */
	JD_EXIT_NOINPUT = 66,     /* a file that must exist does not */
	JD_EXIT_UNAVAILABLE = 69, /* an adapter failed, crashed or timed out */
	JD_EXIT_SOFTWARE = 70,    /* internal error */
	JD_EXIT_OSERR = 71,       /* a system call failed (other than writing) */
	JD_EXIT_CANTCREAT = 73,   /* a file cannot be written */
	JD_EXIT_TEMPFAIL = 75,    /* a lock is busy */
};

/* Limits. */
#define JD_HOST_MAX 253           /* bytes of a component's domain */
#define JD_SECRET_MAX 1024        /* bytes of a secret */
#define JD_RESULT_LINE_MAX 79     /* bytes of a result line, without its newline */
#define JD_LISTEN_LINES_MAX 16    /* lines of a --listen answer */
#define JD_OUTPUT_MAX (64 * 1024) /* bytes of stdout, and of stderr, of one call */

#endif
