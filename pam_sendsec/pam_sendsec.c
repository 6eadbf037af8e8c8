/* pam_sendsec.c — the Linux-PAM module: translates PAM items, module arguments and the
 * conversation into calls of the sendsec engine (common/engine.h) and engine results into PAM
 * codes, in one function. A context is created per call (no state between calls, no globals),
 * with the root-owned config check always on. Every password we copy is wiped before it is freed. */
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "engine.h"
#include "secret.h"

#define EXPORT        __attribute__((visibility("default")))
#define MAX_OVERRIDES 32

enum phase { PHASE_AUTH, PHASE_ACCOUNT, PHASE_PASSWORD };

struct options {
	const char *config;  /* config=PATH, NULL: the default path */
	const char *service; /* service=NAME, NULL: PAM_SERVICE */
	bool use_first_pass, try_first_pass, debug;
	const char *overrides[MAX_OVERRIDES]; /* key=value, checked by the engine */
	size_t n_overrides;
};

/* The state of one PAM call; the log sink points at it. */
struct call {
	pam_handle_t *pamh;
	int flags;
	struct options opt;
	struct sendsec_ctx *ctx;
	const struct sendsec_settings *settings;
	const char *service;
	const char *rhost;
};

/* The one mapping of engine results to PAM codes (DESIGN.md section 2). In the authenticate
 * phase a required password change is a success: acct_mgmt reports it. */
static int pam_code(enum sendsec_result r, enum phase phase)
{
	switch (r) {
	case SENDSEC_OK: return PAM_SUCCESS;
	case SENDSEC_DENIED: return phase == PHASE_PASSWORD ? PAM_AUTHTOK_ERR : PAM_AUTH_ERR;
	case SENDSEC_UNKNOWN_USER: return PAM_USER_UNKNOWN;
	case SENDSEC_CHANGE_REQUIRED:
		return phase == PHASE_AUTH               ? PAM_SUCCESS
				: phase == PHASE_ACCOUNT ? PAM_NEW_AUTHTOK_REQD
							 : PAM_AUTHTOK_ERR;
	case SENDSEC_UNAVAILABLE: return PAM_AUTHINFO_UNAVAIL;
	}
	return PAM_AUTHINFO_UNAVAIL; /* fail closed on anything unexpected */
}

static void emit(void *arg, enum sendsec_log_level level, const char *line)
{
	const struct call *c = arg;

	pam_syslog(c->pamh,
			level == SENDSEC_LOG_ERROR                  ? LOG_ERR
					: level == SENDSEC_LOG_INFO ? LOG_INFO
								    : LOG_DEBUG,
			"%s", line);
}

/* Parses the module arguments. Returns false (logged) on an argument we do not understand:
 * a silently ignored option is a misconfiguration nobody notices. */
static bool parse_options(pam_handle_t *pamh, int argc, const char **argv, struct options *opt)
{
	memset(opt, 0, sizeof(*opt));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');

		if (strcmp(a, "use_first_pass") == 0) {
			opt->use_first_pass = true;
		} else if (strcmp(a, "try_first_pass") == 0) {
			opt->try_first_pass = true;
		} else if (strcmp(a, "debug") == 0) {
			opt->debug = true;
		} else if (strncmp(a, "config=", 7) == 0 && a[7] != '\0') {
			opt->config = a + 7;
		} else if (strncmp(a, "service=", 8) == 0 && a[8] != '\0') {
			opt->service = a + 8;
		} else if (eq != NULL && eq != a && opt->n_overrides < MAX_OVERRIDES) {
			opt->overrides[opt->n_overrides++] = a;
		} else {
			pam_syslog(pamh, LOG_ERR, "bad module argument %d: \"%s\"%s", i + 1, a,
					eq != NULL && eq != a ? " (too many key=value arguments)" : "");
			return false;
		}
	}
	return true;
}

/* Parses the arguments, reads the PAM items and creates the engine context with the settings
 * of the service. Returns PAM_SUCCESS, or PAM_AUTHINFO_UNAVAIL for a broken configuration. */
static int call_begin(struct call *c, pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct sendsec_log log = {emit, c, SENDSEC_LOG_ERROR};
	const void *item = NULL;
	char err[512];

	memset(c, 0, sizeof(*c));
	c->pamh = pamh;
	c->flags = flags;
	if (!parse_options(pamh, argc, argv, &c->opt))
		return PAM_AUTHINFO_UNAVAIL;
	/* The engine raises this to each service's log_level; debug asks for everything. */
	if (c->opt.debug)
		log.max_level = SENDSEC_LOG_DEBUG;
	if (pam_get_item(pamh, PAM_SERVICE, &item) == PAM_SUCCESS)
		c->service = item;
	if (c->opt.service != NULL)
		c->service = c->opt.service;
	item = NULL;
	if (pam_get_item(pamh, PAM_RHOST, &item) == PAM_SUCCESS && item != NULL && ((const char *)item)[0] != '\0')
		c->rhost = item;
	if (sendsec_ctx_new(c->opt.config, true, c->opt.overrides, c->opt.n_overrides, &log, &c->ctx, err,
			    sizeof(err)) != SENDSEC_OK)
		return PAM_AUTHINFO_UNAVAIL; /* the engine logged why */
	if ((c->settings = sendsec_ctx_settings(c->ctx, c->service, err, sizeof(err))) == NULL) {
		pam_syslog(pamh, LOG_ERR, "service %s: %s", c->service != NULL ? c->service : "other", err);
		return PAM_AUTHINFO_UNAVAIL;
	}
	return PAM_SUCCESS;
}

