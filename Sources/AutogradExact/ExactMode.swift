import AutogradCore

/// Exact differentiation, the judge the float strategies are checked against.
///
/// It replays the recorded graph over GMP rationals (a graph of field ops,
/// exactly) or over MPFI intervals (a graph with `exp`, `log`, `sin`...,
/// rigorously), and derives every derivative from the ops' *value* formulas,
/// never from the reverse or forward rules it judges (see `ReferencePass`
/// in the source: element-wise ops by dual numbers, other ops by their reverse
/// rule proven with the dot-product test).
///
/// Enclosures follow Ziv's strategy: starting at ``precision`` bits, the
/// replay is repeated at twice the precision until every gradient element's
/// enclosure rounds to a single `Double`, which is then the true value
/// correctly rounded, or until ``maximumPrecision``, where the elements left
/// are reported unresolved with their enclosure.
///
/// ```swift
/// let exact = try ExactMode().gradient(of: loss, withRespectTo: [predicted])
/// exact.isExact          // true: the lesson's loss has field ops only
/// exact.tensors[0]       // the true gradient, correctly rounded
/// ```
public struct ExactMode: Differentiable {
    /// The precision of the first enclosure, in bits.
    public var precision: Int
    /// The largest precision Ziv's strategy raises to, in bits.
    public var maximumPrecision: Int
    /// The largest integer exponent replayed: an exact power's size grows
    /// with its exponent, so larger ones are refused (``ExactError/exponentTooLarge(exponent:limit:)``).
    public var maximumExponent: Int
    /// Whether an audit also names, element by element, the op whose
    /// roundings weigh most in each bound (``ExactGradient/roundingSources``):
    /// one more bound pass per distinct op, so off by default.
    public var attributesRoundingErrors = false
    /// Whether the gradient also holds the true gradient with respect to
    /// every node's output (``ExactGradient/nodeCotangents``), for comparing
    /// with another library's intermediate gradients.
    public var keepsNodeCotangents = false
    /// How many threads the replay of an element-wise loss (such as the
    /// lesson's) may spread its elements over, in parts fixed in advance;
    /// the gradient does not depend on it. Values below 1 count as 1.
    public var threads: Int

    /// An exact strategy whose enclosures start at `precision` bits and stop
    /// at `maximumPrecision` (at least `precision`), on up to `threads` threads.
    ///
    /// ```swift
    /// let oneThread = ExactMode(threads: 1)
    /// ```
    public init(
        precision: Int = 256, maximumPrecision: Int = 4096, maximumExponent: Int = 4096,
        threads: Int = CompiledFunction.defaultThreadCount
    ) {
        self.precision = precision
        self.maximumPrecision = Swift.max(precision, maximumPrecision)
        self.maximumExponent = maximumExponent
        self.threads = threads
    }

    public var name: String { "exact" }

    public func gradient(of result: Tensor, withRespectTo leaves: [Tensor]) throws -> ExactGradient {
        try gradient(of: result, withRespectTo: leaves, auditing: false)
    }

