import AutogradCore
import CMPFR

/// A binary floating-point number of arbitrary precision on MPFR's `mpfr_t`,
/// every operation correctly rounded to nearest.
///
/// The precision is per value, 256 bits unless ``defaultPrecision`` says
/// otherwise for the current task; an operation rounds to the larger of its
/// operands' precisions. A value type: copies share one MPFR number.
///
/// ```swift
/// let x = BigFloat(2)
/// BigFloat.sqrt(x).decimalDescription(digits: 30)   // "1.41421356237309504880168872421e0"
/// BigFloat.$defaultPrecision.withValue(1024) { BigFloat.exp(1) }
/// ```
public struct BigFloat: Sendable {
    /// The precision, in bits, of values made in the current task (256 unless set).
    @TaskLocal public static var defaultPrecision = 256

    /// The precisions accepted, in bits: at least a `Double`'s 53, so that
    /// results round correctly to `Double`, and at most 65,536. A value of
    /// another precision traps with a message (MPFR would abort);
    /// ``ExactMode`` throws ``ExactError/precisionOutOfRange(precision:range:)``.
    ///
    /// ```swift
    /// BigFloat.precisionRange.contains(256)   // true
    /// ```
    public static let precisionRange = 53...65_536

    @usableFromInline let storage: BigFloatStorage

    @usableFromInline init(storage: BigFloatStorage) { self.storage = storage }

    /// A new value of `precision` bits computed into fresh storage.
    @usableFromInline
    static func make(precision: Int, _ compute: (UnsafeMutablePointer<__mpfr_struct>) -> Void) -> BigFloat {
        let storage = BigFloatStorage(precision: precision)
        compute(storage.pointer)
        return BigFloat(storage: storage)
    }

    /// `value` rounded to `precision` bits (exact from 53 bits up).
    public init(_ value: Double, precision: Int = BigFloat.defaultPrecision) {
        self = BigFloat.make(precision: precision) { _ = mpfr_set_d($0, value, MPFR_RNDN) }
    }

    /// The integer `value`, rounded to `precision` bits (exact from 64 up).
    public init(_ value: Int, precision: Int = BigFloat.defaultPrecision) {
        self = BigFloat.make(precision: precision) { _ = mpfr_set_si($0, value, MPFR_RNDN) }
    }

    /// The rational `value` rounded to nearest at `precision` bits.
    public init(_ value: Rational, precision: Int = BigFloat.defaultPrecision) {
        self = BigFloat.make(precision: precision) { pointer in
            value.withUnsafeGMPPointer { q in _ = mpfr_set_q(pointer, q, MPFR_RNDN) }
        }
    }

    /// Parses a decimal number (`"0.1"`, `"-2.5e-3"`), rounded to nearest;
    /// throws ``ExactError/malformedBigFloat(_:)`` for anything else.
    ///
    /// ```swift
    /// try BigFloat("0.1", precision: 64)
    /// ```
    public init(_ text: String, precision: Int = BigFloat.defaultPrecision) throws(ExactError) {
        let trimmed = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        var parsedAll = false
        let value = BigFloat.make(precision: precision) { pointer in
            trimmed.withCString { start in
                var end: UnsafeMutablePointer<CChar>?
                _ = mpfr_strtofr(pointer, start, &end, 10, MPFR_RNDN)
                parsedAll = !trimmed.isEmpty && end.map { $0.pointee == 0 && $0 != UnsafeMutablePointer(mutating: start) } == true
            }
        }
        guard parsedAll, !value.isNaN else { throw .malformedBigFloat(text) }
        self = value
    }

    /// The precision in bits.
    public var precision: Int { Int(mpfr_get_prec(storage.pointer)) }

    /// Whether the value is NaN (from a function outside its domain).
    public var isNaN: Bool { mpfr_nan_p(storage.pointer) != 0 }

    /// Whether the value is finite (not NaN nor infinite).
    public var isFinite: Bool { mpfr_number_p(storage.pointer) != 0 }

    /// The nearest `Double`, rounded once from this value.
    public var doubleValue: Double { mpfr_get_d(storage.pointer, MPFR_RNDN) }

    /// The exact rational value of a finite big float.
    public var rationalValue: Rational? {
        guard isFinite else { return nil }
        return Rational.make { q in mpfr_get_q(q, storage.pointer) }
    }

    /// The value in scientific decimal notation with `digits` significant
    /// digits, rounded to nearest: `"1.4142e0"`.
    public func decimalDescription(digits: Int) -> String {
        guard isFinite else { return isNaN ? "nan" : (mpfr_sgn(storage.pointer) > 0 ? "inf" : "-inf") }
        var exponent: mpfr_exp_t = 0
        guard let raw = mpfr_get_str(nil, &exponent, 10, max(2, digits), storage.pointer, MPFR_RNDN) else { return "?" }
        defer { mpfr_free_str(raw) }
        var mantissa = String(cString: raw)
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        if mpfr_zero_p(storage.pointer) != 0 { exponent = 1 }
        let first = mantissa.prefix(1), rest = mantissa.dropFirst()
        return (negative ? "-" : "") + first + (rest.isEmpty ? "" : "." + rest) + "e\(exponent - 1)"
    }
}

extension Rational {
    /// Calls `body` with this value's `mpq_t`, for MPFR's functions.
    func withUnsafeGMPPointer<Result>(_ body: (UnsafeMutablePointer<__mpq_struct>) -> Result) -> Result {
        withGMP { body($0.pointer) }
    }
}
