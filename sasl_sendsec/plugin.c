/* plugin.c — libsendsec.so, the Cyrus SASL server plugin: mechanisms PLAIN and LOGIN whose
 * credentials go to the sendsec engine. It reads the SASL options sendsec_config and
 * sendsec_service once, loads the configuration (and the service's secrets) in
 * sasl_server_plug_init while the application is still root, and keeps one engine context
 * guarded by a mutex of its own: libsasl2's default mutex functions do nothing unless the
 * application calls sasl_set_mutex, which threaded hosts rarely do. Parsing lives in message.c;
 * policy and the audit line are the engine's. A configuration that cannot be loaded still
 * registers the mechanisms, which then answer SASL_UNAVAIL: failing closed instead of letting
 * libplain answer for the same names. */
#include <pthread.h>
#include <sasl/sasl.h>
#include <sasl/saslplug.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "message.h"

/* Ranks our PLAIN and LOGIN above libplain/liblogin, whose flags are otherwise the same:
 * Cyrus sorts mechanisms of one name by security flags, then max_ssf, then hash strength, and
 * uses the first (DESIGN.md section 9). */
#define SECURITY_FLAGS (SASL_SEC_NOANONYMOUS | SASL_SEC_PASS_CREDENTIALS | SASL_SET_HASH_STRENGTH_BITS(256))

#define RHOST_MAX 64

/* The one global state of the plugin: created by the first sasl_server_plug_init, released by
 * the mech_free of the last registered mechanism. */
struct plugin {
	const sasl_utils_t *utils;      /* the library's global utils, valid until sasl_server_done */
	const sasl_utils_t *conn_utils; /* during a decision (under mutex): the connection's utils */
	pthread_mutex_t mutex;          /* guards ctx and conn_utils: one directory handle per service */
	bool has_mutex;                 /* mutex was initialised */
	struct sendsec_ctx *ctx;        /* NULL: configuration refused, every step answers SASL_UNAVAIL */
	char *service;                  /* sendsec_service, or NULL: use the SASL service name */
	int log_level;                  /* enum sendsec_log_level: the configuration's log_level */
	int refs;                       /* one per registered mechanism */
	char load_error[768];           /* why ctx is NULL, repeated with every refusal */
};

static struct plugin *plugin_state;

struct mech_conn {
	struct plugin *p;
	bool prompted;          /* PLAIN: the empty challenge was sent */
	struct msg_login login; /* LOGIN: the exchange */
};

static int sasl_log_level(enum sendsec_log_level level)
{
	switch (level) {
	case SENDSEC_LOG_ERROR: return SASL_LOG_ERR;
	case SENDSEC_LOG_INFO: return SASL_LOG_NOTE;
	case SENDSEC_LOG_DEBUG:
	default: return SASL_LOG_DEBUG;
	}
}

/* The engine's log sink: one finished line, passed as "%s" (Cyrus's formatter knows only a few
 * conversions). During a decision the line goes through the connection, so that it reaches the
 * application's log callback (Postfix: its maillog); outside one (plug_init) libsasl2 has only
 * its default syslog sink for a NULL connection. */
static void emit(void *arg, enum sendsec_log_level level, const char *line)
{
	const struct plugin *p = arg;
	const sasl_utils_t *u = p->conn_utils != NULL ? p->conn_utils : p->utils;

	if ((int)level > p->log_level)
		return;
	u->log(u == p->utils ? NULL : u->conn, sasl_log_level(level), "sendsec: %s", line);
}

