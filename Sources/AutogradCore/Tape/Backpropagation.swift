/// The reverse pass over a recorded graph: visits nodes from the result back to
/// the leaves, each once, after every node that uses its output, and hands each
/// leaf its gradient.
struct Backpropagation {
    /// The nodes reachable from `root`, each after all nodes that consume its
    /// output (descending creation order). Throws, before anything changes, when
    /// a reverse rule was freed.
    static func nodesInReverseOrder(from root: GraphNode) throws(AutogradError) -> [GraphNode] {
        let mark = GraphCounter.next()
        // The array is also the work list: nodes are visited in the order found.
        var nodes: [GraphNode] = []
        nodes.reserveCapacity(16)
        nodes.append(root)
        root.visitMark = mark
        var sorted = true
        var next = 0
        func visit(_ input: GraphInput?) {
            if case .node(let node) = input, node.visitMark != mark {
                node.visitMark = mark
                if node.sequenceNumber > nodes[nodes.count - 1].sequenceNumber { sorted = false }
                nodes.append(node)
            }
        }
        while next < nodes.count {
            let node = nodes[next]
            guard !node.isFreed else { throw .graphFreed(node: node.name) }
            visit(node.firstInput)
            visit(node.secondInput)
            next += 1
        }
        // A chain of ops comes out of the search in order already.
        if !sorted { nodes.sort { $0.sequenceNumber > $1.sequenceNumber } }
        return nodes
    }

    /// Propagates `seed`, the gradient of `root`'s value, to the leaves for which
    /// `wants` is true, calling `deliver` with each contribution (a leaf used
    /// twice receives two).
    ///
    /// All checks happen before the first rule runs, so an error changes nothing.
    static func run(
        from root: Tensor, seed: TensorValue<Double>, retainGraph: Bool,
        wants: (Tensor) -> Bool, deliver: (Tensor, TensorValue<Double>) -> Void
    ) throws(AutogradError) {
        guard let rootNode = root.gradFn else {
            if wants(root) { deliver(root, seed) }
            return
        }
        let nodes = try nodesInReverseOrder(from: rootNode)
        rootNode.pendingGradient = seed
        for node in nodes {
            guard let gradient = node.pendingGradient else { continue }
            node.pendingGradient = nil
            propagate(gradient, from: node, to: node.firstInput, index: 0, wants: wants, deliver: deliver)
            if let second = node.secondInput {
                propagate(gradient, from: node, to: second, index: 1, wants: wants, deliver: deliver)
            }
            if !retainGraph { node.free() }
        }
    }

    /// Hands one input of a node its share of the node's gradient.
    private static func propagate(
        _ gradient: TensorValue<Double>, from node: GraphNode, to input: GraphInput, index: Int,
        wants: (Tensor) -> Bool, deliver: (Tensor, TensorValue<Double>) -> Void
    ) {
        switch input {
        case .node(let next):
            let contribution = node.backwardRule(node, gradient, index)
            next.pendingGradient = next.pendingGradient.map { $0.adding(contribution) } ?? contribution
        case .leaf(let leaf):
            if wants(leaf) { deliver(leaf, node.backwardRule(node, gradient, index)) }
        }
    }
}

extension Tensor {
    /// Computes the gradient of this tensor with respect to every leaf it was
    /// computed from that requires gradients, and adds it to their `.grad`.
    ///
    /// Like PyTorch's `backward()`: gradients accumulate over calls, and the
    /// graph's saved values are freed unless `retainGraph` is `true`.
    ///
    /// - Parameters:
    ///   - gradient: The gradient of some scalar with respect to this tensor,
    ///     of this tensor's shape; may be omitted for a one-element tensor (it
    ///     is then 1).
    ///   - retainGraph: Keep the saved values, to call `backward` again.
    /// - Throws: ``AutogradError`` when this tensor does not require gradients,
    ///   when it has more than one element and no gradient is given, when the
    ///   gradient's shape is wrong, or when the graph was freed. Nothing changes then.
    ///
    /// ```swift
    /// let loss = (predicted - real).pow(2).sum()
    /// try loss.backward()
    /// predicted.grad   // 2 * (predicted - real)
    /// ```
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false) throws(AutogradError) {
        guard requiresGrad else { throw .doesNotRequireGrad }
        let seed = try seedGradient(gradient)
        try Backpropagation.run(
            from: self, seed: seed, retainGraph: retainGraph,
            wants: { $0.requiresGrad },
            deliver: { leaf, contribution in leaf.accumulateGrad(contribution) }
        )
    }

    /// The gradient a backward pass starts from: `gradient`'s values, or 1 for a
    /// one-element tensor.
    func seedGradient(_ gradient: Tensor?) throws(AutogradError) -> TensorValue<Double> {
        guard let gradient else {
            guard elementCount == 1 else { throw .nonScalarBackward(shape: shape) }
            return shape.rank == 0 ? Tensor.scalarOne : TensorValue(repeating: 1, shape: shape)
        }
        guard gradient.shape == shape else {
            throw .gradientShapeMismatch(expected: shape, got: gradient.shape)
        }
        return gradient.value
    }

    /// The seed of a backward pass from a zero-dimensional result, shared.
    private static let scalarOne = TensorValue<Double>(scalar: 1)

    /// Adds a contribution to `.grad`, as PyTorch's `AccumulateGrad` does.
    func accumulateGrad(_ contribution: TensorValue<Double>) {
        grad = Tensor(grad.map { $0.value.adding(contribution) } ?? contribution)
    }
}
