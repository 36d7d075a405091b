/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sync-noop: a sync that runs no adapter at all when nothing it depends on
 * changed since a sync that changed nothing, as make knows a target is up to
 * date.  What it depends on: this program, the adapter directories, every
 * adapter (its file, what runs it), and every file the adapters said their
 * answers came from.  Any doubt means a full run: an adapter that did not
 * say, a file changed while the run went on, a clock gone back.  Checking
 * costs about one fstatat per file: no adapter is looked for, no file opened.
 */
#include "noop.h"
#include "sync.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The interpreter a "#!" script at PATH names, into INTERP (a path); false for a binary, or when unreadable. */
static bool interpreter_of(const char *path, char interp[256])
{
	char head[256], *at;
	ssize_t n = -1;
	size_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd >= 0) {
		n = read(fd, head, sizeof(head) - 1);
		close(fd);
	}
	if (!adapter_shebang(head, n, &at))
		return false;
	len = strcspn(at, " \t");
	memcpy(interp, at, len);
	interp[len] = '\0';
	return true;
}

/* The identity of what the kernel runs for a "#!" script at PATH (its interpreter), "-" for a binary. */
static int interpreter_id(const char *path, char id[NOOP_ID_MAX])
{
	/* The last one asked is kept: every descriptor names the same. */
	static char last[256], last_id[NOOP_ID_MAX];
	char interp[256];
	int rc;

	if (!interpreter_of(path, interp)) {
		snprintf(id, NOOP_ID_MAX, "-");
		return 0;
	}
	if (last[0] && strcmp(interp, last) == 0) {
		memcpy(id, last_id, NOOP_ID_MAX);
		return 0;
	}
	rc = noop_id_host(interp, id);
	if (rc == 0) {
		memcpy(last, interp, sizeof(last));
		memcpy(last_id, id, NOOP_ID_MAX);
	}
	return rc;
}

/* "STATE ID ID ID ID" of A: usable or not, the identities of its entry, executable, script and interpreter. */
static int adapter_ids(const struct root *r, const struct adapter *a, char **ret)
{
	char entry[NOOP_ID_MAX] = "-", exec[NOOP_ID_MAX] = "-", script[NOOP_ID_MAX] = "-", interp[NOOP_ID_MAX] = "-";
	int rc = a->masked ? 0 : noop_id(r, a->path, entry);

	if (rc == 0 && adapter_usable(a)) {
		rc = noop_id_host(a->exec_path, exec);
		if (rc == 0 && a->script_path)
			rc = noop_id_host(a->script_path, script);
		if (rc == 0)
			rc = interpreter_id(a->script_path ? a->script_path : a->exec_path, interp);
	}
	if (rc < 0)
		return rc;
	return asprintf(ret, "%s %s %s %s %s", a->masked ? "masked" : a->skipped ? "skipped" : "usable", entry, exec,
			script, interp) < 0
		       ? -ENOMEM
		       : 0;
}

static int key_push(struct strv *keys, enum noop_where w, const char *path)
{
	char *key;
	return asprintf(&key, "%s %s", noop_where_word(w), path) < 0 ? -ENOMEM : strv_push_owned(keys, key);
}

/* The program and the directories adapters are found in: what every record must name. */
static const struct {
	enum noop_where w;
	const char *path;
} steady_files[] = {
	{ NOOP_HOST, "/proc/self/exe" },
	{ NOOP_LINK, PROTOCOL_VENDOR_DIR "/transports" },
	{ NOOP_LINK, PROTOCOL_VENDOR_DIR "/servers" },
	{ NOOP_LINK, PROTOCOL_ADMIN_DIR "/transports" },
	{ NOOP_LINK, PROTOCOL_ADMIN_DIR "/servers" },
};
#define STEADY_FILES (sizeof(steady_files) / sizeof(*steady_files))

/* Whether HOST_PATH names PATH inside the root R by the same words (no symlink between). */
static bool same_file(const struct root *r, const char *path, const char *host_path)
{
	size_t len = strlen(r->path);
	return strncmp(host_path, r->path, len) == 0 && strcmp(host_path + len, path) == 0;
}

