import AutogradCore
import CMPFI
import CMPFR

// Rigorous field arithmetic and elementary functions: BigInterval conforms to
// both layers of the scalar protocol, so a graph with exp, log or sin replays
// over intervals (and `Dual<BigInterval>` encloses derivatives). Every result
// encloses the exact result for every real in the operands: MPFI's function
// where there is one, otherwise a composition of enclosures (`pow`, `root`).
//
// Outside a function's domain the result is NaN (``BigInterval/isNaN``):
// log, sqrt or an even root of an interval reaching below 0, asin of one
// reaching past ±1. Division by an interval containing 0 never traps: it
// gives an unbounded interval (``BigInterval/isBounded`` false): a half-line
// when 0 is an endpoint of the divisor (1 / [0, 2] = [0.5, +inf]), the whole
// line when 0 is inside it or it is exactly [0, 0] (1 / [0, 0] = [−inf, +inf]),
// and a NaN endpoint for 0 / [0, 0]. ``BigInterval/roundedDouble`` is `nil`
// for all of them.
extension BigInterval: ElementaryScalar {
    public typealias Magnitude = BigInterval

    /// Applies a two-operand MPFI function at the larger precision.
    @usableFromInline
    static func binary(
        _ a: BigInterval, _ b: BigInterval,
        _ function: (UnsafeMutablePointer<__mpfi_struct>, UnsafePointer<__mpfi_struct>, UnsafePointer<__mpfi_struct>) -> Int32
    ) -> BigInterval {
        make(precision: max(a.precision, b.precision)) { _ = function($0, a.storage.pointer, b.storage.pointer) }
    }

    /// Applies a one-operand MPFI function at this interval's precision.
    @usableFromInline
    func unary(_ function: (UnsafeMutablePointer<__mpfi_struct>, UnsafePointer<__mpfi_struct>) -> Int32) -> BigInterval {
        BigInterval.make(precision: precision) { _ = function($0, storage.pointer) }
    }

    /// A NaN interval (the enclosure of an undefined value) of `precision` bits.
    @usableFromInline
    static func nan(precision: Int) -> BigInterval { make(precision: precision) { _ in } }

    /// The point interval of a graph's `Double` constant, at the current
    /// ``BigFloat/defaultPrecision``.
    ///
    /// ```swift
    /// BigInterval(0.25).isPoint   // true
    /// ```
    public init(_ value: Double) { self.init(value, precision: BigFloat.defaultPrecision) }

    /// An integer literal, as a point interval: `let two: BigInterval = 2`.
    public init(integerLiteral value: Int) { self.init(value, precision: BigFloat.defaultPrecision) }

    /// The point interval of an integer that fits in `Int`, else `nil`.
    ///
    /// ```swift
    /// BigInterval(exactly: 7 as UInt8)?.isPoint   // true
    /// ```
    public init?<T: BinaryInteger>(exactly source: T) {
        guard let value = Int(exactly: source) else { return nil }
        self.init(value, precision: BigFloat.defaultPrecision)
    }

    /// `[0, 0]` at the current default precision.
    public static var zero: BigInterval { BigInterval(0, precision: BigFloat.defaultPrecision) }

    /// The enclosure of `|x|` for every `x` in the interval.
    ///
    /// ```swift
    /// BigInterval(lower: BigFloat(-2), upper: BigFloat(1)).magnitude   // [0, 2]
    /// ```
    public var magnitude: BigInterval { unary(mpfi_abs) }

    /// The enclosure of `1 / x`, or `nil` when the interval contains 0 (or
    /// is NaN), where no bounded reciprocal exists.
    ///
    /// ```swift
    /// BigInterval(4).reciprocal?.roundedDouble   // 0.25
    /// ```
    public var reciprocal: BigInterval? { containsZero ? nil : unary(mpfi_inv) }

