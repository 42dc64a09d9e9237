import AutogradCore

/// A first-order bound on the rounding error that a `Double` strategy can
/// commit on each element of a gradient, from the function's own condition.
///
/// With u = 2⁻⁵³, the graph is replayed with absolute values:
///
/// - forward, each value's error bound `E` (in units of u): an element-wise
///   op adds its inputs' errors scaled by |∂z/∂a| and
///   ``localRoundingUnits`` times |z| of its own; any other op applies its
///   value formula to (|a|, E) over dual numbers and adds one unit per
///   input element times its value at |a| (the rounding of its sums, which
///   is relative to the sum of the terms' magnitudes, not to the result's);
/// - backward, each cotangent's magnitude `A` (Σ over paths of Π |partials|)
///   and error bound `R`: through an element-wise op,
///   R ← |p|·R + A·(|∂p/∂a|·E + (k + 1)·|p|) (the partial p = ∂z/∂a is
///   evaluated at a value off by E, and is itself rounded; fewer units for
///   `+`, `−` and `×`, whose partials are ±1 or values already computed:
///   see ``partialRoundingUnits(_:)``), plus the
///   rounding of the sum over broadcast elements; through any other op, its
///   reverse rule (proven by the dot-product test) applied to (|a|, A) and
///   (|a|, R), with each operand of a bilinear op replaced by its error for
///   the partials' errors, plus one unit per output element.
///
/// Each rounding is off by a relative u or, below the normal range, by an
/// absolute 2⁻¹⁰⁷⁵: rounding terms use |z| + 2⁻¹⁰²² units.
///
/// The bound of a gradient element is u·(R + A). It counts every rounding
/// once at its worst, so a correct gradient of a long or ill-conditioned
/// computation is well within it, while a wrong rule is off by a relative
/// error of order 1, orders of magnitude outside. It is first-order (terms
/// in u² are dropped) and, for custom ops that are neither element-wise nor
/// bilinear, a heuristic.
struct RoundingBound {
    /// The rounding error of one element-wise value or partial derivative, in
    /// units of u: libm's functions are within 1 ulp (2u), and composite
    /// formulas such as `1/(1 + e⁻ˣ)` round a few times.
    static let localRoundingUnits = 4.0

    /// An underflow's absolute error, 2⁻¹⁰⁷⁵ (half the least subnormal), in
    /// units of u: each rounding is off by a relative u *or* by this.
    static let underflowUnits = 0x1p-1022

    /// The roundings, in units of u, that one partial of an op with exact
    /// partials adds: ±1 for `+` and `−`, so nothing rounds in a reverse
    /// pass, but forward mode adds the two operands' tangents (one rounding);
    /// for `×`, the other operand (a value already computed): one product,
    /// plus forward mode's sum of the two tangents; none for one operand's
    /// negation or shift. `nil` for the others, which count k + 1.
    static func partialRoundingUnits(_ operation: any TensorOperation) -> Double? {
        switch operation {
        case is Negate, is AddScalar, is SubtractScalar, is SubtractFromScalar: 0
        case is Add, is Subtract, is MultiplyScalar: 1
        case is Multiply: 2
        default: nil
        }
    }

    /// The bound per requested leaf, element by element, in absolute terms.
    private(set) var leafBounds: [TensorValue<Double>] = []
    /// Whether ``nodeBounds`` are kept.
    var keepsNodeBounds = false
    /// When kept: the bound on each node's cotangent (the gradient of the
    /// result with respect to its output), by the node's position.
    private(set) var nodeBounds: [Int: TensorValue<Double>] = [:]
    /// The op whose own roundings weigh most in the bounds, as its node name.
    private(set) var largestSource: String?
    /// When attributing: per requested leaf, per element, the element-wise op
    /// whose derivative's roundings (its partials and their products in the
    /// reverse pass, not its forward value) weigh most in that element's
    /// bound, or, where no element-wise op's do, the op whose do (`nil` where
    /// none does).
    /// Element-wise ops come first: their derivative formulas are where one
    /// library's gradient differs from another's (`1 − tanh²` cancels), while
    /// a structural op (sum, matmul) computed correctly is within its bound.
    private(set) var leafSources: [[String?]]?

    /// The op whose roundings this bound counts, or `nil` for every op's.
    private var source: String? = nil
    /// When attributing: one bound per op name, counting that op's roundings only.
    private var boundsBySource: [String: RoundingBound] = [:]
    /// When attributing: the names of the element-wise ops, which are blamed first.
    private var elementwiseSources: Set<String> = []

