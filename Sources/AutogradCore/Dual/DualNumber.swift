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

/// Identifies the perturbation of a derivative computation by its nesting
/// depth, one bit per depth, so nested derivatives never mix their tangents.
///
/// Combining two numbers ORs their tags (one instruction, no branch); a
/// derivative reads its result's tangent only if the result carries no other
/// perturbation of its level, and traps otherwise (``DualNumber/carries(_:)``).
/// Depths repeat every 64 levels.
public struct PerturbationTag: Hashable, Sendable {
    /// One bit per perturbation the number carries; 0 for a constant.
    public let rawValue: UInt64

    /// The tag of constants. (Computed, not stored, so the compiler sees it is
    /// 0 and folds the tag arithmetic on constants away.)
    @inlinable public static var untagged: PerturbationTag { PerturbationTag(rawValue: 0) }

    @usableFromInline init(rawValue: UInt64) { self.rawValue = rawValue }

    /// How many derivative computations enclose the current code, per task.
    @TaskLocal static var depth = 0

    /// The tag of a derivative computed at the current depth, for seeding duals
    /// by hand. Derivatives nested inside must use ``withFresh(_:)``.
    public static func fresh() -> PerturbationTag {
        PerturbationTag(rawValue: 1 << UInt64(depth % 64))
    }

    /// Runs `body` with the tag of a derivative at the current depth; any
    /// derivative computed inside `body` gets the next depth's tag.
    ///
    /// ```swift
    /// PerturbationTag.withFresh { tag in f(Dual(x, tangent: 1, tag: tag)) }
    /// ```
    public static func withFresh<Result>(_ body: (PerturbationTag) throws -> Result) rethrows -> Result {
        let tag = fresh()
        return try $depth.withValue(depth + 1) { try body(tag) }
    }

    /// The tag of a result of operands tagged `a` and `b`.
    @inlinable @inline(__always)
    static func combined(_ a: PerturbationTag, _ b: PerturbationTag) -> PerturbationTag {
        PerturbationTag(rawValue: a.rawValue | b.rawValue)
    }

    /// Traps: a result of the derivative tagged `own` also carries `found`'s
    /// other perturbations of the same level.
    @usableFromInline @inline(never)
    static func confusion(found: PerturbationTag, own: PerturbationTag) -> Never {
        func depths(_ bits: UInt64) -> [Int] { (0..<64).filter { bits & (1 << UInt64($0)) != 0 } }
        fatalError("""
            Dual: perturbation confusion: the derivative at depth \(depths(own.rawValue)) got a result that \
            also carries the perturbations of depths \(depths(found.rawValue & ~own.rawValue)) at the same \
            nesting level. Differentiate the inner function over Dual<Dual<...>> and lift outer values with \
            Dual(constant:).
            """)
    }
}

extension DualNumber {
    /// Whether this result carries `tag`'s perturbation (if not, its tangent is
    /// zero for that derivative). Traps on perturbation confusion: when the
    /// result also carries another derivative's perturbation at this level.
    @inlinable
    public func carries(_ tag: PerturbationTag) -> Bool {
        if self.tag.rawValue & ~tag.rawValue != 0 { PerturbationTag.confusion(found: self.tag, own: tag) }
        return self.tag.rawValue != 0
    }
}
