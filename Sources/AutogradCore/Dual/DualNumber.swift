import Synchronization

/// A number with first-order perturbations: a value and one or more tangent
/// lanes, `value + Σ tangentᵢ·εᵢ` with every `εᵢεⱼ = 0`.
///
/// ``Dual`` has one lane; ``MultiDual`` has `N`, so a gradient of `n` inputs
/// takes `⌈n/N⌉` passes. Conformers provide the lanes; this protocol's
/// extensions provide the arithmetic and every elementary function once, for
/// all of them, by the chain rule.
///
/// Each derivative call tags its perturbation. Combining numbers of two
/// different calls at the same nesting level (the "perturbation confusion" of
/// carelessly nested derivatives) traps instead of silently adding unrelated
/// tangents; lift an outer value into an inner level with `init(constant:)`.
///
/// Equality and order compare values only, so a replay takes the branches the
/// recorded run took.
public protocol DualNumber: FieldScalar where Magnitude == Self {
    /// The scalar type of the value and of each tangent lane.
    associatedtype Base: FieldScalar

    /// The primal value.
    var value: Base { get }
    /// Which derivative's perturbation this is (`.untagged` for a constant).
    var tag: PerturbationTag { get }

    /// A constant: `value` with zero tangents.
    init(constant value: Base)

    /// A number with the given value and tag whose lane `i` is `tangent(i)`.
    init(_ value: Base, tag: PerturbationTag, tangentLanes tangent: (Int) -> Base)

    /// Lane `i` of the tangent.
    func tangent(lane: Int) -> Base

    /// The number of tangent lanes.
    static var laneCount: Int { get }
}

extension DualNumber {
    /// `f(x)` with each lane scaled by `f′(x)`: the chain rule for a function
    /// of one number.
    @inlinable @inline(__always)
    func chained(_ value: Base, derivative: Base) -> Self {
        Self(value, tag: tag) { derivative * tangent(lane: $0) }
    }

    /// `f(a, b)` with lane `i` equal to `∂f/∂a·a′ᵢ + ∂f/∂b·b′ᵢ`, computed by `tangent`.
    @inlinable @inline(__always)
    static func combined(_ a: Self, _ b: Self, value: Base, tangent: (Base, Base) -> Base) -> Self {
        Self(value, tag: PerturbationTag.combined(a.tag, b.tag)) { tangent(a.tangent(lane: $0), b.tangent(lane: $0)) }
    }
}

/// Identifies the perturbation of one derivative computation, so nested
/// derivatives never mix their tangents.
public struct PerturbationTag: Hashable, Sendable {
    /// The tag's number; 0 means no perturbation.
    public let rawValue: Int

    /// The tag of constants.
    public static let untagged = PerturbationTag(rawValue: 0)

    @usableFromInline init(rawValue: Int) { self.rawValue = rawValue }

    private static let counter = Atomic<Int>(0)

    /// A tag no other derivative computation uses.
    public static func fresh() -> PerturbationTag {
        PerturbationTag(rawValue: counter.wrappingAdd(1, ordering: .relaxed).newValue)
    }

    /// The tag of a result of operands tagged `a` and `b`, trapping when they
    /// are two different perturbations at one level.
    @inlinable
    static func combined(_ a: PerturbationTag, _ b: PerturbationTag) -> PerturbationTag {
        if a == b || b == .untagged { return a }
        if a == .untagged { return b }
        fatalError("""
            Dual: perturbation confusion: values of two different derivatives (tags \(a.rawValue) and \
            \(b.rawValue)) meet at the same nesting level. Differentiate the inner function over \
            Dual<Dual<...>> and lift outer values with Dual(constant:).
            """)
    }
}
