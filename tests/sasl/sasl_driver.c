/* sasl_driver.c — drives libsendsec.so through libsasl2 the way Postfix's smtpd does
 * (sasl_server_init "smtpd", sasl_server_new "smtp" with iplocalport/ipremoteport, start/step),
 * against the private slapd of tests/fixtures/with-slapd.sh.
 *
 *   sasl_driver PATH/libsendsec.so [PATH/sendsecctl]
 *
 * With sendsecctl, the second-factor scenario also runs: an API key (user "apikey") reported as
 * its account, a wrong key of valid shape, a TOTP code appended to the password (from oathtool)
 * and its replay, and a recovery code appended, used twice; and the delegation scenario: PLAIN
 * with an authzid naming a shared account the person is (or is not, or no longer) a delegate of.
 *
 * Each scenario runs in a child process of its own, because libsasl2 reads the application's
 * config file and loads the plugins once per process: a temp dir holds the plugin dir (symlinks
 * to our plugin and to Debian's libplain.so/liblogin.so) and <app>.conf. The SASL callbacks,
 * connections and file helpers are the load tests' host (sasl_host.c). Passwords are derived
 * from the account names (NAME-Passw0rd!) and never printed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sasl/sasl.h>
#include <sasl/saslplug.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "sasl_host.h"

#define SYSTEM_PLUGINS "/usr/lib/x86_64-linux-gnu/sasl2"
#define APPNAME        "smtpd"

static const char *our_plugin; /* absolute path of the built libsendsec.so */
static const char *sendsecctl; /* absolute path of the built sendsecctl, or NULL */
static char workdir[PATH_MAX];
static pid_t main_pid;

/* ---- small helpers ---------------------------------------------------------------------- */

static void make_dir(const char *path)
{
	if (mkdir(path, 0700) != 0)
		host_die("mkdir %s: %s", path, strerror(errno));
}

static void secret_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Cuts s at the first newline. */
static void chomp(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

/* sendsecctl --config CONF ARGS... with stdout captured; returns it (malloc'd, wipe) or NULL. */
static char *ctl_output(
		const char *conf, const char *a1, const char *a2, const char *a3, const char *a4, const char *a5)
{
	char *argv[] = {(char *)sendsecctl, (char *)"--config", (char *)conf, (char *)a1, (char *)a2, (char *)a3,
			(char *)a4, (char *)a5, NULL};
	char out[PATH_MAX];
	int rc;

	host_path_join(out, sizeof(out), workdir, "ctl.out");
	rc = host_run_capture(argv, NULL, out);
	if (rc != 0) {
		fprintf(stderr, "    sendsecctl %s %s failed (exit %d)\n", a1, a2 != NULL ? a2 : "", rc);
		unlink(out);
		return NULL;
	}
	return host_take_file(out);
}

/* The current TOTP code (oathtool --totp, 6 digits, 30 s) for the base32 secret; the secret
 * reaches oathtool on stdin, not argv. Returns true and fills code_out[7]. */
static bool totp_now(const char *base32, char code_out[7])
{
	char *argv[] = {(char *)"/usr/bin/oathtool", (char *)"--totp", (char *)"-b", (char *)"-", NULL};
	char in[PATH_MAX], out[PATH_MAX], *line, *text;
	bool ok;

	host_path_join(in, sizeof(in), workdir, "oath.in");
	host_path_join(out, sizeof(out), workdir, "oath.out");
	if (asprintf(&line, "%s\n", base32) < 0)
		host_die("out of memory");
	host_write_file(in, 0600, line);
	secret_free(line);
	ok = host_run_capture(argv, in, out) == 0;
	secret_free(host_take_file(in));
	text = host_take_file(out);
	chomp(text);
	ok = ok && strlen(text) == 6 && strspn(text, "0123456789") == 6;
	if (ok)
		memcpy(code_out, text, 7);
	secret_free(text);
	return ok;
}

/* CRC32 (IEEE 802.3, as zlib) as 6 base62 digits, most significant first: an API key's check
 * characters (DESIGN.md section 5). Written here so that the driver stays free of the engine. */
static char base62_digit(unsigned v)
{
	return (char)(v < 10 ? '0' + v : v < 36 ? 'A' + (v - 10) : 'a' + (v - 36));
}

static unsigned base62_value(char c)
{
	return c >= '0' && c <= '9'            ? (unsigned)(c - '0')
			: c >= 'A' && c <= 'Z' ? (unsigned)(c - 'A') + 10
					       : (unsigned)(c - 'a') + 36;
}

static void key_check_chars(const char *text, size_t len, char out[6])
{
	unsigned long crc = 0xFFFFFFFFul;

	for (size_t i = 0; i < len; i++) {
		crc ^= (unsigned char)text[i];
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xEDB88320ul & (0ul - (crc & 1ul)));
	}
	crc ^= 0xFFFFFFFFul;
	for (int i = 5; i >= 0; i--) {
		out[i] = base62_digit((unsigned)(crc % 62));
		crc /= 62;
	}
}

/* A key of valid shape (prefix, id, check characters) whose secret differs from key's in every
 * character: the directory lookup happens and the hash comparison says no. */
