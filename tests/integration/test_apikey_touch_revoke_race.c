/* test_apikey_touch_revoke_race.c — a touch (the write of a key's last use) that races a revoke or
 * a rotation never brings the key back (DESIGN.md section 12), against the fixture slapd:
 *   - made certain: a login's read of the record, then the revoke, then that login's touch with
 *     the value it read: the touch loses (CONFLICT), the key stays revoked, and refused; the same
 *     with a rotation in between: the old key keeps the expiry the rotation gave it;
 *   - for real: processes logging in with the key as fast as they can (apikey_touch_interval 0,
 *     so every login writes) while the parent revokes it; the revoke succeeds, and afterwards no
 *     record or id of the key is left and it is refused. The lost compare-and-swaps (from slapd's
 *     stats log) show that touches did race the revoke.
 * Run under tests/fixtures/with-slapd.sh with SENDSEC_TEST_SLAPD_DEBUG=stats. No key is printed. */
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "admin.h"
#include "ikey.h"
#include "itest.h"
#include "login.h"

#define CONF     "methods password apikey\nargon2_opslimit 3\nargon2_memlimit 4096\n"
#define CONF_ALL CONF "apikey_touch_interval 0\n"
#define WORKERS  3
#define ROUNDS   5

static struct itest_clock clock_ = {0};

/* A login's view of key id: the account entry as its one search returned it (into l->account),
 * the stored value and the parsed record. */
static bool read_like_a_login(struct sendsec_ctx *ctx, const char *id, struct sendsec_login *l,
		const struct sendsec_val **stored_out, struct sendsec_keyrec *rec)
{
	const char *const attrs[] = {"uid", "sendsecApiKey", "sendsecKeyId", NULL};
	char filter[64], err[128];
	const struct sendsec_val *v;
	size_t n = 0;

	*stored_out = NULL;
	if (sendsec_login_begin(ctx, "smtp", "apikey", "192.0.2.7", l) != SENDSEC_OK)
		return false;
	snprintf(filter, sizeof(filter), "(sendsecKeyId=%s)", id);
	if (sendsec_dir_search_one(l->dir, l->s->base, filter, attrs, &l->account) != SENDSEC_DIR_OK)
		return false;
	v = sendsec_entry_values(l->account, "sendsecApiKey", &n);
	for (size_t i = 0; i < n; i++) {
		if (strstr(v[i].ptr, id) != NULL &&
				sendsec_keyrec_parse(v[i].ptr, v[i].len, rec, err, sizeof(err)) == SENDSEC_OK) {
			*stored_out = &v[i];
			return true;
		}
	}
	return false;
}

/* Values of sendsecApiKey or sendsecKeyId on alice that mention id (as the rootdn). */
static int values_with_id(const char *id)
{
	char out[16384];
	const char *argv[] = {"ldapsearch", "-x", "-LLL", "-o", "ldif_wrap=no", "-H", itest_env("URI"), "-D",
			itest_env("ROOTDN"), "-y", itest_env("ROOTPW_FILE"), "-s", "base", "-b", itest_user_dn("alice"),
			"(objectClass=*)", "sendsecApiKey", "sendsecKeyId", NULL};
	int n = 0;

	if (itest_run(argv, NULL, out, sizeof(out)) != 0)
		return -1;
	for (const char *p = out; (p = strstr(p, id)) != NULL; p += strlen(id))
		n++;
	return n;
}

/* The touch of a login that read before the revoke loses, and changes nothing. */
static void stale_touch_after_revoke(struct sendsec_ctx *ctx)
{
	struct sendsec_login l;
	struct sendsec_keyrec rec = {0};
	const struct sendsec_val *stored = NULL;
	struct sendsec_outcome out;
	char key[SENDSEC_KEY_MAX + 1], id[16];

	CHECK(ikey_create(ctx, "alice", "smtp", 0, NULL, key, id) == SENDSEC_OK);
	CHECK(read_like_a_login(ctx, id, &l, &stored, &rec));
	CHECK(sendsec_admin_key_revoke(ctx, "sendsecctl", id) == SENDSEC_OK);
	CHECK_EQ_INT(values_with_id(id), 0);
	if (stored != NULL)
		CHECK_EQ_INT(sendsec_apikey_touch(&l, stored, &rec), SENDSEC_DIR_CONFLICT);
	CHECK_EQ_INT(values_with_id(id), 0);
	itest_login(ctx, "smtp", "apikey", key, "192.0.2.7", &out);
	EXPECT("revoked, after a touch that read before the revoke: DENIED", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_PASSWORD);
	/* The same stale view, the key not revoked: the touch wins (so the check above can fail). */
	sendsec_keyrec_clear(&rec);
	sendsec_login_end(&l);
	CHECK(ikey_create(ctx, "alice", "smtp", 0, NULL, key, id) == SENDSEC_OK);
	CHECK(read_like_a_login(ctx, id, &l, &stored, &rec));
	if (stored != NULL)
		CHECK_EQ_INT(sendsec_apikey_touch(&l, stored, &rec), SENDSEC_DIR_OK);
	CHECK_EQ_INT(values_with_id(id), 2); /* one record, one id */
	sendsec_keyrec_clear(&rec);
	sendsec_login_end(&l);
	CHECK(sendsec_admin_key_revoke(ctx, "sendsecctl", id) == SENDSEC_OK);
	sodium_memzero(key, sizeof(key));
}

