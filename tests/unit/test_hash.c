/* test_hash.c — the scheme registry against vectors written at run time by independent tools
 * (slappasswd, the argon2 CLI, mkpasswd, python3): right password OK, wrong DENIED, every
 * malformed value UNAVAILABLE with its scheme named, rehash advice, make/verify round trip,
 * bounds on lengths and embedded NULs, cost caps (legit tool defaults pass, costs above the caps
 * are UNAVAILABLE without being computed), an argon2 run without memory reported as UNAVAILABLE,
 * a dummy verify that really costs an argon2 run, and the digest a verification leaves for the
 * lockout tag: the same for the same wrong password, another for another, computed by the raw
 * argon2 path that must agree with the tools' strings, and absent where libsodium cannot give it. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "hash.h"

#define PW    "Tr0ub4dor-and-3"
#define WRONG "Tr0ub4dor-and-4"
#define OPS   2
#define MEM   65536

/* Runs cmd and puts its first output line (without newline) into out; false on any failure. */
static bool run(const char *cmd, char *out, size_t outlen)
{
	FILE *p = popen(cmd, "r");
	bool ok;

	if (p == NULL)
		return false;
	ok = fgets(out, (int)outlen, p) != NULL;
	if (pclose(p) != 0)
		ok = false;
	if (ok)
		out[strcspn(out, "\n")] = '\0';
	if (!ok)
		fprintf(stderr, "tool failed: %.40s...\n", cmd);
	return ok && out[0] != '\0';
}

static enum sendsec_result verify(const char *stored, const char *password, const char **scheme, bool *rehash)
{
	return sendsec_hash_verify(stored, strlen(stored), password, OPS, MEM, scheme, rehash);
}

/* Right password OK with the scheme named, wrong password DENIED, rehash advice as expected. */
static void check_vector(const char *stored, const char *scheme, bool expect_rehash)
{
	const char *name = NULL;
	bool rehash = !expect_rehash;

	CHECK(verify(stored, PW, &name, &rehash) == SENDSEC_OK);
	CHECK_STR(name, scheme);
	CHECK(rehash == expect_rehash);
	name = NULL;
	CHECK(verify(stored, WRONG, &name, &rehash) == SENDSEC_DENIED);
	CHECK_STR(name, scheme);
	CHECK(verify(stored, "", NULL, NULL) == SENDSEC_DENIED);
}

/* stored must be UNAVAILABLE with the scheme named, whatever the password. */
static void check_unavailable_n(const char *stored, size_t len, const char *scheme)
{
	const char *name = NULL;
	bool rehash = true;

	CHECK(sendsec_hash_verify(stored, len, PW, OPS, MEM, &name, &rehash) == SENDSEC_UNAVAILABLE);
	CHECK_STR(name, scheme);
	CHECK(!rehash);
	CHECK(sendsec_hash_verify(stored, len, WRONG, OPS, MEM, NULL, NULL) == SENDSEC_UNAVAILABLE);
}

static void check_unavailable(const char *stored, const char *scheme)
{
	check_unavailable_n(stored, strlen(stored), scheme);
}

