/* sasl_host.c — see sasl_host.h. */
#include "sasl_host.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
static char sendsec_conf[PATH_MAX];
static char server_plugin_dir[PATH_MAX], server_conf_dir[PATH_MAX];
static unsigned long n_errors;
static bool is_capturing;
static char log_seen[4096];

/* ---- files and processes ---------------------------------------------------------------- */

void host_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

const char *host_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || v[0] == '\0')
		host_die("%s is not set: run me under tests/fixtures/with-slapd.sh", name);
	return v;
}

void host_path_join(char *out, size_t len, const char *a, const char *b)
{
	if ((size_t)snprintf(out, len, "%s/%s", a, b) >= len)
		host_die("path too long: %s/%s", a, b);
}

void host_write_file(const char *path, mode_t mode, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) != 0 || close(fd) != 0)
		host_die("cannot write %s: %s", path, strerror(errno));
}

char *host_read_file(const char *path)
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

char *host_take_file(const char *path)
{
	char *text = host_read_file(path);
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		char zero[256] = {0};

		for (size_t done = 0; done < len; done += sizeof(zero))
			if (write(fd, zero, len - done < sizeof(zero) ? len - done : sizeof(zero)) < 0)
				break;
		close(fd);
	}
	unlink(path);
	return text;
}

int host_run_capture(char *const argv[], const char *in_path, const char *out_path)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int in = open(in_path != NULL ? in_path : "/dev/null", O_RDONLY);
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
	char *argv[] = {(char *)host_env("SENDSEC_TEST_SLAPD"), (char *)action, (char *)host_env("SENDSEC_TEST_DIR"),
			NULL};

	if (host_run_capture(argv, NULL, "/dev/null") != 0)
		host_die("slapd.sh %s failed", action);
}

/* ---- libsasl2 --------------------------------------------------------------------------- */

static int cb_getpath(void *context, const char **path)
{
	(void)context;
	*path = server_plugin_dir;
	return SASL_OK;
}

static int cb_getconfpath(void *context, char **path)
{
	(void)context;
	*path = server_conf_dir;
	return SASL_OK;
}