/*
 * The files the adapters of L stand on, as "WHERE PATH" into KEYS: each
 * entry (its directory's identity tells of one added or removed), what runs
 * it, and every file the usable ones said their answers came from; false
 * when one did not say, or one is skipped.
 */
static bool adapter_keys(const struct root *r, const struct adapter_list *l, struct strv *keys)
{
	char interp[256];
	bool whole = true;

	for (size_t i = 0; i < l->n; i++) {
		const struct adapter *a = &l->v[i];
		/* A masked one is a symlink to /dev/null, which need not be in the root. */
		int rc = key_push(keys, a->masked ? NOOP_LINK : NOOP_ROOT, a->path);
		if (rc == 0 && adapter_usable(a)) {
			rc = key_push(keys, NOOP_HOST, a->exec_path);
			if (rc == 0 && a->script_path && !same_file(r, a->path, a->script_path))
				rc = key_push(keys, NOOP_HOST, a->script_path);
			if (rc == 0 && !a->script_path && interpreter_of(a->exec_path, interp))
				rc = key_push(keys, NOOP_HOST, interp);
			whole &= a->inputs->state == 1;
			for (size_t k = 0; rc == 0 && k < a->inputs->paths.n; k++)
				rc = key_push(keys, NOOP_ROOT, a->inputs->paths.v[k]);
		}
		/* Skipped for its interpreter, a file not named here: no run is taken as unchanged while it is. */
		whole &= rc == 0 && (adapter_usable(a) || a->masked);
	}
	return whole;
}

/* A "file WHERE PATH ID" line for every key of KEYS (sorted, each once) into RET. */
static int file_lines(const struct root *r, struct strv *keys, struct strv *ret)
{
	struct noop_dir dir = NOOP_DIR_INIT;
	char id[NOOP_ID_MAX], word[8], *line;
	int rc = 0;

	strv_uniq(keys);
	for (size_t i = 0; rc == 0 && i < keys->n; i++) {
		const char *path = strchr(keys->v[i], ' ') + 1;
		snprintf(word, sizeof(word), "%.*s", (int)(path - 1 - keys->v[i]), keys->v[i]);
		rc = noop_file_id(r, &dir, (enum noop_where)noop_where_parse(word), path, id);
		if (rc == 0)
			rc = asprintf(&line, "file %s %s", keys->v[i], id) < 0 ? -ENOMEM : strv_push_owned(ret, line);
	}
	noop_dir_close(&dir);
	return rc;
}

/* A "file WHERE PATH ID" LINE into its parts; false when it is not one. */
static bool file_line_parse(const char *line, enum noop_where *w, char path[PATH_MAX], const char **id)
{
	const char *where = line + 5, *p, *sp;
	char word[8];
	int k;

	if (strncmp(line, "file ", 5) != 0 || !(p = strchr(where, ' ')) || !(sp = strrchr(p + 1, ' ')) ||
	    (size_t)(p - where) >= sizeof(word) || (size_t)(sp - p - 1) >= PATH_MAX || sp == p + 1)
		return false;
	snprintf(word, sizeof(word), "%.*s", (int)(p - where), where);
	if ((k = noop_where_parse(word)) < 0)
		return false;
	*w = (enum noop_where)k;
	memcpy(path, p + 1, (size_t)(sp - p - 1));
	path[sp - p - 1] = '\0';
	*id = sp + 1;
	return true;
}

/*
 * Why the files of REC are not all what they were, or NULL: each looked at
 * again, one fstatat in the directory of the last (the lines come sorted).
 * A record that does not name the program and the adapter directories is
 * not one to trust.
 */