    private let graph: RecordedGraph
    private let partials: [Int: [(first: TensorValue<Double>, second: [TensorValue<Double>])]]
    private var magnitude: [ObjectIdentifier: TensorValue<Double>] = [:]
    private var error: [ObjectIdentifier: TensorValue<Double>] = [:]
    private var cotangent: [ObjectIdentifier: TensorValue<Double>] = [:]
    private var cotangentError: [ObjectIdentifier: TensorValue<Double>] = [:]
    private var weightBySource: [String: Double] = [:]

    /// Runs the forward half on an exact run's values and partials; when
    /// `attributing`, also one bound per op name, so that ``finished(_:)``
    /// can name, element by element, the op whose roundings weigh most.
    init<S: ReferenceScalar>(
        _ run: ReferenceRun<S>, partials exactPartials: [Int: [(first: TensorValue<S>, second: [TensorValue<S>])]],
        attributing: Bool = false
    ) {
        graph = run.graph
        partials = exactPartials.mapValues { byInput in
            byInput.map { ($0.first.map(\.magnitudeBound), $0.second.map { $0.map(\.magnitudeBound) }) }
        }
        let k = Self.localRoundingUnits
        for leaf in graph.leaves {
            magnitude[ObjectIdentifier(leaf)] = run.value(of: .leaf(leaf)).map(\.magnitudeBound)
            error[ObjectIdentifier(leaf)] = .zeros(leaf.shape)
        }
        for (index, node) in graph.nodes.enumerated() {
            let values = node.inputs.map { magnitude[$0.identifier]! }
            let errors = node.inputs.map { error[$0.identifier]! }
            let output = run.value(of: node).map(\.magnitudeBound)
            var outputError: TensorValue<Double>
            if let byInput = partials[index] {
                outputError = output.map { k * ($0 + Self.underflowUnits) }
                for (j, partial) in byInput.enumerated() {
                    outputError = outputError.adding(product(partial.first, errors[j]))
                }
            } else {
                let duals = zip(values, errors).map { TensorValue.broadcasting($0, $1, op: "bound") { Dual($0, tangent: $1) } }
                let evaluated = try? evaluate(node.operation, duals) { $0.value($1) }
                let propagated = evaluated?.map(\.tangent) ?? TensorValue(repeating: .infinity, shape: node.shape)
                // A sum of terms rounds by up to u per term times the sum of
                // their magnitudes, which cancellation can make far larger
                // than the result: the op's value at the magnitudes.
                let magnitudes = evaluated?.map(\.value) ?? TensorValue(repeating: .infinity, shape: node.shape)
                let units = Double(values.reduce(0) { $0 + $1.elementCount })
                outputError = propagated.adding(magnitudes.map { units * ($0 + Self.underflowUnits) })
            }
            magnitude[ObjectIdentifier(node)] = output
            error[ObjectIdentifier(node)] = outputError
        }
        if let root = graph.nodes.last {
            cotangent[ObjectIdentifier(root)] = TensorValue(repeating: 1, shape: root.shape)
            cotangentError[ObjectIdentifier(root)] = .zeros(root.shape)
        }
        if attributing {
            // One bound per op name, counting its derivative's roundings
            // only: the same magnitudes, and no forward errors (every
            // strategy rounds the forward values alike).
            var attributed = self
            attributed.error = error.mapValues { .zeros($0.shape) }
            for name in Set(graph.nodes.map(\.name)) {
                attributed.source = name
                boundsBySource[name] = attributed
            }
            elementwiseSources = Set(graph.nodes.indices.filter { partials[$0] != nil }.map { graph.nodes[$0].name })
        }
    }