static void test_argon2_vectors(void)
{
	char v[512], w[600];

	/* OpenLDAP's argon2 module writes {ARGON2}$argon2i$...: verified, but to be upgraded. */
	if (run("slappasswd -o module-load=argon2 -h '{ARGON2}' -s '" PW "'", v, sizeof(v))) {
		CHECK(strncmp(v, "{ARGON2}$argon2i$", 17) == 0);
		check_vector(v, "ARGON2", true);
		/* the scheme prefix is case-insensitive */
		memcpy(v, "{argon2}", 8);
		check_vector(v, "ARGON2", true);
		/* strip the prefix: the bare PHC string is accepted too */
		check_vector(v + 8, "ARGON2", true);
	} else {
		CHECK(!"slappasswd argon2 vector");
	}

	/* The argon2 CLI writes argon2id, with p=1 and with p=4. m=2^12 KiB, t=2. */
	if (run("printf %s '" PW "' | argon2 SALTSALT -id -t 2 -m 12 -p 1 -e", v, sizeof(v))) {
		CHECK(strncmp(v, "$argon2id$v=19$m=4096,t=2,p=1$", 30) == 0);
		check_vector(v, "ARGON2", true); /* weaker than m=65536 */
		CHECK(sendsec_hash_verify(v, strlen(v), PW, 2, 4096, NULL, NULL) == SENDSEC_OK);
		{
			bool rehash = true;

			CHECK(sendsec_hash_verify(v, strlen(v), PW, 2, 4096, NULL, &rehash) == SENDSEC_OK);
			CHECK(!rehash); /* exactly the wanted cost */
			CHECK(sendsec_hash_verify(v, strlen(v), PW, 1, 1024, NULL, &rehash) == SENDSEC_OK);
			CHECK(!rehash); /* stronger than wanted */
			CHECK(sendsec_hash_verify(v, strlen(v), PW, 3, 4096, NULL, &rehash) == SENDSEC_OK);
			CHECK(rehash); /* fewer passes than wanted */
		}
		snprintf(w, sizeof(w), "{ARGON2}%s", v);
		check_vector(w, "ARGON2", true);

		/* malformed variants of a good string */
		snprintf(w, sizeof(w), "%.*s", (int)strlen(v) - 1, v); /* last character cut */
		check_unavailable(w, "ARGON2");
		snprintf(w, sizeof(w), "%.26s", v); /* cut inside the parameters */
		check_unavailable(w, "ARGON2");
		snprintf(w, sizeof(w), "{ARGON2}%.40s", v); /* cut after the salt */
		check_unavailable(w, "ARGON2");
		snprintf(w, sizeof(w), "%s$", v); /* trailing garbage */
		check_unavailable(w, "ARGON2");
		snprintf(w, sizeof(w), "%s", v);
		memcpy(w, "$argon2d$", 9); /* argon2d is not a password scheme we accept */
		memmove(w + 9, v + 10, strlen(v + 10) + 1);
		check_unavailable(w, "ARGON2");
		snprintf(w, sizeof(w), "%s", v);
		w[strlen(w) - 5] = '*'; /* corrupt base64 in the hash */
		check_unavailable(w, "ARGON2");
		snprintf(w, sizeof(w), "%s", v);
		memcpy(w + 11, "16", 2); /* v=16: an old version */
		check_unavailable(w, "ARGON2");
	} else {
		CHECK(!"argon2 -p 1 vector");
	}

	/* p > 1 as the argon2 CLI writes it: libsodium 1.0.18 verifies these. */
	if (run("printf %s '" PW "' | argon2 SALTSALT -id -t 2 -m 12 -p 4 -e", v, sizeof(v))) {
		CHECK(strstr(v, ",p=4$") != NULL);
		check_vector(v, "ARGON2", true);
		snprintf(w, sizeof(w), "{ARGON2}%s", v);
		check_vector(w, "ARGON2", true);
	} else {
		CHECK(!"argon2 -p 4 vector");
	}
	if (run("printf %s '" PW "' | argon2 SALTSALT -i -t 2 -m 12 -p 4 -e", v, sizeof(v)))
		check_vector(v, "ARGON2", true);
	else
		CHECK(!"argon2 -i -p 4 vector");
}