/* Called from every thread: without capture, prints the first errors only and counts all of them. */
static int cb_log(void *context, int level, const char *message)
{
	bool is_error = level <= SASL_LOG_ERR;
	unsigned long n = is_error ? __atomic_fetch_add(&n_errors, 1, __ATOMIC_RELAXED) : 0;
	size_t used;

	(void)context;
	if (is_capturing && strncmp(message, "sendsec: ", 9) == 0 && (used = strlen(log_seen)) < sizeof(log_seen) - 1)
		snprintf(log_seen + used, sizeof(log_seen) - used, "%s\n", message);
	if (is_capturing ? level <= SASL_LOG_NOTE || getenv("SENDSEC_SASL_DEBUG") != NULL : is_error && n < 20)
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

void host_keep_loaded(const char *plugin)
{
	if (plugin[0] != '/')
		host_die("the plugin path must be absolute: %s", plugin);
	if (dlopen(plugin, RTLD_NOW | RTLD_NODELETE) == NULL)
		host_die("dlopen %s: %s", plugin, dlerror());
}

void host_server_init(const char *plugin_dir, const char *conf_dir)
{
	int rc;

	if ((size_t)snprintf(server_plugin_dir, sizeof(server_plugin_dir), "%s", plugin_dir) >=
					sizeof(server_plugin_dir) ||
			(size_t)snprintf(server_conf_dir, sizeof(server_conf_dir), "%s", conf_dir) >=
					sizeof(server_conf_dir))
		host_die("path too long: %s or %s", plugin_dir, conf_dir);
	if ((rc = sasl_server_init(callbacks, APPNAME)) != SASL_OK)
		host_die("sasl_server_init: %s", sasl_errstring(rc, NULL, NULL));
}

void host_log_capture(void)
{
	is_capturing = true;
	log_seen[0] = '\0';
}

void host_log_clear(void)
{
	log_seen[0] = '\0';
}

bool host_log_has(const char *text)
{
	return strstr(log_seen, text) != NULL;
}

const char *host_init_file(const char *plugin, const char *conf_path)
{
	char *text = host_read_file(conf_path);
	const char *path = host_init_text(plugin, text);

	free(text);
	return path;
}

const char *host_init(const char *plugin, const char *extra)
{
	char *text = host_read_file(host_env("SENDSEC_TEST_CONF")), *full;
	const char *path;

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
	char plugin_dir[PATH_MAX], conf_dir[PATH_MAX], path[PATH_MAX], *text;

	host_keep_loaded(plugin);
	snprintf(workdir, sizeof(workdir), "%s/sendsec-sasl-host.XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(workdir) == NULL)
		host_die("mkdtemp: %s", strerror(errno));
	host_path_join(plugin_dir, sizeof(plugin_dir), workdir, "plugins");
	host_path_join(conf_dir, sizeof(conf_dir), workdir, "conf");
	if (mkdir(plugin_dir, 0700) != 0 || mkdir(conf_dir, 0700) != 0)
		host_die("mkdir in %s: %s", workdir, strerror(errno));
	host_path_join(path, sizeof(path), plugin_dir, "libsendsec.so");
	if (symlink(plugin, path) != 0)
		host_die("symlink %s: %s", path, strerror(errno));

	host_path_join(sendsec_conf, sizeof(sendsec_conf), workdir, "sendsec.conf");
	host_write_file(sendsec_conf, 0600, conf_text);

	if (asprintf(&text, "mech_list: PLAIN\nsendsec_config: %s\n", sendsec_conf) < 0)
		host_die("out of memory");
	host_path_join(path, sizeof(path), conf_dir, APPNAME ".conf");
	host_write_file(path, 0644, text);
	free(text);

	host_server_init(plugin_dir, conf_dir);
	return sendsec_conf;
}

void host_done(void)
{
	char *argv[] = {(char *)"/bin/rm", (char *)"-rf", workdir, NULL};

	sasl_server_done();
	if (workdir[0] == '\0')
		return;
	(void)host_run_capture(argv, NULL, "/dev/null");
	workdir[0] = '\0';
}

void host_password(const char *name, bool is_wrong, char *out, size_t len)
{
	snprintf(out, len, "%s-Passw0rd%s", name, is_wrong ? "?" : "!");
}

sasl_conn_t *host_conn_new(const char *ipremoteport)
{
	sasl_security_properties_t props = {.security_flags = SASL_SEC_NOANONYMOUS, .max_ssf = 1};
	sasl_conn_t *conn = NULL;
	int rc;

	rc = sasl_server_new("smtp", "mx.example.test", NULL, "127.0.0.1;25", ipremoteport, NULL, 0, &conn);
	if (rc != SASL_OK)
		host_die("sasl_server_new: %s", sasl_errstring(rc, NULL, NULL));
	if (sasl_setprop(conn, SASL_SEC_PROPS, &props) != SASL_OK)
		host_die("sasl_setprop SEC_PROPS");
	return conn;
}

void host_conn_cycle(void)
{
	sasl_conn_t *conn = host_conn_new("127.0.0.1;40000");

	sasl_dispose(&conn);
}

int host_plain(const char *user, const char *password, char *user_out, size_t len)
{
	sasl_conn_t *conn = host_conn_new("127.0.0.1;40000");
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
	int rc;

	host_path_join(out, sizeof(out), workdir, "key.out");
	if ((rc = host_run_capture(argv, NULL, out)) != 0)
		host_die("sendsecctl key create %s failed (exit %d)", account, rc);
	key = host_take_file(out);
	key[strcspn(key, "\r\n")] = '\0';
	if (key[0] == '\0')
		host_die("sendsecctl key create %s printed no key", account);
	return key;
}

unsigned long host_errors(void)
{
	return __atomic_load_n(&n_errors, __ATOMIC_RELAXED);
}
