import AutogradCore

/// An exact dyadic rational n/2ᵏ held in machine words (a ``SmallDyadic``), or
/// *unknown*: a rational the words could not hold, because it outgrew 126
/// bits or is not dyadic (a quotient by an odd number).
///
/// The exact strategy's fast path replays a graph of field ops over this
/// scalar: every value of a `Double` is one, and so are their sums,
/// differences and products, so a replay usually needs no GMP, no gcd and no
/// allocation per element. Unknown is absorbing (any operation on it gives
/// unknown) except that a product with an exact 0 is 0, as it is for every
/// rational. So a known result is the exact one; where a requested gradient
/// element is unknown, ``ExactMode`` replays the graph over ``Rational``.
///
/// A comparison or equality test that reads an unknown cannot be answered:
/// it notes ``ExactFaultRecorder/readUnknown`` (the replay then falls back)
/// and answers `false`.
///
/// ```swift
/// WordDyadic(0.75) * WordDyadic(4.0)   // 3, known
/// WordDyadic(1.0) / WordDyadic(3.0)    // unknown: 1/3 is not dyadic
/// ```
struct WordDyadic: ReferenceScalar {
    typealias Magnitude = WordDyadic

    // Unknown is the numerator Int128.min, which no small dyadic has: the
    // scalar is then 32 bytes, not the 48 of an optional.
    private let stored: SmallDyadic

    /// The value, `nil` when unknown.
    @inline(__always)
    var known: SmallDyadic? { stored.numerator == .min ? nil : stored }

    @inline(__always)
    init(_ known: SmallDyadic?) { stored = known ?? SmallDyadic(numerator: .min, exponent: 0) }

    static var unknown: WordDyadic { WordDyadic(nil) }

    /// The exact value of a graph's `Double` constant, unknown for a huge
    /// integer beyond 2¹²⁶; a NaN or an infinity is recorded as a fault, as
    /// ``Rational`` does.
    init(_ value: Double) {
        if !value.isFinite { ExactFaultRecorder.current?.record(.notFinite(value)) }
        self.init(value.isFinite ? SmallDyadic(exactly: value) : nil)
    }

    init(integerLiteral value: Int) { self.init(SmallDyadic(numerator: Int128(value), exponent: 0)) }

    init?<T: BinaryInteger>(exactly source: T) {
        guard let value = Int(exactly: source) else { return nil }
        self.init(integerLiteral: value)
    }

    static var zero: WordDyadic { WordDyadic(SmallDyadic(numerator: 0, exponent: 0)) }

    /// The exact rational, or `nil` when unknown.
    var rational: Rational? { known.map(Rational.init(small:)) }

    var magnitude: WordDyadic {
        guard let x = known else { return .unknown }
        return x.numerator < 0 ? -self : self
    }

    @inline(__always)
    static func + (a: WordDyadic, b: WordDyadic) -> WordDyadic {
        guard let x = a.known, let y = b.known else { return .unknown }
        return WordDyadic(SmallDyadic.sum(x, y, subtract: false))
    }

    @inline(__always)
    static func - (a: WordDyadic, b: WordDyadic) -> WordDyadic {
        guard let x = a.known, let y = b.known else { return .unknown }
        return WordDyadic(SmallDyadic.sum(x, y, subtract: true))
    }

    @inline(__always)
    static prefix func - (a: WordDyadic) -> WordDyadic {
        guard let x = a.known else { return .unknown }
        return WordDyadic(SmallDyadic(numerator: -x.numerator, exponent: x.exponent))
    }

    @inline(__always)
    static func * (a: WordDyadic, b: WordDyadic) -> WordDyadic {
        switch (a.known, b.known) {
        case let (x?, y?): WordDyadic(SmallDyadic.product(x, y))
        case let (x?, nil) where x.numerator == 0: a
        case let (nil, y?) where y.numerator == 0: b
        default: .unknown
        }
    }

    /// The exact quotient when the divisor is ±2ᵐ; unknown for any other
    /// divisor. Division by zero is recorded as a fault (and gives unknown).
    static func /= (a: inout WordDyadic, b: WordDyadic) {
        guard let y = b.known, y.numerator != 0 else {
            if b.known != nil { ExactFaultRecorder.current?.record(.divisionByZero) }
            a = .unknown
            return
        }
        guard let x = a.known else { return }
        let magnitude = y.numerator.magnitude
        guard magnitude.nonzeroBitCount == 1 else { a = x.numerator == 0 ? a : .unknown; return }
        // b = ±2^(m − k), so a / b = ±a · 2^(k − m).
        let power = y.exponent - magnitude.trailingZeroBitCount
        let numerator = y.numerator < 0 ? -x.numerator : x.numerator
        if power <= x.exponent {
            a = WordDyadic(SmallDyadic.normalized(numerator, x.exponent - power))
        } else {
            a = WordDyadic(SmallDyadic.shifted(numerator, by: power - x.exponent).map { SmallDyadic(numerator: $0, exponent: 0) })
        }
    }

    static func += (a: inout WordDyadic, b: WordDyadic) { a = a + b }
    static func -= (a: inout WordDyadic, b: WordDyadic) { a = a - b }
    static func *= (a: inout WordDyadic, b: WordDyadic) { a = a * b }

    static func == (a: WordDyadic, b: WordDyadic) -> Bool {
        guard let x = a.known, let y = b.known else { return readUnknown() }
        return x == y
    }

    static func < (a: WordDyadic, b: WordDyadic) -> Bool {
        guard let x = a.known, let y = b.known else { return readUnknown() }
        return order(x, y) < 0
    }

    /// Notes that a comparison read an unknown, and answers `false`.
    private static func readUnknown() -> Bool {
        ExactFaultRecorder.current?.readUnknown = true
        return false
    }

    /// The sign of `x − y`, for any two small dyadics: by sign, then by the
    /// position of the leading bit, then (when those agree, so that aligning
    /// them cannot overflow) by the aligned numerators.
    private static func order(_ x: SmallDyadic, _ y: SmallDyadic) -> Int {
        let signs = (x.numerator.signum(), y.numerator.signum())
        if signs.0 != signs.1 { return signs.0 < signs.1 ? -1 : 1 }
        if signs.0 == 0 { return 0 }
        func leadingBit(_ value: SmallDyadic) -> Int { 128 - value.numerator.magnitude.leadingZeroBitCount - value.exponent }
        let (a, b) = (leadingBit(x), leadingBit(y))
        if a != b { return (a < b) == (signs.0 > 0) ? -1 : 1 }
        return SmallDyadic.compare(x, y)!
    }

    func mayEqual(_ other: WordDyadic) -> Bool {
        guard known != nil, other.known != nil else { ExactFaultRecorder.current?.readUnknown = true; return true }
        return self == other
    }

    var isCertainlyZero: Bool { known?.numerator == 0 }

    var magnitudeBound: Double { rational?.magnitudeBound ?? .infinity }

    var referenceDescription: String { rational?.referenceDescription ?? "unknown (beyond 126 bits)" }

    // A known dyadic's branch is always decided; the fast path replays no
    // branching op, and an unknown is never compared.
    func branchIsUndecided(_ operation: any BranchingOperation) -> Bool { known == nil }
    func pieces(around points: [Double]) -> [WordDyadic] { [self] }
    func hull(_ other: WordDyadic) -> WordDyadic { self }
}
