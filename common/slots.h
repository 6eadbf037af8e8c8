/* slots.h — the host's password-hash slots: at most N hash computations at once over every process
 * of the host (smtpd, sshd, ...). Slot k is an open-file-description lock (F_OFD_SETLK) on byte k
 * of one file, RUN_DIR/hash-slots; the kernel drops it when its holder closes the file, exits or
 * is killed, so no slot is ever lost. The file is opened when the engine context is created (as
 * root, before a SASL host's chroot and privilege drop); a process forked from the opener reopens
 * it through the directory opened with it, or, when it dropped privileges and cannot, takes
 * process-associated locks on the inherited descriptor (slots.c). No directory or config access
 * happens here. */
#ifndef SENDSEC_SLOTS_H
#define SENDSEC_SLOTS_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

#define SENDSEC_RUN_DIR "/run/sendsec"

struct sendsec_hash_slots;

enum sendsec_slot_status {
	SENDSEC_SLOT_TAKEN = 0, /* the slot is ours until sendsec_hash_slots_give */
	SENDSEC_SLOT_BUSY,      /* every slot stayed taken until the timeout */
	SENDSEC_SLOT_FAILED,    /* the slot file could not be used (err says why) */
};

/* The directory of the slot file: $SENDSEC_RUN_DIR (read with secure_getenv, so never in a
 * set-user-ID program; for tests), else SENDSEC_RUN_DIR. */
const char *sendsec_hash_slots_dir(void);

/* Opens dir/hash-slots, creating dir (0755) and the file (0600) when missing. OK and *out (free
 * with sendsec_hash_slots_free), or UNAVAILABLE with err set. */
enum sendsec_result sendsec_hash_slots_open(
		const char *dir, struct sendsec_hash_slots **out, char *err, size_t errlen) SENDSEC_MUST_CHECK;
void sendsec_hash_slots_free(struct sendsec_hash_slots *h);

/* The number of slots hash_concurrency asks for: itself when positive, the CPUs online for -1
 * (auto), 0 (no limit) for 0. Always 0 in a set-user-ID or set-group-ID program run by another
 * user or group (AT_SECURE with real and effective IDs that differ): the user who started it
 * could stop it while it holds a slot. A file capability or an LSM transition alone (AT_SECURE,
 * same IDs) does not count: that is how services run. */
unsigned sendsec_hash_slots_limit(int hash_concurrency);

/* Takes one of slots 0..n-1 (n >= 1), trying every slot, then again every few milliseconds
 * until timeout_ms have passed: TAKEN with *slot_out, BUSY, or FAILED with err. One handle holds
 * at most one slot at a time (a second take is FAILED). */
enum sendsec_slot_status sendsec_hash_slots_take(struct sendsec_hash_slots *h, unsigned n, unsigned timeout_ms,
		unsigned *slot_out, char *err, size_t errlen) SENDSEC_MUST_CHECK;
/* Gives the slot back. */
void sendsec_hash_slots_give(struct sendsec_hash_slots *h, unsigned slot);

#endif
