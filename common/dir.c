/* dir.c — placeholder until implemented. */
#include "dir.h"
