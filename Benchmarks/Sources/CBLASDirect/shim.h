// OpenBLAS's C interface, for the benchmarks' direct calls (the limit the
// library's matmul is measured against).
#include <cblas.h>