    /// The exact gradient; when `auditing`, also every op's reverse and
    /// forward rules compared with its value formula's derivatives
    /// (``ExactGradient/ruleFindings``), and each element's first-order bound
    /// on a `Double` strategy's rounding error (``ExactGradient/roundingBounds``).
    ///
    /// ```swift
    /// let exact = try ExactMode().gradient(of: loss, withRespectTo: [x], auditing: true)
    /// exact.ruleFindings        // [] when every rule is right
    /// exact.roundingBounds![0]  // how far a correct Double gradient may be off
    /// ```
    public func gradient(of result: Tensor, withRespectTo leaves: [Tensor], auditing: Bool) throws -> ExactGradient {
        for bits in [precision, maximumPrecision] where !BigFloat.precisionRange.contains(bits) {
            throw ExactError.precisionOutOfRange(precision: bits, range: BigFloat.precisionRange)
        }
        try Tensor.checkDifferentiable(leaves)
        guard result.requiresGrad else { throw AutogradError.doesNotRequireGrad }
        guard result.elementCount == 1 else { throw AutogradError.nonScalarBackward(shape: result.shape) }
        let graph = RecordedGraph(result)
        try graph.checkLeavesUnchanged()
        try checkInputs(of: graph)
        let given = graph.leaves.enumerated().filter { _, leaf in !leaves.contains { $0 === leaf } }
            .map { ExactGradient.GivenInput(leafIndex: $0.offset, shape: $0.element.shape) }
        // The recorded run's values, for the branch and domain checks; only
        // branching ops and elementary functions need them.
        let recorded: GraphEvaluation<Double>? = graph.nodes.contains { !OperationConformances(of: $0.operation).isDisjoint(with: [.branching, .selecting]) }
            || graph.requiresElementaryFunctions ? try graph.evaluation { $0.value } : nil
        if graph.requiresElementaryFunctions || comparisonsRequireElementaryFunctions(graph) {
            return try enclosedGradient(graph, leaves, recorded: recorded, given: given, auditing: auditing)
        }
        if !auditing, recorded == nil, let fast = wordDyadicGradients(graph, leaves) {
            return ExactGradient(
                values: .rational(fast.gradients), tensors: fast.rounded,
                elementStatuses: fast.gradients.map { Array(repeating: .exact, count: $0.elementCount) },
                precision: nil, branchDivergences: [], ruleFindings: fast.findings,
                givenInputs: given, roundingBounds: nil, largestRoundingSource: nil
            )
        }
        // A division by zero throws, naming the op, instead of trapping.
        let (run, reference) = try ExactFaultRecorder.recording {
            let run = try ReferenceRun(graph, towards: leaves, elementary: .fieldOnly) { leaf in leaf.value.map(Rational.init(_:)) }
            var pass = ReferencePass(
                run, elementary: .fieldOnly, auditing: auditing, attributing: attributesRoundingErrors, keepingNodeCotangents: keepsNodeCotangents
            )
            return (run, try pass.gradient(withRespectTo: leaves))
        }
        return ExactGradient(
            values: .rational(reference.gradients), tensors: reference.gradients.map { Tensor($0.map(\.doubleValue)) },
            elementStatuses: reference.gradients.map { Array(repeating: .exact, count: $0.elementCount) },
            precision: nil,
            branchDivergences: divergences(recorded, run) { try? RecordedGraph($0).evaluation { $0.value.map(Rational.init(_:)) }.result },
            ruleFindings: reference.findings,
            givenInputs: given, roundingBounds: reference.roundingBound?.leafBounds.map(\.scalars),
            largestRoundingSource: reference.roundingBound?.largestSource,
            roundingSources: reference.roundingBound?.leafSources,
            nodeCotangents: keepsNodeCotangents ? Self.nodeCotangents(reference) { ($0.doubleValue, .exact) } : nil
        )
    }

    public func gradient(at point: [Tensor], of function: ([Tensor]) -> Tensor) throws -> ExactGradient {
        let (inputs, result) = Tensor.trace(at: point, of: function)
        return try gradient(of: result, withRespectTo: inputs)
    }

    /// Whether a comparison that a `where` of `graph` chose by reads a tensor
    /// made with elementary functions: it is then re-evaluated over
    /// enclosures, so the whole replay is.
    func comparisonsRequireElementaryFunctions(_ graph: RecordedGraph) -> Bool {
        graph.nodes.contains { node in
            guard let comparison = (node.operation as? Where)?.comparison else { return false }
            return [comparison.left, comparison.right].contains { $0.gradFn != nil && RecordedGraph($0).requiresElementaryFunctions }
        }
    }