static void test_ssha_vectors(void)
{
	static const struct {
		const char *scheme, *tool, *fallback;
	} cases[] = {
			{"SSHA", "slappasswd -h '{SSHA}' -s '" PW "'", NULL},
			{"SSHA256", "slappasswd -o module-load=pw-sha2 -h '{SSHA256}' -s '" PW "'",
					"python3 -c \"import hashlib,base64,os; s=os.urandom(8); print('{SSHA256}'+"
					"base64.b64encode(hashlib.sha256(b'" PW "'+s).digest()+s).decode())\""},
			{"SSHA512", "slappasswd -o module-load=pw-sha2 -h '{SSHA512}' -s '" PW "'",
					"python3 -c \"import hashlib,base64,os; s=os.urandom(8); print('{SSHA512}'+"
					"base64.b64encode(hashlib.sha512(b'" PW "'+s).digest()+s).decode())\""},
	};
	bool have_pw_sha2 = access("/usr/lib/ldap/pw-sha2.so", R_OK) == 0;
	char v[512], w[600];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *cmd = cases[i].fallback != NULL && !have_pw_sha2 ? cases[i].fallback : cases[i].tool;
		size_t plen = strlen(cases[i].scheme) + 2;

		if (!run(cmd, v, sizeof(v))) {
			CHECK(!"SSHA vector");
			continue;
		}
		check_vector(v, cases[i].scheme, true);
		/* lower-case prefix */
		snprintf(w, sizeof(w), "%s", v);
		for (size_t j = 1; j + 1 < plen; j++)
			w[j] = (char)tolower((unsigned char)w[j]);
		check_vector(w, cases[i].scheme, true);

		/* base64 cut by one character: not a whole number of quanta */
		snprintf(w, sizeof(w), "%.*s", (int)strlen(v) - 1, v);
		check_unavailable(w, cases[i].scheme);
		/* corrupt base64 */
		snprintf(w, sizeof(w), "%s", v);
		w[plen + 3] = '!';
		check_unavailable(w, cases[i].scheme);
		/* nothing after the prefix */
		snprintf(w, sizeof(w), "{%s}", cases[i].scheme);
		check_unavailable(w, cases[i].scheme);
		/* well-formed base64 but shorter than the digest (12 bytes) */
		snprintf(w, sizeof(w), "{%s}AAAAAAAAAAAAAAAA", cases[i].scheme);
		check_unavailable(w, cases[i].scheme);
	}
	/* a SHA-1 length value under {SSHA512}: digest length wrong for the scheme */
	if (run("slappasswd -h '{SSHA}' -s '" PW "'", v, sizeof(v))) {
		snprintf(w, sizeof(w), "{SSHA512}%s", v + 6);
		check_unavailable(w, "SSHA512");
	}
}

static void test_crypt_vectors(void)
{
	static const char *const methods[] = {"yescrypt", "sha-512", "bcrypt"};
	static const char *const prefixes[] = {"$y$", "$6$", "$2b$"};
	char v[512], w[600], cmd[128];

	for (size_t i = 0; i < 3; i++) {
		snprintf(cmd, sizeof(cmd), "mkpasswd -m %s '%s'", methods[i], PW);
		if (!run(cmd, v, sizeof(v))) {
			CHECK(!"mkpasswd vector");
			continue;
		}
		CHECK(strncmp(v, prefixes[i], strlen(prefixes[i])) == 0);
		snprintf(w, sizeof(w), "{CRYPT}%s", v);
		check_vector(w, "CRYPT", true);
		snprintf(w, sizeof(w), "{crypt}%s", v);
		check_vector(w, "CRYPT", true);
		/* truncated inside the setting: crypt fails ("*0") or it is not ours */
		snprintf(w, sizeof(w), "{CRYPT}%.*s", (int)strlen(prefixes[i]) + 1, v);
		check_unavailable(w, "CRYPT");
		/* last character of the hash cut, or a byte appended: not what crypt writes */
		snprintf(w, sizeof(w), "{CRYPT}%.*s", (int)strlen(v) - 1, v);
		check_unavailable(w, "CRYPT");
		snprintf(w, sizeof(w), "{CRYPT}%sx", v);
		check_unavailable(w, "CRYPT");
		if (i == 2) {
			/* $2y$ is the same bcrypt */
			snprintf(w, sizeof(w), "{CRYPT}%s", v);
			w[7 + 2] = 'y';
			check_vector(w, "CRYPT", true);
		}
	}
	/* legacy crypt methods are unavailable, even with the right password */
	if (run("mkpasswd -m md5crypt '" PW "'", v, sizeof(v))) {
		snprintf(w, sizeof(w), "{CRYPT}%s", v);
		check_unavailable(w, "CRYPT");
	} else {
		CHECK(!"mkpasswd md5crypt vector");
	}
	if (run("mkpasswd -m descrypt '" PW "'", v, sizeof(v))) {
		snprintf(w, sizeof(w), "{CRYPT}%s", v);
		check_unavailable(w, "CRYPT");
	}
	check_unavailable("{CRYPT}$1$abcdefgh$0123456789abcdefghijkl", "CRYPT");
	check_unavailable("{CRYPT}*", "CRYPT");
	check_unavailable("{CRYPT}*0", "CRYPT");
	check_unavailable("{CRYPT}!", "CRYPT");
	check_unavailable("{CRYPT}", "CRYPT");
	check_unavailable("{CRYPT}$6$", "CRYPT");
	check_unavailable("{CRYPT}$y$", "CRYPT");
	check_unavailable("{CRYPT}$2b$99$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz012", "CRYPT");
}

