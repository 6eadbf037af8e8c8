/* bench_sasl.c — SMTP-AUTH-equivalent logins per second through the SASL plugin in-process
 * (sasl_server_new/start/dispose on one process, as one Postfix smtpd does), beside saslauthd
 * driven over its mux socket (-a ldap and -a pam with pam_sendsec), same accounts, same slapd,
 * side by side in one run. Run it through tests/bench/run_sasl.sh, which starts the fixture slapd,
 * both saslauthd instances (in a mount namespace with its own /etc/pam.d) and creates the key.
 *
 *   bench_sasl PLUGIN SENDSEC_CONF USER KEY_FILE LDAP_MUX PAM_MUX [N [ROUNDS]]
 *
 * PLUGIN is the built libsendsec.so, which libsasl2 loads from a private plugin dir with a private
 * smtpd.conf naming a copy of SENDSEC_CONF (tests/sasl/sasl_host.c, as the plugin's tests do). USER logs
 * in with its seeded password USER-Passw0rd!; the key in KEY_FILE (user "apikey") names the same
 * account. Modes, each N logins per round in alternating blocks of BLOCK so that all see the same
 * machine load: plugin password, plugin key, saslauthd -a ldap password, saslauthd -a pam password,
 * saslauthd -a pam key. First a wrong password and a broken key must be refused in every mode;
 * then every login must succeed (exit 1 otherwise). The median round is
 * reported with the ratios. Neither password nor key is ever printed. */
#include <errno.h>
#include <sasl/sasl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sasl_host.h"

#define WARMUP     20
#define BLOCK      20
#define MAX_ROUNDS 15

enum mode { PLUGIN_PW, PLUGIN_KEY, LDAP_PW, PAM_PW, PAM_KEY, N_MODES };

static const char *const mode_name[N_MODES] = {
		"plugin in-process, password",
		"plugin in-process, API key",
		"saslauthd -a ldap, password",
		"saslauthd -a pam (pam_sendsec), password",
		"saslauthd -a pam (pam_sendsec), API key",
};

static const char *ldap_mux, *pam_mux, *user;
static char password[128], key[256];

/* One login as smtpd makes it: new connection, PLAIN with an initial response, dispose. */
static bool plugin_login(const char *authcid, const char *secret)
{
	return host_plain(authcid, secret, NULL, 0) == SASL_OK;
}

static bool put_string(char *buf, size_t len, size_t *at, const char *s)
{
	size_t n = strlen(s);

	if (n > 0xffff || *at + 2 + n > len)
		return false;
	buf[(*at)++] = (char)(n >> 8);
	buf[(*at)++] = (char)(n & 0xff);
	memcpy(buf + *at, s, n);
	*at += n;
	return true;
}

static bool read_full(int fd, char *buf, size_t n)
{
	while (n > 0) {
		ssize_t got = read(fd, buf, n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return false;
		buf += got;
		n -= (size_t)got;
	}
	return true;
}

/* One request over saslauthd's mux protocol: four 2-byte big-endian length-prefixed strings
 * (user, password, service, realm); the answer is one such string, "OK…" or "NO…". One
 * connection per request, as libsasl2's saslauthd client does it. */
static bool mux_login(const char *mux, const char *authcid, const char *secret)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char req[1024], reply[1024];
	size_t at = 0, len;
	int fd;
	bool ok = false;

	if (strlen(mux) >= sizeof(sa.sun_path))
		host_die("mux path too long");
	memcpy(sa.sun_path, mux, strlen(mux) + 1);
	if (!put_string(req, sizeof(req), &at, authcid) || !put_string(req, sizeof(req), &at, secret) ||
			!put_string(req, sizeof(req), &at, "smtp") || !put_string(req, sizeof(req), &at, ""))
		host_die("request too long");
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		host_die("socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && write(fd, req, at) == (ssize_t)at &&
			read_full(fd, reply, 2)) {
		len = ((size_t)(unsigned char)reply[0] << 8) | (unsigned char)reply[1];
		ok = len >= 2 && len < sizeof(reply) && read_full(fd, reply, len) && memcmp(reply, "OK", 2) == 0;
	}
	close(fd);
	explicit_bzero(req, sizeof(req));
	return ok;
}