static void wrong_key(const char *key, char *out, size_t len)
{
	const char *sep = strchr(key, '_') != NULL ? strchr(strchr(key, '_') + 1, '_') : NULL;
	size_t n = strlen(key), secret_at, check_at;

	if (sep == NULL || n < 8 || n >= len)
		host_die("unexpected key shape");
	memcpy(out, key, n + 1);
	secret_at = (size_t)(sep - key) + 1;
	check_at = n - 6;
	for (size_t i = secret_at; i < check_at; i++)
		out[i] = base62_digit((base62_value(out[i]) + 1) % 62);
	key_check_chars(out, check_at, out + check_at);
}

/* ---- the SASL side ---------------------------------------------------------------------- */

struct app {
	char plugin_dir[PATH_MAX];
	char conf_dir[PATH_MAX];
};

static struct app app;

/* Creates DIR/NAME/plugins with the given links (link name, target; in this creation order)
 * and DIR/NAME/conf/smtpd.conf with conf_text. Fills app. */
static void make_app(const char *name, const char *const links[][2], size_t n_links, const char *conf_text)
{
	char base[PATH_MAX], path[PATH_MAX];

	host_path_join(base, sizeof(base), workdir, name);
	make_dir(base);
	host_path_join(app.plugin_dir, sizeof(app.plugin_dir), base, "plugins");
	host_path_join(app.conf_dir, sizeof(app.conf_dir), base, "conf");
	make_dir(app.plugin_dir);
	make_dir(app.conf_dir);
	for (size_t i = 0; i < n_links; i++) {
		host_path_join(path, sizeof(path), app.plugin_dir, links[i][0]);
		if (symlink(links[i][1], path) != 0)
			host_die("symlink %s: %s", path, strerror(errno));
	}
	host_path_join(path, sizeof(path), app.conf_dir, APPNAME ".conf");
	host_write_file(path, 0644, conf_text);
}

/* One PLAIN exchange with the raw message msg (len bytes) as initial response, or, when
 * initial is false, after the empty challenge. */
static int plain_raw(sasl_conn_t *conn, const char *msg, unsigned len, bool initial)
{
	const char *out = NULL;
	unsigned outlen = 0;
	int rc;

	if (initial)
		return sasl_server_start(conn, "PLAIN", msg, len, &out, &outlen);
	rc = sasl_server_start(conn, "PLAIN", NULL, 0, &out, &outlen);
	if (rc != SASL_CONTINUE)
		return rc;
	return sasl_server_step(conn, msg, len, &out, &outlen);
}

static int plain(sasl_conn_t *conn, const char *authzid, const char *user, const char *password)
{
	char msg[12000];
	int n = snprintf(msg, sizeof(msg), "%s%c%s%c%s", authzid, '\0', user, '\0', password);
	int rc;

	if (n < 0 || (size_t)n >= sizeof(msg))
		host_die("PLAIN message too long");
	rc = plain_raw(conn, msg, (unsigned)n, true);
	explicit_bzero(msg, sizeof(msg));
	return rc;
}

/* PLAIN as NAME with NAME's seeded password (or a wrong one), from ipremoteport. */
static int plain_as(const char *ipremoteport, const char *authzid, const char *name, bool wrong)
{
	sasl_conn_t *conn = host_conn_new(ipremoteport);
	char pw[64];
	int rc;

	host_password(name, wrong, pw, sizeof(pw));
	rc = plain(conn, authzid, name, pw);
	explicit_bzero(pw, sizeof(pw));
	sasl_dispose(&conn);
	return rc;
}

/* One LOGIN exchange; with user_initial the user name is the initial response. Checks the
 * prompts on the way. */
static int login(sasl_conn_t *conn, const char *user, const char *password, bool user_initial)
{
	const char *out = NULL;
	unsigned outlen = 0;
	int rc;

	if (user_initial) {
		rc = sasl_server_start(conn, "LOGIN", user, (unsigned)strlen(user), &out, &outlen);
	} else {
		rc = sasl_server_start(conn, "LOGIN", NULL, 0, &out, &outlen);
		if (rc != SASL_CONTINUE)
			return rc;
		CHECK(outlen == 9 && memcmp(out, "Username:", 9) == 0);
		rc = sasl_server_step(conn, user, (unsigned)strlen(user), &out, &outlen);
	}
	if (rc != SASL_CONTINUE)
		return rc;
	CHECK(outlen == 9 && memcmp(out, "Password:", 9) == 0);
	return sasl_server_step(conn, password, (unsigned)strlen(password), &out, &outlen);
}

static int login_as(const char *name, bool wrong, bool user_initial)
{
	sasl_conn_t *conn = host_conn_new("127.0.0.1;40000");
	char pw[64];
	int rc;

	host_password(name, wrong, pw, sizeof(pw));
	rc = login(conn, name, pw, user_initial);
	explicit_bzero(pw, sizeof(pw));
	sasl_dispose(&conn);
	return rc;
}

static bool username_is(sasl_conn_t *conn, const char *want)
{
	const char *user = NULL;

	return sasl_getprop(conn, SASL_USERNAME, (const void **)&user) == SASL_OK && user != NULL &&
			strcmp(user, want) == 0;
}