    /// Enclosure of the sum: `BigInterval(1) + BigInterval(2)` is `[3, 3]`.
    public static func + (a: BigInterval, b: BigInterval) -> BigInterval { binary(a, b, mpfi_add) }
    /// Enclosure of the difference: `BigInterval(1) - BigInterval(2)` is `[-1, -1]`.
    public static func - (a: BigInterval, b: BigInterval) -> BigInterval { binary(a, b, mpfi_sub) }
    /// Enclosure of the product: `BigInterval(3) * BigInterval(2)` is `[6, 6]`.
    public static func * (a: BigInterval, b: BigInterval) -> BigInterval { binary(a, b, mpfi_mul) }
    /// Enclosure of the quotient: `BigInterval(1) / BigInterval(3)` brackets 1/3.
    /// A divisor containing 0 gives an unbounded interval (`1 / [0, 2]` is
    /// `[0.5, +inf]`, `1 / [-1, 1]` and `1 / [0, 0]` are `[-inf, +inf]`);
    /// `0 / [0, 0]` has a NaN endpoint. Never traps. (Inside an exact
    /// replay, a divisor that is exactly 0 also makes ``ExactMode`` throw.)
    public static func / (a: BigInterval, b: BigInterval) -> BigInterval {
        if b.isZero { ExactFaultRecorder.current?.record(.divisionByZero) }
        return binary(a, b, mpfi_div)
    }
    /// The negated interval: `-BigInterval(lower: 1, upper: 2)` is `[-2, -1]`.
    public static prefix func - (a: BigInterval) -> BigInterval { a.unary(mpfi_neg) }
    /// `a = a + b`.
    public static func += (a: inout BigInterval, b: BigInterval) { a = a + b }
    /// `a = a - b`.
    public static func -= (a: inout BigInterval, b: BigInterval) { a = a - b }
    /// `a = a * b`.
    public static func *= (a: inout BigInterval, b: BigInterval) { a = a * b }
    /// `a = a / b`.
    public static func /= (a: inout BigInterval, b: BigInterval) { a = a / b }

    /// Enclosure of eˣ: `BigInterval.exp(BigInterval(1)).contains(BigFloat.exp(1))`.
    public static func exp(_ x: BigInterval) -> BigInterval { x.unary(mpfi_exp) }
    /// Enclosure of eˣ − 1, accurate near 0: `BigInterval.expMinusOne(BigInterval(1e-20))`.
    public static func expMinusOne(_ x: BigInterval) -> BigInterval { x.unary(mpfi_expm1) }
    /// Enclosure of cosh x: `BigInterval.cosh(BigInterval(0))` is `[1, 1]`.
    public static func cosh(_ x: BigInterval) -> BigInterval { x.unary(mpfi_cosh) }
    /// Enclosure of sinh x: `BigInterval.sinh(BigInterval(0))` is `[0, 0]`.
    public static func sinh(_ x: BigInterval) -> BigInterval { x.unary(mpfi_sinh) }
    /// Enclosure of tanh x: `BigInterval.tanh(BigInterval(800)).roundedDouble` is 1.
    public static func tanh(_ x: BigInterval) -> BigInterval { x.unary(mpfi_tanh) }
    /// Enclosure of cos x: `BigInterval.cos(BigInterval(0))` is `[1, 1]`;
    /// [−1, 1] at once across a whole period.
    public static func cos(_ x: BigInterval) -> BigInterval {
        x.spans(atLeast: 7) ? .between(-1, 1, precision: x.precision) : x.unary(mpfi_cos)
    }
    /// Enclosure of sin x, argument reduction included: `BigInterval.sin(BigInterval(1e22))`;
    /// [−1, 1] at once across a whole period.
    public static func sin(_ x: BigInterval) -> BigInterval {
        x.spans(atLeast: 7) ? .between(-1, 1, precision: x.precision) : x.unary(mpfi_sin)
    }
    /// Enclosure of tan x (unbounded across a pole): `BigInterval.tan(BigInterval(1))`;
    /// [−∞, +∞] at once across a whole period.
    public static func tan(_ x: BigInterval) -> BigInterval {
        x.spans(atLeast: 4) ? .between(-.infinity, .infinity, precision: x.precision) : x.unary(mpfi_tan)
    }

    /// The interval [lower, upper] of `precision` bits (endpoints exact).
    static func between(_ lower: Double, _ upper: Double, precision: Int) -> BigInterval {
        make(precision: precision) { _ = mpfi_interv_d($0, lower, upper) }
    }

