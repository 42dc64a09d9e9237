import AutogradCore
import CMPFI
import CMPFR

/// A closed interval of reals with big-float endpoints, on MPFI's `mpfi_t`:
/// every operation returns an interval that is *proven* to contain the exact
/// result for every real in its operands (endpoints rounded outward).
///
/// This is the exact backend's enclosure type: a graph with elementary
/// functions is replayed over `BigInterval`, raising the precision until each
/// result's ``roundedDouble`` is not `nil` (Ziv's strategy), which proves
/// that `Double` is the correctly rounded value.
///
/// The precision (bits per endpoint) is per value, ``BigFloat/defaultPrecision``
/// (256) unless given; an operation computes at the larger of its operands'
/// precisions. A value type: copies share one MPFI interval, which is never
/// mutated (every operation makes fresh storage).
///
/// ```swift
/// let e = BigInterval.exp(BigInterval(1))
/// e.contains(BigFloat.exp(1))   // true
/// e.roundedDouble               // 2.718281828459045
/// ```
public struct BigInterval: Sendable {
    @usableFromInline let storage: BigIntervalStorage

    @usableFromInline init(storage: BigIntervalStorage) { self.storage = storage }

    /// A new interval of `precision` bits computed into fresh storage.
    @usableFromInline
    static func make(precision: Int, _ compute: (UnsafeMutablePointer<__mpfi_struct>) -> Void) -> BigInterval {
        let storage = BigIntervalStorage(precision: precision)
        compute(storage.pointer)
        return BigInterval(storage: storage)
    }

    /// The point interval `[value, value]`, exact for finite values from 53
    /// bits up (below, the smallest enclosing interval). NaN gives a NaN
    /// interval, ±infinity the point `[±inf, ±inf]`.
    ///
    /// ```swift
    /// BigInterval(0.1).isPoint   // true: exactly the Double nearest 0.1
    /// ```
    /// (NaN gives [NaN, NaN]; inside an exact replay, a NaN or infinite
    /// constant also makes ``ExactMode`` throw.)
    public init(_ value: Double, precision: Int = BigFloat.defaultPrecision) {
        if !value.isFinite { ExactFaultRecorder.current?.record(.notFinite(value)) }
        self = BigInterval.make(precision: precision) { _ = mpfi_set_d($0, value) }
    }

    /// The point interval `[value, value]`, exact from 64 bits up.
    ///
    /// ```swift
    /// BigInterval(3, precision: 128).precision   // 128
    /// ```
    public init(_ value: Int, precision: Int = BigFloat.defaultPrecision) {
        self = BigInterval.make(precision: precision) { _ = mpfi_set_si($0, value) }
    }

    /// The smallest interval of `precision` bits that contains the rational
    /// `value` (a point when `value` is dyadic and fits).
    ///
    /// ```swift
    /// let third = BigInterval(Rational(1) / 3)
    /// third.isPoint                                    // false
    /// third.lower < third.upper                        // true: they bracket 1/3
    /// ```
    public init(_ value: Rational, precision: Int = BigFloat.defaultPrecision) {
        self = BigInterval.make(precision: precision) { pointer in
            value.withUnsafeGMPPointer { q in _ = mpfi_set_q(pointer, q) }
        }
    }

    /// The point interval of a big float, at its precision (exact).
    ///
    /// ```swift
    /// BigInterval(BigFloat.sqrt(2)).isPoint   // true
    /// ```
    public init(_ value: BigFloat) {
        self = BigInterval.make(precision: value.precision) { _ = mpfi_set_fr($0, value.storage.pointer) }
    }

    /// The interval `[lower, upper]`, at the larger of the two precisions
    /// (so exactly these endpoints). MPFI swaps endpoints given in the wrong
    /// order; a NaN endpoint gives a NaN interval.
    ///
    /// ```swift
    /// BigInterval(lower: BigFloat(1), upper: BigFloat(2)).containsZero   // false
    /// ```
    public init(lower: BigFloat, upper: BigFloat) {
        self = BigInterval.make(precision: max(lower.precision, upper.precision)) {
            _ = mpfi_interv_fr($0, lower.storage.pointer, upper.storage.pointer)
        }
    }

