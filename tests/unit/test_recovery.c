/* test_recovery.c — recovery codes: format and normalisation, the appended-tail rule (a TOTP code
 * never matches it), generation, stored values found by index and verified once. */
#include <sodium.h>
#include <string.h>

#include "check.h"
#include "recovery.h"

#define OPS 1
#define MEM 8192

int main(int argc, char **argv)
{
	char printed[SENDSEC_RECOVERY_PRINTED_LEN + 1], norm[SENDSEC_RECOVERY_NORM_LEN + 1], out[17];
	char stored[SENDSEC_RECOVERY_STORED_MAX], other[SENDSEC_RECOVERY_STORED_MAX];
	struct sendsec_val vals[2];

	(void)argc;
	CHECK(sodium_init() >= 0);

	/* Normalisation: case, dashes and spaces are ignored; anything else is not a code. */
	CHECK(sendsec_recovery_normalize("abcd-efgh-ijkl-mn23", out) && strcmp(out, "abcdefghijklmn23") == 0);
	CHECK(sendsec_recovery_normalize("ABCD EFGH IJKL MN23", out) && strcmp(out, "abcdefghijklmn23") == 0);
	CHECK(sendsec_recovery_normalize("abcdefghijklmn23", out));
	CHECK(!sendsec_recovery_normalize("abcd-efgh-ijkl-mn2", out) && out[0] == '\0');
	CHECK(!sendsec_recovery_normalize("abcd-efgh-ijkl-mn234", out));
	CHECK(!sendsec_recovery_normalize("abcd-efgh-ijkl-mn01", out)); /* 0, 1 are not base32 */
	CHECK(!sendsec_recovery_normalize("123456", out));
	CHECK(!sendsec_recovery_normalize("", out));
	CHECK(!sendsec_recovery_normalize(NULL, out));

	/* Tail: only the printed form, at the very end. */
	CHECK_EQ_INT(sendsec_recovery_tail("pw-Passw0rd!abcd-efgh-ijkl-mn23"), 19);
	CHECK_EQ_INT(sendsec_recovery_tail("abcd-efgh-ijkl-mn23"), 19);
	CHECK_EQ_INT(sendsec_recovery_tail("pw-Passw0rd!abcdefghijklmn23"), 0);
	CHECK_EQ_INT(sendsec_recovery_tail("pwabcd-efgh-ijkl-mn23x"), 0);
	CHECK_EQ_INT(sendsec_recovery_tail("abcd-efgh-ijkl-234567"), 0); /* ends in a TOTP code */
	CHECK_EQ_INT(sendsec_recovery_tail("short"), 0);
	CHECK_EQ_INT(sendsec_recovery_tail(NULL), 0);

	/* Generation: printed form with dashes, normalised form equal to it without them. */
	for (int i = 0; i < 100; i++) {
		sendsec_recovery_generate(printed, norm);
		CHECK(strlen(printed) == 19 && printed[4] == '-' && printed[9] == '-' && printed[14] == '-');
		CHECK(sendsec_recovery_normalize(printed, out) && strcmp(out, norm) == 0);
		CHECK_EQ_INT(sendsec_recovery_tail(printed), 19);
	}

	/* Stored value: "<index>$<hash>", found by index, verified once. */
	CHECK_RESULT(sendsec_recovery_store(norm, OPS, MEM, stored, sizeof(stored)), SENDSEC_OK);
	CHECK(memcmp(stored, norm, 4) == 0 && stored[4] == '$' && strncmp(stored + 5, "{ARGON2}$argon2id$", 18) == 0);
	CHECK(strstr(stored, norm + 4) == NULL);
	CHECK_RESULT(sendsec_recovery_store(norm, OPS, MEM, stored, 10), SENDSEC_UNAVAILABLE);
	snprintf(other, sizeof(other), "zzzz$%s", stored + 5);
	vals[0] = (struct sendsec_val){other, strlen(other)};
	vals[1] = (struct sendsec_val){stored, strlen(stored)};
	if (memcmp(norm, "zzzz", 4) != 0) /* 1 in 2^20: the index would collide with the decoy */
		CHECK(sendsec_recovery_find(vals, 2, norm) == &vals[1]);
	CHECK(sendsec_recovery_find(vals, 1, "aaaabbbbccccdddd") == NULL);
	CHECK_RESULT(sendsec_recovery_verify(&vals[1], norm, OPS, MEM), SENDSEC_OK);
	memcpy(out, norm, sizeof(out));
	out[15] = out[15] == 'a' ? 'b' : 'a';
	CHECK_RESULT(sendsec_recovery_verify(&vals[1], out, OPS, MEM), SENDSEC_DENIED);
	vals[0] = (struct sendsec_val){"abcd$garbage", 12};
	CHECK_RESULT(sendsec_recovery_verify(&vals[0], norm, OPS, MEM), SENDSEC_UNAVAILABLE);
	vals[0] = (struct sendsec_val){"abcd", 4};
	CHECK_RESULT(sendsec_recovery_verify(&vals[0], norm, OPS, MEM), SENDSEC_UNAVAILABLE);
	return check_report(argv[0]);
}
