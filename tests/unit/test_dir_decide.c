/* test_dir_decide.c — every directory status maps to the decision its caller kind needs, and the
 * statuses that must never become a wrong password or an unknown user do not. */
#include "check.h"
#include "dir.h"
#include "login.h"

static const enum sendsec_dir_status all[] = {SENDSEC_DIR_OK, SENDSEC_DIR_NO_ENTRY, SENDSEC_DIR_CONFLICT,
		SENDSEC_DIR_BAD_CREDENTIALS, SENDSEC_DIR_REFUSED, SENDSEC_DIR_FAILED};
#define N_ALL (sizeof(all) / sizeof(all[0]))

int main(int argc, char **argv)
{
	(void)argc;

	/* Account lookups: only "no such entry" is an unknown user. */
	CHECK_EQ_INT(sendsec_decide_lookup(SENDSEC_DIR_OK), SENDSEC_OK);
	CHECK_EQ_INT(sendsec_decide_lookup(SENDSEC_DIR_NO_ENTRY), SENDSEC_UNKNOWN_USER);
	/* Linked entries: a missing token is bad data, never an unknown user. */
	CHECK_EQ_INT(sendsec_decide_data(SENDSEC_DIR_OK), SENDSEC_OK);
	CHECK_EQ_INT(sendsec_decide_data(SENDSEC_DIR_NO_ENTRY), SENDSEC_UNAVAILABLE);
	/* Compare-and-swap: a lost race is a refusal, not a failure. */
	CHECK_EQ_INT(sendsec_decide_swap(SENDSEC_DIR_OK), SENDSEC_OK);
	CHECK_EQ_INT(sendsec_decide_swap(SENDSEC_DIR_CONFLICT), SENDSEC_DENIED);
	/* Binds: only the server's "invalid credentials" (or a refused new password) is a no. */
	CHECK_EQ_INT(sendsec_decide_bind(SENDSEC_DIR_OK), SENDSEC_OK);
	CHECK_EQ_INT(sendsec_decide_bind(SENDSEC_DIR_BAD_CREDENTIALS), SENDSEC_DENIED);
	CHECK_EQ_INT(sendsec_decide_bind(SENDSEC_DIR_REFUSED), SENDSEC_DENIED);
	/* Admin writes. */
	CHECK_EQ_INT(sendsec_decide_admin(SENDSEC_DIR_OK), SENDSEC_OK);
	CHECK_EQ_INT(sendsec_decide_admin(SENDSEC_DIR_NO_ENTRY), SENDSEC_UNKNOWN_USER);
	CHECK_EQ_INT(sendsec_decide_admin(SENDSEC_DIR_CONFLICT), SENDSEC_DENIED);

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
