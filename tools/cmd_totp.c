/* cmd_totp.c — sendsecctl commands (placeholder until implemented). */
#include <stddef.h>

#include "cli.h"

const struct cli_command cli_totp_commands[] = {
	{ NULL, NULL, NULL, NULL, NULL },
};
