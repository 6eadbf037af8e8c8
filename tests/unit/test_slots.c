/* test_slots.c — the host's hash slots (slots.h) in a private directory: n handles (each its own
 * open, as separate processes have) take at most n slots, the next one is BUSY after its timeout
 * and gets the slot once one is given back; a handle holds one slot at a time; a holder in another
 * process that is killed with SIGKILL loses its slot at once; a process forked from a holder does
 * not share the holder's slot, even when it dropped privileges after the fork (as a host that loads
 * the SASL plugin as root, then forks and drops, does): then it locks as a process, against the
 * parent's slot and holding its own until killed; the limit of hash_concurrency (auto, 0, N); a
 * directory that cannot be made is an error naming it. */
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "slots.h"

static char dir[] = "/tmp/sendsec-slots.XXXXXX";

static struct sendsec_hash_slots *open_slots(void)
{
	struct sendsec_hash_slots *h = NULL;
	char err[256];

	if (sendsec_hash_slots_open(dir, &h, err, sizeof(err)) != SENDSEC_OK) {
		fprintf(stderr, "open: %s\n", err);
		exit(1);
	}
	return h;
}

static enum sendsec_slot_status take(struct sendsec_hash_slots *h, unsigned n, unsigned timeout_ms, unsigned *slot)
{
	char err[256] = "";
	enum sendsec_slot_status st = sendsec_hash_slots_take(h, n, timeout_ms, slot, err, sizeof(err));

	if (st == SENDSEC_SLOT_FAILED)
		fprintf(stderr, "# take: %s\n", err);
	return st;
}

static void test_at_most_n(void)
{
	struct sendsec_hash_slots *a = open_slots(), *b = open_slots(), *c = open_slots();
	unsigned sa = 99, sb = 99, sc = 99;

	CHECK_EQ_INT(take(a, 2, 0, &sa), SENDSEC_SLOT_TAKEN);
	CHECK_EQ_INT(take(b, 2, 0, &sb), SENDSEC_SLOT_TAKEN);
	CHECK(sa < 2 && sb < 2 && sa != sb);
	CHECK_EQ_INT(take(c, 2, 50, &sc), SENDSEC_SLOT_BUSY);
	CHECK_EQ_INT(take(a, 2, 0, &sc), SENDSEC_SLOT_FAILED); /* one slot per handle */
	sendsec_hash_slots_give(a, sa);
	CHECK_EQ_INT(take(c, 2, 50, &sc), SENDSEC_SLOT_TAKEN);
	CHECK_EQ_INT(sc, sa);
	CHECK_EQ_INT(take(a, 3, 0, &sa), SENDSEC_SLOT_TAKEN); /* a wider limit has a third slot */
	CHECK_EQ_INT(sa, 2);
	/* Freeing a handle gives its slot back. */
	sendsec_hash_slots_free(b);
	b = open_slots();
	CHECK_EQ_INT(take(b, 2, 50, &sb), SENDSEC_SLOT_TAKEN);
	sendsec_hash_slots_free(a);
	sendsec_hash_slots_free(b);
	sendsec_hash_slots_free(c);
}

/* A holder in another process, killed while it holds the only slot. */
static void test_killed_holder(void)
{
	struct sendsec_hash_slots *h = open_slots();
	int ready[2];
	unsigned slot;
	char byte = 0;
	pid_t pid;
	int status;

	CHECK(pipe(ready) == 0);
	if ((pid = fork()) == 0) {
		struct sendsec_hash_slots *mine = open_slots();

		close(ready[0]);
		if (take(mine, 1, 1000, &slot) == SENDSEC_SLOT_TAKEN && write(ready[1], "x", 1) == 1)
			pause();
		_exit(1);
	}
	close(ready[1]);
	CHECK(read(ready[0], &byte, 1) == 1);
	close(ready[0]);
	CHECK_EQ_INT(take(h, 1, 100, &slot), SENDSEC_SLOT_BUSY);
	CHECK(kill(pid, SIGKILL) == 0);
	CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status));
	CHECK_EQ_INT(take(h, 1, 0, &slot), SENDSEC_SLOT_TAKEN);
	sendsec_hash_slots_free(h);
}

