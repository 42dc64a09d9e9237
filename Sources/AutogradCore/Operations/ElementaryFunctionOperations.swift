import RealModule

// Element-wise elementary functions. Each derivative is written to keep its
// accuracy where the textbook formula cancels (see `Tanh`, `Sigmoid`).

/// `eˣ` (`ExpBackward`); its derivative is its output.
public struct Exp: ElementwiseElementaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Exp" }
    /// The reverse rule reads the output only.
    public static var reverseRuleReads: ReverseRuleReads { .output }
    @inlinable public func apply<S: ElementaryScalar>(_ x: S) -> S { S.exp(x) }
    @inlinable public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { output }
}

/// The natural logarithm (`LogBackward`); derivative `1/x`.
public struct Log: ElementwiseElementaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Log" }
    /// The reverse rule reads the input only.
    public static var reverseRuleReads: ReverseRuleReads { .input }
    @inlinable public func apply<S: ElementaryScalar>(_ x: S) -> S { S.log(x) }
    @inlinable public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { 1 / x }
}

/// `√x` (`SqrtBackward`); derivative `1/(2√x)`, from the output.
public struct SquareRoot: ElementwiseElementaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Sqrt" }
    /// The reverse rule reads the output only.
    public static var reverseRuleReads: ReverseRuleReads { .output }
    @inlinable public func apply<S: ElementaryScalar>(_ x: S) -> S { S.sqrt(x) }
    @inlinable public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { 1 / (output + output) }
}

/// `sin x` (`SinBackward`); derivative `cos x`.
public struct Sine: ElementwiseElementaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Sin" }
    /// The reverse rule reads the input only.
    public static var reverseRuleReads: ReverseRuleReads { .input }
    @inlinable public func apply<S: ElementaryScalar>(_ x: S) -> S { S.sin(x) }
    @inlinable public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { S.cos(x) }
}

/// `cos x` (`CosBackward`); derivative `−sin x`.
public struct Cosine: ElementwiseElementaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Cos" }
    /// The reverse rule reads the input only.
    public static var reverseRuleReads: ReverseRuleReads { .input }
    @inlinable public func apply<S: ElementaryScalar>(_ x: S) -> S { S.cos(x) }
    @inlinable public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { -S.sin(x) }
}

/// `tanh x` (`TanhBackward`).
///
/// The derivative is `4e^{−2|x|}/(1 + e^{−2|x|})²`, not `1 − tanh²x`: the
/// latter cancels for large `|x|` (at x = 10 it is off by millions of ULPs).
/// For `Double`, both come from ``HyperbolicTangentKernel`` (a polynomial
/// and its own exponential: faster than glibc's `tanh` and `cosh`, and more
/// accurate), over whole tensors through the vectorised C loops that
/// `Autograd` links (``HyperbolicTangentVectorKernel``, the same bits); other
/// scalar types use their own `tanh` and `exp`.
public struct HyperbolicTangent: ElementwiseElementaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Tanh" }
    /// The reverse rule reads the input only.
    public static var reverseRuleReads: ReverseRuleReads { .input }
    @inlinable
    public func apply<S: ElementaryScalar>(_ x: S) -> S {
        if S.self == Double.self { return unsafeBitCast(HyperbolicTangentKernel.tanh(unsafeBitCast(x, to: Double.self)), to: S.self) }
        return S.tanh(x)
    }
    @inlinable
    public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S {
        if S.self == Double.self { return unsafeBitCast(HyperbolicTangentKernel.derivative(unsafeBitCast(x, to: Double.self)), to: S.self) }
        if S.self == TangentLanes.self {
            return unsafeBitCast(unsafeBitCast(x, to: TangentLanes.self).map(HyperbolicTangentKernel.derivative), to: S.self)
        }
        let e = S.exp(-2 * (x < .zero ? -x : x)), denominator = 1 + e
        return 4 * e / (denominator * denominator)
    }

    /// On `Double` through the linked vector kernel (the same bits, see
    /// ``HyperbolicTangentVectorKernel``), else element by element.
    @inlinable
    public func value<S: ElementaryScalar>(_ x: TensorValue<S>) -> TensorValue<S> {
        if S.self == Double.self, let y = VectorKernels.hyperbolicTangent(of: unsafeBitCast(x, to: TensorValue<Double>.self)) {
            return unsafeBitCast(y, to: TensorValue<S>.self)
        }
        return x.map { apply($0) }
    }

    /// `gradient · tanh′(x)`, on `Double` through the linked vector kernel.
    @inlinable
    public func vjp<S: ElementaryScalar>(
        _ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>
    ) -> TensorValue<S> {
        chainRule(x, output: output, seed: gradient)
    }

    /// `tangent · tanh′(x)`, on `Double` through the linked vector kernel.
    @inlinable
    public func jvp<S: ElementaryScalar>(
        _ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>
    ) -> TensorValue<S> {
        chainRule(x, output: output, seed: tangent)
    }

    /// `seed · tanh′(x)` element by element, with a strong zero.
    @inlinable
    func chainRule<S: ElementaryScalar>(_ x: TensorValue<S>, output: TensorValue<S>, seed: TensorValue<S>) -> TensorValue<S> {
        if S.self == Double.self, seed.shape == x.shape,
           let product = VectorKernels.hyperbolicTangentDerivative(
               of: unsafeBitCast(x, to: TensorValue<Double>.self), times: unsafeBitCast(seed, to: TensorValue<Double>.self)) {
            return unsafeBitCast(product, to: TensorValue<S>.self)
        }
        return elementwiseProduct(seed, x, output) { derivative(at: $0, output: $1) }
    }
}

