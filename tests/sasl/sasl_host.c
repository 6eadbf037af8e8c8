/* sasl_host.c — see sasl_host.h. */
#include "sasl_host.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sasl/sasl.h>
#include <sasl/saslplug.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define APPNAME "smtpd"

static char workdir[PATH_MAX];
static char plugin_dir[PATH_MAX];
static char conf_dir[PATH_MAX];
static char sendsec_conf[PATH_MAX];
static unsigned long n_errors;

void host_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "sasl_host: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static void path_join(char *out, size_t len, const char *a, const char *b)
{
	if ((size_t)snprintf(out, len, "%s/%s", a, b) >= len)
		host_die("path too long: %s/%s", a, b);
}

static void write_file(const char *path, mode_t mode, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) != 0 || close(fd) != 0)
		host_die("cannot write %s: %s", path, strerror(errno));
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		host_die("cannot read %s", path);
	if ((buf = calloc(1, (size_t)n + 1)) == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
		host_die("cannot read %s", path);
	fclose(f);
	return buf;
}

static int cb_getpath(void *context, const char **path)
{
	(void)context;
	*path = plugin_dir;
	return SASL_OK;
}

static int cb_getconfpath(void *context, char **path)
{
	(void)context;
	*path = conf_dir;
	return SASL_OK;
}

/* Called from every thread: prints the first errors only, counts all of them. */
static int cb_log(void *context, int level, const char *message)
{
	(void)context;
	if (level <= SASL_LOG_ERR && __atomic_fetch_add(&n_errors, 1, __ATOMIC_RELAXED) < 20)
		fprintf(stderr, "    [sasl %d] %s\n", level, message);
	return SASL_OK;
}

/* Through void (*)(void): the generic function pointer type GCC accepts casts from. */
#define CB(fn) ((sasl_callback_ft)(void (*)(void))(fn))

static const sasl_callback_t callbacks[] = {
		{SASL_CB_GETPATH, CB(cb_getpath), NULL},
		{SASL_CB_GETCONFPATH, CB(cb_getconfpath), NULL},
		{SASL_CB_LOG, CB(cb_log), NULL},
		{SASL_CB_LIST_END, NULL, NULL},
};

const char *host_init_file(const char *plugin, const char *conf_path)
{
	char *text = read_file(conf_path);
	const char *path = host_init_text(plugin, text);

	free(text);
	return path;
}

const char *host_init(const char *plugin, const char *extra)
{
	const char *fixture_conf = getenv("SENDSEC_TEST_CONF");
	char *text, *full;
	const char *path;

	if (fixture_conf == NULL || fixture_conf[0] == '\0')
		host_die("SENDSEC_TEST_CONF is not set: run me under tests/fixtures/with-slapd.sh");
	text = read_file(fixture_conf);
	if (asprintf(&full, "%s\n%s", text, extra) < 0)
		host_die("out of memory");
	path = host_init_text(plugin, full);
	free(full);
	free(text);
	return path;
}

const char *host_init_text(const char *plugin, const char *conf_text)
{
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX], *text;
	int rc;

	if (plugin[0] != '/')
		host_die("the plugin path must be absolute: %s", plugin);
	if (dlopen(plugin, RTLD_NOW | RTLD_NODELETE) == NULL)
		host_die("dlopen %s: %s", plugin, dlerror());
	snprintf(workdir, sizeof(workdir), "%s/sendsec-sasl-host.XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(workdir) == NULL)
		host_die("mkdtemp: %s", strerror(errno));
	path_join(plugin_dir, sizeof(plugin_dir), workdir, "plugins");
	path_join(conf_dir, sizeof(conf_dir), workdir, "conf");
	if (mkdir(plugin_dir, 0700) != 0 || mkdir(conf_dir, 0700) != 0)
		host_die("mkdir in %s: %s", workdir, strerror(errno));
	path_join(path, sizeof(path), plugin_dir, "libsendsec.so");
	if (symlink(plugin, path) != 0)
		host_die("symlink %s: %s", path, strerror(errno));

	path_join(sendsec_conf, sizeof(sendsec_conf), workdir, "sendsec.conf");
	write_file(sendsec_conf, 0600, conf_text);

	if (asprintf(&text, "mech_list: PLAIN\nsendsec_config: %s\n", sendsec_conf) < 0)
		host_die("out of memory");
	path_join(path, sizeof(path), conf_dir, APPNAME ".conf");
	write_file(path, 0644, text);
	free(text);

	if ((rc = sasl_server_init(callbacks, APPNAME)) != SASL_OK)
		host_die("sasl_server_init: %s", sasl_errstring(rc, NULL, NULL));
	return sendsec_conf;
}

