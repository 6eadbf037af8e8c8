/* pam_sendsec.c — the Linux-PAM module: translates PAM items, module arguments and the
 * conversation into calls of the sendsec engine (common/engine.h) and engine results into PAM
 * codes, in one function. Prompts and messages go through Linux-PAM's own helpers (pam_prompt,
 * pam_get_authtok and its _noverify/_verify, pam_error). A context is created per call (no state between calls, no
 * globals), with the root-owned config check always on. Every password we copy is wiped before
 * it is freed. The module asks for no failure delay: that is the stack's (pam_faildelay). */
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdarg.h>
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
	/* Linux-PAM's pam_get_authtok reads use_first_pass and use_authtok from argv itself. */
	bool use_first_pass, try_first_pass, use_authtok, debug;
	const char *overrides[MAX_OVERRIDES]; /* key=value, checked by the engine */
	size_t n_overrides;
};

/* The state of one PAM call; the log sink and the prompt callback point at it. */
struct call {
	pam_handle_t *pamh;
	int flags;
	struct options opt;
	struct sendsec_ctx *ctx;
	const struct sendsec_settings *settings;
	const char *service;
	const char *rhost;
	int code_prompt_rc; /* the conversation's answer at the engine's code prompt */
};

/* The one mapping of engine results to PAM codes (DESIGN.md section 2). In the authenticate
 * phase a required password change is a success: acct_mgmt reports it. The password phase
 * answers only with the codes of pam_sm_chauthtok(3): "could not decide" is PAM_TRY_AGAIN. */
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
	case SENDSEC_UNAVAILABLE: break;
	}
	/* fail closed on anything unexpected */
	return phase == PHASE_PASSWORD ? PAM_TRY_AGAIN : PAM_AUTHINFO_UNAVAIL;
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

