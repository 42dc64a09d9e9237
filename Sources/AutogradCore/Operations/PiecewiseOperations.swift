import RealModule

// Field ops with a branch on the sign of the input. A replay takes the branch
// that its own scalar's comparison gives. The value formulas give the kink
// (x = 0) a branch of its own whose derivative is PyTorch's: the exact
// reference differentiates the value formula, so at an exact 0 it agrees with
// the rules instead of taking the one-sided derivative of `x`.

/// `|x|` (`AbsBackward`); its derivative at 0 is 0, as in PyTorch.
public struct Absolute: ElementwiseOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Abs" }
    /// The reverse rule reads the input only.
    public static var reverseRuleReads: ReverseRuleReads { .input }
    /// `−x`, `x`, or at the kink the constant 0 (so that the derivative of
    /// the formula there is 0, and |−0| is +0); NaN stays NaN.
    @inlinable public func apply<S: FieldScalar>(_ x: S) -> S { x < .zero ? -x : (x == .zero ? .zero : x) }
    @inlinable
    public func derivative<S: FieldScalar>(at x: S, output: S) -> S {
        x > .zero ? 1 : (x < .zero ? -1 : 0)
    }
}

/// `max(x, 0)` (`ReluBackward`); its derivative at 0 is 0, as in PyTorch.
public struct Relu: ElementwiseOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Relu" }
    /// The reverse rule reads the input only.
    public static var reverseRuleReads: ReverseRuleReads { .input }
    /// The constant 0 up to the kink included (so that the derivative of the
    /// formula there is 0), else `x`; NaN stays NaN.
    @inlinable public func apply<S: FieldScalar>(_ x: S) -> S { x <= .zero ? .zero : x }
    @inlinable public func derivative<S: FieldScalar>(at x: S, output: S) -> S { x > .zero ? 1 : 0 }
}

/// `x` limited to `[lower, upper]` (`ClampBackward`), either bound optional;
/// its derivative is 1 on the range, bounds included, and 0 outside, as in
/// PyTorch. NaN stays NaN.
///
/// ```swift
/// Tensor([-2.0, 0.5, 3]).clamp(min: 0, max: 1)   // [0, 0.5, 1]
/// ```
public struct Clamp: ElementwiseOperation {
    /// The lower bound, or `nil` for none.
    public let lower: Double?
    /// The upper bound, or `nil` for none.
    public let upper: Double?

    /// The op for the given bounds: at least one, finite, `lower ≤ upper`
    /// (else it traps naming them).
    public init(lower: Double?, upper: Double?) {
        guard lower != nil || upper != nil else { fatalError("clamp: give a lower bound (min:), an upper bound (max:) or both") }
        guard lower?.isFinite ?? true, upper?.isFinite ?? true else {
            fatalError("clamp: bounds must be finite, got min \(lower.map { "\($0)" } ?? "none") and max \(upper.map { "\($0)" } ?? "none")")
        }
        if let lower, let upper, lower > upper { fatalError("clamp: min \(lower) is above max \(upper)") }
        (self.lower, self.upper) = (lower, upper)
    }

    public var name: String { "Clamp" }
    /// The reverse rule reads the input only.
    public static var reverseRuleReads: ReverseRuleReads { .input }
    @inlinable
    public func apply<S: FieldScalar>(_ x: S) -> S {
        if let lower, x < S(lower) { return S(lower) }
        if let upper, x > S(upper) { return S(upper) }
        return x
    }
    @inlinable
    public func derivative<S: FieldScalar>(at x: S, output: S) -> S {
        if let lower, x < S(lower) { return 0 }
        if let upper, x > S(upper) { return 0 }
        return 1
    }
}
