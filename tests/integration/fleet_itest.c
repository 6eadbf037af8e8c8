/* fleet_itest.c — helpers of the fleet integration tests (see fleet_itest.h). */
#include "fleet_itest.h"

#include <ctype.h>
#include <ldap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "itest.h"

const char *fleet_env(const char *name, const char *what)
{
	char var[64], up[16];
	const char *v;
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < sizeof(up); i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	up[i] = '\0';
	snprintf(var, sizeof(var), "SENDSEC_FLEET_%s_%s", up, what);
	if ((v = getenv(var)) == NULL || v[0] == '\0') {
		fprintf(stderr, "%s is not set: run me under tests/fixtures/with-fleet.sh\n", var);
		exit(1);
	}
	return v;
}

/* Appends the what-URI of each instance named in names to out. */
static void uri_list(const char *names, const char *what, char *out, size_t outlen)
{
	char buf[128], *save = NULL;

	out[0] = '\0';
	snprintf(buf, sizeof(buf), "%s", names);
	for (char *n = strtok_r(buf, " ", &save); n != NULL; n = strtok_r(NULL, " ", &save))
		snprintf(out + strlen(out), outlen - strlen(out), "%s%s", out[0] != '\0' ? " " : "",
				fleet_env(n, what));
}

char *fleet_conf(const char *uris, const char *replicas, const char *extra)
{
	char text[8192], list[2048], path_copy[512];

	uri_list(uris, "URI", list, sizeof(list));
	snprintf(text, sizeof(text), "uri %s\n", list);
	if (replicas != NULL) {
		uri_list(replicas, "LDAPI", list, sizeof(list));
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "read_uri %s\n", list);
	}
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "base %s\nbinddn %s\nbindpw_file %s\ntimeout 2\n%s",
			itest_env("BASE"), itest_env("BINDDN"), itest_env("BINDPW_FILE"), extra != NULL ? extra : "");
	snprintf(path_copy, sizeof(path_copy), "%s", itest_write_conf(false, text));
	return strdup(path_copy);
}

static struct itest_clock host_clock;

enum sendsec_result fleet_host_login(const char *conf, const struct fleet_login *req, struct sendsec_outcome *out)
{
	struct sendsec_outcome got;
	int fds[2], status;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	out->result = SENDSEC_UNAVAILABLE;
	out->reason = SENDSEC_REASON_UNAVAILABLE;
	if (pipe(fds) != 0 || (pid = fork()) < 0)
		return out->result;
	if (pid == 0) {
		struct sendsec_ctx *ctx = itest_ctx_from(conf);
		struct itest_answer a = {req->answer};
		struct sendsec_request r = {
				.service = req->service != NULL ? req->service : "sshd",
				.user = req->user,
				.password = req->password,
				.rhost = req->rhost,
				.ask = req->answer != NULL ? itest_ask : NULL,
				.ask_arg = &a,
		};

		close(fds[0]);
		if (req->now != 0) {
			host_clock.now = req->now;
			sendsec_ctx_set_clock(ctx, itest_clock_now, &host_clock);
		}
		memset(&got, 0, sizeof(got));
		if (sendsec_authenticate(ctx, &r, &got) != got.result)
			_exit(1);
		got.method = NULL; /* a pointer into this process */
		if (write(fds[1], &got, sizeof(got)) != (ssize_t)sizeof(got))
			_exit(1);
		sendsec_ctx_free(ctx);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &got, sizeof(got)) == (ssize_t)sizeof(got))
		*out = got;
	close(fds[0]);
	waitpid(pid, &status, 0);
	return out->result;
}

int fleet_race(const char *const confs[2], const char *user, const char *password, const char *const answers[2],
		time_t now, bool ok_out[2])
{
	struct itest_race r;

	itest_race(2, confs, user, password, answers, now, &r);
	ok_out[0] = r.host_ok[0];
	ok_out[1] = r.host_ok[1];
	return r.failed > 0 ? -1 : r.replayed;
}

LDAP *fleet_open_root(const char *name)
{
	LDAP *ld = NULL;
	char pw[256] = "";
	FILE *in = fopen(itest_env("ROOTPW_FILE"), "r");
	struct berval cred;
	struct timeval tv = {2, 0};
	int version = LDAP_VERSION3;

	if (in == NULL)
		return NULL;
	if (fgets(pw, sizeof(pw), in) == NULL)
		pw[0] = '\0';
	fclose(in);
	pw[strcspn(pw, "\r\n")] = '\0';
	cred.bv_val = pw;
	cred.bv_len = strlen(pw);
	if (ldap_initialize(&ld, fleet_env(name, "LDAPI")) != LDAP_SUCCESS)
		return NULL;
	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_OPT_SUCCESS ||
			ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
			ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
			ldap_sasl_bind_s(ld, itest_env("ROOTDN"), LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL) !=
					LDAP_SUCCESS) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		ld = NULL;
	}
	sodium_memzero(pw, sizeof(pw));
	return ld;
}

