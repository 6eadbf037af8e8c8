/* escape.c — placeholder until implemented. */
#include "escape.h"
