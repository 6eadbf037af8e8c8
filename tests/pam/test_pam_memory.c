/* test_pam_memory.c — a long-lived process that calls PAM over and over (saslauthd -a pam, Dovecot
 * passdb pam) must not grow: N logins (default 5000) in one process, each pam_start_confdir,
 * pam_authenticate, pam_end, with pam_sendsec.so loaded and unloaded by libpam as a host would
 * have it (no dlopen of our own), against the test slapd. API-key logins keep a login cheap (one
 * search, no argon2id); a key made by sendsecctl. The resident set may grow by less than 1 MiB
 * from 10% to 100% of the run, and the open descriptors are the same at 10% and at the end.
 * This program links libpam and libc only: a library that the program itself linked would stay
 * resident and hide what unloading the module does (libldap, GnuTLS, libsodium, ...).
 * Run as: with-slapd.sh test_pam_memory PATH/pam_sendsec.so PATH/sendsecctl [N]
 * The key is never printed. */
#include <dirent.h>
#include <stdbool.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

#define MAX_GROWTH_KIB 1024

static char confdir[256];
static char key[256];

/* The value of SENDSEC_TEST_<name>; exits when unset (not under the fixture). */
static const char *env(const char *name)
{
	char var[64];
	const char *v;

	snprintf(var, sizeof(var), "SENDSEC_TEST_%s", name);
	if ((v = getenv(var)) == NULL || v[0] == '\0') {
		fprintf(stderr, "%s is not set: run me under tests/fixtures/with-slapd.sh\n", var);
		exit(1);
	}
	return v;
}

static void free_answer(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Answers every prompt with the key. */
static int converse(int n, const struct pam_message **msg, struct pam_response **resp_out, void *arg)
{
	struct pam_response *resp = calloc((size_t)n, sizeof(*resp));

	(void)arg;
	if (resp == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF && msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		if ((resp[i].resp = strdup(key)) == NULL) {
			for (int j = 0; j < i; j++)
				free_answer(resp[j].resp);
			free(resp);
			return PAM_BUF_ERR;
		}
	}
	*resp_out = resp;
	return PAM_SUCCESS;
}

static int login(void)
{
	struct pam_conv conv = {converse, NULL};
	pam_handle_t *h = NULL;
	int rc;

	if (pam_start_confdir("mem", "apikey", &conv, confdir, &h) != PAM_SUCCESS) {
		fprintf(stderr, "pam_start_confdir failed\n");
		exit(1);
	}
	rc = pam_authenticate(h, 0);
	pam_end(h, rc);
	return rc;
}

/* Resident set size in KiB (VmRSS of /proc/self/status). */
static long rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* True for glibc's syslog connection: an AF_UNIX datagram socket, open only while /dev/log exists
 * (another test may bind one for a while); the module's own descriptors are LDAP connections. */
static bool is_syslog_socket(int fd)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(int), sa_len = sizeof(sa);
	int type = 0;

	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM &&
			getsockname(fd, (struct sockaddr *)&sa, &sa_len) == 0 && sa.ss_family == AF_UNIX;
}

/* Number of open descriptors but the syslog connection (entries of /proc/self/fd). */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fd != dirfd(d) && !is_syslog_socket(fd))
			n++;
	}
	closedir(d);
	return n;
}

/* confdir/mem: the module (libpam wants an absolute path) for API keys only. */
static void write_service(const char *module)
{
	char path[512], *abs = realpath(module, NULL);
	FILE *f;

	snprintf(path, sizeof(path), "%s/mem", confdir);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fprintf(f, "auth required %s config=%s methods=apikey\n", abs != NULL ? abs : module, env("CONF"));
	fclose(f);
	free(abs);
}

/* An API key of alice for service "mem", made by sendsecctl (its first line of output). */
static void make_key(const char *sendsecctl)
{
	char cmd[1024];
	FILE *f;
	bool ok;

	snprintf(cmd, sizeof(cmd), "'%s' --config '%s' key create alice --scope mem", sendsecctl, env("CONF"));
	if ((f = popen(cmd, "r")) == NULL) {
		perror("popen");
		exit(1);
	}
	ok = fgets(key, sizeof(key), f) != NULL && strncmp(key, "ssk_", 4) == 0;
	while (fgetc(f) != EOF)
		;
	if (pclose(f) != 0 || !ok) {
		fprintf(stderr, "sendsecctl key create failed\n");
		exit(1);
	}
	key[strcspn(key, "\n")] = '\0';
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/sendsec-pammem.XXXXXX", path[512];
	long n = argc > 3 ? strtol(argv[3], NULL, 10) : 5000, rss_at_10 = -1, rss_end;
	int fds_at_10 = -1, fds_end, failures = 0;

	if (argc < 3 || argc > 4 || n < 10) {
		fprintf(stderr, "usage: with-slapd.sh %s PATH/pam_sendsec.so PATH/sendsecctl [N]\n", argv[0]);
		return 2;
	}
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(confdir, sizeof(confdir), "%s", tmpl);
	write_service(argv[1]);
	make_key(argv[2]);
	for (long i = 1; i <= n; i++) {
		if (login() != PAM_SUCCESS)
			failures++;
		if (i == n / 10) {
			rss_at_10 = rss_kib();
			fds_at_10 = open_fds();
		}
		if (i % (n / 10) == 0)
			printf("%ld logins: VmRSS %ld KiB, %d descriptors\n", i, rss_kib(), open_fds());
	}
	rss_end = rss_kib();
	fds_end = open_fds();
	if (failures != 0)
		fprintf(stderr, "%d of %ld logins refused\n", failures, n);
	CHECK(failures == 0);
	if (rss_end - rss_at_10 >= MAX_GROWTH_KIB)
		fprintf(stderr, "VmRSS grew from %ld KiB at 10%% to %ld KiB at the end: %ld KiB, limit %d KiB\n",
				rss_at_10, rss_end, rss_end - rss_at_10, MAX_GROWTH_KIB);
	CHECK(rss_at_10 > 0 && rss_end - rss_at_10 < MAX_GROWTH_KIB);
	if (fds_end != fds_at_10)
		fprintf(stderr, "descriptors: %d at 10%%, %d at the end\n", fds_at_10, fds_end);
	CHECK(fds_at_10 > 0 && fds_end == fds_at_10);
	explicit_bzero(key, sizeof(key));
	snprintf(path, sizeof(path), "%s/mem", confdir);
	unlink(path);
	if (rmdir(confdir) != 0)
		perror(confdir);
	return check_report(argv[0]);
}
