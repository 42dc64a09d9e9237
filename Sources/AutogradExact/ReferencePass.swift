import AutogradCore

/// What the exact reference's reverse pass found.
struct ReferenceResult<S> {
    /// The true gradient of each requested leaf, over `S`.
    var gradients: [TensorValue<S>]
    /// Rules proven wrong on the checked values.
    var findings: [RuleFinding]
    /// When auditing: each gradient element's first-order bound on the
    /// rounding error of a `Double` strategy, in absolute terms.
    var roundingBound: RoundingBound?
    /// When kept: each node's cotangent (the gradient of the result with
    /// respect to its output), by the node's position.
    var nodeCotangents: [Int: TensorValue<S>] = [:]
}

/// The exact reference's reverse pass: the gradient of a recorded graph's
/// one-element result, derived from the ops' value formulas, never from the
/// rules under test.
///
/// - An element-wise op (``ElementwiseOperation``,
///   ``ElementwiseElementaryOperation``, ``BroadcastingElementwiseOperation``)
///   gets its partial derivatives by evaluating its value formula over dual
///   numbers of `S`, exactly (rationals) or rigorously (intervals).
/// - Any other op (sum, mean, reshape, transpose, matmul, custom ops) has its
///   reverse rule run over `S` and proven on the spot by the dot-product test
///   ⟨g, J·u⟩ = ⟨Jᵀg, u⟩, with J·u from the value formula over dual numbers
///   and u drawn at random (integers up to 2³⁰, so a wrong rule passes with
///   probability at most 2⁻³⁰, by the Schwartz–Zippel lemma). When the test
///   fails, the rule is reported and Jᵀg is computed column by column from
///   the value formula instead. Custom ops are always proven; the built-in
///   structural ops (`sum`, `mean`, `reshape`, `transpose`, `matmul`) are
///   proven when auditing, as the cross-check does on every function it
///   judges, and otherwise relied on.
///
/// When auditing, it also compares every op's reverse and forward rules with
/// the value formula's derivatives (reporting the first wrong element), and
/// computes ``RoundingBound``.
struct ReferencePass<S: ReferenceScalar> {
    let run: ReferenceRun<S>
    let elementary: ElementaryEvaluation<S>
    let auditing: Bool
    private var generator = SeededGenerator(seed: 0x0005_EED5)
    private var findings: [RuleFinding] = []

    /// When auditing: whether the rounding bound also names, per element,
    /// the op whose roundings weigh most in it.
    let attributing: Bool
    /// Whether every node's cotangent is kept (and, when auditing, its bound).
    let keepingNodeCotangents: Bool

    init(
        _ run: ReferenceRun<S>, elementary: ElementaryEvaluation<S>, auditing: Bool, attributing: Bool = false,
        keepingNodeCotangents: Bool = false
    ) {
        self.run = run
        self.elementary = elementary
        self.auditing = auditing
        self.attributing = attributing
        self.keepingNodeCotangents = keepingNodeCotangents
    }

