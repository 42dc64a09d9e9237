/// What ``GradientJudge`` found on one graph document: for each input, each
/// source of gradients (the document's, a strategy's) scored against the
/// exact reference.
///
/// ```swift
/// let report = try GradientJudge.judge(document)
/// report.passed                                // false when an element is beyond its bound
/// report.inputs[0].sources[0].maxULP           // PyTorch's worst error, in ULPs
/// ```
public struct JudgeReport: Encodable, Sendable {
    /// Who computed the document's gradients (`"torch 2.15.0"`), if it says.
    public let producer: String?
    /// The document's floating-point type: `"float64"` or `"float32"`.
    public let dtype: String
    /// How the reference is known: `"exact"`, `"correctly rounded (≤ 512 bits)"`,
    /// or how many elements stayed unresolved.
    public let reference: String
    /// The largest precision in bits the enclosures needed, `nil` when exact.
    public let precision: Int?
    /// One verdict per input that requires a gradient.
    public let inputs: [InputJudgement]
    /// One verdict per node whose gradient the document gives (its
    /// intermediate gradients, PyTorch's `retain_grad()`), in the document's order.
    public let nodes: [InputJudgement]
    /// Where the exact replay took another branch than the recorded run (`relu`, `max`, `where`...), in words.
    public let branchDivergences: [String]
    /// Whether every element of every source is within its bound.
    public let passed: Bool

    enum CodingKeys: String, CodingKey {
        case producer, dtype, reference, precision, inputs, nodes, passed
        case branchDivergences = "branch_divergences"
    }
}

/// The verdicts on one input's (or node's) gradient, one per source.
public struct InputJudgement: Encodable, Sendable {
    /// The input's or node's name in the document.
    public let name: String
    /// Its dimensions.
    public let shape: [Int]
    /// The verdicts, the document's gradient first, then each strategy's.
    public let sources: [SourceJudgement]
}

/// How far one source's gradient of one input is from the truth.
public struct SourceJudgement: Encodable, Sendable {
    /// `"torch 2.15.0"` (the document's producer, or `"document"`), or a strategy's name.
    public let source: String
    /// The type the source computed in, which its ULPs are counted in: `"float64"` or `"float32"`.
    public let dtype: String
    /// The number of elements.
    public let elements: Int
    /// How many equal the true value correctly rounded (0 ULP).
    public let correctlyRounded: Int
    /// How many have a true value only enclosed (their error is absolute, not in ULPs).
    public let unresolved: Int
    /// The median error in ULPs over the resolved elements.
    public let medianULP: Double
    /// The 99th percentile (nearest rank) of the errors in ULPs.
    public let p99ULP: Double
    /// The largest error in ULPs.
    public let maxULP: Double
    /// The elements beyond their bound, largest error first (at most ``GradientJudge/listedElements``).
    public let beyondBound: [JudgedElement]
    /// How many elements are beyond their bound, listed or not.
    public let beyondBoundCount: Int
    /// For the document's gradient of an input, when the document gives its
    /// nodes' gradients too: the node whose reverse rule first gave a gradient
    /// beyond its bounds on the way back to this input (its gradient in is
    /// within bounds, one it passes back is not). `nil` otherwise.
    public internal(set) var firstWrongNode: String?
    /// Whether every element is within its bound.
    public var passed: Bool { beyondBoundCount == 0 }

    enum CodingKeys: String, CodingKey {
        case source, dtype, elements, unresolved, passed
        case correctlyRounded = "correctly_rounded"
        case medianULP = "median_ulp"
        case p99ULP = "p99_ulp"
        case maxULP = "max_ulp"
        case beyondBound = "beyond_bound"
        case beyondBoundCount = "beyond_bound_count"
        case firstWrongNode = "first_wrong_node"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source, forKey: .source)
        try container.encode(dtype, forKey: .dtype)
        try container.encode(elements, forKey: .elements)
        try container.encode(correctlyRounded, forKey: .correctlyRounded)
        try container.encode(unresolved, forKey: .unresolved)
        try container.encode(JSONNumber(medianULP), forKey: .medianULP)
        try container.encode(JSONNumber(p99ULP), forKey: .p99ULP)
        try container.encode(JSONNumber(maxULP), forKey: .maxULP)
        try container.encode(beyondBound, forKey: .beyondBound)
        try container.encode(beyondBoundCount, forKey: .beyondBoundCount)
        try container.encodeIfPresent(firstWrongNode, forKey: .firstWrongNode)
        try container.encode(passed, forKey: .passed)
    }
}

/// One element of a gradient beyond its bound.
public struct JudgedElement: Encodable, Sendable {
    /// Its position in the input, one index per dimension.
    public let index: [Int]
    /// The input's value there.
    public let input: Double
    /// The source's gradient there.
    public let computed: Double
    /// The true gradient, correctly rounded to the source's type (an
    /// unresolved enclosure's midpoint).
    public let truth: Double
    /// The error in ULPs of the true value; `nil` when the truth is only enclosed.
    public let errorULP: Double?
    /// The element's bound on a correct computation's rounding error, in
    /// ULPs of the true value (absolute when the truth is only enclosed).
    public let boundULP: Double
    /// The op to look at (`"TanhBackward"`): for the document's gradients,
    /// when it gives its nodes' gradients, the op of the node where they
    /// first leave their bounds (``SourceJudgement/firstWrongNode``);
    /// otherwise the element-wise op whose derivative's roundings weigh
    /// most in the element's bound, a pointer rather than a proof.
    public let operation: String?

    enum CodingKeys: String, CodingKey {
        case index, input, computed, truth, operation
        case errorULP = "error_ulp"
        case boundULP = "bound_ulp"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(JSONNumber(input), forKey: .input)
        try container.encode(JSONNumber(computed), forKey: .computed)
        try container.encode(JSONNumber(truth), forKey: .truth)
        try container.encodeIfPresent(errorULP.map(JSONNumber.init), forKey: .errorULP)
        try container.encode(JSONNumber(boundULP), forKey: .boundULP)
        try container.encodeIfPresent(operation, forKey: .operation)
    }
}

/// A double in JSON: a number when finite, else the string `"inf"`, `"-inf"`
/// or `"nan"` (JSON has no such numbers).
struct JSONNumber: Encodable, Sendable {
    let value: Double
    init(_ value: Double) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if value.isFinite { try container.encode(value) } else { try container.encode(HexadecimalFloat.text(value)) }
    }
}
