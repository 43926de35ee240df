/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replays fuzz corpora in normal builds: every file under each argument (a
 * file or a directory, recursively) is fed once to LLVMFuzzerTestOneInput.
 * A crash or sanitizer report fails the test; an empty corpus fails too, so
 * a missing corpus cannot pass silently.  Prints TAP-free progress and a
 * closing "N passed, 0 failed" line.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_FILE (1024 * 1024)

static unsigned replayed, failed;

static void replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data;
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		failed++;
		return;
	}
	data = malloc(REPLAY_MAX_FILE);
	if (data == NULL) {
		fclose(f);
		failed++;
		return;
	}
	n = fread(data, 1, REPLAY_MAX_FILE, f);
	fclose(f);
	/* Exact-size copy so ASan catches reads past the input. */
	{
		uint8_t *exact = malloc(n > 0 ? n : 1);

		if (exact == NULL) {
			free(data);
			failed++;
			return;
		}
		memcpy(exact, data, n);
		free(data);
		LLVMFuzzerTestOneInput(exact, n);
		free(exact);
	}
	replayed++;
}

static void replay_path(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "cannot stat %s\n", path);
		failed++;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		replay_file(path);
		return;
	}
	d = opendir(path);
	if (d == NULL) {
		failed++;
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char sub[4096];

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		replay_path(sub);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		replay_path(argv[i]);
	printf("%u passed, %u failed\n", replayed, failed);
	if (replayed == 0) {
		fprintf(stderr, "no corpus inputs found\n");
		return 1;
	}
	return failed == 0 ? 0 : 1;
}
