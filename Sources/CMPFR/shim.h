// MPFR's correctly rounded big floats (exp, log, sin, ...), on top of GMP.
#include <gmp.h>
#include <mpfr.h>
