// MPFI's rigorous interval arithmetic, on MPFR (each endpoint an mpfr_t) and
// GMP. The headers are included as CMPFR's shim includes them, so the Swift
// types `__mpfr_struct` and `__mpq_struct` seen through CMPFI, CMPFR and CGMP
// are the same types.
#include <gmp.h>
#include <mpfr.h>
#include <mpfi.h>
