import Synchronization

/// A number with first-order perturbations: a value and one or more tangent
/// lanes, `value + Σ tangentᵢ·εᵢ` with every `εᵢεⱼ = 0`.
///
/// ``Dual`` has one lane; ``MultiDual`` has `N`, so a gradient of `n` inputs
/// takes `⌈n/N⌉` passes. Conformers provide the lanes; this protocol's
/// extensions provide the arithmetic and every elementary function once, for
/// all of them, by the chain rule.
///
/// Each derivative call tags its perturbation. When numbers of two different
/// calls meet at the same nesting level (the "perturbation confusion" of
/// carelessly nested derivatives), the derivative traps instead of returning
/// their mixed tangents; lift an outer value into an inner level with
/// `init(constant:)`.
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

/// Identifies the perturbation of one derivative computation: a pattern of
/// bits of its own, so that nested derivatives never mix their tangents and a
/// dual number that escapes its derivative is caught where it is used.
///
/// Combining two numbers ORs their tags (one instruction, no branch); a
/// derivative reads its result's tangent only if the result carries no bits
/// but its own, and traps otherwise (``DualNumber/carries(_:)``). Each
/// computation's pattern is 64 well-mixed bits from a counter, so another
/// computation's pattern hides among its bits with probability about
/// (3/4)⁶⁴ ≈ 10⁻⁸.
public struct PerturbationTag: Hashable, Sendable {
    /// The perturbation's bits; 0 for a constant.
    public let rawValue: UInt64

    /// The tag of constants. (Computed, not stored, so the compiler sees it is
    /// 0 and folds the tag arithmetic on constants away.)
    @inlinable public static var untagged: PerturbationTag { PerturbationTag(rawValue: 0) }

    @usableFromInline init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Counts the tags handed out, in every task.
    private static let issued = Atomic<UInt64>(0)

    /// A tag of its own, for seeding duals by hand: every derivative
    /// computation (and every nested one) takes a fresh one.
    ///
    /// ```swift
    /// let tag = PerturbationTag.fresh()
    /// let y = f(Dual(2.0, tangent: 1, tag: tag))
    /// let slope = y.carries(tag) ? y.tangent : 0
    /// ```
    public static func fresh() -> PerturbationTag {
        // SplitMix64's finaliser: consecutive counts give unrelated patterns.
        var bits = issued.wrappingAdd(1, ordering: .relaxed).newValue &* 0x9E37_79B9_7F4A_7C15
        bits = (bits ^ (bits >> 30)) &* 0xBF58_476D_1CE4_E5B9
        bits = (bits ^ (bits >> 27)) &* 0x94D0_49BB_1331_11EB
        bits ^= bits >> 31
        return PerturbationTag(rawValue: bits == 0 ? 1 : bits)
    }

    /// Runs `body` with a fresh tag.
    ///
    /// ```swift
    /// PerturbationTag.withFresh { tag in f(Dual(x, tangent: 1, tag: tag)) }
    /// ```
    public static func withFresh<Result>(_ body: (PerturbationTag) throws -> Result) rethrows -> Result {
        try body(fresh())
    }

    /// The tag of a result of operands tagged `a` and `b`.
    @inlinable @inline(__always)
    static func combined(_ a: PerturbationTag, _ b: PerturbationTag) -> PerturbationTag {
        PerturbationTag(rawValue: a.rawValue | b.rawValue)
    }

    /// Traps: a result of the derivative tagged `own` also carries another
    /// derivative's perturbation (`found`'s other bits).
    @usableFromInline @inline(never)
    static func confusion(found: PerturbationTag, own: PerturbationTag) -> Never {
        fatalError("""
            Dual: perturbation confusion: a derivative's result also carries another derivative's \
            perturbation at the same nesting level. Either a dual number escaped the derivative that made \
            it (it was kept and used after that derivative's closure returned: keep its value instead), or \
            an inner derivative differentiated an outer value (differentiate the inner function over \
            Dual<Dual<...>> and lift outer values with Dual(constant:)).
            """)
    }
}

extension DualNumber {
    /// Whether this result carries `tag`'s perturbation (if not, its tangent is
    /// zero for that derivative). Traps on perturbation confusion: when the
    /// result also carries another derivative's perturbation at this level,
    /// such as that of a dual number that escaped its own derivative.
    @inlinable
    public func carries(_ tag: PerturbationTag) -> Bool {
        if self.tag.rawValue & ~tag.rawValue != 0 { PerturbationTag.confusion(found: self.tag, own: tag) }
        return self.tag.rawValue != 0
    }
}