bool fleet_read(const char *name, const char *dn, const char *attr, char *out, size_t outlen)
{
	LDAP *ld = fleet_open_root(name);
	LDAPMessage *res = NULL, *e;
	char *attrs[] = {(char *)attr, NULL};
	struct berval **vals = NULL;
	bool found = false;

	out[0] = '\0';
	if (ld == NULL)
		return false;
	if (ldap_search_ext_s(ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0, NULL, NULL, NULL, 0, &res) ==
					LDAP_SUCCESS &&
			(e = ldap_first_entry(ld, res)) != NULL && (vals = ldap_get_values_len(ld, e, attr)) != NULL &&
			vals[0] != NULL) {
		snprintf(out, outlen, "%.*s", (int)vals[0]->bv_len, vals[0]->bv_val);
		found = true;
	}
	ldap_value_free_len(vals);
	ldap_msgfree(res);
	ldap_unbind_ext_s(ld, NULL, NULL);
	return found;
}

double fleet_wait(const char *name, const char *dn, const char *attr, const char *value, double seconds)
{
	double t0 = itest_seconds();
	char got[1024];

	do {
		bool found = fleet_read(name, dn, attr, got, sizeof(got));

		if (value == NULL ? !found : found && strcmp(got, value) == 0)
			return itest_seconds() - t0;
		usleep(2000);
	} while (itest_seconds() - t0 < seconds);
	return -1;
}

bool fleet_signal(const char *name, int sig)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/slapd.pid", fleet_env(name, "DIR"));
	return itest_signal_pidfile(path, sig);
}

int fleet_sh(const char *cmd, const char *name)
{
	const char *const argv[] = {getenv("SENDSEC_FLEET_SH"), cmd, getenv("SENDSEC_FLEET_DIR"), name, NULL};

	if (argv[1] == NULL || argv[2] == NULL)
		return -1;
	return itest_run(argv, NULL, NULL, 0);
}

static void log_path(const char *name, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/slapd.log", fleet_env(name, "DIR"));
}

long fleet_log_mark(const char *name)
{
	char path[512];
	struct stat st;

	log_path(name, path, sizeof(path));
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

#define MAX_CONNS 4096

/* The request line of an operation in a stats log ("op=N <VERB> …"): one per operation, unlike
 * its RESULT line, which a busy server may log after a later operation's request. An UNBIND is
 * not counted: it ends a connection (a host process that exits), and the server may log it after
 * the client has gone on. */
static bool is_request(const char *rest, bool *is_write_out)
{
	static const char *const verbs[] = {
			"BIND dn=", "SRCH base=", "CMP dn=", "EXT oid=", "MOD dn=", "ADD dn=", "DEL dn=", "MODRDN dn="};

	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strncmp(rest, verbs[i], strlen(verbs[i])) == 0) {
			*is_write_out = i >= 4;
			/* A bind logs a second "BIND dn=… mech=…" line once it succeeded. */
			return i != 0 || strstr(rest, " method=") != NULL;
		}
	return false;
}

static long count_ops(const char *name, long mark, const char *dn_part, long *writes_out, bool print);

long fleet_provider_ops(const char *name, long mark, const char *dn_part, long *writes_out)
{
	return count_ops(name, mark, dn_part, writes_out, false);
}

void fleet_print_provider_ops(const char *name, long mark)
{
	(void)count_ops(name, mark, NULL, NULL, true);
}

static long count_ops(const char *name, long mark, const char *dn_part, long *writes_out, bool print)
{
	static unsigned char is_tcp[MAX_CONNS];
	char path[512], line[4096];
	long ops = 0, writes = 0, pos = 0;
	FILE *f;

	log_path(name, path, sizeof(path));
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	memset(is_tcp, 0, sizeof(is_tcp));
	while (fgets(line, sizeof(line), f) != NULL) {
		bool counted = pos >= mark, is_write = false;
		const char *c = strstr(line, " conn=");
		unsigned long conn, op;
		int used = 0;

		pos += (long)strlen(line);
		if (strstr(line, "slapd starting") != NULL) {
			memset(is_tcp, 0, sizeof(is_tcp)); /* connection numbers start again */
			continue;
		}
		if (c == NULL || sscanf(c, " conn=%lu %n", &conn, &used) != 1 || conn < 1000 ||
				conn - 1000 >= MAX_CONNS)
			continue;
		conn -= 1000;
		c += used;
		if (strncmp(c, "fd=", 3) == 0 && strstr(c, " ACCEPT from IP=") != NULL) {
			is_tcp[conn] = 1;
			ops += counted;
			if (counted && print)
				fprintf(stderr, "  %s: %s", name, line);
			continue;
		}
		used = 0;
		if (!is_tcp[conn] || sscanf(c, "op=%lu %n", &op, &used) != 1 || used == 0 ||
				!is_request(c + used, &is_write))
			continue;
		ops += counted;
		if (counted && print)
			fprintf(stderr, "  %s: %s", name, line);
		if (counted && is_write && (dn_part == NULL || strstr(c, dn_part) != NULL))
			writes++;
	}
	fclose(f);
	if (writes_out != NULL)
		*writes_out = writes;
	return ops;
}
