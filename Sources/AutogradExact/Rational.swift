import AutogradCore
import CGMP
import CMPFR

/// An exact rational number: arithmetic never rounds.
///
/// Small dyadic values n/2ᵏ (every `Double`, and most sums and products of
/// them) live in machine words; the rest in GMP's `mpq_t`, owned by one final
/// class that copies share (no value ever mutates it). Every `Double` is a
/// rational, so ``init(exactly:)-(Double)`` converts without error; ``doubleValue``
/// rounds back to the nearest `Double` (GMP's own conversion truncates).
///
/// ```swift
/// let third = try Rational("1/3")
/// third + third + third == 1          // true, exactly
/// try Rational(exactly: 0.1)          // 3602879701896397/36028797018963968
/// try Rational("0.1")                 // 1/10
/// ```
// Sendable: the storage is never mutated once a value holds it.
public struct Rational: @unchecked Sendable {
    /// Where the value lives: machine words, or GMP.
    @usableFromInline
    enum Representation {
        /// A small dyadic rational (canonically: every value that fits is
        /// kept here, never in GMP).
        case small(SmallDyadic)
        /// Any other value.
        case big(RationalStorage)
    }

    // An enum rather than an optional of each: a small value is then 32 bytes
    // with no reference to retain or release when it is copied or destroyed,
    // which is most of the cost of moving rationals through a replay.
    @usableFromInline let representation: Representation

    /// The value when it is a small dyadic rational.
    @inlinable var small: SmallDyadic? {
        if case .small(let value) = representation { return value }
        return nil
    }

    /// The GMP value otherwise.
    @inlinable var big: RationalStorage? {
        if case .big(let storage) = representation { return storage }
        return nil
    }

    @usableFromInline init(small: SmallDyadic) {
        representation = .small(small)
    }

    /// A value from a GMP rational: kept small when it fits.
    @usableFromInline init(storage: RationalStorage) {
        representation = SmallDyadic(storage.pointer).map(Representation.small) ?? .big(storage)
    }

    /// Calls `body` with this value as a GMP rational (made for the call if the
    /// value is small), kept alive until `body` returns.
    @usableFromInline
    func withGMP<Result>(_ body: (RationalStorage) throws -> Result) rethrows -> Result {
        let storage: RationalStorage
        switch representation {
        case .big(let big):
            storage = big
        case .small(let small):
            storage = RationalStorage.make()
            small.write(to: storage.pointer)
        }
        return try withExtendedLifetime(storage) { try body(storage) }
    }

    /// Calls `body` with two values as GMP rationals.
    @usableFromInline
    static func withGMP<Result>(_ a: Rational, _ b: Rational, _ body: (RationalStorage, RationalStorage) -> Result) -> Result {
        a.withGMP { x in b.withGMP { y in body(x, y) } }
    }

    /// A new value computed into fresh GMP storage by `compute`.
    @usableFromInline
    static func make(_ compute: (UnsafeMutablePointer<__mpq_struct>) -> Void) -> Rational {
        let storage = RationalStorage.make()
        compute(storage.pointer)
        return Rational(storage: storage)
    }

    /// The integer `value`.
    public init(_ value: Int) {
        self.init(small: SmallDyadic(numerator: Int128(value), exponent: 0))
    }

    /// `numerator / denominator`, in lowest terms; throws on a zero denominator.
    public init(numerator: Int, denominator: Int) throws(ExactError) {
        guard denominator != 0 else { throw .divisionByZero }
        self = Rational(numerator) / Rational(denominator)
    }

    /// The exact value of a finite `Double`; throws on NaN and infinities.
    public init(exactly value: Double) throws(ExactError) {
        guard value.isFinite else { throw .notFinite(value) }
        if let small = SmallDyadic(exactly: value) { self.init(small: small); return }
        self = Rational.make { __gmpq_set_d($0, value) }
    }

