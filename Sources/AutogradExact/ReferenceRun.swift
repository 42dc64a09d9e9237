import AutogradCore

/// The exact reference's forward pass: every value of a recorded graph over
/// `S`, and, in the same evaluation, each element-wise op's partial
/// derivatives with respect to the inputs that lead to a requested leaf.
///
/// An element-wise op with such an input has its scalar function evaluated
/// once per element over a dual number with tangent 1 on that input: the
/// values are the duals' values (the same operations on the same numbers as
/// a plain evaluation), and the tangents are the partial derivatives, from
/// the value formula alone. So the reference pays for its independence with
/// little more than the plain evaluation costs. Built-in ops run specialised
/// for `S`.
struct ReferenceRun<S: ReferenceScalar> {
    /// The graph evaluated.
    let graph: RecordedGraph
    /// The node or leaf identities whose derivatives lead to a requested leaf.
    let relevant: Set<ObjectIdentifier>
    /// Each element-wise node's ∂output/∂input for its relevant inputs (by
    /// node index, then input index), in the output's shape.
    private(set) var partials: [Int: [Int: TensorValue<S>]] = [:]
    /// The elements, by node index, where a branching op's input enclosure
    /// holds the branch point, so that the branch is undecided.
    private(set) var undecidedElements: [Int: Set<Int>] = [:]
    private var values: [ObjectIdentifier: TensorValue<S>] = [:]

    /// Evaluates `graph` with each leaf's value from `leafValue`, and the
    /// partials towards `leaves`.
    init(
        _ graph: RecordedGraph, towards leaves: [Tensor], elementary: ElementaryEvaluation<S>,
        leafValue: (Tensor) throws -> TensorValue<S>
    ) throws {
        self.graph = graph
        var relevant = Set(leaves.map(ObjectIdentifier.init))
        for node in graph.nodes where node.inputs.contains(where: { relevant.contains($0.identifier) }) {
            relevant.insert(ObjectIdentifier(node))
        }
        self.relevant = relevant
        for leaf in graph.leaves { values[ObjectIdentifier(leaf)] = try leafValue(leaf) }
        let faults = ExactFaultRecorder.current
        for (index, node) in graph.nodes.enumerated() {
            try evaluate(node, index: index, elementary: elementary)
            if let error = faults?.error(in: node.name) { throw error }
        }
    }

    /// Evaluates one node: its value, and its partials when it is element-wise
    /// and leads to a requested leaf.
    private mutating func evaluate(_ node: GraphNode, index: Int, elementary: ElementaryEvaluation<S>) throws {
        let inputs = node.inputs.map { value(of: $0) }
        let wanted = node.inputs.indices.filter { relevant.contains(node.inputs[$0].identifier) }
        guard Derivation(node.operation) == .elementwise, !wanted.isEmpty else {
            values[ObjectIdentifier(node)] = try AutogradExact.evaluate(node.operation, inputs, elementary: elementary.value)
            return
        }
        var byInput: [Int: TensorValue<S>] = [:]
        for j in wanted {
            var (value, partial) = try elementwiseValueAndPartial(node.operation, inputs, withRespectTo: j, elementary: elementary)
            if inputs.count == 1, OperationConformances(of: node.operation).contains(.branching),
               let operation = node.operation as? any BranchingOperation {
                let undecided = try encloseUndecidedBranches(operation, inputs[0], &value, &partial, elementary: elementary)
                if !undecided.isEmpty { undecidedElements[index] = Set(undecided) }
            }
            if values[ObjectIdentifier(node)] == nil { values[ObjectIdentifier(node)] = value }
            byInput[j] = partial
        }
        partials[index] = byInput
    }

    /// Where the enclosure of a branching op's input holds the branch point,
    /// the formula's comparison picks one branch: the value and derivative
    /// become the hull over the pieces below, at and above the branch points instead (relu's
    /// derivative [0, 1], abs's [−1, 1]), so that no gradient element is
    /// claimed correctly rounded from one branch's derivative. Returns
    /// those elements.
    private func encloseUndecidedBranches(
        _ operation: any BranchingOperation, _ x: TensorValue<S>,
        _ value: inout TensorValue<S>, _ partial: inout TensorValue<S>, elementary: ElementaryEvaluation<S>
    ) throws -> [Int] {
        let input = x.scalars
        let undecided = input.indices.filter { input[$0].branchIsUndecided(operation) }
        guard !undecided.isEmpty else { return [] }
        var values = value.scalars, partials = partial.scalars
        for element in undecided {
            var hull: (value: S, partial: S)?
            for piece in input[element].pieces(around: operation.branchPoints) {
                let (pieceValue, piecePartial) = try elementwiseValueAndPartial(
                    operation, [TensorValue(scalar: piece)], withRespectTo: 0, elementary: elementary
                )
                let next = (pieceValue[flat: 0], piecePartial[flat: 0])
                hull = hull.map { ($0.value.hull(next.0), $0.partial.hull(next.1)) } ?? next
            }
            (values[element], partials[element]) = hull!
        }
        value = TensorValue(shape: value.shape, scalars: values)
        partial = TensorValue(shape: partial.shape, scalars: partials)
        return undecided
    }

    /// The value of an input of a node: a leaf's or another node's output.
    func value(of input: GraphInput) -> TensorValue<S> { values[input.identifier]! }

    /// The output of `node`.
    func value(of node: GraphNode) -> TensorValue<S> { values[ObjectIdentifier(node)]! }

    /// The value of `tensor` in this run if the graph holds it (a leaf, or a
    /// recorded op's output); `nil` for a tensor outside the graph.
    func value(ofTensor tensor: Tensor) -> TensorValue<S>? {
        values[tensor.gradFn.map { ObjectIdentifier($0) } ?? ObjectIdentifier(tensor)]
    }

    /// The graph's result.
    var result: TensorValue<S> {
        values[graph.nodes.last.map { ObjectIdentifier($0) } ?? ObjectIdentifier(graph.result)]!
    }
}