    /// Ziv's strategy over intervals: replays at rising precision until every
    /// element rounds to one `Double` or the cap is reached.
    func enclosedGradient(
        _ graph: RecordedGraph, _ leaves: [Tensor], recorded: GraphEvaluation<Double>?,
        given: [ExactGradient.GivenInput], auditing: Bool
    ) throws -> ExactGradient {
        var bits = precision
        var statuses: [[ExactGradient.ElementStatus?]] = leaves.map { Array(repeating: nil, count: $0.elementCount) }
        var firstStep: ReferenceResult<BigInterval>?
        while true {
            let (run, reference) = try BigFloat.$defaultPrecision.withValue(bits) {
                try ExactFaultRecorder.recording {
                    let run = try ReferenceRun(graph, towards: leaves, elementary: .elementary) { leaf in leaf.value.map { BigInterval($0) } }
                    var pass = ReferencePass(
                        run, elementary: .elementary, auditing: auditing && firstStep == nil, attributing: attributesRoundingErrors,
                        keepingNodeCotangents: keepsNodeCotangents && firstStep == nil
                    )
                    return (run, try pass.gradient(withRespectTo: leaves))
                }
            }
            let undefined = try checkDomains(run, recorded: recorded, canRaise: bits < maximumPrecision)
            if firstStep == nil { firstStep = reference }
            if !undefined {
                for (input, gradient) in reference.gradients.enumerated() {
                    for (element, value) in gradient.scalars.enumerated() where statuses[input][element] == nil && value.roundedDouble != nil {
                        statuses[input][element] = .correctlyRounded(precision: bits)
                    }
                }
            }
            let resolved = statuses.allSatisfy { $0.allSatisfy { $0 != nil } }
            if resolved || bits >= maximumPrecision {
                let audit = firstStep!
                let final = statuses.enumerated().map { input, row in
                    row.enumerated().map { element, status in
                        status ?? Self.unresolved(reference.gradients[input].scalars[element], precision: bits)
                    }
                }
                return ExactGradient(
                    values: .interval(reference.gradients),
                    tensors: reference.gradients.map { Tensor($0.map { $0.roundedDouble ?? $0.midpoint.doubleValue }) },
                    elementStatuses: final, precision: bits,
                    branchDivergences: divergences(recorded, run) { tensor in
                        BigFloat.$defaultPrecision.withValue(bits) {
                            try? RecordedGraph(tensor).evaluation { $0.value.map { BigInterval($0) } }.result
                        }
                    },
                    ruleFindings: audit.findings, givenInputs: given,
                    roundingBounds: audit.roundingBound?.leafBounds.map(\.scalars),
                    largestRoundingSource: audit.roundingBound?.largestSource,
                    roundingSources: audit.roundingBound?.leafSources,
                    nodeCotangents: keepsNodeCotangents ? Self.nodeCotangents(audit) { value in
                        value.roundedDouble.map { ($0, .correctlyRounded(precision: precision)) }
                            ?? (value.midpoint.doubleValue, Self.unresolved(value, precision: precision))
                    } : nil
                )
            }
            bits = Swift.min(bits * 2, maximumPrecision)
        }
    }

    /// The kept node cotangents of a reverse pass, each element rounded by `rounded`.
    static func nodeCotangents<S>(
        _ result: ReferenceResult<S>, rounded: (S) -> (Double, ExactGradient.ElementStatus)
    ) -> [ExactGradient.NodeCotangent] {
        result.nodeCotangents.sorted { $0.key < $1.key }.map { index, cotangent in
            let elements = cotangent.scalars.map(rounded)
            return ExactGradient.NodeCotangent(
                nodeIndex: index, values: elements.map(\.0), statuses: elements.map(\.1),
                roundingBounds: result.roundingBound?.nodeBounds[index]?.scalars ?? []
            )
        }
    }

    /// The status of an element whose enclosure did not resolve: its bounds,
    /// rounded outwards.
    static func unresolved(_ value: BigInterval, precision: Int) -> ExactGradient.ElementStatus {
        let lower = value.lower.doubleValue, upper = value.upper.doubleValue
        return .unresolved(
            lower: lower.isFinite ? lower.nextDown : (lower.isNaN ? -.infinity : lower),
            upper: upper.isFinite ? upper.nextUp : (upper.isNaN ? .infinity : upper),
            precision: precision
        )
    }

    /// Throws, before any exact arithmetic, on a leaf that is not finite or an
    /// integer power beyond ``maximumExponent``.
    func checkInputs(of graph: RecordedGraph) throws(ExactError) {
        for leaf in graph.leaves {
            if let bad = leaf.value.scalars.first(where: { !$0.isFinite }) { throw .notFinite(bad) }
        }
        for node in graph.nodes {
            if let power = node.operation as? IntegerPower, abs(power.exponent) > maximumExponent {
                throw .exponentTooLarge(exponent: power.exponent, limit: maximumExponent)
            }
        }
    }

    /// Looks for an op whose enclosure is undefined (NaN) while its inputs'
    /// are not: a function outside its domain. Throws when the recorded run
    /// was undefined there too, or when the precision cannot rise; otherwise
    /// returns `true` (the enclosure was too wide at this precision).
    func checkDomains(
        _ run: ReferenceRun<BigInterval>, recorded: GraphEvaluation<Double>?, canRaise: Bool
    ) throws(ExactError) -> Bool {
        for node in run.graph.nodes {
            let output = run.value(of: node).scalars
            guard let bad = output.firstIndex(where: \.isNaN) else { continue }
            let input = run.value(of: node.inputs[0]).scalars
            let argument = input.count == output.count ? input[bad] : input[0]
            guard !argument.isNaN else { continue }
            let recordedValue = recorded?.value(of: node).scalars[bad]
            if canRaise && recordedValue?.isNaN == false { return true }
            let described = argument.isPoint ? argument.lower.decimalDescription(digits: 17) : argument.description
            throw .outsideDomain(function: node.operation.name.lowercased(), argument: described)
        }
        return false
    }