    /// Whether the interval is certainly at least `width` wide. `sin`, `cos`
    /// and `tan` answer from it without MPFI's argument reduction, whose cost
    /// grows with the magnitude of the endpoints: about 5 s for cos of an
    /// enclosure of e^(10⁵) (exponent 144 270), and longer than anyone waits
    /// for e^(10⁸).
    func spans(atLeast width: Double) -> Bool {
        guard !isNaN else { return false }
        let difference = BigFloat.make(precision: 53) { _ = mpfr_sub($0, storage.right, storage.left, MPFR_RNDD) }
        return difference.doubleValue >= width
    }
    /// Enclosure of ln x, NaN below 0: `BigInterval.log(BigInterval(1))` is `[0, 0]`.
    public static func log(_ x: BigInterval) -> BigInterval { x.unary(mpfi_log) }
    /// Enclosure of ln(1 + x), accurate near 0: `BigInterval.log(onePlus: BigInterval(1e-20))`.
    public static func log(onePlus x: BigInterval) -> BigInterval { x.unary(mpfi_log1p) }
    /// Enclosure of acosh x, NaN below 1: `BigInterval.acosh(BigInterval(1))` is `[0, 0]`.
    public static func acosh(_ x: BigInterval) -> BigInterval { x.unary(mpfi_acosh) }
    /// Enclosure of asinh x: `BigInterval.asinh(BigInterval(0))` is `[0, 0]`.
    public static func asinh(_ x: BigInterval) -> BigInterval { x.unary(mpfi_asinh) }
    /// Enclosure of atanh x, NaN past ±1: `BigInterval.atanh(BigInterval(0.5))`.
    public static func atanh(_ x: BigInterval) -> BigInterval { x.unary(mpfi_atanh) }
    /// Enclosure of acos x, NaN past ±1: `BigInterval.acos(BigInterval(1))` is `[0, 0]`.
    public static func acos(_ x: BigInterval) -> BigInterval { x.unary(mpfi_acos) }
    /// Enclosure of asin x, NaN past ±1: `BigInterval.asin(BigInterval(0))` is `[0, 0]`.
    public static func asin(_ x: BigInterval) -> BigInterval { x.unary(mpfi_asin) }
    /// Enclosure of atan x: `BigInterval.atan(BigInterval(1))` brackets π/4.
    public static func atan(_ x: BigInterval) -> BigInterval { x.unary(mpfi_atan) }
    /// Enclosure of √x, NaN when the interval reaches below 0: `BigInterval.sqrt(BigInterval(4))` is `[2, 2]`.
    public static func sqrt(_ x: BigInterval) -> BigInterval { x.unary(mpfi_sqrt) }

    /// Enclosure of `xʸ = exp(y · log x)`, composed of MPFI's enclosures at
    /// the larger precision, with swift-numerics' real semantics: NaN when
    /// `x` reaches below 0 (even for an integral `y`: use `pow(x, n)` with an `Int` exponent).
    /// At `x = 0` it gives the limits: `0` for `y > 0`, `+inf` for `y < 0`,
    /// and `1` for `y = 0` (MPFI takes 0 · −inf as 0, as `Double.pow(0, 0)`
    /// is 1); a `y` straddling 0 with an `x` reaching 0 gives `[0, +inf]`.
    ///
    /// ```swift
    /// BigInterval.pow(BigInterval(2), BigInterval(0.5)).contains(BigFloat.sqrt(2))   // true
    /// ```
    public static func pow(_ x: BigInterval, _ y: BigInterval) -> BigInterval {
        BigFloat.$defaultPrecision.withValue(max(x.precision, y.precision)) { exp(y * log(x)) }
    }

