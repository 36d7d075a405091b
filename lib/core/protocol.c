/* SPDX-License-Identifier: GPL-2.0-or-later */
/* protocol: the words of adapter protocol version 1 (docs/adapter-protocol.md), shared by both sides. */
#include "protocol.h"

#include <stdio.h>
#include <string.h>

static const char *const result_words[] = {
	[RESULT_ADDED] = "added",     [RESULT_UPDATED] = "updated", [RESULT_UNCHANGED] = "unchanged",
	[RESULT_EXCLUDED] = "excluded", [RESULT_MANUAL] = "manual", [RESULT_REMOVED] = "removed",
	[RESULT_ABSENT] = "absent",
};

static const char *const state_words[] = {
	[STATE_MANAGED] = "managed",
	[STATE_EXCLUDED] = "excluded",
	[STATE_MANUAL] = "manual",
};

static const char *const listen_mode_words[] = {
	[LISTEN_KICK_NEW] = "kick-new",
	[LISTEN_ANY_NAME] = "any-name",
	[LISTEN_CONNECTED] = "connected",
	[LISTEN_NOT_CONNECTED] = "not-connected",
	[LISTEN_UNKNOWN] = "unknown",
};

static const struct {
	unsigned cap;
	const char *word;
} cap_words[] = {
	{ CAP_PROTOCOL1, "protocol=1" }, { CAP_PASSWORD_STDIN, "password-stdin" },
	{ CAP_REMOVE, "remove" },        { CAP_LIST, "list" },
	{ CAP_RELOAD, "reload" },        { CAP_DRY_RUN, "dry-run" },
	{ CAP_SET_PASSWORD, "set-password" }, { CAP_SET_PORT, "set-port" },
	{ CAP_SHARED, "shared" },        { CAP_FILL, "fill" },
	{ CAP_LISTEN, "listen" },
	{ CAP_SECRET_MAX, "secret-max" },
};

const char *protocol_result_word(enum result r)
{
	if (r < 0 || (size_t)r >= sizeof(result_words) / sizeof(*result_words))
		return "invalid";
	return result_words[r];
}

enum result protocol_result_parse(const char *word)
{
	for (size_t i = 0; i < sizeof(result_words) / sizeof(*result_words); i++)
		if (strcmp(word, result_words[i]) == 0)
			return (enum result)i;
	return RESULT_INVALID;
}

const char *protocol_state_word(enum state s)
{
	if (s < 0 || (size_t)s >= sizeof(state_words) / sizeof(*state_words))
		return "invalid";
	return state_words[s];
}

enum state protocol_state_parse(const char *word)
{
	for (size_t i = 0; i < sizeof(state_words) / sizeof(*state_words); i++)
		if (strcmp(word, state_words[i]) == 0)
			return (enum state)i;
	return STATE_INVALID;
}

const char *protocol_listen_mode_word(enum listen_mode m)
{
	if (m < 0 || (size_t)m >= sizeof(listen_mode_words) / sizeof(*listen_mode_words))
		return "invalid";
	return listen_mode_words[m];
}

enum listen_mode protocol_listen_mode_parse(const char *word)
{
	for (size_t i = 0; i < sizeof(listen_mode_words) / sizeof(*listen_mode_words); i++)
		if (strcmp(word, listen_mode_words[i]) == 0)
			return (enum listen_mode)i;
	return LISTEN_INVALID;
}

void protocol_caps_format(unsigned caps, char *out, unsigned long len)
{
	size_t used = 0;
	if (len == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(cap_words) / sizeof(*cap_words); i++) {
		if (!(caps & cap_words[i].cap))
			continue;
		int n = snprintf(out + used, len - used, "%s%s", used ? " " : "", cap_words[i].word);
		if (n < 0 || (size_t)n >= len - used) {
			out[used] = '\0'; /* whole words only */
			break;
		}
		used += (size_t)n;
	}
}

unsigned protocol_caps_parse(const char *text)
{
	unsigned caps = 0;
	const char *p = text;

	while (*p) {
		size_t n;
		p += strspn(p, " \t\r\n");
		n = strcspn(p, " \t\r\n");
		for (size_t i = 0; n && i < sizeof(cap_words) / sizeof(*cap_words); i++)
			if (strlen(cap_words[i].word) == n && memcmp(p, cap_words[i].word, n) == 0)
				caps |= cap_words[i].cap;
		p += n;
	}
	return caps;
}

bool protocol_result_changed(enum result r)
{
	return r == RESULT_ADDED || r == RESULT_UPDATED || r == RESULT_REMOVED;
}

unsigned protocol_caps_secret_max(const char *text)
{
	const size_t wl = strlen(PROTOCOL_SECRET_MAX_WORD);
	for (const char *p = text; *p;) {
		size_t n;
		p += strspn(p, " \t\r\n");
		n = strcspn(p, " \t\r\n");
		if (n > wl && n <= wl + 4 && strncmp(p, PROTOCOL_SECRET_MAX_WORD, wl) == 0 &&
		    strspn(p + wl, "0123456789") == n - wl && p[wl] != '0') {
			unsigned v = 0;
			for (size_t i = wl; i < n; i++)
				v = v * 10 + (unsigned)(p[i] - '0');
			if (v <= 1024)
				return v;
		}
		p += n;
	}
	return 0;
}
