/* test_policy_lockout_prune.c — the record stays small, and older values still count (DESIGN.md
 * section 11), with lockout_threshold 3, lockout_account_threshold 4, interval 900, duration 600:
 * 50 expired sendsecFailure values and 5 expired older sendsecFailureTime values beside live ones
 * and one of unknown form: one new failure leaves exactly the live values, the new one and the
 * unknown one (left alone). Older values (a time only) count as failures of the source "-": three
 * lock logins without an address but not from a network, they count towards the account
 * threshold, a success without an address clears them, and unlock removes them. An account
 * without the sendsecAccount class (as directories that predate sendsec hold them) still logs in:
 * its first recorded attempt adds the class. Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "check.h"
#include "itest.h"
#include "lockout_itest.h"
#include "timeutil.h"

#define EXTRA                                                                                                          \
	ITEST_PASSWORD_ONLY "lockout_threshold 3\nlockout_account_threshold 4\nlockout_interval 900\n"                 \
			    "lockout_duration 600\n"

static char store[80][64];

/* An older value (sendsecFailureTime) at t, with fraction micro. */
static const char *old_value(size_t i, time_t t, unsigned micro)
{
	char stamp[32];

	sendsec_time_format_generalized(t, stamp, sizeof(stamp));
	snprintf(store[i], sizeof(store[i]), "%.14s.%06uZ", stamp, micro);
	return store[i];
}

int main(int argc, char **argv)
{
	struct sendsec_ctx *ctx = itest_ctx(EXTRA);
	struct sendsec_outcome out;
	const char *alice = itest_user_dn("alice"), *bob = itest_user_dn("bob"), *carol = itest_user_dn("carol");
	const char *vals[64];
	time_t now = time(NULL);
	char list[16384];
	size_t n = 0;

	(void)argc;
	/* alice: 50 expired values (just over interval + duration old, and much older), 2 live, 1 unknown. */
	for (unsigned i = 0; i < 50; i++) {
		litest_value(store[n], sizeof(store[n]), now - 1501 - (time_t)i * 3600, i,
				i % 2 ? "198.51.100.0/24" : "-", i % 3 ? "0011aabb" : NULL);
		vals[n] = store[n];
		n++;
	}
	litest_value(store[n], sizeof(store[n]), now - 1400, 1, "203.0.113.0/24", "0123abcd");
	vals[n] = store[n];
	n++;
	litest_value(store[n], sizeof(store[n]), now - 60, 2, "-", NULL);
	vals[n] = store[n];
	n++;
	vals[n++] = "a value of a later version, perhaps";
	CHECK_EQ_INT(litest_add(alice, "sendsecFailure", vals, n), 0);
	n = 0;
	for (unsigned i = 0; i < 5; i++) {
		vals[n] = old_value(60 + n, now - 1600 - (time_t)i, i);
		n++;
	}
	vals[n] = old_value(60 + n, now - 30, 7);
	n++;
	CHECK_EQ_INT(litest_add(alice, "sendsecFailureTime", vals, n), 0);
	CHECK_EQ_INT(itest_count_values(alice, "sendsecFailure"), 53);
	CHECK_EQ_INT(itest_count_values(alice, "sendsecFailureTime"), 6);

	itest_login(ctx, "sshd", "alice", litest_wrong(0), "192.0.2.1", &out);
	EXPECT("one new failure", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	CHECK_EQ_INT(litest_values(alice, "sendsecFailure", list, sizeof(list)), 4);
	CHECK(strstr(list, store[50]) != NULL && strstr(list, store[51]) != NULL);
	CHECK(strstr(list, " 192.0.2.0/24") != NULL);
	CHECK(strstr(list, "a value of a later version, perhaps") != NULL);
	CHECK_EQ_INT(litest_values(alice, "sendsecFailureTime", list, sizeof(list)), 1);
	list[strcspn(list, "\n")] = '\0';
	CHECK_STR(list, store[65]);

	/* bob: three live older values lock the source "-" only. */
	n = 0;
	for (unsigned i = 0; i < 3; i++) {
		vals[n] = old_value(70 + n, now - 100 + (time_t)i, i);
		n++;
	}
	CHECK_EQ_INT(litest_add(bob, "sendsecFailureTime", vals, n), 0);
	itest_login(ctx, "sshd", "bob", itest_pw("bob"), NULL, &out);
	EXPECT("three older values lock logins without an address", &out, SENDSEC_DENIED, SENDSEC_REASON_SOURCE_LOCKED);
	itest_login(ctx, "sshd", "bob", litest_wrong(1), "198.51.100.7", &out);
	EXPECT("from a network the password is checked", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	itest_login(ctx, "sshd", "bob", itest_pw("bob"), "192.0.2.1", &out);
	EXPECT("three older values and one new failure reach the account threshold 4", &out, SENDSEC_DENIED,
			SENDSEC_REASON_LOCKED);
	CHECK(sendsec_admin_unlock(ctx, "sshd", "bob") == SENDSEC_OK);
	CHECK_EQ_INT(itest_count_values(bob, "sendsecFailureTime"), 0);
	CHECK_EQ_INT(itest_count_values(bob, "sendsecFailure"), 0);
	itest_login(ctx, "sshd", "bob", itest_pw("bob"), NULL, &out);
	EXPECT("after unlock bob logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	/* carol: a success without an address clears older values; one from a network does not. */
	n = 0;
	for (unsigned i = 0; i < 2; i++) {
		vals[n] = old_value(75 + n, now - 50 + (time_t)i, i);
		n++;
	}
	CHECK_EQ_INT(litest_add(carol, "sendsecFailureTime", vals, n), 0);
	itest_login(ctx, "sshd", "carol", itest_pw("carol"), "192.0.2.1", &out);
	EXPECT("carol from a network", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_EQ_INT(itest_count_values(carol, "sendsecFailureTime"), 2);
	itest_login(ctx, "sshd", "carol", itest_pw("carol"), NULL, &out);
	EXPECT("carol without an address", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_EQ_INT(itest_count_values(carol, "sendsecFailureTime"), 0);

	/* grace without the sendsecAccount class. */
	{
		char ldif[512];

		snprintf(ldif, sizeof(ldif),
				"dn: %s\nchangetype: modify\ndelete: objectClass\nobjectClass: sendsecAccount\n",
				itest_user_dn("grace"));
		CHECK_EQ_INT(itest_ldapmodify(ldif), 0);
	}
	CHECK_EQ_INT(litest_values(itest_user_dn("grace"), "objectClass", list, sizeof(list)), 2);
	itest_login(ctx, "sshd", "grace", itest_pw("grace"), "192.0.2.1", &out);
	EXPECT("without the sendsecAccount class: the right password", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(ctx, "sshd", "grace", litest_wrong(2), "192.0.2.1", &out);
	EXPECT("without the sendsecAccount class: a wrong one, recorded", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_PASSWORD);
	CHECK_EQ_INT(itest_count_values(itest_user_dn("grace"), "sendsecFailure"), 1);
	CHECK(litest_values(itest_user_dn("grace"), "objectClass", list, sizeof(list)) == 3 &&
			strstr(list, "sendsecAccount\n") != NULL);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
