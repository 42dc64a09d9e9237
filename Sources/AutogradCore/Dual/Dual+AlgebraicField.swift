import RealModule

// Field arithmetic: the sum, product and quotient rules.
extension Dual: AlgebraicField {
    public typealias Magnitude = Dual

    @inlinable public static var zero: Dual { Dual(constant: .zero) }

    @inlinable
    public init(integerLiteral value: Int) {
        self.init(constant: Base(Double(value)))
    }

    @inlinable
    public init?<T: BinaryInteger>(exactly source: T) {
        guard let value = Base(exactly: source) else { return nil }
        self.init(constant: value)
    }

    /// `|x|`, with derivative `sign(x)` (0 at 0).
    @inlinable
    public var magnitude: Dual { value < .zero ? -self : (value > .zero ? self : Dual(.zero, tangent: .zero, tag: tag)) }

    @inlinable
    public static func + (a: Dual, b: Dual) -> Dual {
        Dual(a.value + b.value, tangent: a.tangent + b.tangent, tag: combinedTag(a, b))
    }

    @inlinable
    public static func - (a: Dual, b: Dual) -> Dual {
        Dual(a.value - b.value, tangent: a.tangent - b.tangent, tag: combinedTag(a, b))
    }

    @inlinable
    public static prefix func - (a: Dual) -> Dual {
        Dual(-a.value, tangent: -a.tangent, tag: a.tag)
    }

    @inlinable
    public static func * (a: Dual, b: Dual) -> Dual {
        Dual(a.value * b.value, tangent: a.tangent * b.value + a.value * b.tangent, tag: combinedTag(a, b))
    }

    @inlinable
    public static func *= (a: inout Dual, b: Dual) { a = a * b }

    /// `(a/b)′ = (a′ − (a/b)·b′)/b`.
    @inlinable
    public static func / (a: Dual, b: Dual) -> Dual {
        let quotient = a.value / b.value
        return Dual(quotient, tangent: (a.tangent - quotient * b.tangent) / b.value, tag: combinedTag(a, b))
    }

    @inlinable
    public static func /= (a: inout Dual, b: Dual) { a = a / b }

    @inlinable
    public static func += (a: inout Dual, b: Dual) { a = a + b }

    @inlinable
    public static func -= (a: inout Dual, b: Dual) { a = a - b }
}

extension Dual: Equatable, Comparable {
    /// Compares values only, as ``Dual`` orders them.
    @inlinable
    public static func == (a: Dual, b: Dual) -> Bool { a.value == b.value }

    @inlinable
    public static func < (a: Dual, b: Dual) -> Bool { a.value < b.value }
}

extension Dual: FieldScalar {
    /// A constant dual for a graph's `Double` constant.
    @inlinable
    public init(_ value: Double) { self.init(constant: Base(value)) }
}

extension Dual: CustomStringConvertible {
    public var description: String { "\(value) + \(tangent)ε" }
}