/* stored at the given configured cost must be UNAVAILABLE with the scheme named. */
static void check_unavailable_at(const char *stored, unsigned long long ops, size_t mem, const char *scheme)
{
	const char *name = NULL;

	CHECK(sendsec_hash_verify(stored, strlen(stored), PW, ops, mem, &name, NULL) == SENDSEC_UNAVAILABLE);
	CHECK_STR(name, scheme);
	CHECK(sendsec_hash_verify(stored, strlen(stored), WRONG, ops, mem, NULL, NULL) == SENDSEC_UNAVAILABLE);
}

/* stored at the given configured cost is computed: a wrong password is DENIED, not refused. */
static void check_computed_at(const char *stored, unsigned long long ops, size_t mem)
{
	CHECK(sendsec_hash_verify(stored, strlen(stored), WRONG, ops, mem, NULL, NULL) == SENDSEC_DENIED);
}

/* A tool's vector made with cmd verifies (right OK, wrong DENIED) at the default configured cost. */
static void check_tool_vector(const char *cmd, const char *prefix, const char *scheme)
{
	char v[512], w[600];

	if (!run(cmd, v, sizeof(v))) {
		CHECK(!"tool vector");
		return;
	}
	snprintf(w, sizeof(w), "%s%s", prefix, v);
	check_vector(w, scheme, true);
}

#define SALT16 "c29tZXNhbHRzYWx0c2FsdA"                      /* 16 bytes, base64 */
#define HASH32 "D1YcBwKua8nm2HmbxBuj3d/U2fZD0fzW2u6VThkYVMI" /* 32 bytes, base64 */

/* Hand-built argon2id string with the given parameters (never a real hash of PW). */
static const char *argon2_with(char *buf, size_t len, const char *params)
{
	snprintf(buf, len, "{ARGON2}$argon2id$v=19$%s$" SALT16 "$" HASH32, params);
	return buf;
}

static void test_argon2_cost_caps(void)
{
	char v[512];

	/* What the tools write by default and at the edges of the caps verifies. */
	check_tool_vector("printf %s '" PW "' | argon2 SALTSALT -id -e", "", "ARGON2");
	check_tool_vector("printf %s '" PW "' | argon2 SALTSALT -id -t 10 -m 3 -p 1 -e", "", "ARGON2");
	check_tool_vector("printf %s '" PW "' | argon2 SALTSALT -id -t 1 -m 7 -p 16 -e", "", "ARGON2");
	/* t up to argon2_opslimit when that is above 10 */
	if (run("printf %s '" PW "' | argon2 SALTSALT -id -t 20 -m 3 -p 1 -e", v, sizeof(v))) {
		CHECK(sendsec_hash_verify(v, strlen(v), PW, 20, MEM, NULL, NULL) == SENDSEC_OK);
		check_unavailable_at(v, 19, MEM, "ARGON2");
		check_unavailable(v, "ARGON2");
	} else {
		CHECK(!"argon2 -t 20 vector");
	}
	/* m up to 256 MiB, or 4 x argon2_memlimit when that is more: computed, hence DENIED */
	check_computed_at(argon2_with(v, sizeof(v), "m=262144,t=1,p=1"), OPS, MEM);
	check_computed_at(argon2_with(v, sizeof(v), "m=270000,t=1,p=1"), OPS, 131072);

	/* Above the caps: UNAVAILABLE before any computation (these would run for minutes). */
	check_unavailable(argon2_with(v, sizeof(v), "m=8,t=11,p=1"), "ARGON2");
	check_unavailable(argon2_with(v, sizeof(v), "m=8,t=600,p=1"), "ARGON2");
	check_unavailable(argon2_with(v, sizeof(v), "m=65536,t=4294967295,p=1"), "ARGON2");
	check_unavailable(argon2_with(v, sizeof(v), "m=262145,t=1,p=1"), "ARGON2");
	check_unavailable(argon2_with(v, sizeof(v), "m=4194304,t=3,p=1"), "ARGON2");
	check_unavailable(argon2_with(v, sizeof(v), "m=4294967295,t=1,p=1"), "ARGON2");
	check_unavailable(argon2_with(v, sizeof(v), "m=136,t=1,p=17"), "ARGON2");
	check_unavailable(argon2_with(v, sizeof(v), "m=16777215,t=1,p=16777215"), "ARGON2");
	check_unavailable_at(argon2_with(v, sizeof(v), "m=270000,t=1,p=1"), OPS, MEM, "ARGON2");
	check_unavailable_at(argon2_with(v, sizeof(v), "m=524289,t=1,p=1"), OPS, 131072, "ARGON2");
	/* the bare PHC form and argon2i are capped alike */
	check_unavailable("$argon2id$v=19$m=8,t=600,p=1$" SALT16 "$" HASH32, "ARGON2");
	check_unavailable("$argon2i$v=19$m=4194304,t=3,p=1$" SALT16 "$" HASH32, "ARGON2");
}

