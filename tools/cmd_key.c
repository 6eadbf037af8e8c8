/* cmd_key.c — sendsecctl commands (placeholder until implemented). */
#include <stddef.h>

#include "cli.h"

const struct cli_command cli_key_commands[] = {
	{ NULL, NULL, NULL, NULL, NULL },
};
