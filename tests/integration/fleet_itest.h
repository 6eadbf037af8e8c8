/* fleet_itest.h — helpers of the fleet integration tests (run under tests/fixtures/with-fleet.sh,
 * on top of itest.h): host configs naming providers and replicas, a login done by a host in a
 * process of its own, reads and replication waits on one instance, and the count of operations a
 * provider served to sendsec hosts (from its stats log). No helper prints a password, code or key.
 * Instances are named as the fixture names them: "p1", "p2", "c1", "frozen". */
#ifndef SENDSEC_FLEET_ITEST_H
#define SENDSEC_FLEET_ITEST_H

#include <ldap.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "engine.h"

/* SENDSEC_FLEET_<NAME>_<what> for instance name ("p1") and what ("URI", "LDAPI", "DIR"); exits 1
 * when unset. */
const char *fleet_env(const char *name, const char *what);

/* Writes a root-owned 0600 host config: uri = the URIs of the instances in uris (space-separated
 * names, e.g. "p1 p2"), read_uri = the ldapi:// sockets of those in replicas (NULL: none), the
 * fleet's base, service account and timeout 2, then extra. Returns a malloc'd path. */
char *fleet_conf(const char *uris, const char *replicas, const char *extra);

/* The outcome of one login done by a host. */
struct fleet_login {
	const char *service; /* default "sshd" */
	const char *user;
	const char *password;
	const char *answer; /* the code for the prompt, or NULL (no prompt callback: appended) */
	const char *rhost;  /* default NULL */
	time_t now;         /* the host's clock; 0: the real one */
};
/* Forks a host: a new process that loads conf into a fresh context, logs in once and reports
 * the outcome (result and reason; account on success) back. Returns the result. */
enum sendsec_result fleet_host_login(const char *conf, const struct fleet_login *req, struct sendsec_outcome *out);

/* Two hosts (processes, each with its own config and connection) log user in with password and
 * answers[i] to the code prompt at clock now, released at the same moment once both are
 * connected. ok_out[i]: host i succeeded; returns the number of totp_replayed refusals (-1 when a
 * host could not run). */
int fleet_race(const char *const confs[2], const char *user, const char *password, const char *const answers[2],
		time_t now, bool ok_out[2]);

/* A connection to instance name as the rootdn over ldapi:// (unbind it), or NULL. */
LDAP *fleet_open_root(const char *name);

/* Value of attr (first) on dn at instance name, read as the rootdn over ldapi; false when absent
 * or unreadable (the instance is down). */
bool fleet_read(const char *name, const char *dn, const char *attr, char *out, size_t outlen);
/* Waits until instance name shows value in attr of dn (value NULL: until attr is absent), at most
 * seconds; returns the seconds it took, or -1. */
double fleet_wait(const char *name, const char *dn, const char *attr, const char *value, double seconds);

/* Sends sig to instance name's slapd; for SIGSTOP, returns once it is stopped (at most 5 s).
 * False on failure. */
bool fleet_signal(const char *name, int sig);

/* Runs "fleet.sh CMD DIR NAME" (stop, restart); returns its exit status. */
int fleet_sh(const char *cmd, const char *name);

/* Byte size of instance name's slapd.log now: a mark for fleet_provider_ops. */
long fleet_log_mark(const char *name);
/* Operations a provider served over TCP since mark: connections accepted plus operations on them
 * (the fixture's replication uses ldapi:// and is not counted; sendsec hosts use ldap://). Also
 * the operations that wrote (ADD, MOD, DEL) on entry dn_part (a substring; NULL: any) into
 * *writes_out (may be NULL). -1 when the log cannot be read. */
long fleet_provider_ops(const char *name, long mark, const char *dn_part, long *writes_out);
/* Prints to stderr the log lines of the operations fleet_provider_ops counts (for a failed check). */
void fleet_print_provider_ops(const char *name, long mark);

#endif