    /// The precision, in bits, of each endpoint.
    ///
    /// ```swift
    /// BigFloat.$defaultPrecision.withValue(512) { BigInterval(1).precision }   // 512
    /// ```
    public var precision: Int { Int(mpfi_get_prec(storage.pointer)) }

    /// The left endpoint, exactly, at the interval's precision (a zero
    /// endpoint is +0).
    ///
    /// ```swift
    /// BigInterval(lower: BigFloat(1), upper: BigFloat(2)).lower   // 1
    /// ```
    public var lower: BigFloat {
        BigFloat.make(precision: precision) { endpoint in
            _ = mpfi_get_left(endpoint, storage.pointer)
            if mpfr_zero_p(endpoint) != 0 { mpfr_set_zero(endpoint, 1) }
        }
    }

    /// The right endpoint, exactly, at the interval's precision (a zero
    /// endpoint is +0, though MPFI stores a right endpoint 0 as −0).
    ///
    /// ```swift
    /// BigInterval(lower: BigFloat(1), upper: BigFloat(2)).upper   // 2
    /// BigInterval(0).upper.doubleValue.sign                      // .plus
    /// ```
    public var upper: BigFloat {
        BigFloat.make(precision: precision) { endpoint in
            _ = mpfi_get_right(endpoint, storage.pointer)
            if mpfr_zero_p(endpoint) != 0 { mpfr_set_zero(endpoint, 1) }
        }
    }

    /// Whether an endpoint is NaN: the enclosure of something undefined,
    /// such as the log or square root of an interval reaching below zero.
    ///
    /// ```swift
    /// BigInterval.log(BigInterval(-1)).isNaN   // true
    /// ```
    public var isNaN: Bool { mpfi_nan_p(storage.pointer) != 0 }

    /// Whether both endpoints are finite (neither NaN nor infinite).
    ///
    /// ```swift
    /// (BigInterval(1) / BigInterval(lower: BigFloat(-1), upper: BigFloat(1))).isBounded   // false
    /// ```
    public var isBounded: Bool { mpfi_bounded_p(storage.pointer) != 0 }

    /// Whether the interval contains 0, so the sign of the value it encloses
    /// is not decided. True for a NaN interval too (conservatively: nothing
    /// is decided about an undefined value).
    ///
    /// ```swift
    /// BigInterval(lower: BigFloat(-1), upper: BigFloat(2)).containsZero   // true
    /// ```
    public var containsZero: Bool { isNaN || mpfi_has_zero(storage.pointer) != 0 }

    /// Whether the interval is exactly `[0, 0]`.
    ///
    /// ```swift
    /// (BigInterval(2) - BigInterval(2)).isZero   // true
    /// ```
    public var isZero: Bool {
        !isNaN && mpfr_zero_p(storage.left) != 0 && mpfr_zero_p(storage.right) != 0
    }

    /// Whether the interval is one point (equal, non-NaN endpoints): the
    /// value is known exactly.
    ///
    /// ```swift
    /// BigInterval(0.5).isPoint                   // true
    /// BigInterval.exp(BigInterval(1)).isPoint    // false
    /// ```
    public var isPoint: Bool {
        mpfr_equal_p(storage.left, storage.right) != 0
    }

    /// Whether `value` lies in the interval (endpoints included).
    ///
    /// ```swift
    /// BigInterval.exp(BigInterval(1)).contains(BigFloat.exp(1))   // true
    /// ```
    public func contains(_ value: BigFloat) -> Bool {
        !isNaN && mpfi_is_inside_fr(value.storage.pointer, storage.pointer) != 0
    }