/* Runs argv with stdout into out_path (0600); returns the exit status or -1. */
static int run_capture(char *const argv[], const char *out_path)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

void host_slapd(const char *action)
{
	const char *slapd = getenv("SENDSEC_TEST_SLAPD"), *dir = getenv("SENDSEC_TEST_DIR");
	pid_t pid;
	int status;

	if (slapd == NULL || dir == NULL)
		host_die("SENDSEC_TEST_SLAPD or SENDSEC_TEST_DIR is not set");
	fflush(NULL);
	if ((pid = fork()) < 0)
		host_die("fork: %s", strerror(errno));
	if (pid == 0) {
		execl(slapd, slapd, action, dir, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		host_die("slapd.sh %s failed", action);
}

void host_done(void)
{
	pid_t pid;

	sasl_server_done();
	if (workdir[0] == '\0')
		return;
	if ((pid = fork()) == 0) {
		execl("/bin/rm", "rm", "-rf", workdir, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	workdir[0] = '\0';
}

void host_password(const char *name, bool is_wrong, char *out, size_t len)
{
	snprintf(out, len, "%s-Passw0rd%s", name, is_wrong ? "?" : "!");
}

/* A server connection as smtpd makes it (service smtp, noanonymous); exits on failure. */
static sasl_conn_t *new_conn(void)
{
	sasl_security_properties_t props = {.security_flags = SASL_SEC_NOANONYMOUS, .max_ssf = 1};
	sasl_conn_t *conn = NULL;
	int rc;

	rc = sasl_server_new("smtp", "mx.example.test", NULL, "127.0.0.1;25", "127.0.0.1;40000", NULL, 0, &conn);
	if (rc != SASL_OK)
		host_die("sasl_server_new: %s", sasl_errstring(rc, NULL, NULL));
	if (sasl_setprop(conn, SASL_SEC_PROPS, &props) != SASL_OK)
		host_die("sasl_setprop SEC_PROPS");
	return conn;
}

void host_conn_cycle(void)
{
	sasl_conn_t *conn = new_conn();

	sasl_dispose(&conn);
}

int host_plain(const char *user, const char *password, char *user_out, size_t len)
{
	sasl_conn_t *conn = new_conn();
	const char *out = NULL, *name = NULL;
	unsigned outlen = 0;
	char msg[512];
	int n, rc;

	n = snprintf(msg, sizeof(msg), "%c%s%c%s", '\0', user, '\0', password);
	if (n < 0 || (size_t)n >= sizeof(msg))
		host_die("PLAIN message too long");
	rc = sasl_server_start(conn, "PLAIN", msg, (unsigned)n, &out, &outlen);
	explicit_bzero(msg, sizeof(msg));
	if (user_out != NULL && len > 0) {
		user_out[0] = '\0';
		if (rc == SASL_OK && sasl_getprop(conn, SASL_USERNAME, (const void **)&name) == SASL_OK && name != NULL)
			snprintf(user_out, len, "%s", name);
	}
	sasl_dispose(&conn);
	return rc;
}

char *host_key_create(const char *sendsecctl, const char *conf, const char *account)
{
	char *argv[] = {(char *)sendsecctl, (char *)"--config", (char *)conf, (char *)"key", (char *)"create",
			(char *)account, (char *)"--scope", (char *)"smtp", NULL};
	char out[PATH_MAX], *key;
	int rc, fd;

	path_join(out, sizeof(out), workdir, "key.out");
	if ((rc = run_capture(argv, out)) != 0)
		host_die("sendsecctl key create %s failed (exit %d)", account, rc);
	key = read_file(out);
	/* Wipe the file's copy before removing it. */
	if ((fd = open(out, O_WRONLY)) >= 0) {
		char zero[128] = {0};

		for (size_t done = 0; done < strlen(key); done += sizeof(zero))
			if (write(fd, zero, sizeof(zero)) < 0)
				break;
		close(fd);
	}
	unlink(out);
	key[strcspn(key, "\r\n")] = '\0';
	if (key[0] == '\0')
		host_die("sendsecctl key create %s printed no key", account);
	return key;
}

unsigned long host_errors(void)
{
	return __atomic_load_n(&n_errors, __ATOMIC_RELAXED);
}