#define CHECK_RC(expr, want)                                                                                           \
	do {                                                                                                           \
		int rc_ = (expr);                                                                                      \
		CHECK(rc_ == (want));                                                                                  \
		if (rc_ != (want))                                                                                     \
			fprintf(stderr, "    got %s (%d), want %s\n", sasl_errstring(rc_, NULL, NULL), rc_, #want);    \
	} while (0)

/* The plugin name of the first mechanism called mech in the library's sorted list. */
struct first_mech {
	const char *mech;
	char plugname[64];
	int count;
};

static void info_cb(server_sasl_mechanism_t *m, sasl_info_callback_stage_t stage, void *rock)
{
	struct first_mech *f = rock;

	if (stage != SASL_INFO_LIST_MECH || m == NULL || m->plug == NULL || strcmp(m->plug->mech_name, f->mech) != 0)
		return;
	if (f->count++ == 0)
		snprintf(f->plugname, sizeof(f->plugname), "%s", m->plugname != NULL ? m->plugname : "?");
}

static struct first_mech first_mech(const char *mech)
{
	struct first_mech f = {mech, "", 0};

	sasl_server_plugin_info(mech, info_cb, &f);
	return f;
}

static bool listmech_has(const char *mech)
{
	sasl_conn_t *conn = host_conn_new("127.0.0.1;40000");
	const char *list = NULL;
	unsigned len = 0;
	int count = 0;
	bool found;

	found = sasl_listmech(conn, NULL, " ", " ", " ", &list, &len, &count) == SASL_OK && list != NULL &&
			strstr(list, mech) != NULL;
	sasl_dispose(&conn);
	return found;
}

/* ---- scenarios (each in a child process) ------------------------------------------------ */

static const char *const default_links[][2] = {
		{"libplain.so", SYSTEM_PLUGINS "/libplain.so"}, {"liblogin.so", SYSTEM_PLUGINS "/liblogin.so"},
		{"libsendsec.so", NULL}, /* filled with our_plugin */
};

static void standard_app(const char *name, const char *conf_text)
{
	const char *links[3][2];

	memcpy(links, default_links, sizeof(links));
	links[2][1] = our_plugin;
	make_app(name, links, 3, conf_text);
}

/* Writes WORKDIR/NAME.conf (root-owned, 0600): the fixture's sendsec.conf plus
 * "totp_unenrolled allow" (the default methods "password+totp" would refuse a password
 * alone for accounts without a token) plus extra. Returns the path (static buffer per call). */
static char *sendsec_conf(const char *name, const char *extra)
{
	char *text = host_read_file(host_env("SENDSEC_TEST_CONF")), *full, *path;

	if (asprintf(&full, "%s\ntotp_unenrolled allow\n%s", text, extra) < 0 ||
			asprintf(&path, "%s/%s.conf", workdir, name) < 0)
		host_die("out of memory");
	host_write_file(path, 0600, full);
	free(full);
	free(text);
	return path;
}

static char *conf_with(const char *sendsec_config, const char *extra)
{
	char *text;

	if (asprintf(&text, "mech_list: PLAIN LOGIN\n%s%s%s%s", sendsec_config != NULL ? "sendsec_config: " : "",
			    sendsec_config != NULL ? sendsec_config : "", sendsec_config != NULL ? "\n" : "",
			    extra) < 0)
		host_die("out of memory");
	return text;
}

static void scenario_main(void)
{
	char *path = sendsec_conf("main", ""), *conf = conf_with(path, "");
	char big[5100], msg[5200], pw[64];
	sasl_conn_t *conn;
	int n;

	standard_app("main", conf);
	host_server_init(app.plugin_dir, app.conf_dir);
	CHECK(strstr(first_mech("PLAIN").plugname, "sendsec") != NULL);
	CHECK(strstr(first_mech("LOGIN").plugname, "sendsec") != NULL);
	CHECK(listmech_has("PLAIN") && listmech_has("LOGIN"));

	/* alice via PLAIN: OK, and SASL reports the account as the authenticated user. */
	conn = host_conn_new("127.0.0.1;40000");
	host_password("alice", false, pw, sizeof(pw));
	CHECK_RC(plain(conn, "", "alice", pw), SASL_OK);
	CHECK(username_is(conn, "alice"));
	sasl_dispose(&conn);
	/* Without an initial response (AUTH PLAIN, then the message). */
	conn = host_conn_new("127.0.0.1;40000");
	n = snprintf(msg, sizeof(msg), "%c%s%c%s", '\0', "alice", '\0', pw);
	CHECK_RC(plain_raw(conn, msg, (unsigned)n, false), SASL_OK);
	CHECK(username_is(conn, "alice"));
	sasl_dispose(&conn);
	/* authzid equal to the account is fine; another one is refused. */
	conn = host_conn_new("127.0.0.1;40000");
	CHECK_RC(plain(conn, "alice", "alice", pw), SASL_OK);
	sasl_dispose(&conn);
	conn = host_conn_new("127.0.0.1;40000");
	n = plain(conn, "bob", "alice", pw);
	CHECK(n == SASL_BADAUTH || n == SASL_NOAUTHZ);
	CHECK(!username_is(conn, "bob"));
	sasl_dispose(&conn);

	/* LOGIN, with and without the user name as initial response. */
	conn = host_conn_new("127.0.0.1;40000");
	CHECK_RC(login(conn, "alice", pw, false), SASL_OK);
	CHECK(username_is(conn, "alice"));
	sasl_dispose(&conn);
	CHECK_RC(login_as("alice", false, true), SASL_OK);

	/* Other hash schemes, refusals and the fail-closed answer for a malformed stored hash. */
	CHECK_RC(plain_as("127.0.0.1;40000", "", "bob", false), SASL_OK);
	CHECK_RC(plain_as("127.0.0.1;40000", "", "carol", false), SASL_OK);
	CHECK_RC(plain_as("127.0.0.1;40000", "", "frank", false), SASL_OK);
	CHECK_RC(plain_as("127.0.0.1;40000", "", "alice", true), SASL_BADAUTH);
	CHECK_RC(login_as("alice", true, false), SASL_BADAUTH);
	CHECK_RC(plain_as("127.0.0.1;40000", "", "nosuchuser", false), SASL_BADAUTH);
	CHECK_RC(plain_as("127.0.0.1;40000", "", "dave", false), SASL_BADAUTH);    /* disabled */
	CHECK_RC(plain_as("127.0.0.1;40000", "", "erin", false), SASL_BADAUTH);    /* reset required */
	CHECK_RC(plain_as("127.0.0.1;40000", "", "mallory", false), SASL_UNAVAIL); /* malformed hash */

	/* Malformed PLAIN messages: a protocol error or a refusal, never a crash or success. */
	{
		static const struct {
			const char *what;
			const char *msg;
			unsigned len;
		} bad[] = {
				{"one NUL", "alice\0secret", 12},
				{"no NUL", "alicesecret", 11},
				{"three NULs", "\0alice\0sec\0ret", 14},
				{"empty password", "\0alice\0", 7},
				{"empty authcid", "\0\0secret", 8},
				{"invalid UTF-8 authcid", "\0al\xc3ice\0secret", 14},
				{"overlong UTF-8 authcid", "\0\xc0\xafroot\0secret", 14},
				{"empty message", "", 0},
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			conn = host_conn_new("127.0.0.1;40000");
			n = plain_raw(conn, bad[i].msg, bad[i].len, true);
			if (n != SASL_BADPROT && n != SASL_BADAUTH)
				fprintf(stderr, "    %s: got %d\n", bad[i].what, n);
			CHECK(n == SASL_BADPROT || n == SASL_BADAUTH);
			sasl_dispose(&conn);
		}
		memset(big, 'x', 5000);
		big[5000] = '\0';
		conn = host_conn_new("127.0.0.1;40000");
		n = plain(conn, "", big, pw); /* 5000-byte authcid */
		CHECK(n == SASL_BADPROT || n == SASL_BADAUTH);
		sasl_dispose(&conn);
		conn = host_conn_new("127.0.0.1;40000");
		n = plain(conn, "", "alice", big); /* 5000-byte password */
		CHECK(n == SASL_BADPROT || n == SASL_BADAUTH);
		sasl_dispose(&conn);
		conn = host_conn_new("127.0.0.1;40000");
		n = login(conn, big, pw, false); /* 5000-byte LOGIN user name */
		CHECK(n == SASL_BADPROT || n == SASL_BADAUTH);
		sasl_dispose(&conn);
	}

	/* Directory down: temporary failure; back up: the same process and connection succeed. */
	CHECK_RC(plain_as("127.0.0.1;40000", "", "alice", false), SASL_OK);
	conn = host_conn_new("127.0.0.1;40000");
	host_slapd("stop");
	CHECK_RC(plain(conn, "", "alice", pw), SASL_UNAVAIL);
	CHECK_RC(login(conn, "alice", pw, false), SASL_UNAVAIL);
	host_slapd("restart");
	CHECK_RC(plain(conn, "", "alice", pw), SASL_OK);
	CHECK(username_is(conn, "alice"));
	sasl_dispose(&conn);

	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(msg, sizeof(msg));
	sasl_server_done();
	free(conf);
	free(path);
}

/* Our plugin must answer PLAIN and LOGIN whichever of it and libplain/liblogin is read first;
 * plugin_dir was prepared by the parent. alice exists only in LDAP: libplain could not say yes. */
static void scenario_order(void)
{
	char *path = sendsec_conf("order", ""), *conf = conf_with(path, "");
	char app_conf[PATH_MAX];

	host_path_join(app_conf, sizeof(app_conf), app.conf_dir, APPNAME ".conf");
	host_write_file(app_conf, 0644, conf);
	host_server_init(app.plugin_dir, app.conf_dir);
	CHECK(strstr(first_mech("PLAIN").plugname, "sendsec") != NULL);
	CHECK(strstr(first_mech("LOGIN").plugname, "sendsec") != NULL);
	CHECK(first_mech("PLAIN").count == 2); /* libplain is loaded too */
	CHECK_RC(plain_as("127.0.0.1;40000", "", "alice", false), SASL_OK);
	CHECK_RC(login_as("alice", false, false), SASL_OK);
	sasl_server_done();
	free(conf);
	free(path);
}

/* Without sendsec_config the plugin registers nothing: libplain serves PLAIN (and says no to
 * alice, who is not in any sasldb). This is also the control for scenario_order. */
static void scenario_noconfig(void)
{
	char *conf = conf_with(NULL, "");

	standard_app("noconfig", conf);
	host_server_init(app.plugin_dir, app.conf_dir);
	CHECK(first_mech("PLAIN").count == 1);
	CHECK(strstr(first_mech("PLAIN").plugname, "sendsec") == NULL);
	CHECK(strstr(first_mech("LOGIN").plugname, "sendsec") == NULL);
	CHECK(listmech_has("PLAIN"));
	CHECK(plain_as("127.0.0.1;40000", "", "alice", false) != SASL_OK);
	sasl_server_done();
	free(conf);
}

/* A configuration that cannot be loaded (here: group-writable) still registers PLAIN and
 * LOGIN, which fail closed with SASL_UNAVAIL instead of letting libplain answer. */
static void scenario_badconfig(void)
{
	char *path = sendsec_conf("group-writable", ""), *conf;

	if (chmod(path, 0620) != 0)
		host_die("chmod %s", path);
	conf = conf_with(path, "");
	standard_app("badconfig", conf);
	host_server_init(app.plugin_dir, app.conf_dir);
	CHECK(strstr(first_mech("PLAIN").plugname, "sendsec") != NULL);
	CHECK_RC(plain_as("127.0.0.1;40000", "", "alice", false), SASL_UNAVAIL);
	CHECK_RC(login_as("alice", false, false), SASL_UNAVAIL);
	sasl_server_done();
	free(conf);
	free(path);
}

/* allow_networks in a [service smtp] section: the client address from ipremoteport decides. */
static void scenario_networks(void)
{
	char *path = sendsec_conf("networks", "[service smtp]\nallow_networks 192.0.2.0/24 2001:db8::/32\n");
	char *conf = conf_with(path, "");

	standard_app("networks", conf);
	host_server_init(app.plugin_dir, app.conf_dir);
	CHECK_RC(plain_as("192.0.2.7;12345", "", "alice", false), SASL_OK);
	CHECK_RC(plain_as("2001:db8::1;12345", "", "alice", false), SASL_OK);
	CHECK_RC(plain_as("198.51.100.7;12345", "", "alice", false), SASL_BADAUTH);
	CHECK_RC(plain_as("127.0.0.1;12345", "", "alice", false), SASL_BADAUTH);
	CHECK_RC(plain_as("2001:db9::1;12345", "", "alice", false), SASL_BADAUTH);
	CHECK_RC(plain_as(NULL, "", "alice", false), SASL_BADAUTH); /* address unknown */
	sasl_server_done();
	free(conf);
	free(path);
}

/* sendsec_service selects another [service] section than the SASL service name. */
static void scenario_service(void)
{
	char *path = sendsec_conf("service", "[service submission]\nallow_networks 192.0.2.0/24\n");
	char *conf = conf_with(path, "sendsec_service: submission\n");

	standard_app("service", conf);
	host_server_init(app.plugin_dir, app.conf_dir);
	CHECK_RC(plain_as("192.0.2.7;12345", "", "alice", false), SASL_OK);
	CHECK_RC(plain_as("127.0.0.1;12345", "", "alice", false), SASL_BADAUTH);
	sasl_server_done();
	free(conf);
	free(path);
}

/* A process that holds the host's only hash slot when told: byte 0 of $SENDSEC_RUN_DIR/hash-slots
 * locked the way common/slots.c locks it (an open file description lock). Forked now, it opens
 * the file as root, then runs as nobody; it takes the slot when a byte arrives on *go_out, and
 * then answers one byte. */
static pid_t slot_holder(int *go_out, int *ack_out)
{
	int go[2], ack[2];
	char path[PATH_MAX], byte;
	pid_t pid;

	if (pipe(go) != 0 || pipe(ack) != 0)
		host_die("pipe: %s", strerror(errno));
	host_path_join(path, sizeof(path), host_env("SENDSEC_RUN_DIR"), "hash-slots");
	if ((pid = fork()) < 0)
		host_die("fork: %s", strerror(errno));
	if (pid == 0) {
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

		/* As nobody, like the scenario, which must be able to kill it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd < 0 || setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
				setresuid(65534, 65534, 65534) != 0 || read(go[0], &byte, 1) != 1 ||
				fcntl(fd, F_OFD_SETLK, &fl) != 0 || write(ack[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(go[0]);
	close(ack[1]);
	*go_out = go[1];
	*ack_out = ack[0];
	return pid;
}

/* hash_concurrency (DESIGN.md section 11): the plugin opens the host's hash slots when libsasl2
 * loads it, as root, so that logins still take slots after a chroot to an empty directory and a
 * drop to nobody, as Postfix's smtpd runs. While another process holds the only slot, a password
 * login is answered SASL_UNAVAIL (454, reason busy) after timeout; once that holder is killed
 * (SIGKILL), the next login succeeds. */
static void scenario_busy(void)
{
	char *path = sendsec_conf("busy", "[service smtp]\nhash_concurrency 1\ntimeout 1\n"),
	     *conf = conf_with(path, "");
	char jail[PATH_MAX], byte;
	int go, ack, status;
	pid_t holder;

	standard_app("busy", conf);
	host_server_init(app.plugin_dir, app.conf_dir);
	holder = slot_holder(&go, &ack);
	host_path_join(jail, sizeof(jail), workdir, "jail");
	make_dir(jail);
	if (chroot(jail) != 0 || chdir("/") != 0 || setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
			setresuid(65534, 65534, 65534) != 0 || prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
		host_die("chroot and drop to nobody: %s", strerror(errno));
	CHECK_RC(plain_as("192.0.2.7;12345", "", "alice", false), SASL_OK);
	CHECK(write(go, "x", 1) == 1 && read(ack, &byte, 1) == 1);
	CHECK_RC(plain_as("192.0.2.7;12345", "", "alice", false), SASL_UNAVAIL);
	CHECK_RC(plain_as("192.0.2.7;12345", "", "nosuchuser", false), SASL_UNAVAIL);
	CHECK(kill(holder, SIGKILL) == 0 && waitpid(holder, &status, 0) == holder);
	CHECK_RC(plain_as("192.0.2.7;12345", "", "alice", false), SASL_OK);
	sasl_server_done();
	free(conf);
	free(path);
	/* Inside the chroot LeakSanitizer cannot read /proc at exit: leave without it (the other
	 * scenarios check for leaks). */
	fflush(NULL);
	_exit(check_report("busy"));
}

/* PLAIN as user with the password text pw; true when SASL_USERNAME is then want_user. */
static int plain_pw(const char *user, const char *pw, const char *want_user)
{
	sasl_conn_t *conn = host_conn_new("127.0.0.1;40000");
	int rc = plain(conn, "", user, pw);

	if (rc == SASL_OK && want_user != NULL && !username_is(conn, want_user)) {
		fprintf(stderr, "    SASL_USERNAME is not %s\n", want_user);
		rc = SASL_FAIL;
	}
	sasl_dispose(&conn);
	return rc;
}

/* The second factors through SASL (DESIGN.md sections 2 and 5), with the methods
 * "password+totp apikey" (the default takes no API keys): an API key with user "apikey"
 * authenticates the account that owns it (SASL_USERNAME alice, never "apikey"); a wrong key of valid shape is refused; bob, enrolled
 * here, needs his TOTP code appended to the password, which works once; a recovery code appended
 * in its printed form works once. */
static void scenario_factors(void)
{
	/* log_level debug: the plugin logs why each refusal happened, and the checks read it. */
	char *path = sendsec_conf("factors", "log_level debug\nmethods password+totp apikey\n"),
	     *conf = conf_with(path, "");
	char *key = NULL, *uri = NULL, *codes = NULL;
	char bad[256], pw[256], base[64], code[7];
	sasl_conn_t *conn;
	const char *p;

	standard_app("factors", conf);
	host_server_init(app.plugin_dir, app.conf_dir);

	/* API key for alice, scope smtp. */
	if ((key = ctl_output(path, "key", "create", "alice", "--scope", "smtp")) == NULL)
		host_die("sendsecctl key create failed");
	chomp(key);
	CHECK(strncmp(key, "ssk_", 4) == 0 && strlen(key) == 66);
	conn = host_conn_new("127.0.0.1;40000");
	CHECK_RC(plain(conn, "", "apikey", key), SASL_OK);
	CHECK(username_is(conn, "alice"));
	CHECK(!username_is(conn, "apikey"));
	sasl_dispose(&conn);
	CHECK_RC(plain_pw("alice", key, "alice"), SASL_OK); /* the account's own name works too */
	conn = host_conn_new("127.0.0.1;40000");
	CHECK_RC(login(conn, "apikey", key, false), SASL_OK); /* LOGIN carries it the same way */
	CHECK(username_is(conn, "alice"));
	sasl_dispose(&conn);
	wrong_key(key, bad, sizeof(bad));
	CHECK(strcmp(bad, key) != 0 && strlen(bad) == strlen(key));
	host_log_clear();
	CHECK_RC(plain_pw("apikey", bad, NULL), SASL_BADAUTH);
	CHECK(host_log_has("secret does not match"));
	CHECK_RC(plain_pw("bob", key, NULL), SASL_BADAUTH); /* alice's key does not name bob */

	/* bob enrols a TOTP token; his password alone no longer does. */
	if ((uri = ctl_output(path, "totp", "enroll", "bob", "--no-qr", NULL)) == NULL)
		host_die("sendsecctl totp enroll failed");
	chomp(uri);
	CHECK(strncmp(uri, "otpauth://totp/", 15) == 0);
	if ((p = strstr(uri, "secret=")) == NULL)
		host_die("no secret= in the otpauth URI");
	p += 7;
	if (strcspn(p, "&") >= sizeof(base))
		host_die("TOTP secret too long");
	snprintf(base, sizeof(base), "%.*s", (int)strcspn(p, "&"), p);
	secret_free(uri);
	uri = NULL;
	host_password("bob", false, pw, sizeof(pw));
	CHECK_RC(plain_pw("bob", pw, NULL), SASL_BADAUTH);

	/* Password with the current code appended: OK once; the same code again is a replay. */
	if (!totp_now(base, code))
		host_die("oathtool failed");
	host_password("bob", false, pw, sizeof(pw));
	strcat(pw, code);
	CHECK_RC(plain_pw("bob", pw, "bob"), SASL_OK);
	host_log_clear();
	CHECK_RC(plain_pw("bob", pw, NULL), SASL_BADAUTH);
	CHECK(host_log_has("TOTP code was already used"));
	conn = host_conn_new("127.0.0.1;40000");
	CHECK_RC(login(conn, "bob", pw, false), SASL_BADAUTH);
	sasl_dispose(&conn);
	explicit_bzero(code, sizeof(code));

	/* Recovery codes, appended with their dashes: each works once. */
	if ((codes = ctl_output(path, "recovery", "bob", NULL, NULL, NULL)) == NULL)
		host_die("sendsecctl recovery failed");
	chomp(codes); /* the first of the ten */
	CHECK(strlen(codes) >= 8 && strchr(codes, '-') != NULL);
	host_password("bob", false, pw, sizeof(pw));
	if (strlen(pw) + strlen(codes) >= sizeof(pw))
		host_die("recovery code too long");
	strcat(pw, codes);
	host_log_clear();
	CHECK_RC(plain_pw("bob", pw, "bob"), SASL_OK);
	CHECK(host_log_has("recovery code used, 9 left"));
	host_log_clear();
	CHECK_RC(plain_pw("bob", pw, NULL), SASL_BADAUTH);
	CHECK(host_log_has("no such recovery code"));

	secret_free(codes);
	secret_free(key);
	explicit_bzero(bad, sizeof(bad));
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(base, sizeof(base));
	sasl_server_done();
	free(conf);
	free(path);
}

/* Feeds ldif to ldapmodify as the fixture's rootdn; true on success. */
static bool root_modify(const char *ldif)
{
	char *argv[] = {(char *)"/usr/bin/ldapmodify", (char *)"-x", (char *)"-H", (char *)host_env("SENDSEC_TEST_URI"),
			(char *)"-D", (char *)host_env("SENDSEC_TEST_ROOTDN"), (char *)"-y",
			(char *)host_env("SENDSEC_TEST_ROOTPW_FILE"), NULL};
	char in[PATH_MAX], out[PATH_MAX];
	bool ok;

	host_path_join(in, sizeof(in), workdir, "modify.ldif");
	host_path_join(out, sizeof(out), workdir, "modify.out");
	host_write_file(in, 0600, ldif);
	ok = host_run_capture(argv, in, out) == 0;
	unlink(in);
	unlink(out);
	return ok;
}

/* Shared accounts reached with personal credentials (DESIGN.md section 4): PLAIN's authzid names
 * the shared account newsletter, the authcid and password are frank's own (bob, enrolled in the
 * factors scenario, would need his code). The identity libsasl2
 * reports (SASL_USERNAME, what Postfix logs as sasl_username) is newsletter; carol, not a delegate,
 * is refused, and so is frank once removed. LOGIN carries no authzid: frank is frank. */
static void scenario_delegation(void)
{
	char *path = sendsec_conf("delegation", "log_level debug\n"), *conf = conf_with(path, "");
	char pw[64], *text;
	sasl_conn_t *conn;

	standard_app("delegation", conf);
	host_server_init(app.plugin_dir, app.conf_dir);
	if (!root_modify("dn: uid=newsletter,ou=people,dc=example,dc=test\nchangetype: add\n"
			 "objectClass: inetOrgPerson\nobjectClass: posixAccount\nobjectClass: sendsecAccount\n"
			 "uid: newsletter\ncn: Newsletter\nsn: Shared\nuidNumber: 20100\ngidNumber: 20100\n"
			 "homeDirectory: /nonexistent\n"))
		host_die("cannot add uid=newsletter");
	host_password("frank", false, pw, sizeof(pw));
	conn = host_conn_new("127.0.0.1;40000");
	CHECK_RC(plain(conn, "newsletter", "frank", pw), SASL_BADAUTH); /* not a delegate yet */
	sasl_dispose(&conn);
	if ((text = ctl_output(path, "delegate", "add", "newsletter", "frank", NULL)) == NULL)
		host_die("sendsecctl delegate add failed");
	free(text);

	host_log_clear();
	conn = host_conn_new("127.0.0.1;40000");
	CHECK_RC(plain(conn, "newsletter", "frank", pw), SASL_OK);
	CHECK(username_is(conn, "newsletter"));
	CHECK(!username_is(conn, "frank"));
	sasl_dispose(&conn);
	CHECK(host_log_has("account frank acts as newsletter"));
	conn = host_conn_new("127.0.0.1;40000");
	CHECK_RC(plain(conn, "frank", "frank", pw), SASL_OK); /* his own name as authzid: himself */
	CHECK(username_is(conn, "frank"));
	sasl_dispose(&conn);
	conn = host_conn_new("127.0.0.1;40000");
	CHECK_RC(login(conn, "frank", pw, false), SASL_OK);
	CHECK(username_is(conn, "frank"));
	sasl_dispose(&conn);

	host_log_clear();
	host_password("carol", false, pw, sizeof(pw));
	CHECK_RC(plain_as("127.0.0.1;40000", "newsletter", "carol", false), SASL_BADAUTH);
	CHECK(host_log_has("account carol is not a delegate of newsletter"));
	CHECK_RC(plain_as("127.0.0.1;40000", "newsletter", "frank", true), SASL_BADAUTH); /* frank's wrong password */
	CHECK_RC(plain_as("127.0.0.1;40000", "nosuchaccount", "frank", false), SASL_BADAUTH);

	if ((text = ctl_output(path, "delegate", "remove", "newsletter", "frank", NULL)) == NULL)
		host_die("sendsecctl delegate remove failed");
	free(text);
	CHECK_RC(plain_as("127.0.0.1;40000", "newsletter", "frank", false), SASL_BADAUTH);
	CHECK_RC(plain_as("127.0.0.1;40000", "", "frank", false), SASL_OK);

	explicit_bzero(pw, sizeof(pw));
	sasl_server_done();
	free(conf);
	free(path);
}

/* Runs fn in a child; returns true when it passed. */
static bool in_child(const char *name, void (*fn)(void))
{
	pid_t pid;
	int status;

	fflush(NULL);
	if ((pid = fork()) < 0)
		host_die("fork: %s", strerror(errno));
	if (pid == 0) {
		check_failures = check_count = 0; /* the child counts its own checks */
		fn();
		exit(check_report(name));
	}
	if (waitpid(pid, &status, 0) < 0)
		host_die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "scenario %s FAILED (status %d)\n", name, status);
		return false;
	}
	return true;
}

/* Returns 1 when the first of a and b that readdir returns in dir is a, 0 when it is b. */
static int reads_first(const char *dir, const char *a, const char *b)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int which = -1;

	if (d == NULL)
		host_die("opendir %s", dir);
	while (which < 0 && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, a) == 0)
			which = 1;
		else if (strcmp(e->d_name, b) == 0)
			which = 0;
	}
	closedir(d);
	if (which < 0)
		host_die("%s: neither %s nor %s", dir, a, b);
	return which;
}

