/* lockout_itest.h — helpers of the lockout tests (test_policy_lockout_*.c), on top of itest.h: the
 * lockout record of an account as the rootdn reads it, values written as another host (or an
 * earlier version) would write them, and wrong passwords that differ from each other (the same
 * wrong password tried again counts once). */
#ifndef SENDSEC_LOCKOUT_ITEST_H
#define SENDSEC_LOCKOUT_ITEST_H

#include <stddef.h>
#include <time.h>

/* The values of attr on dn, read as the rootdn, each on its own line in out. Returns their
 * number, or -1 on error. */
int litest_values(const char *dn, const char *attr, char *out, size_t outlen);
/* The number of sendsecFailure values of dn from source src ("-" or a network as written). */
int litest_count_source(const char *dn, const char *src);
/* Adds the n values to attr on dn as the rootdn; 0 on success. */
int litest_add(const char *dn, const char *attr, const char *const *vals, size_t n);
/* Writes a sendsecFailure value (policy.c's ABNF) at t with fraction micro, from src, with tag
 * (NULL: none), into buf. */
void litest_value(char *buf, size_t len, time_t t, unsigned micro, const char *src, const char *tag);
/* Replaces name's userPassword (as the rootdn) by an argon2id hash of its seeded password as
 * sendsec writes it (16-byte salt, p=1: a wrong password then leaves a tag; the fixture's argon2
 * CLI hashes have salts of 12 to 16 bytes). 0 on success. */
int litest_set_password(const char *name);
/* Wrong password number i (static storage per call slot, as itest_pw): all different. */
const char *litest_wrong(int i);

#endif
