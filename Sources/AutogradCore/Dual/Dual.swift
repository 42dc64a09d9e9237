import Synchronization

/// A dual number `value + tangent·ε` with `ε² = 0`: evaluating a function on
/// `Dual(x, tangent: 1)` gives `f(x)` and `f′(x)` in one pass (forward mode).
///
/// Duals nest: `Dual<Dual<Double>>` carries two independent perturbations and
/// gives second derivatives. Each derivative call tags its own perturbation,
/// and combining duals of two different calls at the same level (the
/// "perturbation confusion" of nested derivatives written carelessly) traps
/// instead of silently adding unrelated tangents; lift an outer value into
/// the inner level with ``init(constant:)``.
///
/// Equality and order compare values only, so a replay takes the branches the
/// recorded run took.
///
/// ```swift
/// let x = Dual(3.0, tangent: 1)
/// let y = x * x + 2 * x    // value 15, tangent 8
/// ```
public struct Dual<Base: FieldScalar>: Sendable {
    /// The primal value.
    public var value: Base
    /// The coefficient of the perturbation `ε`: the directional derivative.
    public var tangent: Base
    /// Which derivative's perturbation this is (0 for a constant).
    public var tag: PerturbationTag

    /// A dual with the given value and tangent, tagged `tag`.
    @inlinable
    public init(_ value: Base, tangent: Base, tag: PerturbationTag = .untagged) {
        self.value = value
        self.tangent = tangent
        self.tag = tag
    }

    /// A constant: `value` with no perturbation of this level.
    @inlinable
    public init(constant value: Base) {
        self.init(value, tangent: .zero)
    }

    /// The tag of a result of `a` and `b`, trapping when they carry two
    /// different perturbations at this level.
    @inlinable
    static func combinedTag(_ a: Dual, _ b: Dual) -> PerturbationTag {
        if a.tag == b.tag || b.tag == .untagged { return a.tag }
        if a.tag == .untagged { return b.tag }
        fatalError("""
            Dual: perturbation confusion: values of two different derivatives (tags \(a.tag.rawValue) and \
            \(b.tag.rawValue)) meet at the same nesting level. Differentiate the inner function over \
            Dual<Dual<...>> and lift outer values with Dual(constant:).
            """)
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
}