/* Tries link names and creation orders until both directory-read orders (ours before libplain,
 * and after) have been run: ext4 reads in name-hash order, tmpfs in reverse creation order. */
static void run_orders(void)
{
	bool done[2] = {false, false};
	char name[64], link_name[64];
	int k = 0;

	for (int i = -1; i < 200 && !(done[0] && done[1]); i++) {
		if (i < 0)
			snprintf(link_name, sizeof(link_name), "libsendsec.so");
		else
			snprintf(link_name, sizeof(link_name), "libsendsec-%d.so", i);
		for (int ours_first_created = 0; ours_first_created < 2 && !(done[0] && done[1]);
				ours_first_created++) {
			const char *links[3][2] = {
					{"libplain.so", SYSTEM_PLUGINS "/libplain.so"},
					{"liblogin.so", SYSTEM_PLUGINS "/liblogin.so"},
					{link_name, our_plugin},
			};
			const char *ordered[3][2];
			int ours_read_first;

			for (int j = 0; j < 3; j++) {
				int from = ours_first_created ? (j + 2) % 3 : j;

				ordered[j][0] = links[from][0];
				ordered[j][1] = links[from][1];
			}
			snprintf(name, sizeof(name), "order%d", k++);
			make_app(name, ordered, 3, "");
			ours_read_first = reads_first(app.plugin_dir, link_name, "libplain.so");
			if (done[ours_read_first])
				continue;
			printf("order: %s (created %s) is read %s libplain.so\n", link_name,
					ours_first_created ? "first" : "last", ours_read_first ? "before" : "after");
			CHECK(in_child(ours_read_first ? "order-ours-first" : "order-libplain-first", scenario_order));
			done[ours_read_first] = true;
		}
	}
	CHECK(done[0] && done[1]);
}

