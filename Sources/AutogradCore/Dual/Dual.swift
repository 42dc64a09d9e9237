/// A dual number `value + tangent·ε` with `ε² = 0`: evaluating a function on
/// `Dual(x, tangent: 1)` gives `f(x)` and `f′(x)` in one pass (forward mode).
///
/// Duals nest: `Dual<Dual<Double>>` carries two independent perturbations and
/// gives second derivatives (see ``DualNumber`` for the tags that keep nested
/// perturbations apart). Equality and order compare values only.
///
/// ```swift
/// let x = Dual(3.0, tangent: 1)
/// let y = x * x + 2 * x    // value 15, tangent 8
/// ```
public struct Dual<Base: FieldScalar>: DualNumber, Sendable {
    public typealias Magnitude = Dual

    /// The primal value.
    public var value: Base
    /// The coefficient of the perturbation `ε`: the directional derivative.
    public var tangent: Base
    /// Which derivative's perturbation this is (`.untagged` for a constant).
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

    @inlinable
    public init(_ value: Base, tag: PerturbationTag, tangentLanes tangent: (Int) -> Base) {
        self.init(value, tangent: tangent(0), tag: tag)
    }

    @inlinable public func tangent(lane: Int) -> Base { tangent }

    @inlinable public static var laneCount: Int { 1 }
}

extension Dual: ElementaryFunctions, ElementaryScalar where Base: ElementaryScalar {}

extension Dual: CustomStringConvertible {
    public var description: String { "\(value) + \(tangent)ε" }
}