    /// Carries the node's cotangent magnitude and error to its wanted inputs.
    mutating func propagate(_ node: GraphNode, index: Int, wanted: [Int]) {
        for name in boundsBySource.keys { boundsBySource[name]!.propagate(node, index: index, wanted: wanted) }
        let own = ownShare(node)
        let key = ObjectIdentifier(node)
        guard let a = cotangent.removeValue(forKey: key), let r = cotangentError.removeValue(forKey: key) else { return }
        if keepsNodeBounds { nodeBounds[index] = Self.absoluteBound(r, a) }
        let values = node.inputs.map { magnitude[$0.identifier]! }
        let errors = node.inputs.map { error[$0.identifier]! }
        let output = magnitude[key]!
        let k = Self.localRoundingUnits
        var local = 0.0
        for j in wanted {
            let contribution: TensorValue<Double>, contributionError: TensorValue<Double>
            if let partial = partials[index]?[j] {
                let units = Self.partialRoundingUnits(node.operation) ?? k + 1
                var partialError = partial.first.map { own * units * ($0 + Self.underflowUnits) }
                for (l, second) in partial.second.enumerated() {
                    partialError = partialError.adding(product(second, errors[l]))
                }
                let ownErrors = product(a, partialError)
                let carried = product(a, partial.first)
                let terms = Double(node.shape.elementCount / Swift.max(1, values[j].elementCount))
                contribution = carried.reduced(to: values[j].shape)
                contributionError = product(r, partial.first).adding(ownErrors).adding(carried.map { own * (terms - 1) * $0 })
                    .reduced(to: values[j].shape)
                local += ownErrors.scalars.reduce(0, +)
            } else {
                func reverseRule(_ inputs: [TensorValue<Double>], _ gradient: TensorValue<Double>) -> TensorValue<Double> {
                    (try? ruleVJP(node.operation, inputs, output: output, gradient: gradient, input: j, elementary: .elementary))
                        ?? TensorValue(repeating: .infinity, shape: values[j].shape)
                }
                contribution = reverseRule(values, a)
                var propagatedError = reverseRule(values, r)
                    .adding(contribution.map { own * Double(node.shape.elementCount) * $0 })
                if values.count == 2 {
                    // A bilinear op's partial in one operand is the other operand: its error.
                    var withErrors = values
                    withErrors[1 - j] = errors[1 - j]
                    let ownErrors = reverseRule(withErrors, a)
                    propagatedError = propagatedError.adding(ownErrors)
                    local += ownErrors.scalars.reduce(0, +)
                }
                contributionError = propagatedError
            }
            let target = node.inputs[j].identifier
            if let existing = cotangent[target] {
                cotangent[target] = existing.adding(contribution)
                // One more rounding, where contributions are added up.
                cotangentError[target] = cotangentError[target]!.adding(contributionError)
                    .adding(existing.map { own * $0 }).adding(contribution.map { own * $0 })
            } else {
                cotangent[target] = contribution
                cotangentError[target] = contributionError
            }
        }
        weightBySource[node.name, default: 0] += local.isNaN ? .infinity : local
    }

    /// The bounds of the requested leaves: u·(R + A), NaN read as infinity.
    func finished(_ leaves: [Tensor]) -> RoundingBound {
        var done = self
        done.leafBounds = leaves.map { leaf in
            let key = ObjectIdentifier(leaf)
            guard let a = cotangent[key], let r = cotangentError[key] else { return .zeros(leaf.shape) }
            return Self.absoluteBound(r, a)
        }
        done.largestSource = weightBySource.max { $0.value < $1.value }.map(\.key)
        if !boundsBySource.isEmpty {
            let bySource = boundsBySource.sorted { $0.key < $1.key }.map { ($0.key, $0.value.finished(leaves).leafBounds.map(\.scalars)) }
            done.leafSources = leaves.indices.map { leaf in
                (0..<leaves[leaf].elementCount).map { element in
                    let weights = bySource.map { (name: $0.0, weight: $0.1[leaf][element]) }.filter { $0.weight > 0 }
                    let elementwise = weights.filter { elementwiseSources.contains($0.name) }
                    return (elementwise.isEmpty ? weights : elementwise).max { $0.weight < $1.weight }?.name
                }
            }
        }
        return done
    }

    /// u·(R + A), a cotangent's bound in absolute terms (NaN read as infinity,
    /// and a margin of 2⁻²⁰ for the bound's own roundings).
    static func absoluteBound(_ r: TensorValue<Double>, _ a: TensorValue<Double>) -> TensorValue<Double> {
        r.adding(a).map { units in units.isNaN ? .infinity : units * 0x1p-53 * (1 + 0x1p-20) }
    }

    /// 1 for a node whose own roundings this bound counts, else 0.
    private func ownShare(_ node: GraphNode) -> Double { source == nil || source == node.name ? 1 : 0 }

    /// `a·b` element by element, broadcasting, with 0·∞ = 0 (a zero
    /// magnitude carries no error, however large the other factor).
    private func product(_ a: TensorValue<Double>, _ b: TensorValue<Double>) -> TensorValue<Double> {
        TensorValue.broadcasting(a, b, op: "bound") { $0 == 0 || $1 == 0 ? 0 : $0 * $1 }
    }
}