static bool login(enum mode m)
{
	switch (m) {
	case PLUGIN_PW: return plugin_login(user, password);
	case PLUGIN_KEY: return plugin_login("apikey", key);
	case LDAP_PW: return mux_login(ldap_mux, user, password);
	case PAM_PW: return mux_login(pam_mux, user, password);
	case PAM_KEY: return mux_login(pam_mux, "apikey", key);
	default: return false;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, (size_t)n * sizeof(*v));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	double rate[N_MODES][MAX_ROUNDS], ratio_ldap[MAX_ROUNDS], ratio_pam[MAX_ROUNDS], ratio_pam_key[MAX_ROUNDS];
	long n = 300, rounds = 5;
	FILE *in;
	if (argc < 7 || argc > 9)
		host_die("usage: bench_sasl PLUGIN SENDSEC_CONF USER KEY_FILE LDAP_MUX PAM_MUX [N [ROUNDS]]");
	user = argv[3];
	ldap_mux = argv[5];
	pam_mux = argv[6];
	if (argc > 7)
		n = strtol(argv[7], NULL, 10);
	if (argc > 8)
		rounds = strtol(argv[8], NULL, 10);
	if (n < BLOCK || n % BLOCK != 0 || rounds < 1 || rounds > MAX_ROUNDS)
		host_die("N must be a multiple of 20, ROUNDS 1..15");
	snprintf(password, sizeof(password), "%s-Passw0rd!", user);
	if ((in = fopen(argv[4], "r")) == NULL || fgets(key, sizeof(key), in) == NULL)
		host_die("cannot read the key file");
	fclose(in);
	key[strcspn(key, "\r\n")] = '\0';
	setvbuf(stdout, NULL, _IOLBF, 0);

	(void)host_init_file(argv[1], argv[2]);
	/* Each path must really check: a wrong password and a key with a bad check character are
	 * refused everywhere before anything is measured. */
	{
		char good_pw[sizeof(password)], good_key[sizeof(key)];
		size_t kl = strlen(key);

		memcpy(good_pw, password, sizeof(password));
		memcpy(good_key, key, sizeof(key));
		password[strlen(password) - 1] = '?';
		key[kl - 1] = key[kl - 1] == 'A' ? 'B' : 'A';
		for (int m = 0; m < N_MODES; m++)
			if (login((enum mode)m)) {
				fprintf(stderr, "bench_sasl: a wrong credential was accepted: %s\n", mode_name[m]);
				return 1;
			}
		memcpy(password, good_pw, sizeof(password));
		memcpy(key, good_key, sizeof(key));
		explicit_bzero(good_pw, sizeof(good_pw));
		explicit_bzero(good_key, sizeof(good_key));
	}
	for (int m = 0; m < N_MODES; m++)
		for (int i = 0; i < WARMUP; i++)
			if (!login((enum mode)m)) {
				fprintf(stderr, "bench_sasl: warm-up login failed: %s\n", mode_name[m]);
				return 1;
			}

	for (long r = 0; r < rounds; r++) {
		double spent[N_MODES] = {0};

		for (long done = 0; done < n; done += BLOCK)
			for (int m = 0; m < N_MODES; m++) {
				double t0 = now();

				for (int i = 0; i < BLOCK; i++)
					if (!login((enum mode)m)) {
						fprintf(stderr, "bench_sasl: login failed: %s\n", mode_name[m]);
						return 1;
					}
				spent[m] += now() - t0;
			}
		for (int m = 0; m < N_MODES; m++)
			rate[m][r] = (double)n / spent[m];
		ratio_ldap[r] = rate[PLUGIN_PW][r] / rate[LDAP_PW][r];
		ratio_pam[r] = rate[PLUGIN_PW][r] / rate[PAM_PW][r];
		ratio_pam_key[r] = rate[PLUGIN_KEY][r] / rate[PAM_KEY][r];
		printf("round %ld:", r + 1);
		for (int m = 0; m < N_MODES; m++)
			printf(" %.0f", rate[m][r]);
		printf(" logins/s (modes in the order below)\n");
	}
	printf("logins per round and mode: %ld (alternating blocks of %d), rounds: %ld, warm-up: %d per mode\n", n,
			BLOCK, rounds, WARMUP);
	for (int m = 0; m < N_MODES; m++)
		printf("median %-42s %7.1f logins/s\n", mode_name[m], median(rate[m], (int)rounds));
	printf("median ratio plugin / saslauthd -a ldap, password: %5.2fx\n", median(ratio_ldap, (int)rounds));
	printf("median ratio plugin / saslauthd -a pam,  password: %5.2fx\n", median(ratio_pam, (int)rounds));
	printf("median ratio plugin / saslauthd -a pam,  API key:  %5.2fx\n", median(ratio_pam_key, (int)rounds));
	host_done();
	explicit_bzero(password, sizeof(password));
	explicit_bzero(key, sizeof(key));
	return 0;
}
