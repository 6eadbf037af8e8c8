/* hash.c — placeholder until implemented. */
#include "hash.h"
