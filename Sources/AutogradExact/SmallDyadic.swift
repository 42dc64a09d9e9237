import CGMP

/// A dyadic rational n/2ᵏ small enough for machine words: |n| < 2¹²⁷, k ≥ 0,
/// n odd when k > 0 (lowest terms). Every `Double` is one, and so are most
/// sums, differences and products in a replay, so ``Rational`` keeps them here
/// and computes with them without GMP, allocation or gcd.
@usableFromInline
struct SmallDyadic: Hashable, Sendable {
    @usableFromInline let numerator: Int128
    @usableFromInline let exponent: Int

    /// n/2ᵏ in lowest terms, or `nil` if it does not fit.
    @inlinable @inline(__always)
    static func normalized(_ numerator: Int128, _ exponent: Int) -> SmallDyadic? {
        guard numerator != .min, exponent >= 0 else { return nil }
        if numerator == 0 { return SmallDyadic(numerator: 0, exponent: 0) }
        let shift = Swift.min(numerator.trailingZeroBitCount, exponent)
        let reduced = numerator &>> Int128(shift)
        // The same bound as for GMP values taken back (|n| < 2¹²⁶), so that a
        // value has one representation whichever way it was computed.
        guard reduced.magnitude._high < (1 << 62) else { return nil }
        return SmallDyadic(numerator: reduced, exponent: exponent - shift)
    }

    /// A small dyadic as given; callers keep the invariants.
    @inlinable
    init(numerator: Int128, exponent: Int) {
        self.numerator = numerator
        self.exponent = exponent
    }

    /// The exact value of a finite `Double`, or `nil` for a large integer
    /// (beyond 2¹²⁶).
    @inlinable
    init?(exactly value: Double) {
        if value == 0 { self.init(numerator: 0, exponent: 0); return }
        let bits = value.significandBitPattern | (value.isNormal ? 1 << 52 : 0)
        let significand = Int128(_low: bits, _high: 0)
        // The biased exponent field, read directly (`exponent` is an opaque call).
        let power = value.isNormal ? Int(value.exponentBitPattern) - 1075 : -1074
        let signed = value < 0 ? -significand : significand
        if power >= 0 {
            guard power <= 73 else { return nil }
            self.init(numerator: signed &<< Int128(power), exponent: 0)
        } else {
            guard let normal = SmallDyadic.normalized(signed, -power) else { return nil }
            self = normal
        }
    }

    /// `a << shift` if it stays below 2¹²⁶ in magnitude.
    @inlinable @inline(__always)
    static func shifted(_ value: Int128, by shift: Int) -> Int128? {
        if value == 0 || shift == 0 { return value }
        guard shift < 126, value.magnitude.leadingZeroBitCount > shift + 1 else { return nil }
        return value &<< Int128(shift)
    }

    /// `a ± b`, or `nil` on overflow.
    @inlinable @inline(__always)
    static func sum(_ a: SmallDyadic, _ b: SmallDyadic, subtract: Bool) -> SmallDyadic? {
        // Adding zero, common in the tangents of dual numbers, needs no work.
        if b.numerator == 0 { return a }
        if a.numerator == 0 { return subtract ? SmallDyadic(numerator: -b.numerator, exponent: b.exponent) : b }
        let exponent = Swift.max(a.exponent, b.exponent)
        guard let x = shifted(a.numerator, by: exponent - a.exponent),
              let y = shifted(b.numerator, by: exponent - b.exponent) else { return nil }
        let (result, overflow) = subtract ? x.subtractingReportingOverflow(y) : x.addingReportingOverflow(y)
        return overflow ? nil : normalized(result, exponent)
    }

    /// `a · b`, or `nil` on overflow.
    @inlinable @inline(__always)
    static func product(_ a: SmallDyadic, _ b: SmallDyadic) -> SmallDyadic? {
        // Products by 0 and ±1, common in the tangents of dual numbers, need no work.
        if a.exponent == 0 && a.numerator.magnitude <= 1 {
            return a.numerator == 0 ? a : (a.numerator == 1 ? b : SmallDyadic(numerator: -b.numerator, exponent: b.exponent))
        }
        if b.exponent == 0 && b.numerator.magnitude <= 1 {
            return b.numerator == 0 ? b : (b.numerator == 1 ? a : SmallDyadic(numerator: -a.numerator, exponent: a.exponent))
        }
        // Numerators of one word (every Double's) multiply in one instruction,
        // and their product cannot overflow.
        if let x = Int64(exactly: a.numerator), let y = Int64(exactly: b.numerator) {
            let (high, low) = x.multipliedFullWidth(by: y)
            return normalized(Int128(_low: low, _high: high), a.exponent + b.exponent)
        }
        let (result, overflow) = a.numerator.multipliedReportingOverflow(by: b.numerator)
        return overflow ? nil : normalized(result, a.exponent + b.exponent)
    }

    /// The sign of `a − b`, or `nil` if aligning them would overflow.
    @inlinable
    static func compare(_ a: SmallDyadic, _ b: SmallDyadic) -> Int? {
        let exponent = Swift.max(a.exponent, b.exponent)
        guard let x = shifted(a.numerator, by: exponent - a.exponent),
              let y = shifted(b.numerator, by: exponent - b.exponent) else { return nil }
        return x < y ? -1 : (x > y ? 1 : 0)
    }

    /// The nearest `Double` when |n| < 2⁶⁴ and the result is a normal number,
    /// else `nil`. (`Double(UInt64)` rounds to nearest, and scaling by a power
    /// of two is then exact; the word accessors avoid the standard library's
    /// unspecialised generic conversion from `Int128`.)
    @inlinable
    var doubleValue: Double? {
        if numerator == 0 { return 0 }
        let magnitude = numerator.magnitude
        guard magnitude._high == 0, exponent <= 1022 else { return nil }
        let scaled = Double(magnitude._low) * Double(sign: .plus, exponent: -exponent, significand: 1)
        guard scaled.isNormal else { return nil }
        return numerator < 0 ? -scaled : scaled
    }

    /// The same value as a GMP rational, in `target` (initialised).
    func write(to target: UnsafeMutablePointer<__mpq_struct>) {
        let view = RationalStorage.view(target)
        let magnitude = numerator.magnitude
        __gmpz_set_ui(view.numerator, UInt(magnitude._high))
        __gmpz_mul_2exp(view.numerator, view.numerator, 64)
        __gmpz_add_ui(view.numerator, view.numerator, UInt(magnitude._low))
        if numerator < 0 { __gmpz_neg(view.numerator, view.numerator) }
        __gmpz_set_ui(view.denominator, 1)
        __gmpz_mul_2exp(view.denominator, view.denominator, mp_bitcnt_t(exponent))
    }

    /// The value of a canonical GMP rational if it is a small dyadic.
    init?(_ source: UnsafeMutablePointer<__mpq_struct>) {
        let view = RationalStorage.view(source)
        let size = Int(view.numerator.pointee._mp_size)
        guard abs(size) <= 2 else { return nil }
        guard let bits = view.dyadicExponent else { return nil }
        let low = size != 0 ? UInt64(view.numerator.pointee._mp_d[0]) : 0
        let high = abs(size) == 2 ? UInt64(view.numerator.pointee._mp_d[1]) : 0
        guard high < (1 << 62) else { return nil }   // |n| < 2¹²⁶
        let signed = Int128(_low: low, _high: Int64(high))
        self.init(numerator: size < 0 ? -signed : signed, exponent: bits)
    }
}
