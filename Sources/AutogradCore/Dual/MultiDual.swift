/// A dual number with `N` tangent lanes, `value + Σ tangentᵢ·εᵢ`: one pass
/// carries `N` directional derivatives at once, like ForwardDiff.jl's chunks,
/// so the gradient of a function of `n` inputs takes `⌈n/N⌉` passes.
///
/// ```swift
/// let x = MultiDual<2, Double>(3, tag: .untagged) { $0 == 0 ? 1 : 0 }
/// let y = MultiDual<2, Double>(4, tag: .untagged) { $0 == 1 ? 1 : 0 }
/// (x * y).tangents[0]   // 4 = ∂(xy)/∂x
/// ```
public struct MultiDual<let N: Int, Base: FieldScalar>: DualNumber, Sendable {
    public typealias Magnitude = MultiDual

    /// The primal value.
    public var value: Base
    /// The tangent lanes.
    public var tangents: InlineArray<N, Base>
    /// Which derivative's perturbation this is (`.untagged` for a constant).
    public var tag: PerturbationTag

    @inlinable
    public init(_ value: Base, tag: PerturbationTag, tangentLanes tangent: (Int) -> Base) {
        self.value = value
        self.tangents = InlineArray(tangent)
        self.tag = tag
    }

    /// A constant: `value` with zero tangents.
    @inlinable
    public init(constant value: Base) {
        self.init(value, tag: .untagged) { _ in .zero }
    }

    @inlinable public func tangent(lane: Int) -> Base { tangents[lane] }

    @inlinable public static var laneCount: Int { N }
}

extension MultiDual: ElementaryFunctions, ElementaryScalar where Base: ElementaryScalar {}

extension MultiDual: CustomStringConvertible {
    public var description: String {
        "\(value) + (" + (0..<N).map { "\(tangents[$0])" }.joined(separator: ", ") + ")ε"
    }
}