    /// The `Double` that every real number in the interval rounds to
    /// (round to nearest, ties to even), or `nil` when that is not decided.
    ///
    /// Rounding to nearest is monotonic, so when both endpoints round to the
    /// same `Double` every real between them does too: the endpoints are
    /// rounded with `mpfr_get_d(…, MPFR_RNDN)` and compared bit for bit. This
    /// is Ziv's test: raise the precision until it gives a value.
    ///
    /// `nil` when
    /// - the interval is NaN or has an infinite endpoint;
    /// - the endpoints round to different `Double`s (the interval straddles a
    ///   rounding boundary: a midpoint between two adjacent `Double`s);
    /// - the interval contains 0 but is not exactly `[0, 0]`. Both endpoints
    ///   of `[−tiny, +tiny]` round to a zero, but −0 and +0 are different
    ///   results (`1 / x` tells them apart), and even `[0, tiny]` does not
    ///   decide whether the value is exactly 0 (whose sign an interval does
    ///   not carry) or a positive number that rounds to +0.
    ///
    /// Exactly `[0, 0]` gives `+0.0`. Finite endpoints that both round past
    /// the largest `Double` give `±infinity`, as the correctly rounded
    /// `Double` operation would.
    ///
    /// ```swift
    /// BigInterval.exp(BigInterval(1)).roundedDouble                 // 2.718281828459045
    /// BigInterval(lower: BigFloat(-1e-300), upper: BigFloat(1e-300)).roundedDouble   // nil
    /// ```
    public var roundedDouble: Double? {
        guard isBounded else { return nil }
        if isZero { return 0 }
        guard !containsZero else { return nil }
        let low = mpfr_get_d(storage.left, MPFR_RNDN)
        let high = mpfr_get_d(storage.right, MPFR_RNDN)
        return low.bitPattern == high.bitPattern ? low : nil
    }

    /// The midpoint (rounded to nearest at the interval's precision): the
    /// value a replay branches on. NaN for an unbounded or NaN interval.
    ///
    /// ```swift
    /// BigInterval(lower: BigFloat(1), upper: BigFloat(2)).midpoint   // 1.5
    /// ```
    public var midpoint: BigFloat {
        BigFloat.make(precision: precision) { _ = mpfi_mid($0, storage.pointer) }
    }

    /// `upper − lower`, rounded up (an upper bound on the width); +infinity
    /// for an unbounded interval, NaN for a NaN one.
    ///
    /// ```swift
    /// BigInterval(lower: BigFloat(1), upper: BigFloat(2)).diameter   // 1
    /// ```
    public var diameter: BigFloat {
        BigFloat.make(precision: precision) { _ = mpfi_diam_abs($0, storage.pointer) }
    }

    /// Half the ``diameter``, rounded up: every point of the interval is
    /// within `radius` of ``midpoint`` (up to the midpoint's rounding).
    ///
    /// ```swift
    /// BigInterval(lower: BigFloat(1), upper: BigFloat(2)).radius   // 0.5
    /// ```
    public var radius: BigFloat {
        let width = diameter
        return withExtendedLifetime(width) {
            BigFloat.make(precision: precision) { _ = mpfr_div_2ui($0, width.storage.pointer, 1, MPFR_RNDU) }
        }
    }

    /// `"[lower, upper]"`, each endpoint in scientific decimal notation with
    /// `digits` significant digits, rounded to nearest: a display, which may
    /// be a hair narrower than the interval itself (use ``lower`` and
    /// ``upper`` for the rigorous bounds).
    ///
    /// ```swift
    /// BigInterval(Rational(1) / 3).decimalDescription(digits: 5)   // "[3.3333e-1, 3.3333e-1]"
    /// ```
    public func decimalDescription(digits: Int) -> String {
        "[\(lower.decimalDescription(digits: digits)), \(upper.decimalDescription(digits: digits))]"
    }
}

extension BigInterval: CustomStringConvertible {
    /// `"[lower, upper]"` with 17 significant digits per endpoint, enough to
    /// tell any two `Double`s apart.
    ///
    /// ```swift
    /// BigInterval(0.5).description   // "[5.0000000000000000e-1, 5.0000000000000000e-1]"
    /// ```
    public var description: String { decimalDescription(digits: 17) }
}
