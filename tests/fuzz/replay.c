/* SPDX-License-Identifier: GPL-2.0-or-later */
/* replay: runs a fuzz target on files, without libFuzzer, so the normal and ASan builds keep every crasher found. */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *data;
	size_t n;

	if (!f || fstat(fileno(f), &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* exactly the input's size, as libFuzzer gives it: a read past the end is caught under ASan */
	data = malloc(st.st_size ? (size_t)st.st_size : 1);
	n = data ? fread(data, 1, (size_t)st.st_size, f) : 0;
	fclose(f);
	if (!data || n != (size_t)st.st_size) {
		fprintf(stderr, "replay: %s: cannot read it whole\n", path);
		free(data);
		return -1;
	}
	LLVMFuzzerTestOneInput(data, n);
	free(data);
	return 0;
}

/* replay-TARGET FILE-OR-DIR...: every file given, and every file of every directory given. */
int main(int argc, char **argv)
{
	unsigned done = 0;
	for (int i = 1; i < argc; i++) {
		DIR *dir = opendir(argv[i]);
		struct dirent *e;
		if (!dir) {
			if (replay_file(argv[i]) < 0)
				return 1;
			done++;
			continue;
		}
		while ((e = readdir(dir))) {
			char path[4096];
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			if (replay_file(path) < 0)
				return 1;
			done++;
		}
		closedir(dir);
	}
	printf("replayed %u inputs\n", done);
	return 0;
}
