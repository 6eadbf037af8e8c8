/* cmd_config.c — sendsecctl commands (placeholder until implemented). */
#include <stddef.h>

#include "cli.h"

const struct cli_command cli_config_commands[] = {
	{ NULL, NULL, NULL, NULL, NULL },
};
