/* test_fleet_key_replica.c — API-key logins on a fleet (DESIGN.md section 10, issue 12 items 1 and
 * 6), hosts with read_uri set to a local replica:
 * - a key login served by the consumer c1 sends no operation to either provider (counted from the
 *   providers' stats logs: connections and operations over TCP), from a long-lived host and from
 *   hosts that are new processes; a wrong secret neither;
 * - a key revoked on the providers stops working once the consumer has the change (the delay is
 *   printed); a key made after the frozen copy was taken is refused on a host that reads that
 *   copy (a stale replica makes a refusal, never a success) and works where the replica has it;
 * - with the replica stopped, key logins read from the providers; after the retry time the host
 *   reads the replica again (zero provider operations again);
 * - a replica that hangs (SIGSTOP) is left after timeout: the login reads from the providers
 *   within about one timeout, and the next logins do not wait for the replica at all.
 * Run under tests/fixtures/with-fleet.sh. No key is printed. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "admin.h"
#include "fleet_itest.h"
#include "ikey.h"
#include "itest.h"

#define HOST     "methods password apikey\nlockout_threshold 0\n"
#define N_LOGINS 20

static struct itest_clock clk;

/* Waits until c1 holds user's sendsecApiKey value as p1 has it: a key's first use writes its last
 * use to the providers (DESIGN.md section 12, once per apikey_touch_interval); counting provider
 * operations starts once the replica has that write, so that it is not taken for a read. */
static bool replica_has_record(const char *user)
{
	char value[2048];

	return fleet_read("p1", itest_user_dn(user), "sendsecApiKey", value, sizeof(value)) &&
			fleet_wait("c1", itest_user_dn(user), "sendsecApiKey", value, 10) >= 0;
}

/* Operations p1 and p2 served to hosts since the marks; any are printed. */
static long provider_ops(long m1, long m2)
{
	long n = fleet_provider_ops("p1", m1, NULL, NULL) + fleet_provider_ops("p2", m2, NULL, NULL);

	if (n != 0) {
		fleet_print_provider_ops("p1", m1);
		fleet_print_provider_ops("p2", m2);
	}
	return n;
}

/* The long-lived host's log: lines to stderr as itest.c prints them, and a count of the times the
 * replica handle tried the consumer (a service bind to it) or skipped it. */
struct host_log {
	const char *replica;
	int tried, skipped;
};

static void host_emit(void *arg, enum sendsec_log_level level, const char *line)
{
	struct host_log *h = arg;

	if (strstr(line, "service bind to ") != NULL && strstr(line, h->replica) != NULL)
		h->tried++;
	if (strstr(line, "connected to ") != NULL && strstr(line, h->replica) != NULL)
		h->tried++;
	if (strstr(line, "every replica is skipped") != NULL)
		h->skipped++;
	if (level <= SENDSEC_LOG_INFO)
		fprintf(stderr, "  engine: %s\n", line);
}

static struct sendsec_ctx *host_ctx(const char *conf, struct host_log *h)
{
	static struct sendsec_log log;
	struct sendsec_ctx *ctx = NULL;
	char err[256];

	log = (struct sendsec_log){.emit = host_emit, .arg = h, .max_level = SENDSEC_LOG_DEBUG};
	if (sendsec_ctx_new(conf, true, NULL, 0, &log, &ctx, err, sizeof(err)) != SENDSEC_OK) {
		fprintf(stderr, "config refused: %s\n", err);
		exit(1);
	}
	return ctx;
}

