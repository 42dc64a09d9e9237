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
        let (inputs, output, tensors) = try document.recordNamed()
        let differentiated = inputs.indices.filter { inputs[$0].requiresGrad }
        guard !differentiated.isEmpty else {
            throw GraphDocumentError(path: "$.inputs", expected: "an input with \"requires_grad\": true", found: "none")
        }
        guard output.elementCount == 1 else {
            throw GraphDocumentError(path: "$.output", expected: "a tensor of one element (a loss) to differentiate", found: "shape \(output.shape)")
        }
        let tracesNodes = document.nodes.contains { $0.gradient != nil }
        var referee = reference
        referee.attributesRoundingErrors = true
        referee.keepsNodeCotangents = tracesNodes
        let leaves = differentiated.map { inputs[$0] }
        let exact = try referee.gradient(of: output, withRespectTo: leaves, auditing: true)
        let byStrategy = try strategies.map { strategy in (strategy.name, try strategy.gradient(of: output, withRespectTo: leaves).tensors) }
        let precision = Precision(document.scalarType)
        let producer = document.producer ?? "document"

        // The document's intermediate gradients, where it has them, against the true cotangents.
        let positions = tracesNodes
            ? Dictionary(uniqueKeysWithValues: RecordedGraph(output).nodes.enumerated().map { (ObjectIdentifier($1), $0) }) : [:]
        let cotangents = Dictionary((exact.nodeCotangents ?? []).map { ($0.nodeIndex, $0) }, uniquingKeysWith: { a, _ in a })
        var nodeVerdicts: [InputJudgement] = []
        for node in document.nodes {
            guard let gradient = node.gradient, let tensor = tensors[node.name], let graphNode = tensor.gradFn,
                  let index = positions[ObjectIdentifier(graphNode)], let truth = cotangents[index], !truth.roundingBounds.isEmpty
            else { continue }
            let verdict = judge(
                gradient, against: Truth(values: truth.values, statuses: truth.statuses, bounds: truth.roundingBounds),
                at: tensor.scalars, shape: tensor.shape, source: producer, precision: precision
            ) { _ in graphNode.name }
            nodeVerdicts.append(InputJudgement(name: node.name, shape: tensor.shape.dimensions, sources: [verdict]))
        }
        let firstWrong = tracesNodes ? FirstWrongNode(document, verdicts: nodeVerdicts, tensors: tensors) : nil

        let verdicts = differentiated.enumerated().map { position, index in
            let input = document.inputs[index]
            let truth = Truth(
                values: exact.tensors[position].scalars, statuses: exact.elementStatuses[position], bounds: exact.roundingBounds![position]
            )
            let heuristic = { (element: Int) in exact.roundingSources?[position][element] }
            var sources: [SourceJudgement] = []
            if let gradient = input.gradient {
                let culprit = firstWrong?.culprit(of: input.name)
                var verdict = judge(gradient, against: truth, at: input.values, shape: input.shape, source: producer, precision: precision) {
                    culprit?.operation ?? heuristic($0)
                }
                verdict.firstWrongNode = verdict.passed ? nil : culprit?.node
                sources.append(verdict)
            }
            for (name, tensors) in byStrategy {
                sources.append(judge(tensors[position].scalars, against: truth, at: input.values, shape: input.shape, source: name, precision: .float64, blame: heuristic))
            }
            return InputJudgement(name: input.name, shape: input.shape.dimensions, sources: sources)
        }
        return JudgeReport(
            producer: document.producer, dtype: document.scalarType.rawValue, reference: exact.exactness, precision: exact.precision,
            inputs: verdicts, nodes: nodeVerdicts, branchDivergences: exact.branchDivergences.map(\.description),
            passed: verdicts.allSatisfy { $0.sources.allSatisfy(\.passed) }
        )
    }

    /// The true gradient of one input or node: the values, what is proven about them, and their bounds.
    struct Truth {
        let values: [Double]
        let statuses: [ExactGradient.ElementStatus]
        let bounds: [Double]
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

    /// One source's verdict on one gradient (of an input or a node) whose
    /// true values are `truth`, at points `values`; `blame` names the op for an element.
    static func judge(
        _ computed: [Double], against truth: Truth, at values: [Double], shape: Shape, source: String, precision: Precision,
        blame: (Int) -> String?
    ) -> SourceJudgement {
        var ulpErrors: [Double] = []
        var correctlyRounded = 0, unresolved = 0
        var beyond: [(severity: Double, element: JudgedElement)] = []
        for element in computed.indices {
            let value = computed[element]
            let exact = precision.rounded(truth.values[element])
            let unit = precision.ulp(of: exact)
            let bound = precision.bound(truth.bounds[element])
            let measured = ElementError(computed: value, truth: exact, status: truth.statuses[element], bound: bound, unit: unit)
            if let ulp = measured.ulp {
                ulpErrors.append(ulp)
                if ulp == 0 { correctlyRounded += 1 }
            } else {
                unresolved += 1
            }
            guard !measured.isWithinBound else { continue }
            let judged = JudgedElement(
                index: multiIndex(element, in: shape), input: values[element], computed: value, truth: exact,
                errorULP: measured.ulp, boundULP: measured.ulp == nil ? bound : bound / unit, operation: blame(element)
            )
            beyond.append((measured.allowed == 0 ? .infinity : measured.error / measured.allowed, judged))
        }
        let sorted = ulpErrors.sorted()
        func percentile(_ p: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
        }
        let listed = beyond.sorted { $0.severity > $1.severity }.prefix(listedElements).map(\.element)
        return SourceJudgement(
            source: source, dtype: precision.name, elements: computed.count, correctlyRounded: correctlyRounded, unresolved: unresolved,
            medianULP: percentile(0.5), p99ULP: percentile(0.99), maxULP: sorted.last ?? 0,
            beyondBound: Array(listed), beyondBoundCount: beyond.count, firstWrongNode: nil
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
