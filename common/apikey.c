/* apikey.c — placeholder until implemented. */
#include "apikey.h"
