/* test_dir_decide.c — every directory status maps to the decision its caller kind needs (the whole
 * table below, kind by status), and the statuses that must never become a wrong password or an
 * unknown user do not. */
#include <stdio.h>

#include "check.h"
#include "dir.h"
#include "login.h"

static const enum sendsec_dir_status all[] = {SENDSEC_DIR_OK, SENDSEC_DIR_NO_ENTRY, SENDSEC_DIR_CONFLICT,
		SENDSEC_DIR_BAD_CREDENTIALS, SENDSEC_DIR_REFUSED, SENDSEC_DIR_FAILED};
#define N_ALL (sizeof(all) / sizeof(all[0]))

/* The decision of each caller kind for each status; a status a row does not name is
 * SENDSEC_UNAVAILABLE (fail closed). */
static const struct {
	const char *kind;
	enum sendsec_result (*decide)(enum sendsec_dir_status st);
	enum sendsec_result want[SENDSEC_DIR_FAILED + 1];
} kinds[] = {
		/* Account lookups: only "no such entry" is an unknown user. */
		{.kind = "lookup",
				.decide = sendsec_decide_lookup,
				.want = {[SENDSEC_DIR_OK] = SENDSEC_OK, [SENDSEC_DIR_NO_ENTRY] = SENDSEC_UNKNOWN_USER}},
		/* Linked entries: a missing token is bad data, never an unknown user. */
		{.kind = "data", .decide = sendsec_decide_data, .want = {[SENDSEC_DIR_OK] = SENDSEC_OK}},
		/* Compare-and-swap: a lost race is a refusal, not a failure. */
		{.kind = "swap",
				.decide = sendsec_decide_swap,
				.want = {[SENDSEC_DIR_OK] = SENDSEC_OK, [SENDSEC_DIR_CONFLICT] = SENDSEC_DENIED}},
		/* Binds: only the server's "invalid credentials" (or a refused new password) is a no. */
		{.kind = "bind",
				.decide = sendsec_decide_bind,
				.want = {[SENDSEC_DIR_OK] = SENDSEC_OK,
						[SENDSEC_DIR_BAD_CREDENTIALS] = SENDSEC_DENIED,
						[SENDSEC_DIR_REFUSED] = SENDSEC_DENIED}},
		/* Admin writes. */
		{.kind = "admin",
				.decide = sendsec_decide_admin,
				.want = {[SENDSEC_DIR_OK] = SENDSEC_OK,
						[SENDSEC_DIR_NO_ENTRY] = SENDSEC_UNKNOWN_USER,
						[SENDSEC_DIR_CONFLICT] = SENDSEC_DENIED,
						[SENDSEC_DIR_REFUSED] = SENDSEC_DENIED}},
};

/* kinds[k].want[st], or SENDSEC_UNAVAILABLE where the row does not name st (SENDSEC_OK is 0, the
 * value of an element not named: only the OK column means it). */
static enum sendsec_result wanted(size_t k, enum sendsec_dir_status st)
{
	return st == SENDSEC_DIR_OK || kinds[k].want[st] != SENDSEC_OK ? kinds[k].want[st] : SENDSEC_UNAVAILABLE;
}

static void test_table(void)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (size_t i = 0; i < N_ALL; i++) {
			enum sendsec_result got = kinds[k].decide(all[i]), want = wanted(k, all[i]);

			if (got != want)
				fprintf(stderr, "  %s of %s:\n", kinds[k].kind, sendsec_dir_status_name(all[i]));
			CHECK_RESULT(got, want);
		}
	}
}

int main(int argc, char **argv)
{
	(void)argc;

	test_table();

	for (size_t i = 0; i < N_ALL; i++) {
		enum sendsec_dir_status st = all[i];

		/* Fail closed: only OK is ever a success. */
		CHECK((sendsec_decide_lookup(st) == SENDSEC_OK) == (st == SENDSEC_DIR_OK));
		CHECK((sendsec_decide_data(st) == SENDSEC_OK) == (st == SENDSEC_DIR_OK));
		CHECK((sendsec_decide_swap(st) == SENDSEC_OK) == (st == SENDSEC_DIR_OK));
		CHECK((sendsec_decide_bind(st) == SENDSEC_OK) == (st == SENDSEC_DIR_OK));
		CHECK((sendsec_decide_admin(st) == SENDSEC_OK) == (st == SENDSEC_DIR_OK));
		/* A failure is never a "no" and never an unknown user. */
		if (st == SENDSEC_DIR_FAILED) {
			CHECK_EQ_INT(sendsec_decide_lookup(st), SENDSEC_UNAVAILABLE);
			CHECK_EQ_INT(sendsec_decide_data(st), SENDSEC_UNAVAILABLE);
			CHECK_EQ_INT(sendsec_decide_swap(st), SENDSEC_UNAVAILABLE);
			CHECK_EQ_INT(sendsec_decide_bind(st), SENDSEC_UNAVAILABLE);
			CHECK_EQ_INT(sendsec_decide_admin(st), SENDSEC_UNAVAILABLE);
		}
		/* Only a lookup's or an admin write's "no such entry" is an unknown user. */
		if (st != SENDSEC_DIR_NO_ENTRY) {
			CHECK(sendsec_decide_lookup(st) != SENDSEC_UNKNOWN_USER);
			CHECK(sendsec_decide_admin(st) != SENDSEC_UNKNOWN_USER);
		}
		CHECK(sendsec_decide_data(st) != SENDSEC_UNKNOWN_USER && sendsec_decide_data(st) != SENDSEC_DENIED);
		CHECK(sendsec_decide_swap(st) != SENDSEC_UNKNOWN_USER);
		CHECK(sendsec_decide_bind(st) != SENDSEC_UNKNOWN_USER);
		/* A lost compare-and-swap is never a wrong password at a lookup or a bind. */
		if (st == SENDSEC_DIR_CONFLICT) {
			CHECK_EQ_INT(sendsec_decide_lookup(st), SENDSEC_UNAVAILABLE);
			CHECK_EQ_INT(sendsec_decide_bind(st), SENDSEC_UNAVAILABLE);
		}
		CHECK(sendsec_dir_status_name(st) != NULL && sendsec_dir_status_name(st)[0] != '\0');
	}
	CHECK_STR(sendsec_dir_status_name(SENDSEC_DIR_CONFLICT), "conflict");
	CHECK_STR(sendsec_dir_status_name((enum sendsec_dir_status)99), "failed");
	return check_report(argv[0]);
}
