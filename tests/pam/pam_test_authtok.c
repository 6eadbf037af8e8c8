/* pam_test_authtok.c — a test-only PAM module standing in for an earlier module of a stack: in
 * auth (say pam_unix) it asks "First password: " and stores a non-empty answer as PAM_AUTHTOK,
 * which an application cannot set itself, and returns PAM_IGNORE; in the update pass of
 * chauthtok (say pam_pwquality) it asks "First new password: " and stores the answer as
 * PAM_AUTHTOK. Used by test_pam_module.c only. */
#include <security/pam_modules.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv);
int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv);
int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv);

/* Asks prompt; stores a non-empty answer as PAM_AUTHTOK. Non-zero when one was stored. */
static int store_answer(pam_handle_t *pamh, const char *prompt)
{
	const void *item = NULL;
	const struct pam_conv *conv;
	struct pam_message msg = {.msg_style = PAM_PROMPT_ECHO_OFF, .msg = prompt};
	const struct pam_message *msgs[1] = {&msg};
	struct pam_response *resp = NULL;
	int stored = 0;

	if (pam_get_item(pamh, PAM_CONV, &item) != PAM_SUCCESS || item == NULL)
		return 0;
	conv = item;
	if (conv->conv(1, msgs, &resp, conv->appdata_ptr) != PAM_SUCCESS || resp == NULL)
		return 0;
	if (resp[0].resp != NULL) {
		if (resp[0].resp[0] != '\0')
			stored = pam_set_item(pamh, PAM_AUTHTOK, resp[0].resp) == PAM_SUCCESS;
		sodium_memzero(resp[0].resp, strlen(resp[0].resp));
		free(resp[0].resp);
	}
	free(resp);
	return stored;
}

int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)flags;
	(void)argc;
	(void)argv;
	(void)store_answer(pamh, "First password: ");
	return PAM_IGNORE;
}

int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)argc;
	(void)argv;
	if (flags & PAM_PRELIM_CHECK)
		return PAM_SUCCESS;
	return store_answer(pamh, "First new password: ") ? PAM_SUCCESS : PAM_AUTHTOK_ERR;
}

int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}