static void call_end(struct call *c)
{
	sendsec_ctx_free(c->ctx);
	c->ctx = NULL;
}

/* One conversation round. On PAM_SUCCESS *answer_out is the malloc'd reply (wipe it with
 * secret_free), or NULL for message styles that take none. */
static int converse(pam_handle_t *pamh, int style, const char *text, char **answer_out)
{
	const void *item = NULL;
	const struct pam_conv *conv;
	struct pam_message msg = {.msg_style = style, .msg = text};
	const struct pam_message *msgs[1] = {&msg};
	struct pam_response *resp = NULL;
	bool wants_answer = style == PAM_PROMPT_ECHO_OFF || style == PAM_PROMPT_ECHO_ON;
	int rc;

	*answer_out = NULL;
	if (pam_get_item(pamh, PAM_CONV, &item) != PAM_SUCCESS || item == NULL)
		return PAM_CONV_ERR;
	conv = item;
	if (conv->conv == NULL)
		return PAM_CONV_ERR;
	rc = conv->conv(1, msgs, &resp, conv->appdata_ptr);
	if (rc == PAM_SUCCESS && wants_answer && (resp == NULL || resp[0].resp == NULL))
		rc = PAM_CONV_ERR;
	if (rc == PAM_SUCCESS && wants_answer) {
		*answer_out = resp[0].resp;
		resp[0].resp = NULL;
	}
	if (resp != NULL) {
		secret_free(resp[0].resp);
		free(resp);
	}
	return rc;
}

/* Shows an error message unless the application asked for silence. */
static void tell(const struct call *c, const char *text)
{
	char *ignored = NULL;

	if (c->flags & PAM_SILENT)
		return;
	(void)converse(c->pamh, PAM_ERROR_MSG, text, &ignored);
	secret_free(ignored);
}

/* The engine's second-factor prompt, asked through the conversation. */
static enum sendsec_result ask(void *arg, const char *prompt, char **answer_out)
{
	const struct call *c = arg;

	return converse(c->pamh, PAM_PROMPT_ECHO_OFF, prompt, answer_out) == PAM_SUCCESS ? SENDSEC_OK : SENDSEC_DENIED;
}

enum source { ASK, ITEM_OR_ASK, ITEM_ONLY };

/* Points *tok_out at PAM's copy of the token item (PAM_AUTHTOK or PAM_OLDAUTHTOK): the stored
 * item (ITEM_*), else what the person types at prompt, which is then stored as the item.
 * ITEM_ONLY without an item leaves *tok_out NULL and returns PAM_SUCCESS. */
static int get_token(const struct call *c, int item_type, enum source src, const char *prompt, const char **tok_out)
{
	const void *item = NULL;
	char *typed = NULL;
	int rc;

	*tok_out = NULL;
	if (src != ASK && pam_get_item(c->pamh, item_type, &item) == PAM_SUCCESS && item != NULL) {
		*tok_out = item;
		return PAM_SUCCESS;
	}
	if (src == ITEM_ONLY)
		return PAM_SUCCESS;
	rc = converse(c->pamh, PAM_PROMPT_ECHO_OFF, prompt, &typed);
	if (rc == PAM_SUCCESS)
		rc = pam_set_item(c->pamh, item_type, typed);
	if (rc == PAM_SUCCESS)
		rc = pam_get_item(c->pamh, item_type, &item);
	if (rc == PAM_SUCCESS)
		*tok_out = item;
	secret_free(typed);
	return rc;
}

/* Asks for the new password twice and stores it as PAM_AUTHTOK; a mismatch is PAM_AUTHTOK_ERR. */
static int ask_new_password(const struct call *c, const char **tok_out)
{
	char *first = NULL, *second = NULL;
	const void *item = NULL;
	int rc;

	*tok_out = NULL;
	rc = converse(c->pamh, PAM_PROMPT_ECHO_OFF, "New password: ", &first);
	if (rc != PAM_SUCCESS)
		goto out;
	rc = converse(c->pamh, PAM_PROMPT_ECHO_OFF, "Retype new password: ", &second);
	if (rc != PAM_SUCCESS)
		goto out;
	if (!secret_streq(first, second)) {
		tell(c, "Passwords do not match");
		rc = PAM_AUTHTOK_ERR;
		goto out;
	}
	rc = pam_set_item(c->pamh, PAM_AUTHTOK, first);
	if (rc == PAM_SUCCESS)
		rc = pam_get_item(c->pamh, PAM_AUTHTOK, &item);
	if (rc == PAM_SUCCESS)
		*tok_out = item;
out:
	secret_free(first);
	secret_free(second);
	return rc;
}

