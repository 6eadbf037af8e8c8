/* test_dir_tls.c — TLS to the directory (common/dir.c): ldaps:// and StartTLS verify the server
 * against tls_cacert (tls_reqcert demand by default), so a CA that did not sign the server's
 * certificate makes the directory UNAVAILABLE; "tls_reqcert never" turns verification off (for
 * tests only: it lets any man in the middle read every password); a client certificate with
 * sasl_mech EXTERNAL binds as the service account (the fixture's authz-regexp); plain ldap:// to a
 * non-loopback host without starttls is refused before any connection. Two contexts with
 * different CAs in one process keep their own trust (LDAP_OPT_X_TLS_NEWCTX per handle). Run as
 * root under tests/fixtures/with-slapd.sh with SENDSEC_TEST_TLS=1. */
#include <pthread.h>
#include <stdio.h>

#include "check.h"
#include "itest.h"

/* A context on uri with the service account (or EXTERNAL when external) and extra TLS lines. */
static struct sendsec_ctx *tls_ctx(const char *uri, const char *tls_lines, bool external)
{
	char text[4096];

	if (!external)
		return itest_ctx_from(itest_write_conf_uris(uri, tls_lines));
	snprintf(text, sizeof(text), "uri %s\nbase %s\nsasl_mech EXTERNAL\ntimeout 2\n%s", uri, itest_env("BASE"),
			tls_lines);
	return itest_ctx_from(itest_write_conf(false, text));
}

/* One login of alice with her right password on a fresh context; fills *out. */
static void login_once(const char *uri, const char *tls_lines, bool external, struct sendsec_outcome *out)
{
	struct sendsec_ctx *ctx = tls_ctx(uri, tls_lines, external);

	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, out);
	sendsec_ctx_free(ctx);
}

/* One thread of the concurrent check: rounds of fresh contexts (so fresh handshakes) on one
 * config, written beforehand (itest_write_conf is not thread-safe). */
struct worker {
	char conf[512];
	char pw[64]; /* alice's, copied beforehand (itest_pw's slots are shared) */
	enum sendsec_result want;
	int wrong; /* rounds whose answer was not want */
};