static void test_crypt_cost_caps(void)
{
	/* 22 salt and 31 hash characters for bcrypt, 16 and 86 for sha512-crypt, 22 and 43 for
	 * yescrypt: the lengths crypt writes, so that a computed result is a plain mismatch. */
	static const char bf[] = "abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234";
	static const char sha[] =
			"saltsaltsaltsalt$"
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwx";
	static const char yes[] = "K7vUu47vD7tnkPSfKSrUu/$y/ELg2UIu4ujDyxqzeLpp5hYLZjRZSNNOWhArDxb8y.";
	char v[512];

	/* Tool output within the caps verifies: explicit rounds, bcrypt costs, yescrypt costs. */
	check_tool_vector("mkpasswd -m sha-512 -R 10000 '" PW "'", "{CRYPT}", "CRYPT");
	check_tool_vector("mkpasswd -m bcrypt -R 8 '" PW "'", "{CRYPT}", "CRYPT");
	check_tool_vector("mkpasswd -m yescrypt -R 1 '" PW "'", "{CRYPT}", "CRYPT");
	check_tool_vector("mkpasswd -m yescrypt -R 7 '" PW "'", "{CRYPT}", "CRYPT");
	/* At the caps: computed, hence DENIED (rounds 1000000, cost 14, yescrypt 256 MiB). */
	snprintf(v, sizeof(v), "{CRYPT}$6$rounds=1000000$%s", sha);
	check_computed_at(v, OPS, MEM);
	snprintf(v, sizeof(v), "{CRYPT}$2b$14$%s", bf);
	check_computed_at(v, OPS, MEM);
	snprintf(v, sizeof(v), "{CRYPT}$y$jDT$%s", yes);
	check_computed_at(v, OPS, MEM);

	/* Above the caps: UNAVAILABLE before any computation. */
	snprintf(v, sizeof(v), "{CRYPT}$6$rounds=1000001$%s", sha);
	check_unavailable(v, "CRYPT");
	snprintf(v, sizeof(v), "{CRYPT}$6$rounds=999999999$%s", sha);
	check_unavailable(v, "CRYPT");
	snprintf(v, sizeof(v), "{CRYPT}$6$rounds=18446744073709551617$%s", sha);
	check_unavailable(v, "CRYPT");
	snprintf(v, sizeof(v), "{CRYPT}$6$rounds=01000$%s", sha); /* crypt refuses leading zeros too */
	check_unavailable(v, "CRYPT");
	snprintf(v, sizeof(v), "{CRYPT}$2b$15$%s", bf);
	check_unavailable(v, "CRYPT");
	snprintf(v, sizeof(v), "{CRYPT}$2y$31$%s", bf);
	check_unavailable(v, "CRYPT");
	snprintf(v, sizeof(v), "{CRYPT}$y$jET$%s", yes); /* mkpasswd -R 10: 512 MiB */
	check_unavailable(v, "CRYPT");
	snprintf(v, sizeof(v), "{CRYPT}$y$jFT$%s", yes); /* mkpasswd -R 11: 1 GiB */
	check_unavailable(v, "CRYPT");
	snprintf(v, sizeof(v), "{CRYPT}$y$jJT$%s", yes); /* 16 GiB */
	check_unavailable(v, "CRYPT");
	snprintf(v, sizeof(v), "{CRYPT}$y$j9k$%s", yes); /* r = 49 takes two characters */
	check_unavailable(v, "CRYPT");
	snprintf(v, sizeof(v), "{CRYPT}$y$j9T5$%s", yes); /* extra parameters (p, t, ROM) */
	check_unavailable(v, "CRYPT");
}