EXPORT int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct call c;
	struct sendsec_request req = {.ask = ask, .ask_arg = &c};
	struct sendsec_outcome out;
	enum source src;
	int rc;

	rc = call_begin(&c, pamh, flags, argc, argv);
	if (rc != PAM_SUCCESS)
		goto out;
	if ((rc = pam_get_user(pamh, &req.user, NULL)) != PAM_SUCCESS || req.user == NULL) {
		rc = rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : PAM_USER_UNKNOWN;
		goto out;
	}
	src = c.opt.use_first_pass ? ITEM_ONLY : c.opt.try_first_pass ? ITEM_OR_ASK : ASK;
	if ((rc = get_token(&c, PAM_AUTHTOK, src, "Password: ", &req.password)) != PAM_SUCCESS)
		goto out;
	req.service = c.service;
	req.rhost = c.rhost;
	rc = pam_code(sendsec_authenticate(c.ctx, &req, &out), PHASE_AUTH);
	/* API-key logins name the account, not "apikey": PAM_USER becomes the account. */
	if (rc == PAM_SUCCESS && out.account[0] != '\0' && strcmp(out.account, req.user) != 0 &&
			pam_set_item(pamh, PAM_USER, out.account) != PAM_SUCCESS)
		rc = PAM_SERVICE_ERR;
out:
	call_end(&c);
	return rc;
}

EXPORT int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}

EXPORT int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct call c;
	struct sendsec_outcome out;
	const void *user = NULL;
	int rc;

	rc = call_begin(&c, pamh, flags, argc, argv);
	if (rc != PAM_SUCCESS)
		goto out;
	if (pam_get_item(pamh, PAM_USER, &user) != PAM_SUCCESS || user == NULL) {
		rc = PAM_USER_UNKNOWN;
		goto out;
	}
	rc = pam_code(sendsec_account_check(c.ctx, c.service, user, c.rhost, &out), PHASE_ACCOUNT);
	if (rc == PAM_NEW_AUTHTOK_REQD)
		tell(&c, "You are required to change your password immediately");
out:
	call_end(&c);
	return rc;
}

/* The update pass of chauthtok: old password (always required, also for root), new one twice. */
static int change_password(struct call *c, const char *user)
{
	struct sendsec_outcome out;
	const char *old_pw = NULL, *new_pw = NULL;
	enum source old_src = c->opt.use_first_pass ? ITEM_ONLY : c->opt.try_first_pass ? ITEM_OR_ASK : ASK;
	char msg[64];
	int rc;

	rc = get_token(c, PAM_OLDAUTHTOK, old_src, "Current password: ", &old_pw);
	if (rc == PAM_SUCCESS && old_pw == NULL)
		rc = PAM_AUTHTOK_RECOVERY_ERR;
	if (rc != PAM_SUCCESS)
		return rc;
	if (c->opt.use_first_pass)
		rc = get_token(c, PAM_AUTHTOK, ITEM_ONLY, NULL, &new_pw);
	else
		rc = ask_new_password(c, &new_pw);
	if (rc == PAM_SUCCESS && new_pw == NULL)
		rc = PAM_AUTHTOK_ERR;
	if (rc != PAM_SUCCESS)
		return rc;
	rc = pam_code(sendsec_change_password(c->ctx, c->service, user, old_pw, new_pw, &out), PHASE_PASSWORD);
	if (out.reason == SENDSEC_REASON_PASSWORD_TOO_SHORT) {
		snprintf(msg, sizeof(msg), "Password too short (minimum %d)", c->settings->password_min_length);
		tell(c, msg);
	}
	return rc;
}

/* False only when the engine says the account is fine as it is (no reset pending). */
static bool change_is_due(struct call *c, const char *user)
{
	struct sendsec_outcome out;

	return sendsec_account_check(c->ctx, c->service, user, c->rhost, &out) != SENDSEC_OK;
}

EXPORT int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct call c;
	const char *user = NULL;
	int rc;

	/* Both passes check the configuration; only the update pass touches the directory. */
	rc = call_begin(&c, pamh, flags, argc, argv);
	if (rc != PAM_SUCCESS || (flags & PAM_PRELIM_CHECK))
		goto out;
	if (!(flags & PAM_UPDATE_AUTHTOK)) {
		rc = PAM_SERVICE_ERR;
		goto out;
	}
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL) {
		rc = PAM_USER_UNKNOWN;
		goto out;
	}
	if ((flags & PAM_CHANGE_EXPIRED_AUTHTOK) && !change_is_due(&c, user)) {
		rc = PAM_SUCCESS; /* only expired tokens were to be changed, and this one is not */
		goto out;
	}
	rc = change_password(&c, user);
out:
	call_end(&c);
	return rc;
}