enum { WORKER_ROUNDS = 15 };

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct sendsec_outcome out;

	for (int i = 0; i < WORKER_ROUNDS; i++) {
		struct sendsec_ctx *ctx = itest_ctx_from(w->conf);

		itest_login(ctx, "sshd", "alice", w->pw, NULL, &out);
		sendsec_ctx_free(ctx);
		if (out.result != w->want)
			w->wrong++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct sendsec_outcome out;
	struct sendsec_ctx *good, *bad;
	char ca[1024], other_ca[1024], never[1024], client[4096], starttls_ca[2048], starttls_other[2048];
	double t0, elapsed;

	(void)argc;
	snprintf(ca, sizeof(ca), "%stls_cacert %s\n", ITEST_PASSWORD_ONLY, itest_env("CA"));
	snprintf(other_ca, sizeof(other_ca), "%stls_cacert %s\n", ITEST_PASSWORD_ONLY, itest_env("OTHER_CA"));
	snprintf(never, sizeof(never), "%stls_cacert %s\ntls_reqcert never\n", ITEST_PASSWORD_ONLY,
			itest_env("OTHER_CA"));
	snprintf(starttls_ca, sizeof(starttls_ca), "%sstarttls yes\n", ca);
	snprintf(starttls_other, sizeof(starttls_other), "%sstarttls yes\n", other_ca);
	snprintf(client, sizeof(client), "%stls_cert %s\ntls_key %s\n", ca, itest_env("CLIENT_CERT"),
			itest_env("CLIENT_KEY"));

	login_once(itest_env("LDAPS_URI"), ca, false, &out);
	EXPECT("ldaps:// with the CA that signed the server: OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	login_once(itest_env("LDAPS_URI"), other_ca, false, &out);
	EXPECT("ldaps:// with another CA (tls_reqcert demand by default): UNAVAILABLE", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	login_once(itest_env("LDAPS_URI"), never, false, &out);
	EXPECT("ldaps:// with another CA and tls_reqcert never (tests only): OK", &out, SENDSEC_OK,
			SENDSEC_REASON_NONE);

	login_once(itest_env("URI"), starttls_ca, false, &out);
	EXPECT("ldap:// + starttls yes with the right CA: OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	login_once(itest_env("URI"), starttls_other, false, &out);
	EXPECT("ldap:// + starttls yes with another CA: UNAVAILABLE", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);

	login_once(itest_env("LDAPS_URI"), client, true, &out);
	EXPECT("ldaps:// + client certificate + sasl_mech EXTERNAL (mapped to the service account): OK", &out,
			SENDSEC_OK, SENDSEC_REASON_NONE);
	login_once(itest_env("LDAPS_URI"), ca, true, &out);
	EXPECT("ldaps:// + sasl_mech EXTERNAL without a client certificate: UNAVAILABLE", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);

	/* TLS settings are per handle: two live contexts with different CAs, used in turn, each
	 * keeps its own answer (a process-global TLS context would make both pass or both fail). */
	good = tls_ctx(itest_env("LDAPS_URI"), ca, false);
	bad = tls_ctx(itest_env("LDAPS_URI"), other_ca, false);
	for (int round = 0; round < 2; round++) {
		itest_login(bad, "sshd", "alice", itest_pw("alice"), NULL, &out);
		EXPECT("two contexts: the one with another CA stays UNAVAILABLE", &out, SENDSEC_UNAVAILABLE,
				SENDSEC_REASON_UNAVAILABLE);
		itest_login(good, "sshd", "alice", itest_pw("alice"), NULL, &out);
		EXPECT("two contexts: the one with the right CA stays OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	}
	sendsec_ctx_free(bad);
	sendsec_ctx_free(good);

	/* The same from two threads at once (the SASL plugin runs in threaded servers): options set
	 * process-wide instead of per handle would let one thread's CA leak into the other's
	 * handshake. */
	{
		struct worker w[2] = {{"", "", SENDSEC_OK, 0}, {"", "", SENDSEC_UNAVAILABLE, 0}};
		pthread_t th[2];
		bool started[2];

		snprintf(w[0].conf, sizeof(w[0].conf), "%s", itest_write_conf_uris(itest_env("LDAPS_URI"), ca));
		snprintf(w[1].conf, sizeof(w[1].conf), "%s", itest_write_conf_uris(itest_env("LDAPS_URI"), other_ca));
		for (int i = 0; i < 2; i++)
			snprintf(w[i].pw, sizeof(w[i].pw), "%s", itest_pw("alice"));
		for (int i = 0; i < 2; i++)
			started[i] = pthread_create(&th[i], NULL, worker_run, &w[i]) == 0;
		for (int i = 0; i < 2; i++)
			if (started[i])
				pthread_join(th[i], NULL);
		CHECK(started[0] && started[1]);
		CHECK(w[0].wrong == 0);
		CHECK(w[1].wrong == 0);
		printf("%s - two threads, %d rounds each: right CA always OK, other CA always UNAVAILABLE\n",
				w[0].wrong == 0 && w[1].wrong == 0 ? "ok" : "not ok", WORKER_ROUNDS);
	}

	/* 192.0.2.1 is TEST-NET-1: nothing answers there, so a connect attempt would take the full
	 * 2 s timeout. The engine must refuse the URI before connecting. */
	t0 = itest_seconds();
	login_once("ldap://192.0.2.1/", ITEST_PASSWORD_ONLY, false, &out);
	elapsed = itest_seconds() - t0;
	EXPECT("plain ldap:// to a non-loopback host without starttls: UNAVAILABLE", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	CHECK(elapsed < 1.0);
	printf("%s - refused without connecting (%.3f s)\n", elapsed < 1.0 ? "ok" : "not ok", elapsed);
	return check_report(argv[0]);
}
