/* SPDX-License-Identifier: GPL-2.0-or-later */
/* adapter-run: what adapter.c, adapter-discover.c and adapter-server.c share; not for use outside them. */
#ifndef JD_ADAPTER_RUN_H
#define JD_ADAPTER_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "adapter.h"

#define ADAPTER_MAX_OUTPUT ((size_t)JD_OUTPUT_MAX)

/* "server" or "transport", for messages. */
const char *adapter_kind_word(enum adapter_kind kind);
/* Free *ANSWER, a child's result kept on its own, and set it to NULL. */
void answer_free(struct child **answer);
/* One call of an adapter: A with ARGS and INPUT on stdin, into C. */
struct adapter_job {
	const struct adapter_call *call;
	const struct adapter *a;
	const char *first; /* right after the program instead of A's script ("--batch" to describe), or NULL */
	struct strv *args;
	const char *input;
	size_t input_len;
	struct child *c;
	int rc; /* what adapter_run returns for it */
};
/* The N JOBS side by side, each as adapter_run runs one (spawn_run_all). */
void adapter_run_all(struct adapter_job *jobs, size_t n);
/* Run adapter A with ARGS and INPUT on stdin into C; a "#!" script of ours is given to its interpreter. */
int adapter_run(const struct adapter_call *call, const struct adapter *a, struct strv *args,
		const char *input, size_t input_len, struct child *c);
/* Why A's call C failed, into D; -ENODEV for a server adapter whose server is not installed here. */
int adapter_failed(const struct adapter *a, const struct child *c, struct diag *d);
/*
 * Whether a call succeeded, RC being what adapter_run returned for it and C
 * what it did: 0, or why not said in D ("cannot be run", or adapter_failed).
 */
int adapter_outcome(const struct adapter *a, int rc, const struct child *c, struct diag *d);
/* Split OUT into at most N lines (without their '\n') pointing into OUT; how many. */
size_t split_lines(struct buf *out, char **lines, size_t n);
/* Validate the port and secret lines A printed into RET's port and secret. */
int take_port_secret(const struct adapter *a, const char *port_says, const char *secret_says, char *port,
		     char *secret, struct component *ret, struct diag *d);
/* Take the "input PATH" lines ending OUT, after its first SKIP lines, into A's inputs and cut them off. */
void take_inputs(const struct adapter *a, struct buf *out, size_t skip);
/* Parse "WORD [restart]", the first line of C's answer, into RET; with KEEP_REST the lines after into ret->text. */
int server_parse_reply(const struct adapter *a, struct child *c, struct server_reply *ret, bool keep_rest,
		       struct diag *d);

#endif
