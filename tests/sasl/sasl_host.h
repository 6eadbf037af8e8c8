/* sasl_host.h — a minimal Cyrus SASL server host for the plugin's tests (sasl_driver.c, threads,
 * long runs) and tests/bench/bench_sasl.c: libsasl2 loads the built libsendsec.so from a private
 * plugin dir (SASL_CB_GETPATH) with a private smtpd.conf, against the slapd of
 * tests/fixtures/with-slapd.sh; connections as Postfix's smtpd makes them; the file and process
 * helpers of such a host. Passwords are derived from account names ("NAME-Passw0rd!") and never
 * printed; files that may hold a secret are written 0600 and wiped before removal. */
#ifndef SENDSEC_SASL_HOST_H
#define SENDSEC_SASL_HOST_H

#include <sasl/sasl.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Prints "<program>: message" on stderr and exits 2 (a harness failure, not a test result). */
void host_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* The value of the environment variable name; exits 2 when it is unset or empty (not run under
 * tests/fixtures/with-slapd.sh). */
const char *host_env(const char *name);

/* "a/b" into out (len bytes); exits 2 when it does not fit. */
void host_path_join(char *out, size_t len, const char *a, const char *b);
/* Writes text to path (created or truncated) with mode; exits 2 on an I/O error. */
void host_write_file(const char *path, mode_t mode, const char *text);
/* The content of path as a malloc'd string; exits 2 on an I/O error. */
char *host_read_file(const char *path);
/* host_read_file, then the file's content wiped and the file removed (it may hold a secret). */
char *host_take_file(const char *path);
/* Runs argv (argv[0] a path) with stdin from in_path (NULL: /dev/null) and stdout into out_path
 * (created 0600); stderr is inherited. Returns the exit status, or -1. */
int host_run_capture(char *const argv[], const char *in_path, const char *out_path);

/* Keeps plugin (an absolute path; exits 2 otherwise) and its libraries mapped for the life of the
 * process (dlopen RTLD_NODELETE): LeakSanitizer (gcc 12) crashes at exit on the stale dynamic-TLS
 * entries that a library unloaded by sasl_server_done leaves behind. The plugin runs the same. */
void host_keep_loaded(const char *plugin);

/* sasl_server_init("smtpd") with the host's callbacks: plugins from plugin_dir, smtpd.conf from
 * conf_dir (both copied), log lines as host_log_capture says. Exits 2 on failure. */
void host_server_init(const char *plugin_dir, const char *conf_dir);

/* From now on (one thread only), the plugin's lines ("sendsec: ...": decisions, never what was
 * typed) are kept for host_log_has, and every line at SASL_LOG_NOTE or worse is printed (all of
 * them with SENDSEC_SASL_DEBUG set). Otherwise only the first 20 errors are printed. */
void host_log_capture(void);
/* Forgets the lines kept so far. */
void host_log_clear(void);
/* True when a line kept since host_log_clear holds text. */
bool host_log_has(const char *text);

/* Creates a temp dir, a sendsec.conf (the fixture's plus extra, root-owned 0600), a plugin dir
 * holding only a link to plugin and an smtpd.conf naming that sendsec.conf, then calls
 * host_keep_loaded(plugin) and host_server_init. plugin is the absolute path of libsendsec.so.
 * Returns the sendsec.conf path (valid until host_done). */
const char *host_init(const char *plugin, const char *extra);

/* Like host_init, but the sendsec.conf is text alone (not the fixture's). */
const char *host_init_text(const char *plugin, const char *text);

/* Like host_init, but the sendsec.conf is a copy of the file conf_path. */
const char *host_init_file(const char *plugin, const char *conf_path);

/* sasl_server_done and removal of the temp dir. */
void host_done(void);

/* The seeded password of name, or a wrong one, into out (wipe it after use). */
void host_password(const char *name, bool is_wrong, char *out, size_t len);

/* A server connection as smtpd makes it (service smtp, iplocalport 127.0.0.1;25, ipremoteport as
 * given, security properties noanonymous, no TLS); exits 2 on failure. sasl_dispose it. */
sasl_conn_t *host_conn_new(const char *ipremoteport);

/* One PLAIN exchange on a fresh connection (service smtp, as smtpd makes it) with user and
 * password; returns the SASL code. On SASL_OK, *user_out (if not NULL) receives SASL_USERNAME
 * (truncated to len; "" when absent). */
int host_plain(const char *user, const char *password, char *user_out, size_t len);

/* A connection that does not authenticate (an SMTP session without AUTH): sasl_server_new,
 * then sasl_dispose. */
void host_conn_cycle(void);

/* Runs "sendsecctl --config CONF key create ACCOUNT --scope smtp" and returns the key
 * (malloc'd; wipe and free it), or exits 2. */
char *host_key_create(const char *sendsecctl, const char *conf, const char *account);

/* Runs "$SENDSEC_TEST_SLAPD action $SENDSEC_TEST_DIR" (stop, restart) or exits 2. */
void host_slapd(const char *action);

/* Number of SASL log lines at SASL_LOG_ERR or worse seen so far (they are printed too). */
unsigned long host_errors(void);

#endif
