/* engine.c — placeholder until implemented. */
#include "engine.h"
