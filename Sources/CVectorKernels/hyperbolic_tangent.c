// tanh and its derivative over arrays of doubles: the steps of the Swift
// kernel HyperbolicTangentKernel (AutogradCore), in the same order and with
// no contraction into fused multiply-adds, so that every element has the
// same bits; here the loops are compiled once per instruction set (AVX-512,
// AVX2, the baseline) and the first call picks the widest the processor has.
// (Not with target_clones: its ifunc resolver runs before the sanitizers'
// runtimes are set up, and crashes under ThreadSanitizer.)

#include "vector_kernels.h"

#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define HAS_VECTOR_VARIANTS 1
#endif

static inline __attribute__((always_inline)) double from_bits(uint64_t bits) {
    double value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

static inline __attribute__((always_inline)) int64_t to_bits(double value) {
    int64_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

/// 2^k for k in -1022...1023.
static inline __attribute__((always_inline)) double power_of_two(int64_t k) {
    return from_bits(((uint64_t)k + 1023) << 52);
}

/// e^y = 2^k (1 + f): HyperbolicTangentKernel.exponential.
static inline __attribute__((always_inline)) double exponential(double y, int64_t *k) {
    const double rounding_shift = 0x1.8p52, inverse_ln2 = 0x1.71547652b82fep0;
    const double ln2_high = 0x1.62e42fee00000p-1, ln2_low = 0x1.a39ef35793c76p-33;
    double shifted = y * inverse_ln2 + rounding_shift;
    double kd = shifted - rounding_shift;
    *k = (int64_t)((uint64_t)to_bits(shifted) - (uint64_t)to_bits(rounding_shift));
    double r = (y - kd * ln2_high) - kd * ln2_low;
    // Estrin's scheme: the same terms as Horner's rule in a quarter of the
    // dependent steps, which bound these loops' speed.
    double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    double p01 = 0.5 + r * (1.0 / 6), p23 = 1.0 / 24 + r * (1.0 / 120);
    double p45 = 1.0 / 720 + r * (1.0 / 5040), p67 = 1.0 / 40320 + r * (1.0 / 362880);
    double p89 = 1.0 / 3628800 + r * (1.0 / 39916800), p1011 = 1.0 / 479001600 + r * (1.0 / 6227020800);
    double q = ((p01 + r2 * p23) + r4 * (p45 + r2 * p67)) + r8 * (p89 + r2 * p1011);
    return r + r2 * q;
}

/// HyperbolicTangentKernel.tanh.
static inline __attribute__((always_inline)) double hyperbolic_tangent(double x) {
    double magnitude = x < 0 ? -x : x;
    double clamped = 30 < magnitude ? 30 : magnitude;
    int64_t k;
    double f = exponential(2 * clamped, &k);
    double scale = power_of_two(k);
    double large = 1 - 2 / ((1 + scale) + scale * f);
    double t = x * x, t2 = t * t, t4 = t2 * t2, t8 = t4 * t4;
    double b0 = 0x1.1111111110567p-3 + t * -0x1.ba1ba1b966f24p-5, b1 = 0x1.664f48557a75fp-6 + t * -0x1.226e2ea84e7b5p-7;
    double b2 = 0x1.d6d28cd04c080p-9 + t * -0x1.7d8f2aaf3d47cp-10, b3 = 0x1.347ec44ac88cbp-11 + t * -0x1.e941ddedca15dp-13;
    double b4 = 0x1.5cfa4383dc616p-14 + t * -0x1.45f6e3ebe20f8p-16;
    double higher = ((b0 + t2 * b1) + t4 * (b2 + t2 * b3)) + t8 * b4;
    double p = 0x1.0000000000000p+0 + t * (-0x1.555555555554cp-2 + t * higher);
    return magnitude < 0.55 ? x * p : (x < 0 ? -large : large);
}

/// HyperbolicTangentKernel.derivative.
static inline __attribute__((always_inline)) double hyperbolic_tangent_derivative(double x) {
    double magnitude = x < 0 ? -x : x;
    double argument = -760 > -2 * magnitude ? -760 : -2 * magnitude;
    int64_t k;
    double f = exponential(argument, &k);
    int64_t high = k >> 1, low = k - high;
    double low_scale = power_of_two(low), high_scale = power_of_two(high);
    double e = ((1 + f) * low_scale) * high_scale;
    double denominator = (1 + low_scale * high_scale) + (low_scale * f) * high_scale;
    return 4 * e / (denominator * denominator);
}

/// The two loops, as one instruction set's variant.
#define DEFINE_LOOPS(suffix, attributes)                                                              \
    attributes static void tanh_##suffix(const double *restrict x, double *restrict y, size_t count) { \
        for (size_t i = 0; i < count; i++) y[i] = hyperbolic_tangent(x[i]);                          \
    }                                                                                                 \
    attributes static void tanh_derivative_##suffix(const double *restrict x, const double *restrict seed, \
                                                    double *restrict y, size_t count) {               \
        for (size_t i = 0; i < count; i++) {                                                          \
            double product = seed[i] * hyperbolic_tangent_derivative(x[i]);                           \
            y[i] = (seed[i] == 0 && product != product) ? 0 : product;                                \
        }                                                                                             \
    }

DEFINE_LOOPS(baseline, )
#ifdef HAS_VECTOR_VARIANTS
DEFINE_LOOPS(avx2, __attribute__((target("avx2"))))
DEFINE_LOOPS(avx512, __attribute__((target("avx512f"))))
#endif

/// The variant for this processor: 2 for AVX-512, 1 for AVX2, 0 for the baseline.
static int instruction_set(void) {
    static int chosen = -1;
    int known = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (known >= 0) return known;
    int found = 0;
#ifdef HAS_VECTOR_VARIANTS
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) found = 2;
    else if (__builtin_cpu_supports("avx2")) found = 1;
#endif
    __atomic_store_n(&chosen, found, __ATOMIC_RELAXED);
    return found;
}

int autograd_vector_kernels_variant_count(void) { return instruction_set() + 1; }

void autograd_tanh_variant(int variant, const double *x, double *y, size_t count) {
    switch (variant < instruction_set() ? variant : instruction_set()) {
#ifdef HAS_VECTOR_VARIANTS
    case 2: tanh_avx512(x, y, count); return;
    case 1: tanh_avx2(x, y, count); return;
#endif
    default: tanh_baseline(x, y, count);
    }
}

void autograd_tanh_derivative_times_variant(int variant, const double *x, const double *seed, double *y, size_t count) {
    switch (variant < instruction_set() ? variant : instruction_set()) {
#ifdef HAS_VECTOR_VARIANTS
    case 2: tanh_derivative_avx512(x, seed, y, count); return;
    case 1: tanh_derivative_avx2(x, seed, y, count); return;
#endif
    default: tanh_derivative_baseline(x, seed, y, count);
    }
}

void autograd_tanh(const double *x, double *y, size_t count) {
    autograd_tanh_variant(instruction_set(), x, y, count);
}

void autograd_tanh_derivative_times(const double *x, const double *seed, double *y, size_t count) {
    autograd_tanh_derivative_times_variant(instruction_set(), x, seed, y, count);
}

const char *autograd_vector_kernels_instruction_set(void) {
    static const char *names[] = {"baseline", "AVX2", "AVX-512"};
    return names[instruction_set()];
}
