/* test_dlopen.c MODULE KIND LIB… — loads a built module the way its host does (dlopen, RTLD_NOW)
 * and checks what it exports: for KIND "pam" the pam_sm_* entry points, for KIND "sasl"
 * sasl_server_plug_init, and nothing else. The names that must stay hidden are derived from the
 * code at test time: every global symbol that nm finds in the static libraries LIB… linked into
 * the module (libsendsec_common.a, and the SASL glue) must not resolve to the module, and the
 * module's dynamic symbol table (nm -D) must define exactly the entry points. Also checks the
 * module was linked with full RELRO (BIND_NOW) and the stack protector, from its dynamic section
 * and imports. */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char *const pam_entry[] = {
		"pam_sm_authenticate", "pam_sm_setcred", "pam_sm_acct_mgmt", "pam_sm_chauthtok", NULL};
static const char *const sasl_entry[] = {"sasl_server_plug_init", NULL};

static int run(const char *cmd)
{
	int rc = system(cmd);

	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

static bool is_entry(const char *const *entry, const char *name)
{
	for (size_t i = 0; entry[i] != NULL; i++)
		if (strcmp(entry[i], name) == 0)
			return true;
	return false;
}

/* Runs "nm ARGS 'path'" and calls each(name, arg) for every defined symbol it lists (lines
 * "ADDRESS TYPE NAME"; a version suffix "@…" is cut). Returns the number of names, or -1 when nm
 * fails. */
static long nm_names(const char *args, const char *path, void (*each)(const char *name, void *arg), void *arg)
{
	char cmd[4096], line[1024];
	long n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm %s '%s'", args, path);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), p) != NULL) {
		char addr[64], type[8], name[512];

		if (sscanf(line, "%63s %7s %511s", addr, type, name) != 3 || strchr("UuvwN", type[0]) != NULL)
			continue; /* "file.o:" headers, undefined or weak-undefined symbols */
		name[strcspn(name, "@")] = '\0';
		each(name, arg);
		n++;
	}
	return pclose(p) == 0 ? n : -1;
}

struct module {
	const char *path;
	void *handle;
	void *base; /* load address, from an entry point */
	const char *const *entry;
	long n_hidden_checked;
};

/* A global symbol of the code linked into the module: unless an entry point, it must not
 * resolve to the module (dladdr tells where a resolved symbol lives; a library the module
 * depends on may define the same name). */
static void must_be_hidden(const char *name, void *arg)
{
	struct module *m = arg;
	Dl_info info;
	void *sym;

	if (is_entry(m->entry, name))
		return;
	m->n_hidden_checked++;
	sym = dlsym(m->handle, name);
	if (sym != NULL && dladdr(sym, &info) != 0 && info.dli_fbase == m->base) {
		fprintf(stderr, "%s exports %s\n", m->path, name);
		CHECK(!"an internal symbol is exported");
	}
}

/* Every symbol defined in the module's dynamic table must be an entry point. */
static void must_be_entry(const char *name, void *arg)
{
	struct module *m = arg;

	if (!is_entry(m->entry, name)) {
		fprintf(stderr, "%s exports %s, which is not an entry point\n", m->path, name);
		CHECK(!"the dynamic symbol table holds more than the entry points");
	}
}

int main(int argc, char **argv)
{
	struct module m = {0};
	Dl_info info;
	char cmd[4096];
	long n;

	if (argc < 4 || (strcmp(argv[2], "pam") != 0 && strcmp(argv[2], "sasl") != 0)) {
		fprintf(stderr, "usage: test_dlopen MODULE pam|sasl STATIC-LIBRARY...\n");
		return 2;
	}
	m.path = argv[1];
	m.entry = strcmp(argv[2], "pam") == 0 ? pam_entry : sasl_entry;
	m.handle = dlopen(m.path, RTLD_NOW | RTLD_LOCAL);
	CHECK(m.handle != NULL);
	if (m.handle == NULL) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return check_report(argv[0]);
	}
	for (size_t i = 0; m.entry[i] != NULL; i++)
		CHECK(dlsym(m.handle, m.entry[i]) != NULL);
	CHECK(dladdr(dlsym(m.handle, m.entry[0]), &info) != 0);
	m.base = info.dli_fbase;

	for (int i = 3; i < argc; i++) {
		long before = m.n_hidden_checked;

		n = nm_names("-g --defined-only", argv[i], must_be_hidden, &m);
		if (n <= 0)
			fprintf(stderr, "nm found no global symbol in %s\n", argv[i]);
		CHECK(n > 0);
		printf("# %s: %ld global symbols checked hidden\n", argv[i], m.n_hidden_checked - before);
	}
	n = nm_names("-D --defined-only", m.path, must_be_entry, &m);
	CHECK(n > 0);
	printf("# %s: %ld dynamic symbols defined\n", m.path, n);
	dlclose(m.handle);

	/* Hardening: BIND_NOW (full RELRO with GNU_RELRO), a GNU_RELRO segment, the stack protector. */
	snprintf(cmd, sizeof(cmd), "readelf -d '%s' | grep -q 'BIND_NOW\\|Flags:.*NOW'", argv[1]);
	CHECK(run(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "readelf -lW '%s' | grep -q GNU_RELRO", argv[1]);
	CHECK(run(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "readelf -lW '%s' | grep GNU_STACK | grep -qv RWE", argv[1]);
	CHECK(run(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "nm -D --undefined-only '%s' | grep -q __stack_chk_fail", argv[1]);
	CHECK(run(cmd) == 0);
	return check_report(argv[0]);
}
