/* cmd_account.c — sendsecctl commands (placeholder until implemented). */
#include <stddef.h>

#include "cli.h"

const struct cli_command cli_account_commands[] = {
	{ NULL, NULL, NULL, NULL, NULL },
};
