/// The reverse pass over a recorded graph: visits nodes from the result back to
/// the leaves, each once, after every node that uses its output, and hands each
/// leaf its gradient.
struct Backpropagation {
    /// Propagates `seed`, the gradient of `root`'s value, to the leaves for which
    /// `wants` is true, calling `deliver` with each contribution (a leaf used
    /// twice receives two). Unless `retainGraph`, frees the saved values.
    ///
    /// The pass's state (which nodes it visits, their pending gradients) is its
    /// own, so passes that retain the graph can run on one graph at once; a
    /// pass that frees it claims its nodes alone (else ``AutogradError/graphInUse(node:)``).
    /// All checks happen before the first rule runs, so an error changes nothing.
    static func run(
        from root: Tensor, seed: TensorValue<Double>, retainGraph: Bool,
        wants: (Tensor) -> Bool, deliver: (Tensor, TensorValue<Double>) -> Void
    ) throws(AutogradError) {
        guard let rootNode = root.gradFn else {
            if wants(root) { deliver(root, seed) }
            return
        }
        // The order does not retain its nodes: this does, through the root.
        defer { withExtendedLifetime(rootNode) {} }
        try NodeOrder.withOrder(reachableFrom: rootNode) { (order: inout NodeOrder) throws(AutogradError) in
            let nodeCount = order.count
            for position in 0..<nodeCount {
                let changed = order[position].unretainedNode._withUnsafeGuaranteedRef { node -> AutogradError? in
                    do throws(AutogradError) { try node.checkLeavesUnchanged() } catch { return error }
                    return nil
                }
                if let changed { throw changed }
            }
            try SavedValuesClaim.claim(nodeCount, freeing: !retainGraph) { order[$0].unretainedNode }
            order[0].pending = .values(seed)
            for position in 0..<nodeCount {
                order[position].unretainedNode._withUnsafeGuaranteedRef { node in
                    step(node, at: position, of: &order, retainGraph: retainGraph, wants: wants, deliver: deliver)
                }
            }
            SavedValuesClaim.release(nodeCount, freeing: !retainGraph) { order[$0].unretainedNode }
        }
    }

    /// Runs `node`'s reverse rule on its pending gradient and hands each
    /// input its share: an input node's is added to what is pending for it,
    /// a leaf receives its own.
    ///
    /// The inputs are read unretained (the pass holds the root, and through it
    /// every node and leaf it reaches): retaining and releasing them cost more
    /// than a small node's rule.
    private static func step(
        _ node: GraphNode, at position: Int, of order: inout NodeOrder, retainGraph: Bool,
        wants: (Tensor) -> Bool, deliver: (Tensor, TensorValue<Double>) -> Void
    ) {
        defer { if !retainGraph { node.free() } }
        // Taken out of the entry, so that a rule may find it unshared and
        // write into it.
        guard var gradient = order[position].pending.take() else { return }
        let firstNode = node.firstInputNode.map(Unmanaged.passUnretained)
        let firstLeaf = node.firstInputLeaf.map(Unmanaged.passUnretained)
        let secondNode = node.secondInputNode.map(Unmanaged.passUnretained)
        let secondLeaf = node.secondInputLeaf.map(Unmanaged.passUnretained)
        func hand(_ contribution: consuming PendingGradient, to next: Unmanaged<GraphNode>?, or leaf: Unmanaged<Tensor>?) {
            if let next {
                order.accumulate(contribution, for: next, hint: position + 1)
            } else if let leaf {
                leaf._withUnsafeGuaranteedRef { deliver($0, contribution.materialized($0.shape)) }
            }
        }
        // Whether the pass needs a contribution for the input: an input
        // node always, a leaf if wanted, a missing second input never.
        let needsFirst = firstNode != nil || firstLeaf?._withUnsafeGuaranteedRef(wants) == true
        let needsSecond = secondNode != nil || secondLeaf?._withUnsafeGuaranteedRef(wants) == true
        guard needsFirst || needsSecond else { return }
        // A sum's gradient goes on as one value; element-wise ops' rules
        // read it so and write where they may.
        if let uniform = node.uniformInputGradient(gradient) {
            hand(uniform, to: firstNode, or: firstLeaf)
            return
        }
        if let (firstGradient, secondGradient) = node.elementwisePullback(
            &gradient, needs: (needsFirst, needsSecond), consumingSavedValues: !retainGraph
        ) {
            if let firstGradient { hand(.values(firstGradient), to: firstNode, or: firstLeaf) }
            if let secondGradient { hand(.values(secondGradient), to: secondNode, or: secondLeaf) }
            return
        }
        let values = gradient.materialized(node.shape)
        if needsFirst { hand(.values(node.backwardRule(node, values, 0)), to: firstNode, or: firstLeaf) }
        if needsSecond { hand(.values(node.backwardRule(node, values, 1)), to: secondNode, or: secondLeaf) }
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
    /// Tasks may share a graph: passes that keep it (`retainGraph: true`, and
    /// every strategy) run side by side, and their contributions add up in
    /// `.grad` as if they had run one after the other. A pass that frees the
    /// graph needs it alone: while another task differentiates the graph it
    /// throws ``AutogradError/graphInUse(node:)`` and changes nothing (and a
    /// strategy that meets a graph being freed replays it instead).
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

}
