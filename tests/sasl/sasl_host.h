/* sasl_host.h — a minimal Cyrus SASL server host for the plugin's load tests (threads, long
 * runs): libsasl2 loads the built libsendsec.so from a private plugin dir (SASL_CB_GETPATH, as
 * sasl_driver.c does) with a private smtpd.conf, against the slapd of tests/fixtures/with-slapd.sh.
 * Passwords are derived from account names ("NAME-Passw0rd!") and never printed. */
#ifndef SENDSEC_SASL_HOST_H
#define SENDSEC_SASL_HOST_H

#include <stdbool.h>
#include <stddef.h>

/* Prints "NAME: message" on stderr and exits 2 (a harness failure, not a test result). */
void host_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Creates a temp dir, a sendsec.conf (the fixture's plus extra, root-owned 0600), a plugin dir
 * holding only a link to plugin and an smtpd.conf naming that sendsec.conf, then calls
 * sasl_server_init("smtpd"). plugin is the absolute path of libsendsec.so; it is also dlopened
 * with RTLD_NODELETE (LeakSanitizer and dlclose, see sasl_driver.c). Returns the sendsec.conf
 * path (valid until host_done). */
const char *host_init(const char *plugin, const char *extra);

/* Like host_init, but the sendsec.conf is text alone (not the fixture's). */
const char *host_init_text(const char *plugin, const char *text);

/* Like host_init, but the sendsec.conf is a copy of the file conf_path. */
const char *host_init_file(const char *plugin, const char *conf_path);

/* sasl_server_done and removal of the temp dir. */
void host_done(void);

/* The seeded password of name, or a wrong one, into out (wipe it after use). */
void host_password(const char *name, bool is_wrong, char *out, size_t len);

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
