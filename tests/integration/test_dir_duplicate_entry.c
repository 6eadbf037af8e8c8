/* test_dir_duplicate_entry.c — when user_filter finds two entries for one name (a second
 * uid=alice in another OU), the engine cannot tell which account is meant: the login is
 * UNAVAILABLE, never a success through whichever entry came first, in local and in bind mode,
 * and account management says the same. Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>

#include "check.h"
#include "itest.h"

int main(int argc, char **argv)
{
	char ldif[1024];
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx = itest_ctx(ITEST_PASSWORD_ONLY "[service bindmode]\npassword_check bind\n");

	(void)argc;
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("one alice: logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(ctx, "bindmode", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("one alice, bind mode: logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	snprintf(ldif, sizeof(ldif),
			"dn: ou=contractors,%s\nchangetype: add\nobjectClass: organizationalUnit\nou: contractors\n\n"
			"dn: uid=alice,ou=contractors,%s\nchangetype: add\nobjectClass: inetOrgPerson\n"
			"objectClass: posixAccount\nuid: alice\ncn: Alice Contractor\nsn: Contractor\nuidNumber: "
			"30001\n"
			"gidNumber: 30001\nhomeDirectory: /home/alice2\n",
			itest_env("BASE"), itest_env("BASE"));
	CHECK(itest_ldapmodify(ldif) == 0);

	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("two alices: the right password is UNAVAILABLE", &out, SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	itest_login(ctx, "sshd", "alice", itest_pw("bob"), NULL, &out);
	EXPECT("two alices: a wrong password is UNAVAILABLE too", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	itest_login(ctx, "bindmode", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("two alices, bind mode: UNAVAILABLE", &out, SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	CHECK(sendsec_account_check(ctx, "sshd", "alice", NULL, &out) == SENDSEC_UNAVAILABLE);
	EXPECT("two alices: account check UNAVAILABLE", &out, SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	itest_login(ctx, "sshd", "bob", itest_pw("bob"), NULL, &out);
	EXPECT("bob is not affected", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	snprintf(ldif, sizeof(ldif), "dn: uid=alice,ou=contractors,%s\nchangetype: delete\n", itest_env("BASE"));
	CHECK(itest_ldapmodify(ldif) == 0);
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("second entry removed: alice logs in again", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
