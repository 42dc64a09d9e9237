// GMP's rationals and integers. Its familiar names (mpq_add, ...) are macros
// that Swift does not import: Swift code calls __gmpq_add and friends.
#include <gmp.h>