static const char *files_doubt(const struct root *r, const struct noop *rec, char why[PATH_MAX + 64])
{
	struct noop_dir dir = NOOP_DIR_INIT;
	char path[PATH_MAX], id[NOOP_ID_MAX];
	size_t steady = 0;
	const char *was;
	enum noop_where w = NOOP_ROOT;

	*why = '\0';
	for (size_t i = 0; i < rec->ids.n && !*why; i++) {
		if (strncmp(rec->ids.v[i], "file ", 5) != 0)
			continue;
		if (!file_line_parse(rec->ids.v[i], &w, path, &was))
			snprintf(why, PATH_MAX + 64, "the record is not one");
		else if (noop_file_id(r, &dir, w, path, id) < 0)
			snprintf(why, PATH_MAX + 64, "%s cannot be examined", path);
		else if (strcmp(id, was) != 0)
			snprintf(why, PATH_MAX + 64, "%s changed", path);
		for (size_t k = 0; k < STEADY_FILES && w != NOOP_ROOT; k++)
			steady += steady_files[k].w == w && strcmp(steady_files[k].path, path) == 0;
	}
	noop_dir_close(&dir);
	if (!*why && steady != STEADY_FILES)
		snprintf(why, PATH_MAX + 64, "the record does not name the program and the adapter directories");
	return *why ? why : NULL;
}

/* Why the record REC cannot stand for a run now, or NULL when it can. */
static const char *noop_doubt(struct ctx *ctx, const struct noop *rec, char why[PATH_MAX + 64])
{
	struct timespec at = noop_now();

	if (!rec->outcome)
		return "the last run changed something, or could not tell what it depended on";
	if (at.tv_sec < rec->at.tv_sec || (at.tv_sec == rec->at.tv_sec && at.tv_nsec < rec->at.tv_nsec))
		return "the clock is behind the last run";
	return files_doubt(&ctx->root, rec, why);
}

bool sync_noop_replay(struct ctx *ctx, const struct sync_opts *o, int *code)
{
	struct sync_run run = { .ctx = ctx, .o = o };
	struct noop rec = NOOP_INIT;
	struct diag d = DIAG_INIT;
	char buf[PATH_MAX + 64];
	const char *why = noop_load(&ctx->root, &rec, false, &d) < 0 ? "no record of a last run" : NULL;
	bool ok = true;

	if (!why)
		why = noop_doubt(ctx, &rec, buf);
	if (why) {
		if (ctx->verbose)
			ctx_error("every adapter is run: %s", why);
		noop_free(&rec);
		return false;
	}
	audit_init(&run.au, &ctx->root);
	for (size_t i = 0; i < rec.npairs && ok; i++) {
		const struct noop_pair *np = &rec.pairs[i];
		struct pair *p = sync_add_pair(&run);
		ok = p != NULL;
		if (ok) {
			p->transport = np->transport, p->server = np->server, p->host = np->host, p->word = np->word;
			p->port = np->port;
			p->reason = np->reason ? strdup(np->reason) : NULL;
		}
	}
	if (ctx->verbose)
		ctx_error("nothing changed since the last run: no adapter run (--force runs them)");
	if (ok)
		sync_report(&run);
	*code = ok ? EXIT_OK : EXIT_OSERR;
	sync_free(&run);
	noop_free(&rec);
	return true;
}

/* Take REC's --capabilities answer for A when it was given by an adapter with A's identities. */
static void take_caps(const struct root *r, const struct noop *rec, struct adapter *a)
{
	const char *caps, *was;
	char key[160], *ids = NULL;

	snprintf(key, sizeof(key), "%s %s", adapter_kind_dir(a->kind), a->name);
	if (adapter_usable(a) && !a->caps_text && (caps = noop_caps(rec, key, &was)) && adapter_ids(r, a, &ids) == 0 &&
	    strcmp(ids, was) == 0)
		a->caps_text = strdup(caps);
	free(ids);
}

void sync_noop_caps(struct sync_run *run)
{
	struct noop rec = NOOP_INIT;
	struct diag d = DIAG_INIT;

	if (run->o->force || noop_load(&run->ctx->root, &rec, true, &d) < 0)
		return;
	for (size_t i = 0; i < run->transports.n; i++)
		take_caps(&run->ctx->root, &rec, &run->transports.v[i]);
	for (size_t i = 0; i < run->servers.n; i++)
		take_caps(&run->ctx->root, &rec, &run->servers.v[i]);
	noop_free(&rec);
}

