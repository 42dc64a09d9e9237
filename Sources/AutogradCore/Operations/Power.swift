import RealModule

/// `xⁿ` for an integer `n` (`PowBackward`): repeated multiplication, so it
/// runs exactly over rationals and `x.pow(2)` is exactly `x * x`.
public struct IntegerPower: ElementwiseOperation {
    /// The exponent.
    public let exponent: Int
    /// The operation with its exponent.
    public init(_ exponent: Int) { self.exponent = exponent }
    public var name: String { "Pow" }
    /// The reverse rule reads the input only.
    public static var reverseRuleReads: ReverseRuleReads { .input }

    /// `x·x` for the commonest exponent, 2 (exactly `power(x, 2)`), else `power(x, n)`.
    @inlinable public func apply<S: FieldScalar>(_ x: S) -> S { exponent == 2 ? x * x : Self.power(x, exponent) }

    /// n·xⁿ⁻¹ (0 when n = 0, even at x = 0).
    @inlinable
    public func derivative<S: FieldScalar>(at x: S, output: S) -> S {
        exponent == 0 ? .zero : S(Double(exponent)) * Self.power(x, predecessorOf: exponent)
    }

    // Squares, the commonest power, get loops without the general power's
    // branches: x·x, and x + x (exactly 2x) for the derivative.

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S> {
        exponent == 2 ? x.map { $0 * $0 } : x.map { Self.power($0, exponent) }
    }

    @inlinable
    public func vjp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> {
        guard exponent == 2 else { return elementwiseProduct(gradient, x, output) { derivative(at: $0, output: $1) } }
        return elementwiseProduct(gradient, x, output) { x, _ in x + x }
    }

    @inlinable
    public func jvp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
        guard exponent == 2 else { return elementwiseProduct(tangent, x, output) { derivative(at: $0, output: $1) } }
        return elementwiseProduct(tangent, x, output) { x, _ in x + x }
    }

    /// `x` to the power `n` by repeated squaring; a negative `n` gives `1/x^|n|`.
    @inlinable
    public static func power<S: FieldScalar>(_ x: S, _ n: Int) -> S {
        let result = power(x, magnitude: n.magnitude)
        return n < 0 ? 1 / result : result
    }

    /// `x` to the power `n − 1`, also for `n = Int.min` (whose predecessor
    /// `Int` cannot hold).
    @inlinable
    static func power<S: FieldScalar>(_ x: S, predecessorOf n: Int) -> S {
        n > 0 ? power(x, magnitude: UInt(n - 1)) : 1 / power(x, magnitude: n.magnitude + 1)
    }

    /// `x^m` for a non-negative `m`, by repeated squaring.
    @inlinable
    static func power<S: FieldScalar>(_ x: S, magnitude: UInt) -> S {
        var result: S = 1
        var base = x
        var remaining = magnitude
        while remaining > 0 {
            if remaining & 1 == 1 { result *= base }
            remaining >>= 1
            if remaining > 0 { base *= base }
        }
        return result
    }
}

/// `xᵖ` for a real exponent `p` (`PowBackward`); NaN for negative `x`, as in
/// swift-numerics. `Tensor.pow(_:)` records ``IntegerPower`` when `p` is integral.
public struct RealPower: ElementwiseElementaryOperation {
    /// The exponent.
    public let exponent: Double
    /// The operation with its exponent.
    public init(_ exponent: Double) { self.exponent = exponent }
    public var name: String { "Pow" }
    @inlinable public func apply<S: ElementaryScalar>(_ x: S) -> S { S.pow(x, S(exponent)) }
    /// p·xᵖ⁻¹, computed as (p·xᵖ)/x when |p| < 1 and x ≠ 0.
    ///
    /// For |p| < 1 the factor xᵖ⁻¹ can overflow where p·xᵖ⁻¹ does not: at
    /// x = 5e-324 and p = 0.001, xᵖ⁻¹ ≈ 2¹⁰⁷³ is beyond `Double`, but the
    /// derivative ≈ 2¹⁰⁶³ is not. With the output xᵖ, which lies between x and
    /// 1 (or, for p < 0, overflows only where the derivative does), p·xᵖ/x
    /// overflows only where the derivative does. At x = 0 (where p·xᵖ/x is
    /// 0/0) and for |p| ≥ 1 (where the factor p does not shrink) the direct
    /// formula is kept; p = 0 gives 0, even at x = 0.
    @inlinable
    public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S {
        if exponent == 0 { return .zero }
        if exponent.magnitude < 1 && x != .zero { return S(exponent) * output / x }
        return S(exponent) * S.pow(x, S(exponent - 1))
    }
}
