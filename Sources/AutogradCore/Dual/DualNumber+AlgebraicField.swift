import RealModule

// Field arithmetic for every dual number: the sum, product and quotient rules.
extension DualNumber {
    @inlinable public static var zero: Self { Self(constant: .zero) }

    @inlinable
    public init(integerLiteral value: Int) {
        self.init(constant: Base(Double(value)))
    }

    @inlinable
    public init?<T: BinaryInteger>(exactly source: T) {
        guard let value = Base(exactly: source) else { return nil }
        self.init(constant: value)
    }

    /// A constant for a graph's `Double` constant.
    @inlinable
    public init(_ value: Double) { self.init(constant: Base(value)) }

    /// `|x|`, with derivative `sign(x)` (0 at 0).
    @inlinable
    public var magnitude: Self {
        chained(value < .zero ? -value : value, derivative: value < .zero ? -1 : (value > .zero ? 1 : 0))
    }

    @inlinable
    public static func + (a: Self, b: Self) -> Self { combined(a, b, value: a.value + b.value) { $0 + $1 } }

    @inlinable
    public static func - (a: Self, b: Self) -> Self { combined(a, b, value: a.value - b.value) { $0 - $1 } }

    @inlinable
    public static prefix func - (a: Self) -> Self { Self(-a.value, tag: a.tag) { -a.tangent(lane: $0) } }

    @inlinable
    public static func * (a: Self, b: Self) -> Self {
        combined(a, b, value: a.value * b.value) { $0 * b.value + a.value * $1 }
    }

    /// `(a/b)′ = (a′ − (a/b)·b′)/b`.
    @inlinable
    public static func / (a: Self, b: Self) -> Self {
        let quotient = a.value / b.value
        return combined(a, b, value: quotient) { ($0 - quotient * $1) / b.value }
    }

    @inlinable public static func += (a: inout Self, b: Self) { a = a + b }
    @inlinable public static func -= (a: inout Self, b: Self) { a = a - b }
    @inlinable public static func *= (a: inout Self, b: Self) { a = a * b }
    @inlinable public static func /= (a: inout Self, b: Self) { a = a / b }

    /// Compares values only, as dual numbers order them.
    @inlinable public static func == (a: Self, b: Self) -> Bool { a.value == b.value }

    @inlinable public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
}
