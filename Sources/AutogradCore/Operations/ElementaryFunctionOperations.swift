import RealModule

// Element-wise elementary functions. Each derivative is written to keep its
// accuracy where the textbook formula cancels (see `Tanh`, `Sigmoid`).

/// `eˣ` (`ExpBackward`); its derivative is its output.
public struct Exp: ElementwiseElementaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Exp" }
    @inlinable public func apply<S: ElementaryScalar>(_ x: S) -> S { S.exp(x) }
    @inlinable public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { output }
}

/// The natural logarithm (`LogBackward`); derivative `1/x`.
public struct Log: ElementwiseElementaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Log" }
    @inlinable public func apply<S: ElementaryScalar>(_ x: S) -> S { S.log(x) }
    @inlinable public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { 1 / x }
}

/// `√x` (`SqrtBackward`); derivative `1/(2√x)`, from the output.
public struct SquareRoot: ElementwiseElementaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Sqrt" }
    @inlinable public func apply<S: ElementaryScalar>(_ x: S) -> S { S.sqrt(x) }
    @inlinable public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { 1 / (output + output) }
}

/// `sin x` (`SinBackward`); derivative `cos x`.
public struct Sine: ElementwiseElementaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Sin" }
    @inlinable public func apply<S: ElementaryScalar>(_ x: S) -> S { S.sin(x) }
    @inlinable public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { S.cos(x) }
}

/// `cos x` (`CosBackward`); derivative `−sin x`.
public struct Cosine: ElementwiseElementaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Cos" }
    @inlinable public func apply<S: ElementaryScalar>(_ x: S) -> S { S.cos(x) }
    @inlinable public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { -S.sin(x) }
}

/// `tanh x` (`TanhBackward`).
///
/// The derivative is `1/cosh²x`, not `1 − tanh²x`: the latter cancels for large
/// `|x|` (at x = 10 it is off by millions of ULPs).
public struct HyperbolicTangent: ElementwiseElementaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Tanh" }
    @inlinable public func apply<S: ElementaryScalar>(_ x: S) -> S { S.tanh(x) }
    @inlinable
    public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S {
        let cosh = S.cosh(x)
        return 1 / (cosh * cosh)
    }
}

/// The logistic function `1/(1 + e⁻ˣ)` (`SigmoidBackward`).
///
/// The derivative is `σ(x)·σ(−x)`, not `σ(x)(1 − σ(x))`, which cancels for
/// large `x`.
public struct Sigmoid: ElementwiseElementaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Sigmoid" }
    @inlinable public func apply<S: ElementaryScalar>(_ x: S) -> S { 1 / (1 + S.exp(-x)) }
    @inlinable
    public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S {
        output * (1 / (1 + S.exp(x)))
    }
}