/* In a child whose address space is capped, an argon2 run that cannot get its memory is
 * UNAVAILABLE for the right and the wrong password, not a mismatch; a smaller one still works. */
static void test_argon2_out_of_memory_is_unavailable(void)
{
	char big[SENDSEC_HASH_MAX], small[SENDSEC_HASH_MAX];
	int status = -1;
	pid_t pid;

	CHECK(sendsec_hash_make(PW, 1, 65536, big, sizeof(big)) == SENDSEC_OK);
	CHECK(sendsec_hash_make(PW, 1, 1024, small, sizeof(small)) == SENDSEC_OK);
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		unsigned long pages = 0;
		FILE *f = fopen("/proc/self/statm", "r");
		struct rlimit lim;
		enum sendsec_result right, wrong;

		if (f == NULL || fscanf(f, "%lu", &pages) != 1)
			_exit(2);
		fclose(f);
		/* what the process maps now, plus 32 MiB: not enough for 64 MiB, enough for 1 MiB */
		lim.rlim_cur = lim.rlim_max = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + (32u << 20);
		if (setrlimit(RLIMIT_AS, &lim) != 0)
			_exit(2);
		right = sendsec_hash_verify(big, strlen(big), PW, 1, 65536, NULL, NULL);
		wrong = sendsec_hash_verify(big, strlen(big), WRONG, 1, 65536, NULL, NULL);
		if (right != SENDSEC_UNAVAILABLE || wrong != SENDSEC_UNAVAILABLE) {
			fprintf(stderr, "64 MiB without memory: right %d wrong %d, want %d %d\n", (int)right,
					(int)wrong, SENDSEC_UNAVAILABLE, SENDSEC_UNAVAILABLE);
			_exit(1);
		}
		right = sendsec_hash_verify(small, strlen(small), PW, 1, 65536, NULL, NULL);
		wrong = sendsec_hash_verify(small, strlen(small), WRONG, 1, 65536, NULL, NULL);
		if (right != SENDSEC_OK || wrong != SENDSEC_DENIED) {
			fprintf(stderr, "1 MiB under the limit: right %d wrong %d, want %d %d\n", (int)right,
					(int)wrong, SENDSEC_OK, SENDSEC_DENIED);
			_exit(1);
		}
		_exit(0);
	}
	if (pid > 0)
		CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_unknown_and_bounds(void)
{
	char v[512], *big, *pw;
	const char *name = NULL;
	size_t n;

	check_unavailable("{FOO}bar", "unknown");
	check_unavailable("", "unknown");
	check_unavailable("{SSHA", "unknown");
	check_unavailable("{MD5}X03MO1qnZdYdgyfeuILPmQ==", "unknown");
	check_unavailable(PW, "unknown");                /* a cleartext value is never compared */
	check_unavailable("$6$saltsalt$abc", "unknown"); /* crypt without {CRYPT} */
	CHECK(sendsec_hash_verify(NULL, 0, PW, OPS, MEM, &name, NULL) == SENDSEC_UNAVAILABLE);
	CHECK_STR(name, "unknown");

	if (!run("slappasswd -h '{SSHA}' -s '" PW "'", v, sizeof(v))) {
		CHECK(!"SSHA vector");
		return;
	}
	n = strlen(v);
	/* an embedded NUL with len beyond it is malformed; up to the NUL the value is good */
	big = malloc(n + 8);
	CHECK(big != NULL);
	if (big != NULL) {
		memcpy(big, v, n);
		memcpy(big + n, "\0AAAA", 5);
		CHECK(sendsec_hash_verify(big, n, PW, OPS, MEM, NULL, NULL) == SENDSEC_OK);
		check_unavailable_n(big, n + 5, "SSHA");
		/* a NUL in the middle of the base64 */
		big[10] = '\0';
		check_unavailable_n(big, n, "SSHA");
		/* not NUL-terminated at all: the verifier must stop at len (ASan watches) */
		memcpy(big, v, n);
		CHECK(sendsec_hash_verify(big, n, PW, OPS, MEM, NULL, NULL) == SENDSEC_OK);
		free(big);
	}
	/* a stored value longer than 1024 bytes is unavailable */
	big = malloc(2048);
	CHECK(big != NULL);
	if (big != NULL) {
		memset(big, 'A', 2048);
		memcpy(big, "{SSHA}", 6);
		check_unavailable_n(big, 1028, "SSHA");
		free(big);
	}
	/* passwords: 4096 bytes is fine, 4097 is refused (DENIED, not a crash) */
	pw = malloc(4098);
	CHECK(pw != NULL);
	if (pw != NULL) {
		char h[SENDSEC_HASH_MAX];

		memset(pw, 'p', 4097);
		pw[4096] = '\0';
		CHECK(sendsec_hash_make(pw, 1, 8, h, sizeof(h)) == SENDSEC_OK);
		CHECK(sendsec_hash_verify(h, strlen(h), pw, 1, 8, NULL, NULL) == SENDSEC_OK);
		pw[4096] = 'p';
		pw[4097] = '\0';
		CHECK(sendsec_hash_verify(h, strlen(h), pw, 1, 8, NULL, NULL) == SENDSEC_DENIED);
		CHECK(sendsec_hash_verify(v, n, pw, OPS, MEM, NULL, NULL) == SENDSEC_DENIED);
		CHECK(sendsec_hash_make(pw, 1, 8, h, sizeof(h)) == SENDSEC_UNAVAILABLE);
		sendsec_hash_dummy_verify(pw, 1, 8);
		free(pw);
	}
}

