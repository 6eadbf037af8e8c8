/* test_hash_slots_busy.c — a flood cannot exhaust the host (DESIGN.md section 11), with
 * hash_concurrency 1 and timeout 2 and alice's hash at argon2id m=64 MiB, t=8 (rehash no):
 * - while another process holds the host's only slot, alice's right password, an unknown name
 *   (which still pays its verification through a slot) and a wrong password are all answered
 *   unavailable with reason busy; an API key logs in meanwhile (it never waits for a slot); once
 *   the holder is killed with SIGKILL, alice logs in: no slot is lost;
 * - 12 processes released at once with wrong passwords: every one is answered bad_password or
 *   busy, at least one of each, and an API key logs in during the flood.
 * The slot file lives in a directory of this test's own ($SENDSEC_TEST_DIR/run), so other tests
 * running at the same time are not slowed. Run under tests/fixtures/with-slapd.sh. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit.h"
#include "check.h"
#include "hash.h"
#include "ikey.h"
#include "itest.h"
#include "lockout_itest.h"

#define FLOOD 12
#define EXTRA                                                                                                          \
	"methods password apikey\nargon2_opslimit 2\nargon2_memlimit 65536\nrehash no\nlockout_threshold 0\n"          \
	"lockout_account_threshold 0\n[service smtp]\nhash_concurrency 1\ntimeout 2\n"

static char run_dir[512];

static void to_file(void *arg, const char *line)
{
	fprintf(arg, "%s\n", line);
}

/* One flooding login in a process of its own, released with the others. */
static pid_t flooder(const char *conf, int i, const int go[2])
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	char path[512], rhost[32], byte;
	struct sendsec_ctx *ctx = itest_ctx_from(conf);
	struct sendsec_audit_sink sink;
	FILE *f;

	close(go[1]);
	snprintf(path, sizeof(path), "%s/flood-%d.log", itest_env("DIR"), i);
	snprintf(rhost, sizeof(rhost), "10.0.%d.1", i);
	if ((f = fopen(path, "w")) == NULL)
		_exit(2);
	sink = (struct sendsec_audit_sink){.emit = to_file, .arg = f};
	sendsec_ctx_set_audit_sink(ctx, &sink);
	if (read(go[0], &byte, 1) != 0)
		_exit(2);
	itest_login(ctx, "smtp", "alice", litest_wrong(i), rhost, NULL);
	sendsec_ctx_free(ctx);
	_exit(fclose(f) == 0 ? 0 : 2);
}

int main(int argc, char **argv)
{
	struct sendsec_ctx *ctx;
	struct sendsec_outcome out;
	char conf[512], key[SENDSEC_KEY_MAX + 1], hash[SENDSEC_HASH_MAX], ldif[1024], path[512], line[1024];
	int status, go[2], bad = 0, busy = 0, other = 0;
	pid_t holder, pids[FLOOD];

	(void)argc;
	snprintf(run_dir, sizeof(run_dir), "%s/run", itest_env("DIR"));
	setenv("SENDSEC_RUN_DIR", run_dir, 1);
	snprintf(conf, sizeof(conf), "%s", itest_write_conf(true, EXTRA));
	ctx = itest_ctx_from(conf);
	/* t=8: each check takes several times longer than the 2 s a flooder waits divided by 12, so
	 * that some of the flood must find no slot in time. */
	CHECK(sendsec_hash_make(itest_pw("alice"), 8, 65536, hash, sizeof(hash)) == SENDSEC_OK);
	snprintf(ldif, sizeof(ldif), "dn: %s\nchangetype: modify\nreplace: userPassword\nuserPassword: %s\n",
			itest_user_dn("alice"), hash);
	CHECK(itest_ldapmodify(ldif) == 0);
	CHECK(ikey_create(ctx, "alice", "smtp", 0, NULL, key, NULL) == SENDSEC_OK);
	itest_login(ctx, "smtp", "alice", itest_pw("alice"), "192.0.2.1", &out);
	EXPECT("a free slot: alice logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	holder = itest_slot_holder(run_dir);
	itest_login(ctx, "smtp", "alice", itest_pw("alice"), "192.0.2.1", &out);
	EXPECT("the only slot held elsewhere: busy", &out, SENDSEC_UNAVAILABLE, SENDSEC_REASON_BUSY);
	itest_login(ctx, "smtp", "nobody-here", itest_pw("alice"), "192.0.2.1", &out);
	EXPECT("an unknown name waits for a slot too: busy", &out, SENDSEC_UNAVAILABLE, SENDSEC_REASON_BUSY);
	itest_login(ctx, "smtp", "alice", litest_wrong(99), "192.0.2.1", &out);
	EXPECT("a wrong password: busy, not a failure", &out, SENDSEC_UNAVAILABLE, SENDSEC_REASON_BUSY);
	itest_login(ctx, "smtp", "apikey", key, "192.0.2.1", &out);
	EXPECT("an API key never waits for a slot", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK(kill(holder, SIGKILL) == 0 && waitpid(holder, &status, 0) == holder && WIFSIGNALED(status));
	itest_login(ctx, "smtp", "alice", itest_pw("alice"), "192.0.2.1", &out);
	EXPECT("the holder killed: its slot is free again", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	/* The flood. */
	CHECK(pipe(go) == 0);
	for (int i = 0; i < FLOOD; i++)
		pids[i] = flooder(conf, i, go);
	close(go[0]);
	usleep(300000); /* let every flooder connect and wait */
	close(go[1]);
	usleep(100000);
	itest_login(ctx, "smtp", "apikey", key, "192.0.2.1", &out);
	EXPECT("an API key during the flood", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	for (int i = 0; i < FLOOD; i++)
		CHECK(waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (int i = 0; i < FLOOD; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/flood-%d.log", itest_env("DIR"), i);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL) {
			if (strstr(line, " result=failure reason=bad_password") != NULL)
				bad++;
			else if (strstr(line, " result=failure reason=busy") != NULL)
				busy++;
			else if (++other > 0)
				fprintf(stderr, "# other: %s", line);
		}
		fclose(f);
	}
	printf("# flood of %d: %d bad_password, %d busy, %d other\n", FLOOD, bad, busy, other);
	CHECK(bad >= 1 && busy >= 1);
	CHECK_EQ_INT(bad + busy, FLOOD);
	CHECK_EQ_INT(other, 0);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