    mutating func gradient(withRespectTo leaves: [Tensor]) throws -> ReferenceResult<S> {
        let graph = run.graph
        let result = run.result
        guard result.elementCount == 1 else { throw AutogradError.nonScalarBackward(shape: result.shape) }
        let root = graph.nodes.last.map { ObjectIdentifier($0) } ?? ObjectIdentifier(graph.result)
        var gradients: [ObjectIdentifier: TensorValue<S>] = [root: TensorValue(repeating: 1, shape: result.shape)]
        // Only inputs that lead to a requested leaf need their derivatives.
        let relevant = run.relevant
        var bound = auditing ? RoundingBound(run, partials: try elementwisePartialsOfEveryNode(), attributing: attributing) : nil
        bound?.keepsNodeBounds = keepingNodeCotangents
        var nodeCotangents: [Int: TensorValue<S>] = [:]

        for (index, node) in graph.nodes.enumerated().reversed() {
            guard let gradient = gradients.removeValue(forKey: ObjectIdentifier(node)) else { continue }
            if keepingNodeCotangents { nodeCotangents[index] = gradient }
            let inputs = node.inputs.map { run.value(of: $0) }
            let output = run.value(of: node)
            let wanted = node.inputs.indices.filter { relevant.contains(node.inputs[$0].identifier) }
            var contributions: [Int: TensorValue<S>] = [:]
            switch Derivation(node.operation) {
            case .elementwise:
                for j in wanted {
                    contributions[j] = chainProduct(gradient, run.partials[index]![j]!).reduced(to: inputs[j].shape)
                    if auditing {
                        let byRule = try ruleVJP(node.operation, inputs, output: output, gradient: gradient, input: j, elementary: elementary)
                        audit(byRule, against: contributions[j]!, node: node, index: index, rule: "vjp")
                    }
                }
            case .general:
                // Outside audits, a built-in structural op's rule is relied on.
                if !auditing {
                    for j in wanted {
                        contributions[j] = builtInVJP(node.operation, inputs, output: output, gradient: gradient, input: j)
                    }
                }
                if contributions.count < wanted.count {
                    contributions = try provenReverseRule(node, index: index, inputs, output, gradient, wanted: wanted)
                }
                if let operation = node.operation as? any SelectingOperation, let contribution = contributions[0] {
                    contributions[0] = widenedForUndecidedChoices(operation, inputs[0], gradient, contribution)
                }
            }
            if auditing { try auditForwardRule(node, index: index, inputs, output) }
            bound?.propagate(node, index: index, wanted: wanted)
            for (j, contribution) in contributions {
                let key = node.inputs[j].identifier
                gradients[key] = gradients[key].map { $0.adding(contribution) } ?? contribution
            }
        }
        let values = leaves.map { leaf in
            gradients[ObjectIdentifier(leaf)] ?? .zeros(leaf.shape)
        }
        return ReferenceResult(
            gradients: values, findings: findings, roundingBound: bound.map { $0.finished(leaves) }, nodeCotangents: nodeCotangents
        )
    }

    /// A selecting op's Jᵀg where an enclosure cannot decide its choice (an
    /// element that may tie with the chosen one without certainly equalling
    /// it): the rule sent the slice's gradient by the midpoints' order, but
    /// any of those elements may take any share of it, so each gets the hull
    /// of 0 and the slice's gradient, and is not called correctly rounded.
    /// Rationals always decide.
    private func widenedForUndecidedChoices(
        _ operation: any SelectingOperation, _ x: TensorValue<S>, _ gradient: TensorValue<S>, _ contribution: TensorValue<S>
    ) -> TensorValue<S> {
        var widened = contribution.scalars, changed = false
        for (slice, (chosen, undecided)) in operation.choices(x).enumerated() {
            guard !undecided.isEmpty else { continue }
            let share = S.zero.hull(gradient[flat: slice])
            for element in undecided + chosen { widened[element] = widened[element].hull(share) }
            changed = true
        }
        return changed ? TensorValue(shape: contribution.shape, scalars: widened) : contribution
    }

