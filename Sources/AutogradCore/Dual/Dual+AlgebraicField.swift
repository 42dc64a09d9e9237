// Field arithmetic for the one-lane dual number, written out rather than
// through the lane closures of `DualNumber`'s generic rules: the same sum,
// product and quotient rules, with no closure and no copies of the operands
// beyond the arithmetic itself. (Over exact rationals, where each operation
// is costly, this halves the work of a product.)
extension Dual {
    @inlinable
    public static func + (a: Dual, b: Dual) -> Dual {
        Dual(a.value + b.value, tangent: a.tangent + b.tangent, tag: PerturbationTag.combined(a.tag, b.tag))
    }

    @inlinable
    public static func - (a: Dual, b: Dual) -> Dual {
        Dual(a.value - b.value, tangent: a.tangent - b.tangent, tag: PerturbationTag.combined(a.tag, b.tag))
    }

    @inlinable
    public static prefix func - (a: Dual) -> Dual { Dual(-a.value, tangent: -a.tangent, tag: a.tag) }

    /// `(ab)′ = a′b + ab′`.
    @inlinable
    public static func * (a: Dual, b: Dual) -> Dual {
        Dual(a.value * b.value, tangent: a.tangent * b.value + a.value * b.tangent, tag: PerturbationTag.combined(a.tag, b.tag))
    }

    /// `(a/b)′ = (a′ − (a/b)·b′)/b`.
    @inlinable
    public static func / (a: Dual, b: Dual) -> Dual {
        let quotient = a.value / b.value
        return Dual(quotient, tangent: (a.tangent - quotient * b.tangent) / b.value, tag: PerturbationTag.combined(a.tag, b.tag))
    }

    @inlinable public static func += (a: inout Dual, b: Dual) { a = a + b }
    @inlinable public static func -= (a: inout Dual, b: Dual) { a = a - b }
    @inlinable public static func *= (a: inout Dual, b: Dual) { a = a * b }
    @inlinable public static func /= (a: inout Dual, b: Dual) { a = a / b }
}
