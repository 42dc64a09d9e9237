import RealModule

// The chain rule for every elementary function: f(x + x′ε) = f(x) + f′(x)·x′ε.
// Derivatives are written to keep their accuracy where the textbook form
// cancels (tanh′ = 1/cosh², not 1 − tanh²).
extension Dual: ElementaryFunctions where Base: ElementaryScalar {
    /// `f(x) + f′(x)·x′ε`.
    @inlinable
    func chain(_ value: Base, _ derivative: Base) -> Dual {
        Dual(value, tangent: derivative * tangent, tag: tag)
    }

    @inlinable public static func exp(_ x: Dual) -> Dual {
        let e = Base.exp(x.value)
        return x.chain(e, e)
    }
    @inlinable public static func expMinusOne(_ x: Dual) -> Dual {
        x.chain(Base.expMinusOne(x.value), Base.exp(x.value))
    }
    @inlinable public static func cosh(_ x: Dual) -> Dual { x.chain(Base.cosh(x.value), Base.sinh(x.value)) }
    @inlinable public static func sinh(_ x: Dual) -> Dual { x.chain(Base.sinh(x.value), Base.cosh(x.value)) }
    @inlinable public static func tanh(_ x: Dual) -> Dual {
        let c = Base.cosh(x.value)
        return x.chain(Base.tanh(x.value), 1 / (c * c))
    }
    @inlinable public static func cos(_ x: Dual) -> Dual { x.chain(Base.cos(x.value), -Base.sin(x.value)) }
    @inlinable public static func sin(_ x: Dual) -> Dual { x.chain(Base.sin(x.value), Base.cos(x.value)) }
    @inlinable public static func tan(_ x: Dual) -> Dual {
        let c = Base.cos(x.value)
        return x.chain(Base.tan(x.value), 1 / (c * c))
    }
    @inlinable public static func log(_ x: Dual) -> Dual { x.chain(Base.log(x.value), 1 / x.value) }
    @inlinable public static func log(onePlus x: Dual) -> Dual {
        x.chain(Base.log(onePlus: x.value), 1 / (1 + x.value))
    }
    /// acosh′ = 1/√((x − 1)(x + 1)), factored to avoid cancelling in x² − 1.
    @inlinable public static func acosh(_ x: Dual) -> Dual {
        x.chain(Base.acosh(x.value), 1 / Base.sqrt((x.value - 1) * (x.value + 1)))
    }
    @inlinable public static func asinh(_ x: Dual) -> Dual {
        x.chain(Base.asinh(x.value), 1 / Base.sqrt(x.value * x.value + 1))
    }
    /// atanh′ = 1/((1 − x)(1 + x)).
    @inlinable public static func atanh(_ x: Dual) -> Dual {
        x.chain(Base.atanh(x.value), 1 / ((1 - x.value) * (1 + x.value)))
    }
    @inlinable public static func acos(_ x: Dual) -> Dual {
        x.chain(Base.acos(x.value), -1 / Base.sqrt((1 - x.value) * (1 + x.value)))
    }
    @inlinable public static func asin(_ x: Dual) -> Dual {
        x.chain(Base.asin(x.value), 1 / Base.sqrt((1 - x.value) * (1 + x.value)))
    }
    @inlinable public static func atan(_ x: Dual) -> Dual {
        x.chain(Base.atan(x.value), 1 / (1 + x.value * x.value))
    }
    @inlinable public static func sqrt(_ x: Dual) -> Dual {
        let root = Base.sqrt(x.value)
        return x.chain(root, 1 / (root + root))
    }
    /// `ⁿ√x`, derivative `ⁿ√x / (n·x)`.
    @inlinable public static func root(_ x: Dual, _ n: Int) -> Dual {
        let root = Base.root(x.value, n)
        return x.chain(root, root / (Base(Double(n)) * x.value))
    }
    /// `xⁿ`, derivative `n·xⁿ⁻¹`.
    @inlinable public static func pow(_ x: Dual, _ n: Int) -> Dual {
        x.chain(Base.pow(x.value, n), n == 0 ? .zero : Base(Double(n)) * Base.pow(x.value, n - 1))
    }
    /// `xʸ = exp(y log x)`: ∂/∂x = y·xʸ⁻¹ and ∂/∂y = xʸ·log x, taken as 0 at
    /// x = 0 (where xʸ is 0 for every y > 0) rather than 0·(−∞).
    @inlinable public static func pow(_ x: Dual, _ y: Dual) -> Dual {
        let power = Base.pow(x.value, y.value)
        let fromX = y.value * Base.pow(x.value, y.value - 1) * x.tangent
        let fromY = x.value == .zero ? Base.zero : power * Base.log(x.value) * y.tangent
        return Dual(power, tangent: fromX + fromY, tag: combinedTag(x, y))
    }
}

extension Dual: ElementaryScalar where Base: ElementaryScalar {}
