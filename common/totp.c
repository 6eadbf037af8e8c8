/* totp.c — placeholder until implemented. */
#include "totp.h"
