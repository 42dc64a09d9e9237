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

/// How many instruction-set variants this processor can run: 1 (the
/// baseline), 2 (and AVX2) or 3 (and AVX-512).
int autograd_vector_kernels_variant_count(void);

/// autograd_tanh and autograd_tanh_derivative_times in one variant
/// (0 baseline, 1 AVX2, 2 AVX-512; a variant the processor lacks runs the
/// widest it has), for tests that compare every variant's bits.
void autograd_tanh_variant(int variant, const double *x, double *y, size_t count);
void autograd_tanh_derivative_times_variant(int variant, const double *x, const double *seed, double *y, size_t count);

#endif
