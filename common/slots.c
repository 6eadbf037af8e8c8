/* slots.c — host-wide hash slots as byte locks on one file (slots.h). Open file description locks
 * (Linux 3.15) conflict between two opens of the file even inside one process, unlike POSIX
 * record locks, and belong to the open file description, so they vanish with the last descriptor
 * of it: a holder killed by SIGKILL loses its slot to the next taker at once. A process forked
 * after the file was opened shares the description (and would share its locks), so it reopens the
 * file through the directory descriptor kept from the open, which works after a chroot. When it
 * cannot (it dropped privileges after the fork: the file is root's, mode 0600), it takes POSIX
 * record locks on the inherited descriptor instead: those belong to the process, conflict with
 * every other process's locks of either kind, and vanish when it exits too. (Two contexts inside
 * one such process would not exclude each other; no front end makes two.) */
#include "slots.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SLOT_FILE   "hash-slots"
#define POLL_MIN_US 1000 /* first wait between two rounds */
#define POLL_MAX_US 5000 /* longest wait between two rounds */
#define SLOTS_MAX   4096 /* hash_concurrency's upper bound (config.c) */

struct sendsec_hash_slots {
	int dir_fd; /* O_PATH descriptor of the directory, for reopening after a fork */
	int fd;     /* the slot file, O_RDWR */
	pid_t pid;  /* the process fd was opened in (or, with posix, is used in) */
	bool posix; /* a forked process that could not reopen: process-associated locks on fd */
	bool held;  /* a slot is taken through fd */
};

const char *sendsec_hash_slots_dir(void)
{
	const char *dir = secure_getenv("SENDSEC_RUN_DIR");

	return dir != NULL && dir[0] != '\0' ? dir : SENDSEC_RUN_DIR;
}

static int open_file(int dir_fd)
{
	return openat(dir_fd, SLOT_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}

enum sendsec_result sendsec_hash_slots_open(const char *dir, struct sendsec_hash_slots **out, char *err, size_t errlen)
{
	struct sendsec_hash_slots *h;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return SENDSEC_UNAVAILABLE;
	}
	h->dir_fd = h->fd = -1;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		goto fail;
	}
	if ((h->dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open %s: %s", dir, strerror(errno));
		goto fail;
	}
	if ((h->fd = open_file(h->dir_fd)) < 0) {
		snprintf(err, errlen, "cannot open %s/%s: %s", dir, SLOT_FILE, strerror(errno));
		goto fail;
	}
	h->pid = getpid();
	*out = h;
	return SENDSEC_OK;
fail:
	sendsec_hash_slots_free(h);
	return SENDSEC_UNAVAILABLE;
}

void sendsec_hash_slots_free(struct sendsec_hash_slots *h)
{
	if (h == NULL)
		return;
	if (h->fd >= 0)
		close(h->fd); /* drops a slot still held */
	if (h->dir_fd >= 0)
		close(h->dir_fd);
	free(h);
}

unsigned sendsec_hash_slots_limit(int hash_concurrency)
{
	long cpus;

	/* The user who started a set-user-ID program (su, sudo, passwd) may stop it (SIGSTOP) while
	 * it holds a slot and so take the host's slots away from smtpd and sshd. Such a program takes
	 * none: its user could run the same hash computation without sendsec anyway. Only when the
	 * exec changed the user or group (the real one differs from the effective one): AT_SECURE
	 * alone is also set for a service given a file capability or entering an SELinux or AppArmor
	 * domain, which a network client floods and no other user may stop. */
	if (getauxval(AT_SECURE) != 0 && (getuid() != geteuid() || getgid() != getegid()))
		return 0;
	if (hash_concurrency >= 0)
		return hash_concurrency > SLOTS_MAX ? SLOTS_MAX : (unsigned)hash_concurrency;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus < 1 ? 1 : cpus > SLOTS_MAX ? SLOTS_MAX : (unsigned)cpus;
}

/* One byte lock of the file: F_WRLCK to take (false when another holds it), F_UNLCK to give.
 * errno is set on a false answer. */
static bool lock_byte(const struct sendsec_hash_slots *h, unsigned slot, short type)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = (off_t)slot, .l_len = 1, .l_pid = 0};

	return fcntl(h->fd, h->posix ? F_SETLK : F_OFD_SETLK, &fl) == 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* In a process forked from the opener, the description (and its locks) is shared with the
 * parent: open a description of our own, or, when that is refused, lock as this process. */
static void own_description(struct sendsec_hash_slots *h)
{
	int fd;

	if (h->pid == getpid())
		return;
	h->pid = getpid();
	h->held = false;
	if ((fd = open_file(h->dir_fd)) >= 0) {
		close(h->fd);
		h->fd = fd;
		h->posix = false;
	} else {
		h->posix = true;
	}
}

enum sendsec_slot_status sendsec_hash_slots_take(struct sendsec_hash_slots *h, unsigned n, unsigned timeout_ms,
		unsigned *slot_out, char *err, size_t errlen)
{
	double deadline = now_ms() + timeout_ms;
	unsigned wait_us = POLL_MIN_US, start;

	if (h == NULL || n == 0) {
		snprintf(err, errlen, "no hash slots");
		return SENDSEC_SLOT_FAILED;
	}
	own_description(h);
	if (h->held) {
		snprintf(err, errlen, "a hash slot is held already");
		return SENDSEC_SLOT_FAILED;
	}
	if (n > SLOTS_MAX)
		n = SLOTS_MAX;
	/* Start each round at another slot, so that the takers do not all fight over slot 0. */
	start = (unsigned)getpid() % n;
	for (;;) {
		for (unsigned i = 0; i < n; i++) {
			unsigned slot = (start + i) % n;

			if (lock_byte(h, slot, F_WRLCK)) {
				h->held = true;
				*slot_out = slot;
				return SENDSEC_SLOT_TAKEN;
			}
			if (errno != EAGAIN && errno != EACCES) {
				snprintf(err, errlen, "hash slot lock: %s", strerror(errno));
				return SENDSEC_SLOT_FAILED;
			}
		}
		if (now_ms() >= deadline)
			return SENDSEC_SLOT_BUSY;
		usleep(wait_us);
		wait_us = wait_us * 2 > POLL_MAX_US ? POLL_MAX_US : wait_us * 2;
	}
}

void sendsec_hash_slots_give(struct sendsec_hash_slots *h, unsigned slot)
{
	if (h == NULL || !h->held)
		return;
	/* Cannot fail for a lock we hold on an open descriptor; if it did, closing would drop it. */
	if (!lock_byte(h, slot, F_UNLCK)) {
		close(h->fd);
		h->fd = open_file(h->dir_fd);
	}
	h->held = false;
}