    /// The tightest enclosure of `xⁿ` for every `x` in the interval, from
    /// the endpoints' powers rounded outward by MPFR (tighter than repeated
    /// interval products, which lose the dependency between factors): odd
    /// powers are monotonic; even powers of an interval containing 0 are
    /// `[0, max(|lower|, |upper|)ⁿ]`. Negative `n` is `1 / x^|n|`, unbounded
    /// when the interval contains 0 (`[-inf, +inf]` for exactly `[0, 0]`).
    /// `x⁰` is `[1, 1]`, except that NaN stays NaN.
    ///
    /// ```swift
    /// BigInterval.pow(BigInterval(lower: BigFloat(-1), upper: BigFloat(2)), 3)   // [-1, 8]
    /// BigInterval.pow(BigInterval(lower: BigFloat(-1), upper: BigFloat(2)), 2)   // [0, 4]
    /// ```
    public static func pow(_ x: BigInterval, _ n: Int) -> BigInterval {
        guard !x.isNaN else { return x }
        let exponent = UInt(n.magnitude)
        guard exponent != 0 else { return BigInterval(1, precision: x.precision) }
        let precision = x.precision
        let low = x.storage.left, high = x.storage.right
        func power(_ base: UnsafeMutablePointer<__mpfr_struct>, _ rounding: mpfr_rnd_t) -> BigFloat {
            BigFloat.make(precision: precision) { _ = mpfr_pow_ui($0, base, exponent, rounding) }
        }
        let positive: BigInterval
        if exponent % 2 == 1 || mpfr_sgn(low) >= 0 {
            // Increasing on the interval (odd power, or even on x ≥ 0).
            positive = BigInterval(lower: power(low, MPFR_RNDD), upper: power(high, MPFR_RNDU))
        } else if mpfr_sgn(high) <= 0 {
            // Even power on x ≤ 0: decreasing.
            positive = BigInterval(lower: power(high, MPFR_RNDD), upper: power(low, MPFR_RNDU))
        } else {
            // Even power, 0 inside: the minimum 0, the maximum at the larger |endpoint|.
            let largest = BigFloat.make(precision: precision) { _ = mpfi_mag($0, x.storage.pointer) }
            let top = withExtendedLifetime(largest) { power(largest.storage.pointer, MPFR_RNDU) }
            positive = BigInterval(lower: BigFloat(0, precision: precision), upper: top)
        }
        return n > 0 ? positive : positive.unary(mpfi_inv)
    }

    /// The tightest enclosure of the real `n`th root `ⁿ√x`, from the
    /// endpoints' roots rounded outward by MPFR (the root is increasing):
    /// `n = 2` is MPFI's `sqrt`, `n = 3` its `cbrt`. An even root of an
    /// interval reaching below 0 is NaN (as MPFI's `sqrt`); an odd root is
    /// defined for negatives. Negative `n` is `1 / ⁿ√x`; `n = 0` is NaN.
    ///
    /// ```swift
    /// BigInterval.root(BigInterval(-27), 3)   // [-3, -3]
    /// ```
    public static func root(_ x: BigInterval, _ n: Int) -> BigInterval {
        guard n != 0, !x.isNaN else { return nan(precision: x.precision) }
        let degree = UInt(n.magnitude)
        let positive: BigInterval
        switch degree {
        case 1: positive = x
        case 2: positive = x.unary(mpfi_sqrt)
        case 3: positive = x.unary(mpfi_cbrt)
        default:
            if degree % 2 == 0 && mpfr_sgn(x.storage.left) < 0 { return nan(precision: x.precision) }
            let precision = x.precision
            func root(_ base: UnsafeMutablePointer<__mpfr_struct>, _ rounding: mpfr_rnd_t) -> BigFloat {
                BigFloat.make(precision: precision) { _ = mpfr_rootn_ui($0, base, degree, rounding) }
            }
            positive = BigInterval(lower: root(x.storage.left, MPFR_RNDD), upper: root(x.storage.right, MPFR_RNDU))
        }
        return n > 0 ? positive : positive.unary(mpfi_inv)
    }
}

extension BigInterval: Comparable {
    /// Both endpoints equal (whatever the precisions); a NaN interval equals nothing.
    ///
    /// ```swift
    /// BigInterval(0.5) == BigInterval(0.5, precision: 64)   // true
    /// ```
    public static func == (a: BigInterval, b: BigInterval) -> Bool {
        mpfr_equal_p(a.storage.left, b.storage.left) != 0 && mpfr_equal_p(a.storage.right, b.storage.right) != 0
    }

    /// Compares the ``midpoint``s. Intervals are not totally ordered: this
    /// is the order a replay takes its branches by (`relu`, `max`, `abs`).
    /// Whether a branch is *decided* is another question, answered by
    /// ``containsZero`` on the difference or by ``lower`` and ``upper``:
    /// `a < b` for every point exactly when `(a - b).upper < 0`. False when
    /// a midpoint is NaN (a NaN or unbounded interval).
    ///
    /// ```swift
    /// BigInterval(lower: BigFloat(0), upper: BigFloat(3)) < BigInterval(2)   // true: 1.5 < 2
    /// ```
    public static func < (a: BigInterval, b: BigInterval) -> Bool {
        a.midpoint < b.midpoint
    }
}