/// The logistic function `1/(1 + e⁻ˣ)` (`SigmoidBackward`).
///
/// Computed as `eˣ/(1 + eˣ)` for negative `x`, so that `e⁻ˣ` never
/// overflows: σ(−740) is the subnormal e⁻⁷⁴⁰, not 0. The derivative is
/// `σ(x)·σ(−x)`, not `σ(x)(1 − σ(x))`, which cancels for large `x`.
public struct Sigmoid: ElementwiseElementaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Sigmoid" }
    @inlinable public func apply<S: ElementaryScalar>(_ x: S) -> S { Self.logistic(x) }
    @inlinable
    public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S {
        output * Self.logistic(-x)
    }

    /// σ(x) without overflow: `1/(1 + e⁻ˣ)` for x ≥ 0, `eˣ/(1 + eˣ)` below.
    ///
    /// ```swift
    /// Sigmoid.logistic(-740.0)   // 4.2e-322, not 0
    /// ```
    @inlinable
    public static func logistic<S: ElementaryScalar>(_ x: S) -> S {
        if x < .zero {
            let e = S.exp(x)
            return e / (1 + e)
        }
        return 1 / (1 + S.exp(-x))
    }
}

/// `ln(1 + x)` (`Log1PBackward`), accurate for tiny `x` where `log(1 + x)`
/// loses every digit; derivative `1/(1 + x)`.
///
/// ```swift
/// Tensor([1e-20]).log1p()   // 1e-20 (log(1 + 1e-20) is 0)
/// ```
public struct Log1p: ElementwiseElementaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Log1P" }
    /// The reverse rule reads the input only.
    public static var reverseRuleReads: ReverseRuleReads { .input }
    @inlinable public func apply<S: ElementaryScalar>(_ x: S) -> S { S.log(onePlus: x) }
    @inlinable public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { 1 / (1 + x) }
}

/// `eˣ − 1` (`Expm1Backward`), accurate for tiny `x` where `exp(x) − 1`
/// cancels; derivative `eˣ` (from the input: `output + 1` cancels for very
/// negative `x`).
///
/// ```swift
/// Tensor([1e-20]).expm1()   // 1e-20 (exp(1e-20) - 1 is 0)
/// ```
public struct Expm1: ElementwiseElementaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Expm1" }
    /// The reverse rule reads the input only.
    public static var reverseRuleReads: ReverseRuleReads { .input }
    @inlinable public func apply<S: ElementaryScalar>(_ x: S) -> S { S.expMinusOne(x) }
    @inlinable public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { S.exp(x) }
}

/// `ln(1 + eˣ)` (`SoftplusBackward`), a smooth `relu`; derivative σ(x).
///
/// Computed as `x + ln(1 + e⁻ˣ)` for positive `x` and `ln(1 + eˣ)` below,
/// with `log1p`: `eˣ` never overflows and nothing cancels, so softplus(800)
/// is 800 and softplus(−800) the subnormal-free 0 it rounds to. (PyTorch
/// returns `x` itself above a threshold of 20; this is the function.)
///
/// ```swift
/// Tensor([-1.0, 0, 800]).softplus()   // [0.3133, 0.6931, 800]
/// ```
public struct Softplus: ElementwiseElementaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Softplus" }
    /// The reverse rule reads the input only.
    public static var reverseRuleReads: ReverseRuleReads { .input }
    @inlinable
    public func apply<S: ElementaryScalar>(_ x: S) -> S {
        x > .zero ? x + S.log(onePlus: S.exp(-x)) : S.log(onePlus: S.exp(x))
    }
    @inlinable public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { Sigmoid.logistic(x) }
}
