import AutogradCore

/// The result of ``ExactMode``: the true gradients, their correctly rounded
/// `Double`s, and, element by element, how far that is proven.
///
/// ```swift
/// let exact = try ExactMode().gradient(of: loss, withRespectTo: [x])
/// exact.tensors[0]                  // the true gradient, correctly rounded
/// exact.status(input: 0, element: 2)   // .exact, .correctlyRounded(precision: 256) or .unresolved(...)
/// ```
public struct ExactGradient: GradientCollection {
    /// The gradients in the arithmetic that computed them.
    public enum Values: Sendable {
        /// Exact rationals: the graph had field ops only.
        case rational([TensorValue<Rational>])
        /// Rigorous enclosures: the graph had elementary functions.
        case interval([TensorValue<BigInterval>])
    }

    /// What is proven about one element of a gradient.
    public enum ElementStatus: Sendable, Equatable, CustomStringConvertible {
        /// Computed exactly in rationals: the `Double` is the true value
        /// correctly rounded.
        case exact
        /// The enclosure at `precision` bits rounds to one `Double`, which is
        /// therefore the true value correctly rounded.
        case correctlyRounded(precision: Int)
        /// Even at `precision` bits (the cap) the enclosure straddles a
        /// rounding boundary or zero (the true value may be exactly 0): the
        /// true value is only known to lie in [`lower`, `upper`] (rounded
        /// outwards). Verdicts use it as an absolute bound, never in ULPs.
        case unresolved(lower: Double, upper: Double, precision: Int)

        /// Whether the element's `Double` is proven correctly rounded.
        public var isResolved: Bool {
            if case .unresolved = self { false } else { true }
        }

        public var description: String {
            switch self {
            case .exact: "exact"
            case .correctlyRounded(let precision): "correctly rounded (\(precision) bits)"
            case .unresolved(let lower, let upper, let precision): "unresolved in [\(lower), \(upper)] at \(precision) bits"
            }
        }
    }

    /// A leaf of the graph that was not differentiated: its `Double` values
    /// were taken as given (a value computed outside the traced function).
    public struct GivenInput: Sendable, Equatable, CustomStringConvertible {
        /// The leaf's position among the graph's leaves, in the order they are first read.
        public let leafIndex: Int
        /// Its shape.
        public let shape: Shape

        public var description: String { "leaf \(leafIndex) of shape \(shape), taken as given" }
    }

    /// The exact or enclosed gradient of each input.
    public let values: Values
    /// Each gradient rounded to the nearest `Double`, shaped like its input;
    /// an unresolved element holds its enclosure's midpoint, rounded.
    public let tensors: [Tensor]
    /// What is proven, per input, element by element in row-major order.
    public let elementStatuses: [[ElementStatus]]
    /// The largest precision the enclosures needed, `nil` when exact.
    public let precision: Int?
    /// Where the exact replay took another branch than the recorded run, or
    /// could not decide the branch.
    public let branchDivergences: [BranchDivergence]
    /// Rules proven wrong on the checked values (always the dot-product test
    /// of ops that are not element-wise; every rule when auditing).
    public let ruleFindings: [RuleFinding]
    /// The leaves whose values were taken as given.
    public let givenInputs: [GivenInput]
    /// When auditing: per input, per element, the first-order bound on the
    /// rounding error of a `Double` strategy's gradient (see
    /// ``ExactMode/gradient(of:withRespectTo:auditing:)``).
    public let roundingBounds: [[Double]]?
    /// When auditing: the op whose own roundings weigh most in the bounds.
    public let largestRoundingSource: String?
    /// When auditing with ``ExactMode/attributesRoundingErrors``: per input,
    /// per element, the element-wise op (as its `gradFn` names it,
    /// `"TanhBackward"`) whose derivative's roundings weigh most in that
    /// element's bound, or the structural op (`"MmBackward"`) where no
    /// element-wise op's do; `nil` where nothing rounds. It is the op to look
    /// at first when the element is out of bounds: its derivative is where
    /// the function's condition is worst, and element-wise derivative
    /// formulas are where libraries differ. It is a pointer, not a proof: a
    /// gradient alone does not say which factor of a chain of partials went
    /// wrong (``nodeCotangents`` compared with another library's do).
    ///
    /// ```swift
    /// var judge = ExactMode(); judge.attributesRoundingErrors = true
    /// try judge.gradient(of: loss, withRespectTo: [x], auditing: true).roundingSources![0][3]   // "TanhBackward"
    /// ```
    public internal(set) var roundingSources: [[String?]]? = nil
    /// With ``ExactMode/keepsNodeCotangents``: the true gradient of the
    /// result with respect to each node's output that leads to a requested
    /// input, with, when auditing, each element's rounding bound.
    ///
    /// ```swift
    /// var exact = ExactMode(); exact.keepsNodeCotangents = true
    /// try exact.gradient(of: loss, withRespectTo: [x], auditing: true).nodeCotangents![0].values
    /// ```
    public internal(set) var nodeCotangents: [NodeCotangent]? = nil

    /// The true gradient of a graph's result with respect to one node's output.
    public struct NodeCotangent: Sendable {
        /// The node's position among `RecordedGraph(result).nodes`.
        public let nodeIndex: Int
        /// The values, correctly rounded where resolved (an enclosure's midpoint where not), row-major.
        public let values: [Double]
        /// What is proven about each value (enclosures at the first precision only).
        public let statuses: [ElementStatus]
        /// When auditing: each element's first-order bound on a `Double` strategy's rounding error; else empty.
        public let roundingBounds: [Double]
    }

    /// Whether the values are exact rationals (not enclosures).
    public var isExact: Bool { precision == nil }

    /// The status of one element of input `input`'s gradient.
    public func status(input: Int, element: Int) -> ElementStatus { elementStatuses[input][element] }

    /// The number of elements not proven correctly rounded.
    public var unresolvedCount: Int { elementStatuses.joined().count { !$0.isResolved } }

    /// `"exact"`, `"correctly rounded (≤ 512 bits)"` or
    /// `"3 of 24 elements unresolved (4096 bits)"`.
    public var exactness: String {
        guard let precision else { return "exact" }
        let unresolved = unresolvedCount
        if unresolved == 0 { return "correctly rounded (≤ \(precision) bits)" }
        return "\(unresolved) of \(elementStatuses.joined().count) elements unresolved (\(precision) bits)"
    }
}

/// An element where a branching op (`relu`, `abs`, `clamp`) saw an input whose
/// exact value is on another side than the recorded `Double`'s, or whose
/// enclosure contains the branch point, so that the side is undecided; an
/// input element that `max` chose in one run and not the other (or may tie
/// with the chosen one); or an element where `where`'s comparison holds in one
/// run and not the other (its input: the comparison's left minus right).
public struct BranchDivergence: Sendable, Equatable, CustomStringConvertible {
    /// The op, as its `gradFn` names it: `"ReluBackward"`.
    public let operation: String
    /// The position of the node among the graph's nodes.
    public let nodeIndex: Int
    /// The row-major position of the element in the op's input.
    public let element: Int
    /// The input as the recorded run computed it.
    public let recorded: Double
    /// The exact input, in decimal (an enclosure for elementary graphs).
    public let exact: String

    public var description: String {
        "\(operation) (node \(nodeIndex)) element \(element): recorded input \(recorded), exact input \(exact) takes another branch"
    }
}