    /// Jᵀg for the wanted inputs of an op that is not element-wise: its
    /// reverse rule, proven by the dot-product test, or, when the test
    /// disproves it, Jᵀg column by column from the value formula.
    private mutating func provenReverseRule(
        _ node: GraphNode, index: Int, _ inputs: [TensorValue<S>], _ output: TensorValue<S>,
        _ gradient: TensorValue<S>, wanted: [Int]
    ) throws -> [Int: TensorValue<S>] {
        let operation = node.operation
        let byRule = try inputs.indices.map {
            try ruleVJP(operation, inputs, output: output, gradient: gradient, input: $0, elementary: elementary)
        }
        let directions = inputs.map { randomTangent($0.shape) }
        let forward = try directionalDerivative(operation, inputs, along: directions, elementary: elementary)
        let left = dot(gradient, forward)
        let right = zip(byRule, directions).reduce(S.zero) { $0 + dot($1.0, $1.1) }
        var contributions: [Int: TensorValue<S>] = [:]
        if left.mayEqual(right) {
            for j in wanted { contributions[j] = byRule[j] }
            return contributions
        }
        findings.append(RuleFinding(
            operation: node.name, nodeIndex: index, rule: "vjp", element: nil,
            got: "⟨Jᵀg, u⟩ = \(right.referenceDescription)", expected: "⟨g, J·u⟩ = \(left.referenceDescription)"
        ))
        for j in wanted {
            let x = inputs[j]
            let column: (Int) throws -> S = { element in
                let oneHot = TensorValue(shape: x.shape, scalars: (0..<x.elementCount).map { $0 == element ? S(1) : .zero })
                let along = inputs.indices.map { $0 == j ? oneHot : nil }
                return dot(gradient, try directionalDerivative(operation, inputs, along: along, elementary: self.elementary))
            }
            contributions[j] = TensorValue(shape: x.shape, scalars: try (0..<x.elementCount).map(column))
        }
        return contributions
    }

    /// Compares the op's forward rule with J·u from the value formula, along
    /// random directions, and reports the first element that differs.
    private mutating func auditForwardRule(
        _ node: GraphNode, index: Int, _ inputs: [TensorValue<S>], _ output: TensorValue<S>
    ) throws {
        let directions = inputs.map { randomTangent($0.shape) }
        let byRule = try ruleJVP(node.operation, inputs, output: output, tangents: directions, elementary: elementary)
        let byValue = try directionalDerivative(node.operation, inputs, along: directions, elementary: elementary)
        audit(byRule, against: byValue, node: node, index: index, rule: "jvp")
    }

    /// Reports the first element where a rule's result cannot equal the
    /// value formula's, but for elements where a branching op's branch is
    /// undecided: there the value formula's derivative is one branch's, and
    /// proves nothing against the rule.
    private mutating func audit(
        _ byRule: TensorValue<S>, against expected: TensorValue<S>, node: GraphNode, index: Int, rule: String
    ) {
        guard byRule.shape == expected.shape else {
            findings.append(RuleFinding(
                operation: node.name, nodeIndex: index, rule: rule, element: nil,
                got: "shape \(byRule.shape)", expected: "shape \(expected.shape)"
            ))
            return
        }
        let got = byRule.scalars, want = expected.scalars
        let undecided = run.undecidedElements[index] ?? []
        guard let element = got.indices.first(where: { !undecided.contains($0) && !got[$0].mayEqual(want[$0]) }) else { return }
        findings.append(RuleFinding(
            operation: node.name, nodeIndex: index, rule: rule, element: element,
            got: got[element].referenceDescription, expected: want[element].referenceDescription
        ))
    }

    /// Every element-wise node's first and second partial derivatives, by
    /// input (for auditing and the rounding bound).
    private func elementwisePartialsOfEveryNode() throws -> [Int: [(first: TensorValue<S>, second: [TensorValue<S>])]] {
        var partials: [Int: [(first: TensorValue<S>, second: [TensorValue<S>])]] = [:]
        for (index, node) in run.graph.nodes.enumerated() where Derivation(node.operation) == .elementwise {
            let inputs = node.inputs.map { run.value(of: $0) }
            partials[index] = try inputs.indices.map {
                try elementwisePartials(node.operation, inputs, withRespectTo: $0, elementary: elementary)
            }
        }
        return partials
    }

    /// A direction for the dot-product test: integers of either sign up to
    /// 2³⁰ in magnitude, from the pass's own seeded generator.
    private mutating func randomTangent(_ shape: Shape) -> TensorValue<S> {
        TensorValue(shape: shape, scalars: (0..<shape.elementCount).map { _ in
            let magnitude = Double(generator.next() % (1 << 30) + 1)
            return S(generator.next() & 1 == 0 ? magnitude : -magnitude)
        })
    }
}