/* The touch of a login that read before a rotation loses: the old key keeps its overlap expiry. */
static void stale_touch_after_rotate(struct sendsec_ctx *ctx)
{
	struct sendsec_login l;
	struct sendsec_keyrec rec = {0}, now_stored;
	const struct sendsec_val *stored = NULL;
	struct sendsec_outcome out;
	char key[SENDSEC_KEY_MAX + 1], next[SENDSEC_KEY_MAX + 1], id[16];
	time_t old_expires = 0;

	CHECK(ikey_create(ctx, "alice", "smtp", 0, NULL, key, id) == SENDSEC_OK);
	CHECK(read_like_a_login(ctx, id, &l, &stored, &rec));
	CHECK(sendsec_admin_key_rotate(ctx, "sendsecctl", id, 3600, next, sizeof(next), &old_expires) == SENDSEC_OK);
	CHECK_EQ_INT(old_expires, clock_.now + 3600);
	if (stored != NULL)
		CHECK_EQ_INT(sendsec_apikey_touch(&l, stored, &rec), SENDSEC_DIR_CONFLICT);
	CHECK(ikey_record(ctx, "alice", id, &now_stored));
	CHECK_EQ_INT(now_stored.expires, clock_.now + 3600); /* not "never" again */
	CHECK_EQ_INT(now_stored.used, 0);
	sendsec_keyrec_clear(&now_stored);
	clock_.now += 3600;
	itest_login(ctx, "smtp", "apikey", key, NULL, &out);
	EXPECT("rotated key after the overlap, despite a stale touch: DENIED expired", &out, SENDSEC_DENIED,
			SENDSEC_REASON_EXPIRED);
	itest_login(ctx, "smtp", "apikey", next, NULL, &out);
	EXPECT("its successor: OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	clock_.now -= 3600;
	sendsec_keyrec_clear(&rec);
	sendsec_login_end(&l);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(next, sizeof(next));
}

/* A worker: logs in with key until the key has been refused 20 times in a row (revoked), at most
 * 5000 times. Exit 0 when every refusal was a plain "no" (never UNAVAILABLE). */
static int worker(const char *key)
{
	struct sendsec_ctx *ctx = itest_ctx_from(itest_write_conf(true, CONF_ALL));
	struct sendsec_outcome out;
	int refused_in_a_row = 0, bad = 0;

	for (int i = 0; i < 5000 && refused_in_a_row < 20; i++) {
		enum sendsec_result rc = itest_login(ctx, "smtp", "apikey", key, "192.0.2.7", &out);

		refused_in_a_row = rc == SENDSEC_OK ? 0 : refused_in_a_row + 1;
		bad += rc == SENDSEC_UNAVAILABLE;
	}
	sendsec_ctx_free(ctx);
	return bad == 0 && refused_in_a_row >= 20 ? 0 : 1;
}

static void revoke_under_load(struct sendsec_ctx *ctx, int round, unsigned *lost_total)
{
	char key[SENDSEC_KEY_MAX + 1], id[16];
	pid_t pids[WORKERS];
	struct sendsec_outcome out;
	unsigned ok_before = 0, lost_before = 0, ok_after = 0, lost_after = 0;
	int status, workers_ok = 0;

	CHECK(ikey_create(ctx, "alice", "smtp", 0, NULL, key, id) == SENDSEC_OK);
	CHECK(ikey_stats_key_writes(itest_user_dn("alice"), &ok_before, &lost_before));
	fflush(NULL);
	for (int w = 0; w < WORKERS; w++) {
		if ((pids[w] = fork()) == 0)
			_exit(worker(key));
	}
	usleep(150000 + 50000 * (useconds_t)round); /* the workers are logging in and touching */
	CHECK(sendsec_admin_key_revoke(ctx, "sendsecctl", id) == SENDSEC_OK);
	for (int w = 0; w < WORKERS; w++)
		if (pids[w] > 0 && waitpid(pids[w], &status, 0) == pids[w] && WIFEXITED(status) &&
				WEXITSTATUS(status) == 0)
			workers_ok++;
	CHECK_EQ_INT(workers_ok, WORKERS);
	CHECK_EQ_INT(values_with_id(id), 0);
	itest_login(ctx, "smtp", "apikey", key, NULL, &out);
	EXPECT("revoked under load: DENIED", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	CHECK(ikey_stats_key_writes(itest_user_dn("alice"), &ok_after, &lost_after));
	printf("# round %d: %u touches written, %u lost a compare-and-swap\n", round, ok_after - ok_before,
			lost_after - lost_before);
	*lost_total += lost_after - lost_before;
	sodium_memzero(key, sizeof(key));
}

int main(int argc, char **argv)
{
	struct sendsec_ctx *ctx = itest_ctx(CONF);
	unsigned lost_total = 0;

	(void)argc;
	clock_.now = time(NULL);
	sendsec_ctx_set_clock(ctx, itest_clock_now, &clock_);
	stale_touch_after_revoke(ctx);
	stale_touch_after_rotate(ctx);
	sendsec_ctx_set_clock(ctx, NULL, NULL); /* the workers use the real clock */
	for (int round = 0; round < ROUNDS; round++)
		revoke_under_load(ctx, round, &lost_total);
	printf("# %u touches lost to another write over %d rounds\n", lost_total, ROUNDS);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