    /// Parses an integer (`"-12"`), a fraction (`"3/4"`) or a decimal
    /// (`"0.1"`, `"-2.5e-3"`), exactly: `"0.1"` is 1/10. Throws
    /// ``ExactError/zeroDenominator(_:)`` for `"1/0"`,
    /// ``ExactError/exponentOutOfRange(_:limit:)`` for an exponent beyond
    /// 100000 (`"1e999999"`), ``ExactError/malformedNumber(_:)`` otherwise.
    public init(_ text: String) throws(ExactError) {
        self = try Rational.parse(text)
    }

    /// The sign: -1, 0 or 1.
    public var signum: Int {
        switch representation {
        case .small(let small): small.numerator.signum() == 0 ? 0 : (small.numerator < 0 ? -1 : 1)
        case .big(let big): Int(big.numerator.pointee._mp_size.signum())
        }
    }

    /// Whether the value is an integer.
    public var isInteger: Bool {
        withGMP { __gmpz_cmp_ui($0.denominator, 1) == 0 }
    }

    /// The nearest `Double` (ties to even), rounded once through MPFR.
    ///
    /// ```swift
    /// try Rational("2.4703282292062328e-324").doubleValue   // 5e-324: just above half of it
    /// ```
    public var doubleValue: Double {
        if let fast = small?.doubleValue { return fast }
        return withGMP { Rational.nearestDouble(to: $0.pointer) }
    }

    /// Rounds a GMP rational to `Double` in one step: MPFR at 53 bits within
    /// `Double`'s exponent range, with its subnormals emulated
    /// (`mpfr_subnormalize`). Rounding to 53 bits first and then to a
    /// subnormal rounds twice: a value just above half the smallest
    /// subnormal became exactly half, then 0.
    private static func nearestDouble(to value: UnsafePointer<__mpq_struct>) -> Double {
        MPFRThreadCaches.registerCurrentThread()
        // The exponent range is per thread (MPFR is built thread-safe), and
        // nothing here suspends.
        let (emin, emax) = (mpfr_get_emin(), mpfr_get_emax())
        mpfr_set_emin(-1073)
        mpfr_set_emax(1024)
        defer {
            mpfr_set_emin(emin)
            mpfr_set_emax(emax)
        }
        var rounded = __mpfr_struct()
        mpfr_init2(&rounded, 53)
        defer { mpfr_clear(&rounded) }
        let ternary = mpfr_set_q(&rounded, value, MPFR_RNDN)
        _ = mpfr_subnormalize(&rounded, ternary, MPFR_RNDN)
        return mpfr_get_d(&rounded, MPFR_RNDN)
    }

