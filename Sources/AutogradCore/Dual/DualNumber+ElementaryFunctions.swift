import RealModule

// The chain rule for every elementary function, f(x + x′ε) = f(x) + f′(x)·x′ε,
// for every dual number. Derivatives are written to keep their accuracy where
// the textbook form cancels (tanh′ = (1/cosh)², not 1 − tanh²).
extension DualNumber where Base: ElementaryScalar {
    @inlinable public static func exp(_ x: Self) -> Self {
        let e = Base.exp(x.value)
        return x.chained(e, derivative: e)
    }
    @inlinable public static func expMinusOne(_ x: Self) -> Self {
        x.chained(Base.expMinusOne(x.value), derivative: Base.exp(x.value))
    }
    @inlinable public static func cosh(_ x: Self) -> Self {
        x.chained(Base.cosh(x.value), derivative: Base.sinh(x.value))
    }
    @inlinable public static func sinh(_ x: Self) -> Self {
        x.chained(Base.sinh(x.value), derivative: Base.cosh(x.value))
    }
    /// On `Double`, the tape's kernel (``HyperbolicTangentKernel``), so that
    /// forward mode computes the tape's values; on every other type (the
    /// exact reference's intervals among them) `tanh` and `(1/cosh)²`, a
    /// formula of its own rather than the op's rule it judges.
    @inlinable public static func tanh(_ x: Self) -> Self {
        if Base.self == Double.self {
            let value = unsafeBitCast(x.value, to: Double.self)
            return x.chained(
                unsafeBitCast(HyperbolicTangentKernel.tanh(value), to: Base.self),
                derivative: unsafeBitCast(HyperbolicTangentKernel.derivative(value), to: Base.self))
        }
        let reciprocal = 1 / Base.cosh(x.value)
        return x.chained(Base.tanh(x.value), derivative: reciprocal * reciprocal)
    }
    @inlinable public static func cos(_ x: Self) -> Self {
        x.chained(Base.cos(x.value), derivative: -Base.sin(x.value))
    }
    @inlinable public static func sin(_ x: Self) -> Self {
        x.chained(Base.sin(x.value), derivative: Base.cos(x.value))
    }
    @inlinable public static func tan(_ x: Self) -> Self {
        let c = Base.cos(x.value)
        return x.chained(Base.tan(x.value), derivative: 1 / (c * c))
    }
    @inlinable public static func log(_ x: Self) -> Self {
        x.chained(Base.log(x.value), derivative: 1 / x.value)
    }
    @inlinable public static func log(onePlus x: Self) -> Self {
        x.chained(Base.log(onePlus: x.value), derivative: 1 / (1 + x.value))
    }
    /// acosh′ = 1/√((x − 1)(x + 1)), factored to avoid cancelling in x² − 1.
    @inlinable public static func acosh(_ x: Self) -> Self {
        x.chained(Base.acosh(x.value), derivative: 1 / Base.sqrt((x.value - 1) * (x.value + 1)))
    }
    @inlinable public static func asinh(_ x: Self) -> Self {
        x.chained(Base.asinh(x.value), derivative: 1 / Base.sqrt(x.value * x.value + 1))
    }
    /// atanh′ = 1/((1 − x)(1 + x)).
    @inlinable public static func atanh(_ x: Self) -> Self {
        x.chained(Base.atanh(x.value), derivative: 1 / ((1 - x.value) * (1 + x.value)))
    }
    @inlinable public static func acos(_ x: Self) -> Self {
        x.chained(Base.acos(x.value), derivative: -1 / Base.sqrt((1 - x.value) * (1 + x.value)))
    }
    @inlinable public static func asin(_ x: Self) -> Self {
        x.chained(Base.asin(x.value), derivative: 1 / Base.sqrt((1 - x.value) * (1 + x.value)))
    }
    @inlinable public static func atan(_ x: Self) -> Self {
        x.chained(Base.atan(x.value), derivative: 1 / (1 + x.value * x.value))
    }
    @inlinable public static func sqrt(_ x: Self) -> Self {
        let root = Base.sqrt(x.value)
        return x.chained(root, derivative: 1 / (root + root))
    }
    /// `ⁿ√x`, derivative `ⁿ√x / (n·x)`.
    @inlinable public static func root(_ x: Self, _ n: Int) -> Self {
        let root = Base.root(x.value, n)
        return x.chained(root, derivative: root / (Base(Double(n)) * x.value))
    }
    /// `xⁿ`, derivative `n·xⁿ⁻¹`.
    @inlinable public static func pow(_ x: Self, _ n: Int) -> Self {
        x.chained(Base.pow(x.value, n), derivative: n == 0 ? .zero : Base(Double(n)) * Base.pow(x.value, n - 1))
    }
    /// `xʸ = exp(y log x)`: ∂/∂x = y·xʸ⁻¹ and ∂/∂y = xʸ·log x, taken as 0 at
    /// x = 0 (where xʸ is 0 for every y > 0) rather than 0·(−∞).
    @inlinable public static func pow(_ x: Self, _ y: Self) -> Self {
        let power = Base.pow(x.value, y.value)
        let byX = y.value * Base.pow(x.value, y.value - 1)
        let byY = x.value == .zero ? Base.zero : power * Base.log(x.value)
        return combined(x, y, value: power) { byX * $0 + byY * $1 }
    }
}
