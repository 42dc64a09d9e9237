import AutogradCore
import AutogradExact

/// Scores gradients computed elsewhere, such as PyTorch's in a graph
/// document, and the strategies' own, against the exact reference, element
/// by element: the error in ULPs of the true value, and whether it is within
/// the bound that the function's condition gives a correct computation (see
/// <doc:ValidatingGradients>).
///
/// ```swift
/// let document = try GraphDocument(json: text)            // exported from PyTorch
/// let report = try GradientJudge.judge(document, strategies: [ReverseMode()])
/// report.inputs[0].sources.map(\.maxULP)                   // PyTorch's, then reverse mode's
/// ```
public enum GradientJudge {
    /// How many elements beyond their bound a verdict lists (the worst); the count is always complete.
    public static let listedElements = 20

    /// Judges the document's gradients and those of `strategies` with
    /// `reference` (auditing, so bounds are computed). Throws
    /// ``GraphDocumentError`` for a malformed document, and the exact
    /// strategy's errors (a division by zero, a value outside an op's domain).
    public static func judge(
        _ document: GraphDocument, reference: ExactMode = ExactMode(), strategies: [any Differentiable] = []
    ) throws -> JudgeReport {
        let (inputs, output) = try document.record()
        let differentiated = inputs.indices.filter { inputs[$0].requiresGrad }
        guard !differentiated.isEmpty else {
            throw GraphDocumentError(path: "$.inputs", expected: "an input with \"requires_grad\": true", found: "none")
        }
        guard output.elementCount == 1 else {
            throw GraphDocumentError(path: "$.output", expected: "a tensor of one element (a loss) to differentiate", found: "shape \(output.shape)")
        }
        var referee = reference
        referee.attributesRoundingErrors = true
        let leaves = differentiated.map { inputs[$0] }
        let exact = try referee.gradient(of: output, withRespectTo: leaves, auditing: true)
        let byStrategy = try strategies.map { strategy in (strategy.name, try strategy.gradient(of: output, withRespectTo: leaves).tensors) }
        let precision = Precision(document.scalarType)
        let verdicts = differentiated.enumerated().map { position, index in
            let input = document.inputs[index]
            var sources: [SourceJudgement] = []
            if let gradient = input.gradient {
                sources.append(judge(gradient, of: position, input, exact: exact, source: document.producer ?? "document", precision: precision))
            }
            for (name, tensors) in byStrategy {
                sources.append(judge(tensors[position].scalars, of: position, input, exact: exact, source: name, precision: .float64))
            }
            return InputJudgement(name: input.name, shape: input.shape.dimensions, sources: sources)
        }
        return JudgeReport(
            producer: document.producer, dtype: document.scalarType.rawValue, reference: exact.exactness, precision: exact.precision,
            inputs: verdicts, branchDivergences: exact.branchDivergences.map(\.description),
            passed: verdicts.allSatisfy { $0.sources.allSatisfy(\.passed) }
        )
    }

    /// The type a source computed in: the unit of its ULPs and of its rounding errors.
    enum Precision {
        case float64, float32

        init(_ type: GraphDocument.ScalarType) { self = type == .float32 ? .float32 : .float64 }

        var name: String { self == .float32 ? "float32" : "float64" }

        /// The true value rounded to this type, from its correctly rounded
        /// double: for float32, rounded twice, which differs from rounding the
        /// truth once only when it lies within 2⁻⁵³ (relative) of a point
        /// halfway between two floats.
        func rounded(_ truth: Double) -> Double { self == .float32 ? Double(Float(truth)) : truth }

        /// One ULP of `value` in this type (the least subnormal's at zero).
        func ulp(of value: Double) -> Double {
            switch self {
            case .float64: value == 0 ? .leastNonzeroMagnitude : value.ulp
            case .float32: value == 0 ? Double(Float.leastNonzeroMagnitude) : Double(Float(value).ulp)
            }
        }

        /// The bound for this type from the bound for doubles: it is first order in the unit roundoff.
        func bound(_ doubleBound: Double) -> Double { self == .float32 ? doubleBound * 0x1p29 : doubleBound }
    }

    /// One source's verdict on one input's gradient.
    static func judge(
        _ computed: [Double], of position: Int, _ input: GraphDocument.Input, exact: ExactGradient, source: String, precision: Precision
    ) -> SourceJudgement {
        let truths = exact.tensors[position].scalars
        let bounds = exact.roundingBounds![position]
        var ulpErrors: [Double] = []
        var correctlyRounded = 0, unresolved = 0
        var beyond: [(severity: Double, element: JudgedElement)] = []
        for element in computed.indices {
            let value = computed[element]
            let status = exact.status(input: position, element: element)
            let truth = precision.rounded(truths[element])
            let unit = precision.ulp(of: truth)
            let bound = precision.bound(bounds[element])
            let error: Double, ulp: Double?
            if case .unresolved(let lower, let upper, _) = status {
                error = value.isNaN ? .infinity : max(0, lower - value, value - upper)
                ulp = nil
                unresolved += 1
            } else {
                error = value == truth || (value.isNaN && truth.isNaN) ? 0 : (value.isFinite && truth.isFinite ? abs(value - truth) : .infinity)
                ulp = error == 0 ? 0 : (truth.isFinite ? error / unit : .infinity)
                ulpErrors.append(ulp!)
                if error == 0 { correctlyRounded += 1 }
            }
            // The reference is rounded once: half an ulp of it is allowed besides the bound.
            let allowed = bound + (status.isResolved && truth.isFinite ? unit / 2 : 0)
            guard !(error <= allowed) else { continue }
            let judged = JudgedElement(
                index: multiIndex(element, in: input.shape), input: input.values[element], computed: value, truth: truth,
                errorULP: ulp, boundULP: ulp == nil ? bound : bound / unit, operation: exact.roundingSources?[position][element]
            )
            beyond.append((allowed == 0 ? .infinity : error / allowed, judged))
        }
        let sorted = ulpErrors.sorted()
        func percentile(_ p: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
        }
        let listed = beyond.sorted { $0.severity > $1.severity }.prefix(listedElements).map(\.element)
        return SourceJudgement(
            source: source, dtype: precision.name, elements: computed.count, correctlyRounded: correctlyRounded, unresolved: unresolved,
            medianULP: percentile(0.5), p99ULP: percentile(0.99), maxULP: sorted.last ?? 0,
            beyondBound: Array(listed), beyondBoundCount: beyond.count
        )
    }

    /// The row-major position `element` as one index per dimension of `shape`.
    static func multiIndex(_ element: Int, in shape: Shape) -> [Int] {
        var rest = element
        return shape.dimensions.reversed().map { size in
            defer { rest /= Swift.max(size, 1) }
            return rest % Swift.max(size, 1)
        }.reversed()
    }
}
