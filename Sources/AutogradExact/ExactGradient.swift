import AutogradCore

/// The result of ``ExactMode``: the exact gradients, their correctly rounded
/// `Double`s, and how exact they are.
public struct ExactGradient: GradientCollection {
    /// The gradients in the arithmetic that computed them.
    public enum Values: Sendable {
        /// Exact rationals: the graph had field ops only.
        case rational([TensorValue<Rational>])
        /// Big floats of ``ExactGradient/precision`` bits: the graph had
        /// elementary functions.
        case bigFloat([TensorValue<BigFloat>])
    }

    /// The exact (or high-precision) gradient of each input.
    public let values: Values
    /// Each gradient rounded to the nearest `Double`, shaped like its input.
    public let tensors: [Tensor]
    /// The precision in bits when the values are big floats, `nil` when exact.
    public let precision: Int?
    /// Where the exact replay took another branch than the recorded run.
    public let branchDivergences: [BranchDivergence]

    /// Whether the values are exact rationals (not big floats).
    public var isExact: Bool { precision == nil }

    /// `"exact"` or `"approximate (256 bits)"`.
    public var exactness: String { precision.map { "approximate (\($0) bits)" } ?? "exact" }
}

/// An element where a branching op (`relu`, `abs`) saw an input whose exact
/// value is on another side than the recorded `Double`'s.
public struct BranchDivergence: Sendable, Equatable, CustomStringConvertible {
    /// The op, as its `gradFn` names it: `"ReluBackward"`.
    public let operation: String
    /// The position of the node among the graph's nodes.
    public let nodeIndex: Int
    /// The row-major position of the element in the op's input.
    public let element: Int
    /// The input as the recorded run computed it.
    public let recorded: Double
    /// The exact input, in decimal.
    public let exact: String

    public var description: String {
        "\(operation) (node \(nodeIndex)) element \(element): recorded input \(recorded), exact input \(exact) takes another branch"
    }
}