/* Whether the outcome of RUN is what the next run would say, nothing having changed. */
static bool noop_outcome(const struct sync_run *run)
{
	static const char *const steady[] = { "unchanged", "excluded", "manual", "unconfigured" };

	if (run->code != EXIT_OK || run->o->only_transport || run->o->only_server)
		return false;
	for (size_t i = 0; i < run->npairs; i++) {
		const struct pair *p = &run->pairs[i];
		bool ok = false;
		for (size_t k = 0; k < sizeof(steady) / sizeof(*steady) && p->word; k++)
			ok |= strcmp(p->word, steady[k]) == 0;
		if (!p->hidden && (!ok || p->changed || p->restart || p->remarks.len || p->live))
			return false;
	}
	for (size_t s = 0; s < run->nsr; s++)
		if (run->sr[s].changed || run->sr[s].restart || run->sr[s].failed)
			return false;
	return true;
}

/* The identity lines of every file RUN depended on into RET, sorted; *WHOLE false when an adapter did not say. */
static int record_ids(const struct sync_run *run, struct strv *ret, bool *whole)
{
	struct strv keys = STRV_INIT;
	int rc = key_push(&keys, NOOP_ROOT, STATE_PATH);

	for (size_t k = 0; rc == 0 && k < STEADY_FILES; k++)
		rc = key_push(&keys, steady_files[k].w, steady_files[k].path);
	*whole = adapter_keys(&run->ctx->root, &run->transports, &keys);
	*whole &= adapter_keys(&run->ctx->root, &run->servers, &keys);
	if (rc == 0)
		rc = file_lines(&run->ctx->root, &keys, ret);
	strv_free(&keys);
	return rc;
}

/* Each adapter's --capabilities answer by "KIND NAME" (servers sort before transports), with its identities. */
static int record_caps(const struct sync_run *run, struct strv *caps)
{
	const struct adapter_list *lists[] = { &run->servers, &run->transports };
	int rc = 0;

	for (size_t l = 0; l < 2; l++)
		for (size_t i = 0; rc == 0 && i < lists[l]->n; i++) {
			const struct adapter *a = &lists[l]->v[i];
			char *key, *ids;
			if (!a->caps_text)
				continue;
			rc = asprintf(&key, "%s %s", adapter_kind_dir(a->kind), a->name) < 0 ? -ENOMEM : strv_push_owned(caps, key);
			if (rc == 0)
				rc = adapter_ids(&run->ctx->root, a, &ids);
			if (rc == 0)
				rc = strv_push_owned(caps, ids);
			if (rc == 0)
				rc = strv_push(caps, a->caps_text);
		}
	return rc;
}

void sync_noop_record(struct sync_run *run, struct timespec at)
{
	struct noop rec = NOOP_INIT;
	struct diag d = DIAG_INIT;
	bool outcome = noop_outcome(run), whole;
	int rc;

	rec.at = at;
	rc = record_ids(run, &rec.ids, &whole);
	/* A file that changed since the run began may change again within the same tick of its clock, unseen. */
	for (size_t i = 0; rc == 0 && i < rec.ids.n && outcome; i++)
		outcome = !noop_id_racy(strrchr(rec.ids.v[i], ' ') + 1, at);
	rec.outcome = outcome && whole;
	for (size_t i = 0; rc == 0 && rec.outcome && i < run->npairs; i++) {
		const struct pair *p = &run->pairs[i];
		if (!p->hidden && p->word)
			rc = noop_add_pair(&rec, &(struct noop_pair){ (char *)p->transport, (char *)p->server,
								      (char *)p->host, (char *)p->word, p->reason, p->port });
	}
	if (rc == 0)
		rc = record_caps(run, &rec.caps);
	/* Not written, the last record stays: it cannot pass for now, its files having changed. */
	if (rc == 0)
		rc = noop_save(&rec, &run->ctx->root, &d);
	if (rc < 0 && run->ctx->verbose)
		ctx_error("%s", diag_is_set(&d) ? d.msg : "the record of this run cannot be made");
	noop_free(&rec);
}