static void test_make(void)
{
	char a[SENDSEC_HASH_MAX], b[SENDSEC_HASH_MAX], small[40];
	const char *name = NULL;
	bool rehash = true;

	CHECK(sendsec_hash_make(PW, 2, 4096, a, sizeof(a)) == SENDSEC_OK);
	CHECK(strncmp(a, "{ARGON2}$argon2id$v=19$m=4096,t=2,p=1$", 38) == 0);
	CHECK(sendsec_hash_verify(a, strlen(a), PW, 2, 4096, &name, &rehash) == SENDSEC_OK);
	CHECK_STR(name, "ARGON2");
	CHECK(!rehash);
	CHECK(sendsec_hash_verify(a, strlen(a), WRONG, 2, 4096, NULL, NULL) == SENDSEC_DENIED);
	/* configured cost raised: the fresh hash is now too weak */
	CHECK(sendsec_hash_verify(a, strlen(a), PW, 2, 8192, NULL, &rehash) == SENDSEC_OK);
	CHECK(rehash);
	CHECK(sendsec_hash_verify(a, strlen(a), PW, 3, 4096, NULL, &rehash) == SENDSEC_OK);
	CHECK(rehash);
	/* salted: the same password gives another hash, which verifies too */
	CHECK(sendsec_hash_make(PW, 2, 4096, b, sizeof(b)) == SENDSEC_OK);
	CHECK(strcmp(a, b) != 0);
	CHECK(sendsec_hash_verify(b, strlen(b), PW, 2, 4096, NULL, NULL) == SENDSEC_OK);
	/* at the default cost */
	CHECK(sendsec_hash_make(PW, OPS, MEM, a, sizeof(a)) == SENDSEC_OK);
	CHECK(strstr(a, "$m=65536,t=2,p=1$") != NULL);
	CHECK(verify(a, PW, NULL, &rehash) == SENDSEC_OK);
	CHECK(!rehash);
	/* refusals */
	CHECK(sendsec_hash_make(PW, 2, 4096, small, sizeof(small)) == SENDSEC_UNAVAILABLE);
	CHECK(small[0] == '\0');
	CHECK(sendsec_hash_make(PW, 0, 4096, a, sizeof(a)) == SENDSEC_UNAVAILABLE);
	CHECK(sendsec_hash_make(NULL, 2, 4096, a, sizeof(a)) == SENDSEC_UNAVAILABLE);
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_dummy_costs_like_a_real_verify(void)
{
	char h[SENDSEC_HASH_MAX];
	double t0, real, dummy, cheap;

	CHECK(sendsec_hash_make(PW, 2, 32768, h, sizeof(h)) == SENDSEC_OK);
	t0 = seconds();
	CHECK(sendsec_hash_verify(h, strlen(h), WRONG, 2, 32768, NULL, NULL) == SENDSEC_DENIED);
	real = seconds() - t0;
	t0 = seconds();
	sendsec_hash_dummy_verify(WRONG, 2, 32768);
	dummy = seconds() - t0;
	t0 = seconds();
	sendsec_hash_dummy_verify(WRONG, 1, 8);
	cheap = seconds() - t0;
	/* Loose bounds: the dummy runs argon2 at the asked cost, not a no-op. */
	CHECK(dummy > real * 0.3);
	CHECK(dummy < real * 3.0 + 0.05);
	CHECK(cheap < dummy);
}

/* sendsec_hash_verify_digest on stored: PW OK, WRONG DENIED (twice the same digest, another
 * wrong password another digest), each with a digest exactly when expect_set. */
static void check_digest(const char *stored, bool expect_set)
{
	struct sendsec_hash_digest d1, d2, d3;
	const char *name = NULL;
	bool rehash;

	CHECK_RESULT(sendsec_hash_verify_digest(stored, strlen(stored), PW, OPS, MEM, &name, &rehash, &d1), SENDSEC_OK);
	CHECK_EQ_INT(d1.is_set, expect_set);
	CHECK_RESULT(sendsec_hash_verify_digest(stored, strlen(stored), WRONG, OPS, MEM, NULL, NULL, &d1),
			SENDSEC_DENIED);
	CHECK_RESULT(sendsec_hash_verify_digest(stored, strlen(stored), WRONG, OPS, MEM, NULL, NULL, &d2),
			SENDSEC_DENIED);
	CHECK_RESULT(sendsec_hash_verify_digest(stored, strlen(stored), "another-wr0ng-one", OPS, MEM, NULL, NULL, &d3),
			SENDSEC_DENIED);
	CHECK_EQ_INT(d1.is_set, expect_set);
	CHECK_EQ_INT(d3.is_set, expect_set);
	if (expect_set) {
		CHECK(memcmp(d1.bytes, d2.bytes, sizeof(d1.bytes)) == 0);
		CHECK(memcmp(d1.bytes, d3.bytes, sizeof(d1.bytes)) != 0);
	}
	CHECK_RESULT(sendsec_hash_verify_digest(
				     "{ARGON2}$argon2id$v=19$m=4096,t=3,p=1$bad", 41, WRONG, OPS, MEM, NULL, NULL, &d1),
			SENDSEC_UNAVAILABLE);
	CHECK(!d1.is_set);
}

static void test_digests(void)
{
	char v[512];
	const char *tools[][2] = {
			/* 16-byte salts: libsodium's raw interface computes these (the tag path) */
			{"slappasswd -o module-load=argon2 -h '{ARGON2}' -s '" PW "'", "1"},
			{"printf %s '" PW "' | argon2 SALTSALTSALTSALT -id -t 2 -m 12 -p 1 -e", "1"},
			{"printf %s '" PW "' | argon2 SALTSALTSALTSALT -i -t 3 -m 12 -p 1 -e", "1"},
			{"slappasswd -h '{SSHA}' -s '" PW "'", "1"},
			{"mkpasswd -m yescrypt '" PW "'", "1"},
			/* what libsodium's raw interface cannot compute: verified, no digest */
			{"printf %s '" PW "' | argon2 SALTSALT -id -t 2 -m 12 -p 1 -e", "0"},
			{"printf %s '" PW "' | argon2 SALTSALTSALTSALT -id -t 2 -m 12 -p 4 -e", "0"},
	};

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		if (!run(tools[i][0], v, sizeof(v))) {
			CHECK(!"digest vector");
			continue;
		}
		if (strncmp(v, "$y$", 3) == 0) {
			memmove(v + 7, v, strlen(v) + 1);
			memcpy(v, "{CRYPT}", 7);
		}
		check_digest(v, tools[i][1][0] == '1');
	}
	CHECK(sendsec_hash_make(PW, 2, 4096, v, sizeof(v)) == SENDSEC_OK);
	check_digest(v, true);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_argon2_vectors();
	test_ssha_vectors();
	test_crypt_vectors();
	test_argon2_cost_caps();
	test_crypt_cost_caps();
	test_argon2_out_of_memory_is_unavailable();
	test_unknown_and_bounds();
	test_make();
	test_dummy_costs_like_a_real_verify();
	test_digests();
	return check_report(argv[0]);
}