/* Shows an error message unless the application asked for silence. */
__attribute__((format(printf, 2, 3))) static void tell(const struct call *c, const char *fmt, ...)
{
	va_list ap;

	if (c->flags & PAM_SILENT)
		return;
	va_start(ap, fmt);
	(void)pam_vprompt(c->pamh, PAM_ERROR_MSG, NULL, fmt, ap);
	va_end(ap);
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
		} else if (strcmp(a, "use_authtok") == 0) {
			opt->use_authtok = true;
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
 * of the service. Returns false for a broken configuration (logged); call_end either way. */
static bool call_begin(struct call *c, pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct sendsec_log log = {emit, c, SENDSEC_LOG_ERROR};
	const void *item = NULL;
	char err[512];

	memset(c, 0, sizeof(*c));
	c->pamh = pamh;
	c->flags = flags;
	c->code_prompt_rc = PAM_SUCCESS;
	if (!parse_options(pamh, argc, argv, &c->opt))
		return false;
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
		return false; /* the engine logged why */
	if ((c->settings = sendsec_ctx_settings(c->ctx, c->service, err, sizeof(err))) == NULL) {
		pam_syslog(pamh, LOG_ERR, "service %s: %s", c->service != NULL ? c->service : "other", err);
		return false;
	}
	return true;
}

static void call_end(struct call *c)
{
	sendsec_ctx_free(c->ctx);
	c->ctx = NULL;
}

/* The engine's second-factor prompt, asked through the conversation. */
static enum sendsec_result ask(void *arg, const char *prompt, char **answer_out)
{
	struct call *c = arg;

	c->code_prompt_rc = pam_prompt(c->pamh, PAM_PROMPT_ECHO_OFF, answer_out, "%s", prompt);
	if (c->code_prompt_rc == PAM_SUCCESS && *answer_out != NULL)
		return SENDSEC_OK;
	secret_free(*answer_out); /* a failed conversation may still have answered */
	*answer_out = NULL;
	return SENDSEC_DENIED;
}

/* The password of the authenticate phase: PAM_AUTHTOK when reuse is true and an earlier module
 * stored it (*stored_out true), else typed at "Password: " and stored as PAM_AUTHTOK. Under
 * use_first_pass nothing is typed: without a stored one, *pw_out stays NULL and the engine
 * refuses the attempt (with its audit line). Returns PAM_SUCCESS or the conversation's code.
 * Not pam_get_authtok: it reports every failed conversation as PAM_AUTHTOK_ERR, and the
 * application's PAM_CONV_AGAIN must become PAM_INCOMPLETE. */
static int read_password(const struct call *c, bool reuse, const char **pw_out, bool *stored_out)
{
	const void *item = NULL;
	char *typed = NULL;
	int rc;

	*pw_out = NULL;
	*stored_out = false;
	if (reuse && pam_get_item(c->pamh, PAM_AUTHTOK, &item) == PAM_SUCCESS && item != NULL) {
		*pw_out = item;
		*stored_out = true;
		return PAM_SUCCESS;
	}
	if (c->opt.use_first_pass)
		return PAM_SUCCESS;
	rc = pam_prompt(c->pamh, PAM_PROMPT_ECHO_OFF, &typed, "%s", "Password: ");
	if (rc == PAM_SUCCESS && typed == NULL)
		rc = PAM_CONV_ERR;
	if (rc == PAM_SUCCESS)
		rc = pam_set_item(c->pamh, PAM_AUTHTOK, typed);
	if (rc == PAM_SUCCESS)
		rc = pam_get_item(c->pamh, PAM_AUTHTOK, &item);
	if (rc == PAM_SUCCESS)
		*pw_out = item;
	secret_free(typed);
	return rc;
}

/* A conversation that failed in the authenticate phase: the application that is not ready
 * (PAM_CONV_AGAIN) calls pam_authenticate again, which starts this module over. */
static int conversation_failed(int rc)
{
	return rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : PAM_CONV_ERR;
}

EXPORT int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct call c;
	struct sendsec_request req = {.ask = ask, .ask_arg = &c};
	struct sendsec_outcome out;
	enum sendsec_result r;
	bool stored;
	int rc;

	if (!call_begin(&c, pamh, flags, argc, argv)) {
		rc = pam_code(SENDSEC_UNAVAILABLE, PHASE_AUTH);
		goto out;
	}
	if ((rc = pam_get_user(pamh, &req.user, NULL)) != PAM_SUCCESS || req.user == NULL) {
		rc = rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : PAM_USER_UNKNOWN;
		goto out;
	}
	req.service = c.service;
	req.rhost = c.rhost;
	rc = read_password(&c, c.opt.use_first_pass || c.opt.try_first_pass, &req.password, &stored);
	if (rc != PAM_SUCCESS) {
		rc = conversation_failed(rc);
		goto out;
	}
	r = sendsec_authenticate(c.ctx, &req, &out);
	/* try_first_pass: an earlier module's password that is refused is asked for once more, for
	 * an unknown name too, so that the number of prompts does not tell who exists. */
	if ((r == SENDSEC_DENIED || r == SENDSEC_UNKNOWN_USER) && stored && c.opt.try_first_pass &&
			c.code_prompt_rc == PAM_SUCCESS) {
		if ((rc = read_password(&c, false, &req.password, &stored)) != PAM_SUCCESS) {
			rc = conversation_failed(rc);
			goto out;
		}
		r = sendsec_authenticate(c.ctx, &req, &out);
	}
	rc = c.code_prompt_rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : pam_code(r, PHASE_AUTH);
	/* API-key logins name the account, not "apikey": PAM_USER becomes the account. */
	if (rc == PAM_SUCCESS && out.account[0] != '\0' && strcmp(out.account, req.user) != 0 &&
			pam_set_item(pamh, PAM_USER, out.account) != PAM_SUCCESS)
		rc = pam_code(SENDSEC_UNAVAILABLE, PHASE_AUTH);
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

	if (!call_begin(&c, pamh, flags, argc, argv)) {
		rc = pam_code(SENDSEC_UNAVAILABLE, PHASE_ACCOUNT);
		goto out;
	}
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

/* The current password: PAM_OLDAUTHTOK when set (by our preliminary pass or an earlier module),
 * else asked at "Current password: " and stored there; under use_first_pass never asked.
 * Returns PAM_SUCCESS or PAM_AUTHTOK_RECOVERY_ERR. */
static int current_password(const struct call *c, const char **pw_out)
{
	return pam_get_authtok(c->pamh, PAM_OLDAUTHTOK, pw_out, "Current password: ") == PAM_SUCCESS
			? PAM_SUCCESS
			: PAM_AUTHTOK_RECOVERY_ERR;
}

/* The new password: an earlier module's PAM_AUTHTOK (pam_pwquality's), else asked twice with
 * Linux-PAM's prompts and mismatch message; under use_authtok and use_first_pass never asked
 * (pam_get_authtok_noverify reads them from argv). Not pam_get_authtok, which asks twice too:
 * Linux-PAM 1.5.2 (Debian 12) leaks the first answer, unwiped, when the retype prompt fails
 * (fixed in 1.5.3). Returns PAM_SUCCESS or PAM_AUTHTOK_ERR (also for a mistyped retype). */
static int new_password(const struct call *c, const char **pw_out)
{
	const void *item = NULL;
	bool stored = pam_get_item(c->pamh, PAM_AUTHTOK, &item) == PAM_SUCCESS && item != NULL;

	if (pam_get_authtok_noverify(c->pamh, pw_out, NULL) != PAM_SUCCESS)
		return PAM_AUTHTOK_ERR;
	if (!stored && pam_get_authtok_verify(c->pamh, pw_out, NULL) != PAM_SUCCESS)
		return PAM_AUTHTOK_ERR;
	return PAM_SUCCESS;
}

/* The preliminary pass: the directory answers and knows the account, and a change is due when
 * only expired passwords are to be changed. Then the current password is asked for here, as
 * pam_unix does, so that it comes before the new one that a module such as pam_pwquality asks
 * for in the update pass. */
static int chauthtok_prelim(struct call *c, const char *user)
{
	struct sendsec_outcome out;
	enum sendsec_result r = sendsec_account_check(c->ctx, c->service, user, c->rhost, &out);
	const char *old_pw = NULL;

	if (r == SENDSEC_UNAVAILABLE || r == SENDSEC_UNKNOWN_USER)
		return pam_code(r, PHASE_PASSWORD);
	if ((c->flags & PAM_CHANGE_EXPIRED_AUTHTOK) && r == SENDSEC_OK)
		return PAM_SUCCESS; /* nothing is due: the update pass changes nothing */
	return current_password(c, &old_pw);
}

/* The update pass: the current password (always required, also for root), the new one, then
 * the change. */
static int chauthtok_update(struct call *c, const char *user)
{
	struct sendsec_outcome out;
	const char *old_pw = NULL, *new_pw = NULL;
	int rc;

	if ((c->flags & PAM_CHANGE_EXPIRED_AUTHTOK) &&
			sendsec_account_check(c->ctx, c->service, user, c->rhost, &out) == SENDSEC_OK)
		return PAM_SUCCESS; /* only expired passwords were to be changed, and this one is not */
	if ((rc = current_password(c, &old_pw)) != PAM_SUCCESS)
		return rc;
	if ((rc = new_password(c, &new_pw)) != PAM_SUCCESS)
		return rc;
	rc = pam_code(sendsec_change_password(c->ctx, c->service, user, old_pw, new_pw, &out), PHASE_PASSWORD);
	if (out.reason == SENDSEC_REASON_PASSWORD_TOO_SHORT)
		tell(c, "Password too short (minimum %d)", c->settings->password_min_length);
	return rc;
}

EXPORT int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct call c;
	const char *user = NULL;
	int rc;

	if (!call_begin(&c, pamh, flags, argc, argv)) {
		rc = pam_code(SENDSEC_UNAVAILABLE, PHASE_PASSWORD);
		goto out;
	}
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL) {
		rc = PAM_USER_UNKNOWN;
		goto out;
	}
	if (flags & PAM_PRELIM_CHECK)
		rc = chauthtok_prelim(&c, user);
	else if (flags & PAM_UPDATE_AUTHTOK)
		rc = chauthtok_update(&c, user);
	else
		rc = pam_code(SENDSEC_UNAVAILABLE, PHASE_PASSWORD); /* libpam always sets one of them */
out:
	call_end(&c);
	return rc;
}
