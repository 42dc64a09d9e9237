import AutogradCore
import CGMP

// Exact field arithmetic: +, −, ×, ÷ never round. Rational conforms to the field
// layer of the scalar protocol, so graphs of field ops replay exactly over it.
extension Rational: FieldScalar {
    public typealias Magnitude = Rational

    /// The exact value of a graph's `Double` constant. Traps on NaN and
    /// infinities: strategies check their inputs with ``init(exactly:)`` first.
    public init(_ value: Double) {
        do { self = try Rational(exactly: value) } catch { fatalError("Rational: \(error)") }
    }

    public init(integerLiteral value: Int) { self.init(value) }

    public init?<T: BinaryInteger>(exactly source: T) {
        guard let value = Int(exactly: source) else { return nil }
        self.init(value)
    }

    public static var zero: Rational { Rational(0) }

    public var magnitude: Rational { Rational.make { __gmpq_abs($0, storage.pointer) } }

    public static func + (a: Rational, b: Rational) -> Rational {
        dyadicSum(a, b, subtract: false) ?? make { __gmpq_add($0, a.storage.pointer, b.storage.pointer) }
    }

    public static func - (a: Rational, b: Rational) -> Rational {
        dyadicSum(a, b, subtract: true) ?? make { __gmpq_sub($0, a.storage.pointer, b.storage.pointer) }
    }

    public static prefix func - (a: Rational) -> Rational {
        make { __gmpq_neg($0, a.storage.pointer) }
    }

    public static func * (a: Rational, b: Rational) -> Rational {
        dyadicProduct(a, b) ?? make { __gmpq_mul($0, a.storage.pointer, b.storage.pointer) }
    }

    /// The exact quotient; traps with a message on division by zero (GMP would
    /// abort the process). ``dividing(by:)`` throws instead.
    public static func / (a: Rational, b: Rational) -> Rational {
        do { return try a.dividing(by: b) } catch { fatalError("Rational: \(error)") }
    }

    /// The exact quotient, or ``ExactError/divisionByZero``.
    ///
    /// ```swift
    /// try Rational(1).dividing(by: 3)   // 1/3
    /// ```
    public func dividing(by divisor: Rational) throws(ExactError) -> Rational {
        guard divisor.signum != 0 else { throw .divisionByZero }
        return Rational.make { __gmpq_div($0, storage.pointer, divisor.storage.pointer) }
    }

    public static func += (a: inout Rational, b: Rational) { a = a + b }
    public static func -= (a: inout Rational, b: Rational) { a = a - b }
    public static func *= (a: inout Rational, b: Rational) { a = a * b }
    public static func /= (a: inout Rational, b: Rational) { a = a / b }
}

extension Rational: Comparable, Hashable {
    public static func == (a: Rational, b: Rational) -> Bool {
        __gmpq_equal(a.storage.pointer, b.storage.pointer) != 0
    }

    public static func < (a: Rational, b: Rational) -> Bool {
        __gmpq_cmp(a.storage.pointer, b.storage.pointer) < 0
    }

    /// Hashes the canonical numerator and denominator limbs.
    public func hash(into hasher: inout Hasher) {
        for integer in [storage.numerator, storage.denominator] {
            let size = Int(integer.pointee._mp_size)
            hasher.combine(size)
            for limb in UnsafeBufferPointer(start: integer.pointee._mp_d, count: abs(size)) { hasher.combine(limb) }
        }
    }
}

extension Rational: CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The exact fraction in lowest terms, `"3/4"`.
    public var description: String { fractionDescription }
}
