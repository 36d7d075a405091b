/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * protocol: the words of adapter protocol version 1 as enums, shared by both
 * sides.  The words themselves are spelt once, in the public header
 * <jabber-dispatch/adapter.h>, which states the contract of
 * jabber-dispatch-adapter(7).
 */
#ifndef JD_PROTOCOL_H
#define JD_PROTOCOL_H

#include <stdbool.h>

#include <jabber-dispatch/adapter.h>

#define PROTOCOL_VERSION JD_PROTOCOL_VERSION

/* Where adapters live, inside the root. */
#define PROTOCOL_VENDOR_DIR JD_VENDOR_DIR
#define PROTOCOL_ADMIN_DIR JD_ADMIN_DIR

/*
 * A transport adapter exiting 1 (not configured) may print this one line on
 * stdout: its transport's package is not installed here (its config file
 * does not exist).  The dispatcher then lists nothing for it and counts it
 * as gone.  Without it, exit 1 means installed but not configured.
 */
#define PROTOCOL_NOT_INSTALLED JD_WORD_NOT_INSTALLED

/* What a server adapter says it did (or would do, with --dry-run) for one component. */
enum result {
	RESULT_ADDED,     /* the component was not there and now is */
	RESULT_UPDATED,   /* it was there (ours) with other values; now fixed */
	RESULT_UNCHANGED, /* it was there with these values; nothing written */
	RESULT_EXCLUDED,  /* the admin commented it out: left alone, never re-added */
	RESULT_MANUAL,    /* the admin declared that host by hand: left alone */
	RESULT_REMOVED,   /* --remove: our declaration is gone */
	RESULT_ABSENT,    /* --remove: there was nothing of ours to remove */
	RESULT_INVALID = -1,
};

/* What --list says of each component a server config holds. */
enum state {
	STATE_MANAGED,  /* declared by us */
	STATE_EXCLUDED, /* declared by us or the admin, commented out */
	STATE_MANUAL,   /* declared by the admin */
	STATE_INVALID = -1,
};

/* Capabilities an adapter announces on `--capabilities`. */
enum {
	CAP_PROTOCOL1 = 1 << 0,      /* "protocol=1": speaks this protocol */
	CAP_PASSWORD_STDIN = 1 << 1, /* server: takes --password-stdin (secret on stdin) */
	CAP_REMOVE = 1 << 2,         /* server: --remove --host=H */
	CAP_LIST = 1 << 3,           /* server: --list */
	CAP_RELOAD = 1 << 4,         /* server: --reload */
	CAP_DRY_RUN = 1 << 5,        /* server: --dry-run */
	CAP_SET_PASSWORD = 1 << 6,   /* transport: --set-password (secret on stdin) */
	CAP_SET_PORT = 1 << 7,       /* transport: --set-port=P */
	CAP_SHARED = 1 << 8,         /* server: --shared, one port and secret imposed on every component */
	CAP_FILL = 1 << 9,           /* transport: --fill --set-host=H, completes an unfinished config */
	CAP_LISTEN = 1 << 10,        /* server: --listen --host=H, where and how the running server takes H */
	CAP_SECRET_MAX = 1 << 11,    /* server: --shared takes --secret-max=N for the secret it generates */
	CAP_BATCH = 1 << 12,         /* server: --batch, every component of a run on stdin, one call */
	CAP_SERVER_ADDRESS = 1 << 13, /* transport: --server-address, the address of the server it connects to */
	CAP_BIND_ADDRESS = 1 << 14,  /* server: apply takes --bind-address=ADDR, the component port listens there too */
	CAP_INPUTS = 1 << 15,        /* both: with PROTOCOL_INPUTS_ENV set, says which files it read */
};

/*
 * With this variable set to "1" in its environment, an adapter that
 * announces "inputs" ends what it prints on stdout with one line
 * "input PATH" for every file or directory whose content (or absence) its
 * answer depends on: after a transport's three lines or its not-installed,
 * after a --batch answer, or alone where a server adapter exits 1 (not
 * installed).  Where none of them changed, the answer would be the same.
 */
#define PROTOCOL_INPUTS_ENV JD_ENV_INPUTS
#define PROTOCOL_INPUT_LINE JD_WORD_INPUT " "

/*
 * --batch reads records, one a line: "apply HOST PORT SECRET" (the secret is
 * the rest of the line) or "remove HOST"; it answers one line per record, in
 * their order: "HOST WORD" or "HOST WORD restart".
 */
#define PROTOCOL_BATCH_APPLY JD_BATCH_APPLY
#define PROTOCOL_BATCH_REMOVE JD_BATCH_REMOVE

/*
 * A transport that announces "secret-max=N" authenticates only with secrets
 * of at most N bytes (mu-conference 0.8: stream id + secret within 55 bytes).
 */
#define PROTOCOL_SECRET_MAX_WORD JD_CAP_SECRET_MAX_N

/*
 * How `jabber-dispatch check` may prove a component live without disturbing
 * it: the last word of a --listen line.
 */
enum listen_mode {
	LISTEN_KICK_NEW,      /* a second login as HOST is refused with <conflict/> while HOST is connected */
	LISTEN_ANY_NAME,      /* any name logs in with the secret: log in as another, ask HOST by disco#info */
	LISTEN_CONNECTED,     /* the adapter asked the running server: HOST is connected now */
	LISTEN_NOT_CONNECTED, /* ... HOST is not connected now: a login as HOST disturbs nobody */
	LISTEN_UNKNOWN,       /* no safe way: a login as HOST could share or take its traffic */
	LISTEN_INVALID = -1,
};

const char *protocol_result_word(enum result r);
enum result protocol_result_parse(const char *word);
const char *protocol_state_word(enum state s);
enum state protocol_state_parse(const char *word);
/* The words of CAPS, space-separated, into OUT. */
void protocol_caps_format(unsigned caps, char *out, unsigned long len);
/* Parse a --capabilities answer; unknown words are ignored (forward compatibility). */
unsigned protocol_caps_parse(const char *text);
const char *protocol_listen_mode_word(enum listen_mode m);
enum listen_mode protocol_listen_mode_parse(const char *word);
/* N of a "secret-max=N" word in a --capabilities answer (1..1024), 0 when there is none. */
unsigned protocol_caps_secret_max(const char *text);
/* True when RESULT means the server config was (or would be) written. */
bool protocol_result_changed(enum result r);

#endif
