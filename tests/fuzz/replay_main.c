/* replay_main.c — runs a fuzz target over every file of a corpus directory, for builds without
 * libFuzzer: the seeds (and any crash reproducer added to the corpus) become regression tests. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto fail;
	if ((buf = malloc((size_t)len + 1)) == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len)
		goto fail;
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 0;
fail:
	if (f != NULL)
		fclose(f);
	free(buf);
	fprintf(stderr, "cannot read %s\n", path);
	return 1;
}

int main(int argc, char **argv)
{
	int n = 0, bad = 0;

	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		struct dirent *de;
		char path[4096];

		if (d == NULL) {
			fprintf(stderr, "cannot open corpus %s\n", argv[i]);
			return 1;
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			bad += replay_file(path);
			n++;
		}
		closedir(d);
	}
	printf("replayed %d inputs\n", n);
	return (n == 0 || bad != 0) ? 1 : 0;
}