int main(int argc, char **argv)
{
	char *admin_conf = fleet_conf("p1 p2", NULL, HOST), *host_a = fleet_conf("p1 p2", "c1", HOST);
	char *host_b = fleet_conf("p1 p2", "frozen", HOST);
	struct host_log hlog = {.replica = fleet_env("c1", "LDAPI")};
	struct sendsec_ctx *admin = itest_ctx_from(admin_conf), *host = host_ctx(host_a, &hlog);
	struct sendsec_outcome out;
	struct fleet_login req = {.service = "smtp", .user = "apikey", .rhost = "192.0.2.7"};
	char key[SENDSEC_KEY_MAX + 1], key2[SENDSEC_KEY_MAX + 1], forged[SENDSEC_KEY_MAX + 1], id[16], id2[16];
	char what[160];
	char alice[256];
	long m1, m2, ops;
	int ok;
	double took, t0;
	bool stopped;

	(void)argc;
	snprintf(alice, sizeof(alice), "%s", itest_user_dn("alice")); /* itest_user_dn's slots rotate */
	clk.now = time(NULL);
	sendsec_ctx_set_clock(host, itest_clock_now, &clk);
	CHECK(ikey_create(admin, "alice", "smtp", 0, NULL, key, id) == SENDSEC_OK);
	took = fleet_wait("c1", alice, "sendsecKeyId", id, 10);
	printf("# replication delay, p1 -> consumer c1 (key created): %.3f s\n", took);
	CHECK(took >= 0);

	/* A long-lived host: one login to connect, then N logins with no provider operation. */
	itest_login(host, "smtp", "apikey", key, "192.0.2.7", &out);
	EXPECT("host reading c1: the key works", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK(replica_has_record("alice"));
	m1 = fleet_log_mark("p1");
	m2 = fleet_log_mark("p2");
	for (ok = 0; ok < N_LOGINS && itest_login(host, "smtp", "apikey", key, "192.0.2.7", &out) == SENDSEC_OK; ok++)
		;
	ops = provider_ops(m1, m2);
	printf("%s - %d key logins served by the replica (long-lived host): %d ok, %ld provider operations\n",
			ok == N_LOGINS && ops == 0 ? "ok" : "not ok", N_LOGINS, ok, ops);
	CHECK(ok == N_LOGINS && ops == 0);

	/* New processes, each its own connection to c1 (a forked smtpd, a new sshd). */
	req.password = key;
	for (ok = 0; ok < 5 && fleet_host_login(host_a, &req, &out) == SENDSEC_OK; ok++)
		;
	ikey_wrong_secret(key, "ssk_", forged);
	req.password = forged;
	fleet_host_login(host_a, &req, &out);
	EXPECT("a wrong secret behind the same id is refused by the replica's data", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_PASSWORD);
	ops = provider_ops(m1, m2);
	printf("%s - 5 key logins and a wrong secret in new host processes: %d ok, %ld provider operations\n",
			ok == 5 && ops == 0 ? "ok" : "not ok", ok, ops);
	CHECK(ok == 5 && ops == 0);

	/* A key made after the frozen copy: the stale replica answers "no such key". */
	CHECK(ikey_create(admin, "bob", "smtp", 0, NULL, key2, id2) == SENDSEC_OK);
	CHECK(fleet_wait("c1", itest_user_dn("bob"), "sendsecKeyId", id2, 10) >= 0);
	req.password = key2;
	fleet_host_login(host_a, &req, &out);
	EXPECT("a new key on a host whose replica has it: works", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK(replica_has_record("bob"));
	m1 = fleet_log_mark("p1");
	m2 = fleet_log_mark("p2");
	fleet_host_login(host_b, &req, &out);
	EXPECT("a key newer than the frozen replica: refused there (stale data never makes a success)", &out,
			SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	fleet_host_login(host_a, &req, &out);
	EXPECT("the same key on the host whose replica has it: works again", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_EQ_INT(provider_ops(m1, m2), 0);

	/* Revocation reaches the hosts through the consumer. */
	CHECK(sendsec_admin_key_revoke(admin, "sendsecctl", id) == SENDSEC_OK);
	took = fleet_wait("c1", alice, "sendsecKeyId", NULL, 10);
	printf("# replication delay, p1 -> consumer c1 (key revoked): %.3f s\n", took);
	CHECK(took >= 0);
	itest_login(host, "smtp", "apikey", key, "192.0.2.7", &out);
	EXPECT("a revoked key, once the replica has the change: refused", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_PASSWORD);

	/* The replica stops: key logins read from the providers. */
	CHECK(fleet_sh("stop", "c1") == 0);
	m1 = fleet_log_mark("p1");
	m2 = fleet_log_mark("p2");
	itest_login(host, "smtp", "apikey", key2, "192.0.2.7", &out);
	EXPECT("replica stopped: the long-lived host reads the key from the providers", &out, SENDSEC_OK,
			SENDSEC_REASON_NONE);
	itest_login(host, "smtp", "apikey", key2, "192.0.2.7", &out);
	EXPECT("replica still stopped: again, without trying the replica first", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	req.password = key2;
	fleet_host_login(host_a, &req, &out);
	EXPECT("replica stopped: a new host process reads from the providers", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(host, "smtp", "apikey", key, "192.0.2.7", &out);
	EXPECT("replica stopped: the revoked key is refused by the providers too", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_PASSWORD);
	ops = fleet_provider_ops("p1", m1, NULL, NULL);
	printf("%s - with the replica stopped the providers served the logins (p1: %ld operations, p2: %ld)\n",
			ops > 0 ? "ok" : "not ok", ops, fleet_provider_ops("p2", m2, NULL, NULL));
	CHECK(ops > 0);

	/* Back: after the retry time, the host reads the replica again. */
	CHECK(fleet_sh("restart", "c1") == 0);
	CHECK(replica_has_record("bob"));
	clk.now += 31;
	itest_login(host, "smtp", "apikey", key2, "192.0.2.7", &out);
	EXPECT("replica back, retry time passed: the host reconnects to it", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	m1 = fleet_log_mark("p1");
	m2 = fleet_log_mark("p2");
	for (ok = 0; ok < N_LOGINS && itest_login(host, "smtp", "apikey", key2, "192.0.2.7", &out) == SENDSEC_OK; ok++)
		;
	ops = provider_ops(m1, m2);
	printf("%s - replica back: %d key logins, %ld provider operations\n",
			ok == N_LOGINS && ops == 0 ? "ok" : "not ok", ok, ops);
	CHECK(ok == N_LOGINS && ops == 0);

	/* The replica hangs: left after timeout (2 s), the next logins do not wait for it. */
	stopped = fleet_signal("c1", SIGSTOP);
	CHECK(stopped);
	t0 = itest_seconds();
	itest_login(host, "smtp", "apikey", key2, "192.0.2.7", &out);
	took = itest_seconds() - t0;
	snprintf(what, sizeof(what), "replica hangs: the login reads from the providers after the timeout (%.2f s)",
			took);
	EXPECT(what, &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK(took < 2 * 2 + 1);
	hlog.tried = hlog.skipped = 0;
	t0 = itest_seconds();
	itest_login(host, "smtp", "apikey", key2, "192.0.2.7", &out);
	took = itest_seconds() - t0;
	snprintf(what, sizeof(what), "replica still hanging: the next login reads from the providers (%.2f s)", took);
	EXPECT(what, &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	printf("%s - ... without asking the replica (skipped %d, tried %d)\n",
			hlog.skipped == 1 && hlog.tried == 0 ? "ok" : "not ok", hlog.skipped, hlog.tried);
	CHECK(hlog.skipped == 1 && hlog.tried == 0);
	if (stopped)
		CHECK(fleet_signal("c1", SIGCONT));

	sodium_memzero(key, sizeof(key));
	sodium_memzero(key2, sizeof(key2));
	sodium_memzero(forged, sizeof(forged));
	sendsec_ctx_free(host);
	sendsec_ctx_free(admin);
	free(admin_conf);
	free(host_a);
	free(host_b);
	return check_report(argv[0]);
}
