/* cidr.c — placeholder until implemented. */
#include "cidr.h"
