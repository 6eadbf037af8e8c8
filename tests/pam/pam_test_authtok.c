/* pam_test_authtok.c — a test-only PAM module standing in for an earlier module of a stack (say
 * pam_unix): it asks "First password: " and stores a non-empty answer as PAM_AUTHTOK, which an
 * application cannot set itself. Returns PAM_IGNORE. Used by test_pam_module.c only. */
#include <security/pam_modules.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv);
int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv);

int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const void *item = NULL;
	const struct pam_conv *conv;
	struct pam_message msg = {.msg_style = PAM_PROMPT_ECHO_OFF, .msg = "First password: "};
	const struct pam_message *msgs[1] = {&msg};
	struct pam_response *resp = NULL;

	(void)flags;
	(void)argc;
	(void)argv;
	if (pam_get_item(pamh, PAM_CONV, &item) != PAM_SUCCESS || item == NULL)
		return PAM_IGNORE;
	conv = item;
	if (conv->conv(1, msgs, &resp, conv->appdata_ptr) != PAM_SUCCESS || resp == NULL)
		return PAM_IGNORE;
	if (resp[0].resp != NULL) {
		if (resp[0].resp[0] != '\0')
			(void)pam_set_item(pamh, PAM_AUTHTOK, resp[0].resp);
		sodium_memzero(resp[0].resp, strlen(resp[0].resp));
		free(resp[0].resp);
	}
	free(resp);
	return PAM_IGNORE;
}

int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}
