// The C interface to BLAS, from OpenBLAS (Debian's libopenblas-dev, whose
// cblas.h is found through the system's alternatives; Debian's openblas.pc
// sits outside pkg-config's search path, so the module map names the library).
#include <cblas.h>
