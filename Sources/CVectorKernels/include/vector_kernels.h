#ifndef AUTOGRAD_VECTOR_KERNELS_H
#define AUTOGRAD_VECTOR_KERNELS_H

#include <stddef.h>

/// y[i] = tanh(x[i]) for i < count, bit for bit what the Swift kernel
/// `HyperbolicTangentKernel.tanh` returns, vectorised for the widest
/// instruction set the processor has.
void autograd_tanh(const double *x, double *y, size_t count);

/// y[i] = seed[i] * tanh'(x[i]), with a strong zero (a seed of exactly 0
/// gives 0 even where the product is NaN): bit for bit the Swift kernel's
/// `chainProduct(seed, HyperbolicTangentKernel.derivative(x))`.
void autograd_tanh_derivative_times(const double *x, const double *seed, double *y, size_t count);

/// The instruction set the kernels run with on this processor:
/// "AVX-512", "AVX2" or "baseline".
const char *autograd_vector_kernels_instruction_set(void);

#endif
