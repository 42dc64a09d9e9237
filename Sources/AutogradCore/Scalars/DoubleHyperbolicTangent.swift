import RealModule

/// `tanh` and its derivative for `Double`, about four times faster than
/// glibc's `tanh` and `cosh`, and at least as accurate: measured against
/// MPFR (`HyperbolicTangentKernelTests`), within 1.5 ULP for `tanh` (glibc's:
/// 2.1) and 3.6 ULP for its derivative (glibc's `(1/cosh)²`: 4.8).
///
/// - `tanh x` for |x| < 0.55 is `x·P(x²)`, `P` a degree-11 polynomial that
///   approximates `tanh(x)/x` within 6·10⁻¹⁹ on that range (a Chebyshev fit,
///   computed with mpmath at 60 digits), evaluated by Horner's rule; above,
///   `1 − 2/(1 + e^{2|x|})` with the sign of `x`, whose subtraction does not
///   cancel there (the quotient is below ½).
/// - `tanh′ x = 4e^{−2|x|}/(1 + e^{−2|x|})²`: one `exp`, every term
///   positive, so nothing cancels and nothing overflows.
///
/// Only the `Double` fast path of ``HyperbolicTangent`` uses these; the exact
/// reference evaluates `tanh` itself, through MPFR.
///
/// ```swift
/// HyperbolicTangentKernel.tanh(0.5)          // 0.46211715726000974
/// HyperbolicTangentKernel.derivative(0.5)    // 0.7864477329659275
/// ```
public enum HyperbolicTangentKernel {
    /// Coefficients of `P`, highest degree first.
    @usableFromInline
    static let coefficients: (Double, Double, Double, Double, Double, Double, Double, Double, Double, Double, Double, Double) = (
        -0x1.45f6e3ebe20f8p-16, 0x1.5cfa4383dc616p-14, -0x1.e941ddedca15dp-13, 0x1.347ec44ac88cbp-11,
        -0x1.7d8f2aaf3d47cp-10, 0x1.d6d28cd04c080p-9, -0x1.226e2ea84e7b5p-7, 0x1.664f48557a75fp-6,
        -0x1.ba1ba1b966f24p-5, 0x1.1111111110567p-3, -0x1.555555555554cp-2, 0x1.0000000000000p+0
    )

    /// `tanh x`.
    @inlinable
    public static func tanh(_ x: Double) -> Double {
        // Both formulas, then a choice: no branch to mispredict when the
        // inputs straddle 0.55, as a layer's pre-activations do. Beyond 30
        // (where tanh rounds to ±1 anyway) exp is not asked to overflow.
        let magnitude = x.magnitude
        let large = 1 - 2 / (1 + Double.exp(2 * Swift.min(magnitude, 30)))
        let t = x * x, c = coefficients
        var p = c.0 * t + c.1
        p = p * t + c.2; p = p * t + c.3; p = p * t + c.4; p = p * t + c.5; p = p * t + c.6
        p = p * t + c.7; p = p * t + c.8; p = p * t + c.9; p = p * t + c.10; p = p * t + c.11
        // A NaN fails the comparison and stays NaN through `large`.
        return magnitude < 0.55 ? x * p : (x < 0 ? -large : large)
    }

    /// `tanh′ x = sech² x`.
    @inlinable
    public static func derivative(_ x: Double) -> Double {
        let e = Double.exp(-2 * x.magnitude), denominator = 1 + e
        return 4 * e / (denominator * denominator)
    }
}
