import AutogradCore

/// Exact differentiation: replays the recorded graph over GMP rationals (a
/// graph of field ops, exactly) or MPFR big floats (a graph with `exp`, `log`,
/// `sin`..., to ``precision`` bits), and runs the ops' own reverse rules there.
/// The reference that the float strategies are checked against.
///
/// ```swift
/// let exact = try ExactMode().gradient(of: loss, withRespectTo: [predicted])
/// exact.isExact          // true: the lesson's loss has field ops only
/// exact.tensors[0]       // the true gradient, correctly rounded
/// ```
public struct ExactMode: Differentiable {
    /// The precision of big-float replays, in bits.
    public var precision: Int
    /// The largest integer exponent replayed: an exact power's size grows
    /// with its exponent, so larger ones are refused (``ExactError/exponentTooLarge(exponent:limit:)``).
    public var maximumExponent: Int

    /// An exact strategy replaying elementary functions at `precision` bits.
    public init(precision: Int = 256, maximumExponent: Int = 4096) {
        self.precision = precision
        self.maximumExponent = maximumExponent
    }

    public var name: String { "exact" }

    public func gradient(of result: Tensor, withRespectTo leaves: [Tensor]) throws -> ExactGradient {
        try Tensor.checkDifferentiable(leaves)
        guard result.elementCount == 1 else { throw AutogradError.nonScalarBackward(shape: result.shape) }
        let graph = RecordedGraph(result)
        try checkInputs(of: graph)
        // The recorded run's values, for the branch check; only branching ops need them.
        let recorded: GraphEvaluation<Double>? = graph.nodes.contains { $0.operation is any BranchingOperation }
            ? try graph.evaluation { $0.value } : nil
        if graph.requiresElementaryFunctions {
            let run: GraphEvaluation<BigFloat> = try BigFloat.$defaultPrecision.withValue(precision) {
                try graph.evaluation { leaf in leaf.value.map { BigFloat($0) } }
            }
            try checkDomains(run)
            let gradients = try BigFloat.$defaultPrecision.withValue(precision) { try run.gradient(withRespectTo: leaves) }
            return ExactGradient(
                values: .bigFloat(gradients), tensors: gradients.map { Tensor($0.map(\.doubleValue)) },
                precision: precision, branchDivergences: divergences(recorded, run) { $0.decimalDescription(digits: 20) }
            )
        }
        let run: GraphEvaluation<Rational> = try graph.evaluation { leaf in leaf.value.map(Rational.init(_:)) }
        let gradients = try run.gradient(withRespectTo: leaves)
        return ExactGradient(
            values: .rational(gradients), tensors: gradients.map { Tensor($0.map(\.doubleValue)) },
            precision: nil, branchDivergences: divergences(recorded, run) { $0.description }
        )
    }

    public func gradient(at point: [Tensor], of function: ([Tensor]) -> Tensor) throws -> ExactGradient {
        let (inputs, result) = Tensor.trace(at: point, of: function)
        return try gradient(of: result, withRespectTo: inputs)
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

    /// Throws on the first op whose big-float value is NaN while its inputs
    /// are not: a function outside its domain.
    func checkDomains(_ run: GraphEvaluation<BigFloat>) throws(ExactError) {
        for node in run.graph.nodes {
            let output = run.value(of: node)
            guard let bad = output.scalars.firstIndex(where: \.isNaN) else { continue }
            let input = run.value(of: node.inputs[0])
            let argument = input.elementCount == output.elementCount ? input.scalars[bad] : input.scalars[0]
            guard !argument.isNaN else { continue }
            throw .outsideDomain(function: node.operation.name.lowercased(), argument: argument.decimalDescription(digits: 17))
        }
    }

    /// The elements of branching ops whose exact input lies on another side
    /// than the recorded one.
    func divergences<S: FieldScalar>(
        _ recorded: GraphEvaluation<Double>?, _ run: GraphEvaluation<S>, describe: (S) -> String
    ) -> [BranchDivergence] {
        guard let recorded else { return [] }
        var found: [BranchDivergence] = []
        for (index, node) in run.graph.nodes.enumerated() {
            guard let operation = node.operation as? any BranchingOperation else { continue }
            let floatInput = recorded.value(of: node.inputs[0]).scalars
            let exactInput = run.value(of: node.inputs[0]).scalars
            for (element, (float, exact)) in zip(floatInput, exactInput).enumerated()
            where operation.branch(at: float) != operation.branch(at: exact) {
                found.append(BranchDivergence(
                    operation: node.name, nodeIndex: index, element: element, recorded: float, exact: describe(exact)
                ))
            }
        }
        return found
    }
}
