/* itest.h — shared helpers of the engine integration tests (run under tests/fixtures/with-slapd.sh):
 * a root-owned 0600 sendsec.conf made from the fixture's plus extra lines, an engine context on
 * it, one-call logins, ldapmodify/ldapsearch as the rootdn, slapd stop/restart/SIGSTOP, a settable
 * clock and a monotonic stopwatch. Tests include tests/unit/check.h before this header (EXPECT
 * counts through its CHECK counters). A failed EXPECT prints the outcome got and the one wanted;
 * other comparisons use check.h's CHECK_RESULT, CHECK_EQ_INT and CHECK_STR, which print both sides.
 * No helper prints a password: passwords are built by itest_pw() and never formatted. */
#ifndef SENDSEC_ITEST_H
#define SENDSEC_ITEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "engine.h"

/* Extra config lines most tests want: password-only logins (the default methods want a TOTP
 * token the seeded accounts lack) and the seeded argon2id cost, so no login rehashes alice. */
#define ITEST_PASSWORD_ONLY "methods password\nargon2_opslimit 3\nargon2_memlimit 4096\n"

/* The value of SENDSEC_TEST_<name> (e.g. "URI"); exits 1 when unset (not under the fixture). */
const char *itest_env(const char *name);

/* The seeded password of account name ("<name>-Passw0rd!"), in a static buffer per call slot
 * (four rotating slots). Never print it. */
const char *itest_pw(const char *name);

/* Writes a new config file in SENDSEC_TEST_DIR: the fixture's sendsec.conf when with_fixture,
 * then extra (lines, may be NULL); root-owned 0600. Returns its path (static storage per call:
 * copy it if needed across calls). Exits 1 on an I/O error. */
const char *itest_write_conf(bool with_fixture, const char *extra);

/* Like itest_write_conf(false, …) with the fixture's base, binddn, bindpw_file and timeout 2 but
 * uri uris (a space-separated list), then extra. */
const char *itest_write_conf_uris(const char *uris, const char *extra);

/* Loads path into a new context (owner checks on), logging engine lines of level <= INFO to
 * stderr. Exits 1 when the config is refused. */
struct sendsec_ctx *itest_ctx_from(const char *path);
/* itest_ctx_from(itest_write_conf(true, extra)). */
struct sendsec_ctx *itest_ctx(const char *extra);

/* One authentication; returns the result and fills *out (out may be NULL). */
enum sendsec_result itest_login(struct sendsec_ctx *ctx, const char *service, const char *user, const char *password,
		const char *rhost, struct sendsec_outcome *out);

/* A prompt callback (struct sendsec_request .ask) answering every prompt with the text of the
 * struct itest_answer in .ask_arg; a NULL text fails the prompt, as when the person cancels. */
struct itest_answer {
	const char *text;
};
enum sendsec_result itest_ask(void *arg, const char *prompt, char **answer_out);

/* How the hosts of itest_race fared. */
#define ITEST_RACE_MAX 8
struct itest_race {
	int ok;                       /* logins that succeeded */
	int replayed;                 /* refused as totp_replayed */
	int failed;                   /* hosts that could not run (no context or connection, killed) */
	bool host_ok[ITEST_RACE_MAX]; /* host i succeeded */
};
/* n hosts (at most ITEST_RACE_MAX processes, each with its own context on confs[i] and its own
 * directory connection) log user in on service sshd with password, answering the code prompt
 * with answers[i] (NULL: no prompt callback, the code is appended), at clock now (0: the real
 * one). They connect and bind first and are released at the same moment once all are ready. */
void itest_race(int n, const char *const confs[], const char *user, const char *password, const char *const answers[],
		time_t now, struct itest_race *out);

/* A process holding one of the host's hash slots (common/slots.h) in run_dir, with hash_concurrency
 * 1 the only one, until it is killed; returns its pid once it holds the slot. Exits 1 when it
 * cannot take it. */
pid_t itest_slot_holder(const char *run_dir);

/* True when out has want_rc (and want_reason, unless it is -1); prints "ok - what" or
 * "not ok - what: got X/Y, wanted Z/W". EXPECT counts it as one CHECK of check.h. */
bool itest_expect(const char *file, int line, const char *what, const struct sendsec_outcome *out,
		enum sendsec_result want_rc, int want_reason);
#define EXPECT(what, out, want_rc, want_reason)                                                                        \
	do {                                                                                                           \
		check_count++;                                                                                         \
		if (!itest_expect(__FILE__, __LINE__, (what), (out), (want_rc), (int)(want_reason)))                   \
			check_failures++;                                                                              \
	} while (0)

/* One login (itest_login) whose outcome is then checked with EXPECT: one expectation per line. */
#define EXPECT_LOGIN(what, ctx, service, user, password, rhost, want_rc, want_reason)                                  \
	do {                                                                                                           \
		struct sendsec_outcome expect_out_;                                                                    \
		itest_login((ctx), (service), (user), (password), (rhost), &expect_out_);                              \
		EXPECT((what), &expect_out_, (want_rc), (want_reason));                                                \
	} while (0)

/* Runs argv (argv[0] looked up in PATH) with stdin from input (may be NULL) and stdout to out
 * (may be NULL: discarded); returns the exit status, or -1. */
int itest_run(const char *const argv[], const char *input, char *out, size_t outlen);
/* Feeds ldif to ldapmodify as the rootdn; returns its exit status (0 on success). */
int itest_ldapmodify(const char *ldif);
/* The LDIF of "replace: attr" with value on account user (value NULL: "delete: attr"), in static
 * storage; itest_set_attr feeds it to itest_ldapmodify and returns its exit status. */
const char *itest_set_attr_ldif(const char *user, const char *attr, const char *value);
int itest_set_attr(const char *user, const char *attr, const char *value);
/* Number of values of attr on the entry dn, read as the rootdn; -1 on error. */
int itest_count_values(const char *dn, const char *attr);
/* "uid=<name>,ou=people,<base>" in a static buffer per call slot (four rotating slots). */
const char *itest_user_dn(const char *name);

/* Runs "$SENDSEC_TEST_SLAPD <cmd> $SENDSEC_TEST_DIR"; returns its exit status. */
int itest_slapd(const char *cmd);
/* Sends sig to the running slapd (pid from SENDSEC_TEST_DIR/slapd.pid); false on failure. */
bool itest_slapd_signal(int sig);
/* Sends sig to the process whose pid is in pidfile; for SIGSTOP, returns once the process is
 * stopped (kill() returns before delivery), false when it is not within 5 s. */
bool itest_signal_pidfile(const char *pidfile, int sig);

/* A loopback TCP port that nothing listens on (bound, then closed): connecting is refused. */
int itest_dead_port(void);

/* A settable clock for sendsec_ctx_set_clock(ctx, itest_clock_now, &clock). */
struct itest_clock {
	time_t now;
};
time_t itest_clock_now(void *arg);

/* Monotonic time in seconds. */
double itest_seconds(void);

#endif