static void cleanup(void)
{
	char *argv[] = {(char *)"/bin/rm", (char *)"-rf", workdir, NULL};

	if (workdir[0] != '\0' && getpid() == main_pid)
		(void)host_run_capture(argv, NULL, "/dev/null");
}

int main(int argc, char **argv)
{
	char tmpl[PATH_MAX];
	const char *tmp = getenv("TMPDIR");

	if (argc != 2 && argc != 3)
		host_die("usage: sasl_driver PATH/libsendsec.so [PATH/sendsecctl]");
	if (argv[1][0] != '/' || (argc == 3 && argv[2][0] != '/'))
		host_die("the plugin and sendsecctl paths must be absolute");
	our_plugin = argv[1];
	sendsecctl = argc == 3 ? argv[2] : NULL;
	host_keep_loaded(our_plugin);
	host_log_capture(); /* one thread: the scenarios read the plugin's lines */
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(tmpl, sizeof(tmpl), "%s/sendsec-sasl.XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(tmpl) == NULL)
		host_die("mkdtemp: %s", strerror(errno));
	snprintf(workdir, sizeof(workdir), "%s", tmpl);
	main_pid = getpid();
	atexit(cleanup);

	CHECK(in_child("main", scenario_main));
	CHECK(in_child("noconfig", scenario_noconfig));
	CHECK(in_child("badconfig", scenario_badconfig));
	CHECK(in_child("networks", scenario_networks));
	CHECK(in_child("service", scenario_service));
	CHECK(in_child("busy", scenario_busy));
	if (sendsecctl != NULL) {
		CHECK(in_child("factors", scenario_factors));
		CHECK(in_child("delegation", scenario_delegation));
	} else {
		printf("factors, delegation: skipped (no sendsecctl argument)\n");
	}
	run_orders();
	return check_report("sasl_driver");
}