    /// The value in base 10 as a fraction in lowest terms, `"-3/4"`, or an
    /// integer, `"5"`.
    public var fractionDescription: String {
        withGMP { storage in
            let size = __gmpz_sizeinbase(storage.numerator, 10) + __gmpz_sizeinbase(storage.denominator, 10) + 3
            var buffer = [UInt8](repeating: 0, count: size)
            buffer.withUnsafeMutableBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { _ = __gmpq_get_str($0.baseAddress, 10, storage.pointer) }
            }
            return String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// The value as a decimal with `digits` digits after the point, rounded
    /// to nearest.
    ///
    /// ```swift
    /// try Rational("2/3").decimalDescription(digits: 4)   // "0.6667"
    /// ```
    public func decimalDescription(digits: Int) -> String {
        withGMP { storage in decimalDescription(digits: digits, storage) }
    }

    private func decimalDescription(digits: Int, _ storage: RationalStorage) -> String {
        // round(|x| · 10^digits) = ⌊(2·|num|·10^digits + den) / (2·den)⌋
        let scaled = UnsafeMutablePointer<__mpz_struct>.allocate(capacity: 2)
        let twiceDenominator = scaled + 1
        __gmpz_init(scaled)
        __gmpz_init(twiceDenominator)
        defer {
            __gmpz_clear(scaled)
            __gmpz_clear(twiceDenominator)
            scaled.deallocate()
        }
        __gmpz_ui_pow_ui(scaled, 10, UInt(max(0, digits)))
        __gmpz_mul(scaled, scaled, storage.numerator)
        __gmpz_abs(scaled, scaled)
        __gmpz_mul_2exp(scaled, scaled, 1)
        __gmpz_add(scaled, scaled, storage.denominator)
        __gmpz_mul_2exp(twiceDenominator, storage.denominator, 1)
        __gmpz_fdiv_q(scaled, scaled, twiceDenominator)
        var text = Rational.takeGMPString(__gmpz_get_str(nil, 10, scaled))
        if digits > 0 {
            if text.count <= digits { text = String(repeating: "0", count: digits - text.count + 1) + text }
            text.insert(".", at: text.index(text.endIndex, offsetBy: -digits))
        }
        let isZero = text.allSatisfy { $0 == "0" || $0 == "." }
        return (signum < 0 && !isZero ? "-" : "") + text
    }

    /// A string that GMP allocated, copied, then freed with GMP's own
    /// allocator (GMP's strings must not go to `free`).
    static func takeGMPString(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
        guard let pointer else { return "" }
        let text = String(cString: pointer)
        var free: (@convention(c) (UnsafeMutableRawPointer?, Int) -> Void)?
        __gmp_get_memory_functions(nil, nil, &free)
        free?(pointer, text.utf8.count + 1)
        return text
    }

    /// Parses the forms ``init(_:)`` accepts; throws what is wrong with anything else.
    static func parse(_ text: String) throws(ExactError) -> Rational {
        let trimmed = text.trimmingWhitespace()
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2 {
            guard let numerator = integer(parts[0]), let denominator = integer(parts[1]) else { throw .malformedNumber(text) }
            guard denominator.signum != 0 else { throw .zeroDenominator(text) }
            return numerator / denominator
        }
        guard parts.count == 1, let value = try decimal(trimmed, text: text) else { throw .malformedNumber(text) }
        return value
    }

    /// An optionally signed run of decimal digits.
    private static func integer(_ text: Substring) -> Rational? {
        var digits = text
        var negative = false
        if let first = digits.first, first == "-" || first == "+" {
            negative = first == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let value = Rational.make { q in
            _ = String(digits).withCString { __gmpz_set_str(UnsafeMutableRawPointer(q).assumingMemoryBound(to: __mpz_struct.self), $0, 10) }
        }
        return negative ? -value : value
    }

    /// `[sign] digits [. digits] [e|E [sign] digits]`, exactly; `nil` when
    /// malformed, and throws when the exponent of `text` (as given) is beyond 100000.
    private static func decimal(_ trimmed: String, text: String) throws(ExactError) -> Rational? {
        var mantissa = Substring(trimmed)
        var power: Substring = "0"
        if let e = mantissa.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            power = mantissa[mantissa.index(after: e)...]
            let powerDigits = power.first == "-" || power.first == "+" ? power.dropFirst() : power
            guard !powerDigits.isEmpty, powerDigits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            mantissa = mantissa[..<e]
        }
        var whole = mantissa
        var fraction: Substring = ""
        if let point = mantissa.firstIndex(of: ".") {
            whole = mantissa[..<point]
            fraction = mantissa[mantissa.index(after: point)...]
            guard fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        }
        let sign = whole.first.map { $0 == "-" || $0 == "+" } ?? false ? String(whole.first!) : ""
        let wholeDigits = sign.isEmpty ? whole : whole.dropFirst()
        guard !(wholeDigits.isEmpty && fraction.isEmpty),
              wholeDigits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let digits = integer(Substring(sign + (wholeDigits.isEmpty ? "0" : wholeDigits) + fraction))
        else { return nil }
        let limit = 100_000
        guard let exponent = Int(power), exponent.magnitude <= limit else { throw .exponentOutOfRange(text, limit: limit) }
        let scale = exponent - fraction.count
        let ten = Rational(10)
        return scale >= 0 ? digits * ten.power(scale) : digits / ten.power(-scale)
    }

    /// `self` to a non-negative integer power, by repeated squaring.
    func power(_ exponent: Int) -> Rational {
        var result = Rational(1)
        var base = self
        var remaining = exponent
        while remaining > 0 {
            if remaining & 1 == 1 { result = result * base }
            remaining >>= 1
            if remaining > 0 { base = base * base }
        }
        return result
    }
}

private extension String {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
