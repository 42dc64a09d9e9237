import AutogradCore
import CMPFR

// Correctly rounded field arithmetic and elementary functions: BigFloat
// conforms to both layers of the scalar protocol. Functions outside their
// domain give NaN, as Double's do; the exact strategy reports them as errors.
extension BigFloat: ElementaryScalar {
    public typealias Magnitude = BigFloat

    /// Applies a two-operand MPFR function at the larger precision.
    @usableFromInline
    static func binary(
        _ a: BigFloat, _ b: BigFloat,
        _ function: (UnsafeMutablePointer<__mpfr_struct>, UnsafePointer<__mpfr_struct>, UnsafePointer<__mpfr_struct>, mpfr_rnd_t) -> Int32
    ) -> BigFloat {
        make(precision: max(a.precision, b.precision)) { _ = function($0, a.storage.pointer, b.storage.pointer, MPFR_RNDN) }
    }

    /// Applies a one-operand MPFR function at this value's precision.
    @usableFromInline
    func unary(_ function: (UnsafeMutablePointer<__mpfr_struct>, UnsafePointer<__mpfr_struct>, mpfr_rnd_t) -> Int32) -> BigFloat {
        BigFloat.make(precision: precision) { _ = function($0, storage.pointer, MPFR_RNDN) }
    }

    public init(_ value: Double) { self.init(value, precision: BigFloat.defaultPrecision) }
    public init(integerLiteral value: Int) { self.init(value, precision: BigFloat.defaultPrecision) }
    public init?<T: BinaryInteger>(exactly source: T) {
        guard let value = Int(exactly: source) else { return nil }
        self.init(value, precision: BigFloat.defaultPrecision)
    }

    public static var zero: BigFloat { BigFloat(0, precision: defaultPrecision) }
    public var magnitude: BigFloat { unary(mpfr_abs) }

    public static func + (a: BigFloat, b: BigFloat) -> BigFloat { binary(a, b, mpfr_add) }
    public static func - (a: BigFloat, b: BigFloat) -> BigFloat { binary(a, b, mpfr_sub) }
    public static func * (a: BigFloat, b: BigFloat) -> BigFloat { binary(a, b, mpfr_mul) }
    public static func / (a: BigFloat, b: BigFloat) -> BigFloat { binary(a, b, mpfr_div) }
    public static prefix func - (a: BigFloat) -> BigFloat { a.unary(mpfr_neg) }
    public static func += (a: inout BigFloat, b: BigFloat) { a = a + b }
    public static func -= (a: inout BigFloat, b: BigFloat) { a = a - b }
    public static func *= (a: inout BigFloat, b: BigFloat) { a = a * b }
    public static func /= (a: inout BigFloat, b: BigFloat) { a = a / b }

    public static func exp(_ x: BigFloat) -> BigFloat { x.unary(mpfr_exp) }
    public static func expMinusOne(_ x: BigFloat) -> BigFloat { x.unary(mpfr_expm1) }
    public static func cosh(_ x: BigFloat) -> BigFloat { x.unary(mpfr_cosh) }
    public static func sinh(_ x: BigFloat) -> BigFloat { x.unary(mpfr_sinh) }
    public static func tanh(_ x: BigFloat) -> BigFloat { x.unary(mpfr_tanh) }
    public static func cos(_ x: BigFloat) -> BigFloat { x.unary(mpfr_cos) }
    public static func sin(_ x: BigFloat) -> BigFloat { x.unary(mpfr_sin) }
    public static func tan(_ x: BigFloat) -> BigFloat { x.unary(mpfr_tan) }
    public static func log(_ x: BigFloat) -> BigFloat { x.unary(mpfr_log) }
    public static func log(onePlus x: BigFloat) -> BigFloat { x.unary(mpfr_log1p) }
    public static func acosh(_ x: BigFloat) -> BigFloat { x.unary(mpfr_acosh) }
    public static func asinh(_ x: BigFloat) -> BigFloat { x.unary(mpfr_asinh) }
    public static func atanh(_ x: BigFloat) -> BigFloat { x.unary(mpfr_atanh) }
    public static func acos(_ x: BigFloat) -> BigFloat { x.unary(mpfr_acos) }
    public static func asin(_ x: BigFloat) -> BigFloat { x.unary(mpfr_asin) }
    public static func atan(_ x: BigFloat) -> BigFloat { x.unary(mpfr_atan) }
    public static func sqrt(_ x: BigFloat) -> BigFloat { x.unary(mpfr_sqrt) }
    public static func pow(_ x: BigFloat, _ y: BigFloat) -> BigFloat { binary(x, y, mpfr_pow) }
    public static func pow(_ x: BigFloat, _ n: Int) -> BigFloat {
        make(precision: x.precision) { _ = mpfr_pow_si($0, x.storage.pointer, n, MPFR_RNDN) }
    }
    public static func root(_ x: BigFloat, _ n: Int) -> BigFloat {
        make(precision: x.precision) { _ = mpfr_rootn_ui($0, x.storage.pointer, UInt(max(1, n)), MPFR_RNDN) }
    }
}

extension BigFloat: Comparable, Hashable {
    /// Numeric equality (NaN equals nothing, as for Double), whatever the precisions.
    public static func == (a: BigFloat, b: BigFloat) -> Bool { mpfr_equal_p(a.storage.pointer, b.storage.pointer) != 0 }
    public static func < (a: BigFloat, b: BigFloat) -> Bool { mpfr_less_p(a.storage.pointer, b.storage.pointer) != 0 }

    /// Hashes the exact value, so equal values of different precisions agree.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(rationalValue)
    }
}

extension BigFloat: CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The value to about as many decimal digits as the precision carries.
    public var description: String { decimalDescription(digits: Int(Double(precision) * 0.30103) + 1) }
}