/* A child forked from a holder shares its open file description: it must not share the slot. */
static void test_fork_of_a_holder(void)
{
	struct sendsec_hash_slots *h = open_slots();
	unsigned slot;
	pid_t pid;
	int status = -1;

	CHECK_EQ_INT(take(h, 1, 0, &slot), SENDSEC_SLOT_TAKEN);
	if ((pid = fork()) == 0) {
		unsigned s;
		bool busy = take(h, 1, 50, &s) == SENDSEC_SLOT_BUSY;

		sendsec_hash_slots_free(h);
		_exit(busy ? 0 : 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The child's exit closed its own description only: our slot is still ours. */
	if ((pid = fork()) == 0) {
		struct sendsec_hash_slots *other = open_slots();
		unsigned s;

		_exit(take(other, 1, 0, &s) == SENDSEC_SLOT_BUSY ? 0 : 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	sendsec_hash_slots_free(h);
}

/* After a fork, a child that dropped to nobody cannot reopen the root-owned 0600 file. */
static void drop_to_nobody(void)
{
	if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
		_exit(3);
}

static void test_fork_then_drop(void)
{
	struct sendsec_hash_slots *h = open_slots(), *other = open_slots();
	int ready[2];
	unsigned slot;
	char byte = 0;
	pid_t pid;
	int status = -1;

	if (geteuid() != 0) {
		printf("# skipped: dropping privileges needs root\n");
		sendsec_hash_slots_free(h);
		sendsec_hash_slots_free(other);
		return;
	}
	/* The parent holds the only slot: the dropped child is busy. */
	CHECK_EQ_INT(take(h, 1, 0, &slot), SENDSEC_SLOT_TAKEN);
	if ((pid = fork()) == 0) {
		unsigned s;

		drop_to_nobody();
		_exit(take(h, 1, 50, &s) == SENDSEC_SLOT_BUSY ? 0 : 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	sendsec_hash_slots_give(h, slot);
	/* The dropped child holds it: the others are busy until it is killed. */
	CHECK(pipe(ready) == 0);
	if ((pid = fork()) == 0) {
		unsigned s;

		close(ready[0]);
		drop_to_nobody();
		if (take(h, 1, 1000, &s) == SENDSEC_SLOT_TAKEN && write(ready[1], "x", 1) == 1)
			pause();
		_exit(1);
	}
	close(ready[1]);
	CHECK(read(ready[0], &byte, 1) == 1);
	close(ready[0]);
	CHECK_EQ_INT(take(h, 1, 50, &slot), SENDSEC_SLOT_BUSY);
	CHECK_EQ_INT(take(other, 1, 50, &slot), SENDSEC_SLOT_BUSY);
	CHECK(kill(pid, SIGKILL) == 0 && waitpid(pid, &status, 0) == pid);
	CHECK_EQ_INT(take(other, 1, 0, &slot), SENDSEC_SLOT_TAKEN);
	sendsec_hash_slots_free(h);
	sendsec_hash_slots_free(other);
}

static void test_limits_and_errors(void)
{
	struct sendsec_hash_slots *h = NULL;
	char err[256] = "";

	CHECK(sendsec_hash_slots_limit(-1) >= 1);
	CHECK_EQ_INT(sendsec_hash_slots_limit(-1), sysconf(_SC_NPROCESSORS_ONLN));
	CHECK_EQ_INT(sendsec_hash_slots_limit(0), 0);
	CHECK_EQ_INT(sendsec_hash_slots_limit(7), 7);
	CHECK_RESULT(sendsec_hash_slots_open("/proc/no/such/dir", &h, err, sizeof(err)), SENDSEC_UNAVAILABLE);
	CHECK(h == NULL);
	CHECK(strstr(err, "/proc/no/such/dir") != NULL);
	CHECK_EQ_INT(sendsec_hash_slots_take(NULL, 1, 0, &(unsigned){0}, err, sizeof(err)), SENDSEC_SLOT_FAILED);
}

int main(int argc, char **argv)
{
	char path[128];

	(void)argc;
	if (mkdtemp(dir) == NULL)
		return 1;
	test_at_most_n();
	test_killed_holder();
	test_fork_of_a_holder();
	test_fork_then_drop();
	test_limits_and_errors();
	snprintf(path, sizeof(path), "%s/hash-slots", dir);
	unlink(path);
	rmdir(dir);
	return check_report(argv[0]);
}