    /// The elements of branching ops whose exact input lies on another side
    /// than the recorded one, or whose enclosure contains the branch point;
    /// the elements that selecting ops (`max`) and `where` choose otherwise
    /// in exact arithmetic, or cannot decide between.
    ///
    /// `replay` computes a tensor outside `run`'s graph (a comparison operand
    /// that only `where`'s condition read) in `S` from its own graph.
    func divergences<S: ReferenceScalar>(
        _ recorded: GraphEvaluation<Double>?, _ run: ReferenceRun<S>, replay: (Tensor) -> TensorValue<S>?
    ) -> [BranchDivergence] {
        guard let recorded else { return [] }
        var found: [BranchDivergence] = []
        for (index, node) in run.graph.nodes.enumerated() {
            let conformances = OperationConformances(of: node.operation)
            if conformances.contains(.branching), let operation = node.operation as? any BranchingOperation {
                let floatInput = recorded.value(of: node.inputs[0]).scalars
                let exactInput = run.value(of: node.inputs[0]).scalars
                for (element, (float, exact)) in zip(floatInput, exactInput).enumerated()
                where operation.branch(at: float) != operation.branch(at: exact) || exact.branchIsUndecided(operation) {
                    found.append(BranchDivergence(
                        operation: node.name, nodeIndex: index, element: element, recorded: float, exact: exact.referenceDescription
                    ))
                }
            } else if conformances.contains(.selecting), let operation = node.operation as? any SelectingOperation {
                found += selectionDivergences(operation, node, index, recorded.value(of: node.inputs[0]), run.value(of: node.inputs[0]))
            } else if let operation = node.operation as? Where, let comparison = operation.comparison {
                found += comparisonDivergences(comparison, node, index, run, replay: replay)
            }
        }
        return found
    }

    /// The input elements a selecting op chose in one run and not the other,
    /// and those whose enclosure may equal a chosen one's (undecided).
    private func selectionDivergences<S: ReferenceScalar>(
        _ operation: any SelectingOperation, _ node: GraphNode, _ index: Int, _ float: TensorValue<Double>, _ exact: TensorValue<S>
    ) -> [BranchDivergence] {
        let exactScalars = exact.scalars
        var elements: [Int] = []
        for (floatChosen, exactChoice) in zip(operation.chosen(float), operation.choices(exact)) {
            let differing = Set(floatChosen).symmetricDifference(exactChoice.chosen).union(exactChoice.undecided)
            elements += differing.sorted()
        }
        return elements.map {
            BranchDivergence(operation: node.name, nodeIndex: index, element: $0, recorded: float[flat: $0], exact: exactScalars[$0].referenceDescription)
        }
    }

    /// The elements where `where`'s comparison, re-evaluated on the exact
    /// values of its operands, chooses the other operand or is undecided. The
    /// divergence's input is the comparison's left minus its right operand.
    private func comparisonDivergences<S: ReferenceScalar>(
        _ comparison: TensorComparison, _ node: GraphNode, _ index: Int, _ run: ReferenceRun<S>,
        replay: (Tensor) -> TensorValue<S>?
    ) -> [BranchDivergence] {
        // An operand no op made is a constant, exactly its recorded Doubles;
        // one an op made is re-evaluated, in this run or from its own graph.
        func exact(_ tensor: Tensor, _ recordedValue: TensorValue<Double>) -> TensorValue<S> {
            guard tensor.gradFn != nil else { return recordedValue.map(S.init) }
            return run.value(ofTensor: tensor) ?? replay(tensor) ?? recordedValue.map(S.init)
        }
        let left = exact(comparison.left, comparison.leftValue)
        let right = exact(comparison.right, comparison.rightValue)
        let exactDifference = TensorValue.broadcasting(left, right, op: "where") { $0 - $1 }
        let recordedDifference = TensorValue.broadcasting(comparison.leftValue, comparison.rightValue, op: "where") { $0 - $1 }
        let exactHolds = TensorValue.broadcasting(left, right, op: "where", comparison.relation.holds)
        let recordedHolds = TensorValue.broadcasting(comparison.leftValue, comparison.rightValue, op: "where", comparison.relation.holds)
        return (0..<exactHolds.elementCount).compactMap { element in
            let difference = exactDifference[flat: element]
            let undecided = difference.mayTie(with: .zero)
            guard exactHolds[flat: element] != recordedHolds[flat: element] || undecided else { return nil }
            return BranchDivergence(
                operation: node.name, nodeIndex: index, element: element,
                recorded: recordedDifference[flat: element], exact: difference.referenceDescription
            )
        }
    }
}
