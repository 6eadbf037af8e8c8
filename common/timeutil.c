/* timeutil.c — placeholder until implemented. */
#include "timeutil.h"
