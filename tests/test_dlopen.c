/* test_dlopen.c MODULE KIND — loads a built module the way its host does (dlopen, RTLD_NOW) and
 * checks what it exports: for KIND "pam" the pam_sm_* entry points resolve and no engine symbol
 * does; for KIND "sasl" only sasl_server_plug_init resolves. Also checks the module was linked
 * with full RELRO (BIND_NOW) and the stack protector, from its dynamic section and imports. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* Engine and glue names that must stay hidden in both modules. */
static const char *const hidden[] = {
		"sendsec_authenticate",
		"sendsec_ctx_new",
		"sendsec_config_load",
		"sendsec_hash_verify",
		"sendsec_dir_connect",
		"sendsec_apikey_parse",
		"sendsec_totp_verify",
		"secret_strdup",
		"sendsec_logf",
		"pam_sm_authenticate",
		"sasl_server_plug_init",
		"msg_parse_plain",
		NULL,
};

static int run(const char *cmd)
{
	int rc = system(cmd);

	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

int main(int argc, char **argv)
{
	const char *pam_entry[] = {
			"pam_sm_authenticate", "pam_sm_setcred", "pam_sm_acct_mgmt", "pam_sm_chauthtok", NULL};
	const char *sasl_entry[] = {"sasl_server_plug_init", NULL};
	const char *const *entry;
	char cmd[4096];
	void *h;

	if (argc != 3 || (strcmp(argv[2], "pam") != 0 && strcmp(argv[2], "sasl") != 0)) {
		fprintf(stderr, "usage: test_dlopen MODULE pam|sasl\n");
		return 2;
	}
	entry = strcmp(argv[2], "pam") == 0 ? pam_entry : sasl_entry;
	h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	CHECK(h != NULL);
	if (h == NULL) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return check_report(argv[0]);
	}
	for (size_t i = 0; entry[i] != NULL; i++)
		CHECK(dlsym(h, entry[i]) != NULL);
	for (size_t i = 0; hidden[i] != NULL; i++) {
		bool is_entry = false;

		for (size_t j = 0; entry[j] != NULL; j++)
			is_entry = is_entry || strcmp(entry[j], hidden[i]) == 0;
		if (!is_entry && dlsym(h, hidden[i]) != NULL) {
			fprintf(stderr, "%s exports %s\n", argv[1], hidden[i]);
			CHECK(!"an internal symbol is exported");
		}
	}
	dlclose(h);
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
