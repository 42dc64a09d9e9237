import RealModule

/// Eight tangent lanes of one element, with lane-wise arithmetic: the scalar
/// over which ``ForwardMode`` runs the ops' forward rules for eight
/// directions in one call.
///
/// A forward rule is linear in its tangent, and reads the op's values only
/// through comparisons and functions of them; so calling it with every value
/// splat across the lanes (`TangentLanes(splat:)`) and one direction per lane
/// in the tangent gives, in lane `i`, exactly what a call with direction `i`
/// alone would give: the same operations on the same `Double`s. Comparisons
/// read lane 0, which for a splat value is the value.
///
/// ```swift
/// let t = TangentLanes(lanes: [1, 0, 0, 0, 0, 0, 0, 2])
/// (t * TangentLanes(splat: 3)).lanes[7]   // 6
/// ```
@frozen
public struct TangentLanes: Sendable {
    /// The lanes.
    public var lanes: SIMD8<Double>

    /// The given lanes.
    @inlinable public init(lanes: SIMD8<Double>) { self.lanes = lanes }

    /// `value` in every lane.
    @inlinable public init(splat value: Double) { lanes = SIMD8(repeating: value) }

    /// Applies a function of one `Double` to every lane.
    @inlinable
    func map(_ transform: (Double) -> Double) -> TangentLanes {
        var result = SIMD8<Double>()
        for lane in 0..<8 { result[lane] = transform(lanes[lane]) }
        return TangentLanes(lanes: result)
    }

    /// `seed · partial` lane by lane with strong zeros: a lane whose seed is
    /// exactly 0 gives 0 even where the partial is infinite (see
    /// `chainProduct`).
    @inlinable @inline(__always)
    static func chainProduct(_ seed: TangentLanes, _ partial: TangentLanes) -> TangentLanes {
        let product = seed.lanes * partial.lanes
        return TangentLanes(lanes: product.replacing(with: 0, where: (seed.lanes .== 0) .& (product .!= product)))
    }

    /// `seed / divisor` lane by lane with strong zeros.
    @inlinable @inline(__always)
    static func chainQuotient(_ seed: TangentLanes, _ divisor: TangentLanes) -> TangentLanes {
        let quotient = seed.lanes / divisor.lanes
        return TangentLanes(lanes: quotient.replacing(with: 0, where: (seed.lanes .== 0) .& (quotient .!= quotient)))
    }
}

extension TangentLanes: ElementaryScalar {
    public typealias Magnitude = TangentLanes

    @inlinable public static var zero: TangentLanes { TangentLanes(splat: 0) }
    @inlinable public init(_ value: Double) { self.init(splat: value) }
    @inlinable public init(integerLiteral value: Int) { self.init(splat: Double(value)) }
    @inlinable
    public init?<T: BinaryInteger>(exactly source: T) {
        guard let value = Double(exactly: source) else { return nil }
        self.init(splat: value)
    }

    /// Lane-wise `|x|`.
    @inlinable public var magnitude: TangentLanes { map { $0.magnitude } }

    @inlinable public static func + (a: TangentLanes, b: TangentLanes) -> TangentLanes { TangentLanes(lanes: a.lanes + b.lanes) }
    @inlinable public static func - (a: TangentLanes, b: TangentLanes) -> TangentLanes { TangentLanes(lanes: a.lanes - b.lanes) }
    @inlinable public static prefix func - (a: TangentLanes) -> TangentLanes { TangentLanes(lanes: -a.lanes) }
    @inlinable public static func * (a: TangentLanes, b: TangentLanes) -> TangentLanes { TangentLanes(lanes: a.lanes * b.lanes) }
    @inlinable public static func / (a: TangentLanes, b: TangentLanes) -> TangentLanes { TangentLanes(lanes: a.lanes / b.lanes) }
    @inlinable public static func += (a: inout TangentLanes, b: TangentLanes) { a.lanes += b.lanes }
    @inlinable public static func -= (a: inout TangentLanes, b: TangentLanes) { a.lanes -= b.lanes }
    @inlinable public static func *= (a: inout TangentLanes, b: TangentLanes) { a.lanes *= b.lanes }
    @inlinable public static func /= (a: inout TangentLanes, b: TangentLanes) { a.lanes /= b.lanes }

    /// Compares lane 0: the value, for the splat values rules compare.
    @inlinable public static func == (a: TangentLanes, b: TangentLanes) -> Bool { a.lanes[0] == b.lanes[0] }
    /// Orders by lane 0: the value, for the splat values rules compare.
    @inlinable public static func < (a: TangentLanes, b: TangentLanes) -> Bool { a.lanes[0] < b.lanes[0] }

    @inlinable public static func exp(_ x: TangentLanes) -> TangentLanes { x.map { .exp($0) } }
    @inlinable public static func expMinusOne(_ x: TangentLanes) -> TangentLanes { x.map { .expMinusOne($0) } }
    @inlinable public static func cosh(_ x: TangentLanes) -> TangentLanes { x.map { .cosh($0) } }
    @inlinable public static func sinh(_ x: TangentLanes) -> TangentLanes { x.map { .sinh($0) } }
    /// Lane by lane through ``HyperbolicTangentKernel``, as the tape's `tanh` on `Double`.
    @inlinable public static func tanh(_ x: TangentLanes) -> TangentLanes { x.map(HyperbolicTangentKernel.tanh) }
    @inlinable public static func cos(_ x: TangentLanes) -> TangentLanes { x.map { .cos($0) } }
    @inlinable public static func sin(_ x: TangentLanes) -> TangentLanes { x.map { .sin($0) } }
    @inlinable public static func tan(_ x: TangentLanes) -> TangentLanes { x.map { .tan($0) } }
    @inlinable public static func log(_ x: TangentLanes) -> TangentLanes { x.map { .log($0) } }
    @inlinable public static func log(onePlus x: TangentLanes) -> TangentLanes { x.map { .log(onePlus: $0) } }
    @inlinable public static func acosh(_ x: TangentLanes) -> TangentLanes { x.map { .acosh($0) } }
    @inlinable public static func asinh(_ x: TangentLanes) -> TangentLanes { x.map { .asinh($0) } }
    @inlinable public static func atanh(_ x: TangentLanes) -> TangentLanes { x.map { .atanh($0) } }
    @inlinable public static func acos(_ x: TangentLanes) -> TangentLanes { x.map { .acos($0) } }
    @inlinable public static func asin(_ x: TangentLanes) -> TangentLanes { x.map { .asin($0) } }
    @inlinable public static func atan(_ x: TangentLanes) -> TangentLanes { x.map { .atan($0) } }
    @inlinable public static func sqrt(_ x: TangentLanes) -> TangentLanes { TangentLanes(lanes: x.lanes.squareRoot()) }
    @inlinable public static func root(_ x: TangentLanes, _ n: Int) -> TangentLanes { x.map { .root($0, n) } }
    @inlinable public static func pow(_ x: TangentLanes, _ n: Int) -> TangentLanes { x.map { .pow($0, n) } }
    @inlinable
    public static func pow(_ x: TangentLanes, _ y: TangentLanes) -> TangentLanes {
        var result = SIMD8<Double>()
        for lane in 0..<8 { result[lane] = .pow(x.lanes[lane], y.lanes[lane]) }
        return TangentLanes(lanes: result)
    }
}
