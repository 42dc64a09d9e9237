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