static void plog(const struct plugin *p, enum sendsec_log_level level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

static void plog(const struct plugin *p, enum sendsec_log_level level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit((void *)p, level, line);
}

/* Logs through the connection of sparams (outside the engine's decisions). */
static void conn_log(const struct plugin *p, sasl_server_params_t *sparams, enum sendsec_log_level level,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void conn_log(const struct plugin *p, sasl_server_params_t *sparams, enum sendsec_log_level level,
		const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if ((int)level > p->log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sparams->utils->log(sparams->utils->conn, sasl_log_level(level), "sendsec: %s", line);
}

/* The one translation of engine results into SASL codes (DESIGN.md section 2). Postfix answers
 * SASL_OK with 235, SASL_UNAVAIL with 454 4.7.0 and every other failure with 535 5.7.8. */
static int sasl_code(const struct plugin *p, enum sendsec_result r, const struct sendsec_outcome *out)
{
	switch (r) {
	case SENDSEC_OK: return SASL_OK;
	case SENDSEC_DENIED:
	case SENDSEC_UNKNOWN_USER: return SASL_BADAUTH;
	case SENDSEC_CHANGE_REQUIRED:
		/* Not SASL_EXPIRED: Postfix would tell the client "passphrase expired", confirming a
		 * password that was often reset because it leaked. The answer is 535 like any failure. */
		plog(p, SENDSEC_LOG_INFO,
				"password change required for %s: answering SASL_BADAUTH (535); "
				"the password must be changed through PAM or sendsecctl passwd",
				out->account);
		return SASL_BADAUTH;
	case SENDSEC_UNAVAILABLE:
	default: return SASL_UNAVAIL;
	}
}

static int map_msg_status(enum msg_status st)
{
	return st == MSG_NOMEM ? SASL_NOMEM : SASL_BADPROT;
}

/* Authenticates creds through the engine and, on success, reports the account to SASL. */
static int decide(struct plugin *p, sasl_server_params_t *sparams, const char *mech, const struct msg_creds *creds,
		sasl_out_params_t *oparams)
{
	struct sendsec_outcome out;
	struct sendsec_request req;
	enum sendsec_result r;
	char rhost[RHOST_MAX];
	const char *ipport = sparams->ipremoteport;
	int rc;

	if (p->ctx == NULL) {
		conn_log(p, sparams, SENDSEC_LOG_ERROR, "%s refused: the configuration was not loaded (%s)", mech,
				p->load_error);
		return SASL_UNAVAIL;
	}
	if (ipport == NULL &&
			sparams->utils->getprop(sparams->utils->conn, SASL_IPREMOTEPORT, (const void **)&ipport) !=
					SASL_OK)
		ipport = NULL;
	memset(&req, 0, sizeof(req));
	req.service = p->service != NULL ? p->service : sparams->service;
	req.user = creds->authcid;
	req.password = creds->password;
	req.rhost = msg_rhost_from_ipport(ipport, rhost, sizeof(rhost)) ? rhost : NULL;
	req.ask = NULL;               /* SASL has no prompt: a TOTP code is appended to the password */
	req.authzid = creds->authzid; /* delegation: the engine decides; "" when none was sent */

	if (pthread_mutex_lock(&p->mutex) != 0) {
		conn_log(p, sparams, SENDSEC_LOG_ERROR, "%s refused: cannot take the plugin mutex", mech);
		return SASL_UNAVAIL;
	}
	p->conn_utils = sparams->utils;
	r = sendsec_authenticate(p->ctx, &req, &out);
	rc = sasl_code(p, r, &out);
	plog(p, SENDSEC_LOG_DEBUG, "%s: engine answered %s, SASL code %d", mech, sendsec_result_name(r), rc);
	p->conn_utils = NULL;
	pthread_mutex_unlock(&p->mutex);
	if (rc != SASL_OK)
		return rc;
	/* One call sets both identities to the account the engine reports (with a delegation, the
	 * shared account: libsasl2's default proxy policy then has nothing to refuse, and the host
	 * sees the account the person acts as); EXTERNALLY_VERIFIED: no auxprop lookup. */
	rc = sparams->canon_user(sparams->utils->conn, out.account, 0,
			SASL_CU_AUTHID | SASL_CU_AUTHZID | SASL_CU_EXTERNALLY_VERIFIED, oparams);
	if (rc != SASL_OK) {
		conn_log(p, sparams, SENDSEC_LOG_ERROR, "%s: canonicalising %s failed (SASL code %d)", mech,
				out.account, rc);
		return rc == SASL_NOMEM ? SASL_NOMEM : SASL_UNAVAIL;
	}
	oparams->doneflag = 1;
	oparams->mech_ssf = 0;
	oparams->maxoutbuf = 0;
	oparams->encode_context = NULL;
	oparams->encode = NULL;
	oparams->decode_context = NULL;
	oparams->decode = NULL;
	oparams->param_version = 0;
	return SASL_OK;
}

static int mech_new(void *glob_context, sasl_server_params_t *sparams, const char *challenge, unsigned challen,
		void **conn_context)
{
	struct mech_conn *c;

	(void)sparams;
	(void)challenge;
	(void)challen;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return SASL_NOMEM;
	c->p = glob_context;
	msg_login_init(&c->login);
	*conn_context = c;
	return SASL_OK;
}

static void mech_dispose(void *conn_context, const sasl_utils_t *utils)
{
	struct mech_conn *c = conn_context;

	(void)utils;
	if (c == NULL)
		return;
	msg_login_clear(&c->login);
	free(c);
}

static int plain_step(void *conn_context, sasl_server_params_t *sparams, const char *clientin, unsigned clientinlen,
		const char **serverout, unsigned *serveroutlen, sasl_out_params_t *oparams)
{
	struct mech_conn *c = conn_context;
	struct msg_creds creds;
	enum msg_status st;
	int rc;

	*serverout = NULL;
	*serveroutlen = 0;
	if (clientin == NULL && !c->prompted) {
		/* No initial response: ask for the message with an empty challenge. */
		c->prompted = true;
		*serverout = "";
		return SASL_CONTINUE;
	}
	st = msg_plain_parse(clientin, clientinlen, &creds);
	if (st != MSG_DONE) {
		conn_log(c->p, sparams, SENDSEC_LOG_INFO, "PLAIN refused: malformed message (%u bytes)", clientinlen);
		return map_msg_status(st);
	}
	rc = decide(c->p, sparams, "PLAIN", &creds, oparams);
	msg_creds_clear(&creds);
	return rc;
}

static int login_step(void *conn_context, sasl_server_params_t *sparams, const char *clientin, unsigned clientinlen,
		const char **serverout, unsigned *serveroutlen, sasl_out_params_t *oparams)
{
	struct mech_conn *c = conn_context;
	const char *prompt = NULL;
	enum msg_status st;
	int rc;

	*serverout = NULL;
	*serveroutlen = 0;
	st = msg_login_step(&c->login, clientin, clientinlen, &prompt);
	if (st == MSG_CONTINUE) {
		*serverout = prompt;
		*serveroutlen = (unsigned)strlen(prompt);
		return SASL_CONTINUE;
	}
	if (st != MSG_DONE) {
		conn_log(c->p, sparams, SENDSEC_LOG_INFO, "LOGIN refused: malformed or out-of-order message");
		return map_msg_status(st);
	}
	rc = decide(c->p, sparams, "LOGIN", &c->login.creds, oparams);
	msg_login_clear(&c->login);
	return rc;
}

static void plugin_free(struct plugin *p)
{
	if (p == NULL)
		return;
	sendsec_ctx_free(p->ctx);
	if (p->has_mutex)
		pthread_mutex_destroy(&p->mutex);
	free(p->service);
	free(p);
}

static void mech_free(void *glob_context, const sasl_utils_t *utils)
{
	struct plugin *p = glob_context;

	(void)utils;
	if (p == NULL || --p->refs > 0)
		return;
	if (plugin_state == p)
		plugin_state = NULL;
	plugin_free(p);
}

static sasl_server_plug_t mechanisms[] = {
		{
				.mech_name = "PLAIN",
				.max_ssf = 0,
				.security_flags = SECURITY_FLAGS,
				.features = SASL_FEAT_WANT_CLIENT_FIRST | SASL_FEAT_ALLOWS_PROXY,
				.mech_new = mech_new,
				.mech_step = plain_step,
				.mech_dispose = mech_dispose,
				.mech_free = mech_free,
		},
		{
				.mech_name = "LOGIN",
				.max_ssf = 0,
				.security_flags = SECURITY_FLAGS,
				.features = 0,
				.mech_new = mech_new,
				.mech_step = login_step,
				.mech_dispose = mech_dispose,
				.mech_free = mech_free,
		},
};

#define N_MECHANISMS ((int)(sizeof(mechanisms) / sizeof(mechanisms[0])))

/* Reads one option; returns a malloc'd copy, or NULL when unset or empty. */
static char *get_option(const sasl_utils_t *utils, const char *name)
{
	const char *value = NULL;
	unsigned len = 0;

	if (utils->getopt == NULL || utils->getopt(utils->getopt_context, "sendsec", name, &value, &len) != SASL_OK ||
			value == NULL)
		return NULL;
	if (len == 0)
		len = (unsigned)strlen(value);
	return len == 0 ? NULL : strndup(value, len);
}

/* libldap initialises itself at its first call and, on the way, installs its own SASL mutex
 * functions (sasl_set_mutex) and calls sasl_client_init(NULL). Loading the configuration makes
 * that first call now when it builds the TLS context, inside sasl_server_init, where libsasl2
 * still accepts sasl_set_mutex although it already allocated mutexes with the functions in
 * place: the next sasl_dispose would lock one with libldap's function and crash. Initialising
 * the client side first makes libsasl2 refuse the change (libldap makes the same call right
 * after, and never undoes it either). False when that failed. */
static bool lock_mutex_functions(struct plugin *p)
{
	int rc = sasl_client_init(NULL);

	if (rc == SASL_OK)
		return true;
	snprintf(p->load_error, sizeof(p->load_error), "sasl_client_init failed: %s", sasl_errstring(rc, NULL, NULL));
	plog(p, SENDSEC_LOG_ERROR, "%s: PLAIN and LOGIN will answer SASL_UNAVAIL", p->load_error);
	return false;
}

/* Loads the configuration and the secrets of the service we expect (sendsec_service, else
 * "smtp") now, while the application is root. Leaves p->ctx NULL on any failure. */
static void load_config(struct plugin *p, const char *config_path)
{
	const struct sendsec_log log = {emit, p, SENDSEC_LOG_ERROR}; /* raised per service */
	const struct sendsec_settings *s;
	const char *service = p->service != NULL ? p->service : "smtp";
	char err[512];

	if (sendsec_ctx_new(config_path, true, NULL, 0, &log, &p->ctx, err, sizeof(err)) != SENDSEC_OK) {
		snprintf(p->load_error, sizeof(p->load_error), "%s", err);
		plog(p, SENDSEC_LOG_ERROR, "%s refused (%s): PLAIN and LOGIN will answer SASL_UNAVAIL", config_path,
				err);
		p->ctx = NULL;
		return;
	}
	if ((s = sendsec_ctx_settings(p->ctx, service, err, sizeof(err))) == NULL) {
		snprintf(p->load_error, sizeof(p->load_error), "service %s: %s", service, err);
		plog(p, SENDSEC_LOG_ERROR, "%s: service %s refused (%s): PLAIN and LOGIN will answer SASL_UNAVAIL",
				config_path, service, err);
		sendsec_ctx_free(p->ctx);
		p->ctx = NULL;
		return;
	}
	p->log_level = s->log_level;
}

__attribute__((visibility("default"))) int sasl_server_plug_init(const sasl_utils_t *utils, int maxversion,
		int *out_version, sasl_server_plug_t **pluglist, int *plugcount);

int sasl_server_plug_init(const sasl_utils_t *utils, int maxversion, int *out_version, sasl_server_plug_t **pluglist,
		int *plugcount)
{
	struct plugin *p = plugin_state;
	char *config_path;

	if (maxversion < SASL_SERVER_PLUG_VERSION)
		return SASL_BADVERS;
	if ((config_path = get_option(utils, "sendsec_config")) == NULL)
		return SASL_NOMECH; /* not configured for this application: register nothing */
	if (p == NULL) {
		if ((p = calloc(1, sizeof(*p))) == NULL) {
			free(config_path);
			return SASL_NOMEM;
		}
		p->utils = utils;
		p->log_level = SENDSEC_LOG_INFO;
		p->service = get_option(utils, "sendsec_service");
		snprintf(p->load_error, sizeof(p->load_error), "no mutex");
		if (pthread_mutex_init(&p->mutex, NULL) != 0) {
			plog(p, SENDSEC_LOG_ERROR, "cannot create a mutex: PLAIN and LOGIN will answer SASL_UNAVAIL");
		} else {
			p->has_mutex = true;
			if (lock_mutex_functions(p))
				load_config(p, config_path);
		}
		plugin_state = p;
	}
	free(config_path);
	for (int i = 0; i < N_MECHANISMS; i++)
		mechanisms[i].glob_context = p;
	p->refs += N_MECHANISMS;
	*out_version = SASL_SERVER_PLUG_VERSION;
	*pluglist = mechanisms;
	*plugcount = N_MECHANISMS;
	return SASL_OK;
}
