import AutogradCore
import CGMP

// Exact field arithmetic: +, −, ×, ÷ never round. Rational conforms to the field
// layer of the scalar protocol, so graphs of field ops replay exactly over it.
extension Rational: FieldScalar {
    public typealias Magnitude = Rational

    /// The exact value of a graph's `Double` constant. Traps on NaN and
    /// infinities (``init(exactly:)-(Double)`` throws instead); inside the exact
    /// strategy's replay, which then throws ``ExactError/notFiniteConstant(_:operation:)``,
    /// they give 0.
    public init(_ value: Double) {
        if !value.isFinite, let recorder = ExactFaultRecorder.current {
            recorder.record(.notFinite(value))
            self = .zero
            return
        }
        do { self = try Rational(exactly: value) } catch { fatalError("Rational: \(error)") }
    }

    public init(integerLiteral value: Int) { self.init(value) }

    public init?<T: BinaryInteger>(exactly source: T) {
        guard let value = Int(exactly: source) else { return nil }
        self.init(value)
    }

    public static var zero: Rational { Rational(small: SmallDyadic(numerator: 0, exponent: 0)) }

    public var magnitude: Rational { signum < 0 ? -self : self }

    public static func + (a: Rational, b: Rational) -> Rational {
        if let x = a.small, let y = b.small, let sum = SmallDyadic.sum(x, y, subtract: false) { return Rational(small: sum) }
        return dyadicSum(a, b, subtract: false) ?? withGMP(a, b) { x, y in make { __gmpq_add($0, x.pointer, y.pointer) } }
    }

    public static func - (a: Rational, b: Rational) -> Rational {
        if let x = a.small, let y = b.small, let difference = SmallDyadic.sum(x, y, subtract: true) {
            return Rational(small: difference)
        }
        return dyadicSum(a, b, subtract: true) ?? withGMP(a, b) { x, y in make { __gmpq_sub($0, x.pointer, y.pointer) } }
    }

    public static prefix func - (a: Rational) -> Rational {
        if let x = a.small { return Rational(small: SmallDyadic(numerator: -x.numerator, exponent: x.exponent)) }
        return a.withGMP { x in make { __gmpq_neg($0, x.pointer) } }
    }

    public static func * (a: Rational, b: Rational) -> Rational {
        if let x = a.small, let y = b.small, let product = SmallDyadic.product(x, y) { return Rational(small: product) }
        return dyadicProduct(a, b) ?? withGMP(a, b) { x, y in make { __gmpq_mul($0, x.pointer, y.pointer) } }
    }

    /// The exact quotient; traps with a message on division by zero (GMP would
    /// abort the process). ``dividing(by:)`` throws instead, and so does
    /// ``ExactMode`` when a replay divides by zero.
    public static func / (a: Rational, b: Rational) -> Rational {
        if b.signum == 0, let recorder = ExactFaultRecorder.current {
            recorder.record(.divisionByZero)
            return .zero
        }
        do { return try a.dividing(by: b) } catch { fatalError("Rational: \(error)") }
    }

    /// The exact quotient, or ``ExactError/divisionByZero``.
    ///
    /// ```swift
    /// try Rational(1).dividing(by: 3)   // 1/3
    /// ```
    public func dividing(by divisor: Rational) throws(ExactError) -> Rational {
        guard divisor.signum != 0 else { throw .divisionByZero }
        return Rational.withGMP(self, divisor) { x, y in Rational.make { __gmpq_div($0, x.pointer, y.pointer) } }
    }

    public static func += (a: inout Rational, b: Rational) { a = a + b }
    public static func -= (a: inout Rational, b: Rational) { a = a - b }
    public static func *= (a: inout Rational, b: Rational) { a = a * b }
    public static func /= (a: inout Rational, b: Rational) { a = a / b }
}

extension Rational: Comparable, Hashable {
    /// Values that fit are always small, so a small and a big value differ.
    public static func == (a: Rational, b: Rational) -> Bool {
        switch (a.small, b.small) {
        case let (x?, y?): return x == y
        case (nil, nil): return withGMP(a, b) { x, y in __gmpq_equal(x.pointer, y.pointer) != 0 }
        default: return false
        }
    }

    public static func < (a: Rational, b: Rational) -> Bool {
        if let x = a.small, let y = b.small, let order = SmallDyadic.compare(x, y) { return order < 0 }
        return withGMP(a, b) { x, y in __gmpq_cmp(x.pointer, y.pointer) < 0 }
    }

    /// Hashes the small form, or the canonical numerator and denominator limbs.
    public func hash(into hasher: inout Hasher) {
        let storage: RationalStorage
        switch representation {
        case .small(let small): hasher.combine(small); return
        case .big(let big): storage = big
        }
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
