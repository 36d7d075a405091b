/* SPDX-License-Identifier: GPL-2.0-or-later */
/* protocol: the words of adapter protocol version 1, shared by both sides; spelt once, in <jabber-dispatch/adapter.h>. */
#include "protocol.h"

#include <stdio.h>
#include <string.h>

static const char *const result_words[] = {
	[RESULT_ADDED] = JD_RESULT_ADDED,     [RESULT_UPDATED] = JD_RESULT_UPDATED, [RESULT_UNCHANGED] = JD_RESULT_UNCHANGED,
	[RESULT_EXCLUDED] = JD_RESULT_EXCLUDED, [RESULT_MANUAL] = JD_RESULT_MANUAL, [RESULT_REMOVED] = JD_RESULT_REMOVED,
	[RESULT_ABSENT] = JD_RESULT_ABSENT,
};

static const char *const state_words[] = {
	[STATE_MANAGED] = JD_STATE_MANAGED,
	[STATE_EXCLUDED] = JD_STATE_EXCLUDED,
	[STATE_MANUAL] = JD_STATE_MANUAL,
};

static const char *const listen_mode_words[] = {
	[LISTEN_KICK_NEW] = JD_LISTEN_KICK_NEW,
	[LISTEN_ANY_NAME] = JD_LISTEN_ANY_NAME,
	[LISTEN_CONNECTED] = JD_LISTEN_CONNECTED,
	[LISTEN_NOT_CONNECTED] = JD_LISTEN_NOT_CONNECTED,
	[LISTEN_UNKNOWN] = JD_LISTEN_UNKNOWN,
};

static const struct {
	unsigned cap;
	const char *word;
} cap_words[] = {
	{ CAP_PROTOCOL1, JD_CAP_PROTOCOL1 }, { CAP_PASSWORD_STDIN, JD_CAP_PASSWORD_STDIN },
	{ CAP_REMOVE, JD_CAP_REMOVE },        { CAP_LIST, JD_CAP_LIST },
	{ CAP_RELOAD, JD_CAP_RELOAD },        { CAP_DRY_RUN, JD_CAP_DRY_RUN },
	{ CAP_SET_PASSWORD, JD_CAP_SET_PASSWORD }, { CAP_SET_PORT, JD_CAP_SET_PORT },
	{ CAP_SHARED, JD_CAP_SHARED },        { CAP_FILL, JD_CAP_FILL },
	{ CAP_LISTEN, JD_CAP_LISTEN },
	{ CAP_SECRET_MAX, JD_CAP_SECRET_MAX },
	{ CAP_BATCH, JD_CAP_BATCH },
	{ CAP_SERVER_ADDRESS, JD_CAP_SERVER_ADDRESS }, { CAP_BIND_ADDRESS, JD_CAP_BIND_ADDRESS },
	{ CAP_INPUTS, JD_CAP_INPUTS },
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
