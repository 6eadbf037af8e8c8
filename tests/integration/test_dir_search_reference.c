/* test_dir_search_reference.c — a referral object in the directory never lets a decision rest on a
 * partial answer, and no referral is ever chased (issue 11 item 8, DESIGN.md section 10):
 * - a referral object under ou=people makes every account search come back with the entry plus
 *   a search reference: password logins, key logins and sendsecctl reset --all-before are
 *   UNAVAILABLE, never a success, and the name of the referral itself is not "unknown";
 * - a token entry that is a referral answers its read with a referral: UNAVAILABLE;
 * - the referrals point at a listening socket of this test, which must never see a connection
 *   (libldap chases referrals only when LDAP_OPT_REFERRALS is on: anonymously or with the
 *   service account's credentials, both wrong). A thread accepts and closes at once, so that a
 *   chase fails fast and is counted instead of waiting for an answer.
 * Run under tests/fixtures/with-slapd.sh. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "admin.h"
#include "ikey.h"
#include "itest.h"

#define CONF "methods password apikey\nargon2_opslimit 3\nargon2_memlimit 4096\nlockout_threshold 0\n"

static atomic_int n_chased;

/* Accepts every connection and closes it at once, counting them. */
static void *accept_loop(void *arg)
{
	int fd = *(int *)arg, c;

	while ((c = accept(fd, NULL, NULL)) >= 0) {
		atomic_fetch_add(&n_chased, 1);
		close(c);
	}
	return NULL;
}

/* A listening socket on loopback; *port_out its port. */
static int listener(int *port_out)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 16) != 0 ||
			getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		perror("listener");
		return -1;
	}
	*port_out = ntohs(sa.sin_port);
	return fd;
}

/* Connections the listener got so far (chased referrals). */
static int chased(void)
{
	return atomic_load(&n_chased);
}

/* Deletes a referral object (ManageDsaIT, or slapd answers with the referral itself). */
static int delete_referral(const char *dn)
{
	const char *const argv[] = {"ldapdelete", "-M", "-x", "-H", itest_env("URI"), "-D", itest_env("ROOTDN"), "-y",
			itest_env("ROOTPW_FILE"), dn, NULL};

	return itest_run(argv, NULL, NULL, 0);
}

int main(int argc, char **argv)
{
	struct sendsec_ctx *ctx = itest_ctx(CONF);
	struct sendsec_outcome out;
	char key[SENDSEC_KEY_MAX + 1], id[16], ldif[2048], ghost[512], reftoken[512];
	size_t marked = 0;
	int port = 0, fd = listener(&port);
	pthread_t thread;

	(void)argc;
	CHECK(fd >= 0);
	CHECK(pthread_create(&thread, NULL, accept_loop, &fd) == 0);
	CHECK(ikey_create(ctx, "alice", "smtp", 0, NULL, key, id) == SENDSEC_OK);
	itest_login(ctx, "smtp", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("before any referral: alice logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(ctx, "smtp", "apikey", key, NULL, &out);
	EXPECT("before any referral: her key works", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	snprintf(ghost, sizeof(ghost), "uid=ghost,ou=people,%s", itest_env("BASE"));
	snprintf(ldif, sizeof(ldif),
			"dn: %s\nchangetype: add\nobjectClass: referral\nobjectClass: extensibleObject\nuid: ghost\n"
			"ref: ldap://127.0.0.1:%d/%s\n",
			ghost, port, ghost);
	CHECK(itest_ldapmodify(ldif) == 0);

	itest_login(ctx, "smtp", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("entry plus a search reference: alice's right password is UNAVAILABLE, not a success", &out,
			SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	itest_login(ctx, "smtp", "alice", itest_pw("bob"), NULL, &out);
	EXPECT("entry plus a search reference: a wrong password is UNAVAILABLE too (nothing is decided)", &out,
			SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	itest_login(ctx, "smtp", "ghost", itest_pw("ghost"), NULL, &out);
	EXPECT("only a search reference: the name is UNAVAILABLE, not an unknown user", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	itest_login(ctx, "smtp", "apikey", key, NULL, &out);
	EXPECT("key search with a search reference: UNAVAILABLE", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	CHECK_RESULT(sendsec_admin_reset_all_before(ctx, "sendsecctl", time(NULL) + 86400, &marked),
			SENDSEC_UNAVAILABLE);
	CHECK_EQ_INT(marked, 0);
	CHECK_EQ_INT(itest_count_values(itest_user_dn("alice"), "sendsecResetRequired"), 0);
	CHECK_EQ_INT(chased(), 0);

	/* A token entry that is itself a referral: its read is answered with a referral. */
	CHECK(delete_referral(ghost) == 0);
	snprintf(reftoken, sizeof(reftoken), "cn=reftoken,ou=tokens,%s", itest_env("BASE"));
	snprintf(ldif, sizeof(ldif),
			"dn: %s\nchangetype: add\nobjectClass: referral\nobjectClass: extensibleObject\ncn: reftoken\n"
			"ref: ldap://127.0.0.1:%d/%s\n\n"
			"dn: %s\nchangetype: modify\nadd: objectClass\nobjectClass: oathTOTPUser\n-\nadd: "
			"oathTOTPToken\n"
			"oathTOTPToken: %s\n",
			reftoken, port, reftoken, itest_user_dn("bob"), reftoken);
	CHECK(itest_ldapmodify(ldif) == 0);
	sendsec_ctx_free(ctx);
	/* Accounts under ou=people only, so that the referral in ou=tokens is out of their scope. */
	snprintf(ldif, sizeof(ldif),
			"uri %s\nbase ou=people,%s\nbinddn %s\nbindpw_file %s\ntimeout 2\nmethods password+totp\n"
			"argon2_opslimit 3\nargon2_memlimit 4096\nlockout_threshold 0\n",
			itest_env("URI"), itest_env("BASE"), itest_env("BINDDN"), itest_env("BINDPW_FILE"));
	ctx = itest_ctx_from(itest_write_conf(false, ldif));
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("referral removed: alice's search is whole again (no token: refused as bad_totp)", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_TOTP);
	itest_login(ctx, "sshd", "bob", itest_pw("bob"), NULL, &out);
	EXPECT("token read answered with a referral: UNAVAILABLE", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	CHECK_EQ_INT(chased(), 0);

	sodium_memzero(key, sizeof(key));
	sendsec_ctx_free(ctx);
	shutdown(fd, SHUT_RDWR); /* ends accept_loop */
	pthread_join(thread, NULL);
	close(fd);
	return check_report(argv[0]);
}
