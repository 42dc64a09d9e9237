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
        var order = NodeOrder(reachableFrom: rootNode)
        for entry in order.entries { try entry.node.checkLeavesUnchanged() }
        try SavedValuesClaim.claim(order.entries.count, freeing: !retainGraph) { order.entries[$0].node }
        order.entries[0].pending = .values(seed)
        for position in order.entries.indices {
            let node = order.entries[position].node
            defer { if !retainGraph { node.free() } }
            // Taken out of the entry, so that a rule may find it unshared and
            // write into it.
            guard var gradient = order.entries[position].pending.take() else { continue }
            // Whether the pass needs a contribution for `input`.
            func needs(_ input: GraphInput) -> Bool {
                if case .leaf(let leaf) = input { wants(leaf) } else { true }
            }
            // Hands one input its share of the node's gradient.
            func propagate(_ contribution: consuming PendingGradient, to input: GraphInput) {
                switch input {
                case .node(let next):
                    let target = order.position(of: next, hint: position + 1)!
                    if let pending = order.entries[target].pending.take() {
                        order.entries[target].pending = pending.adding(contribution, shape: next.shape)
                    } else {
                        order.entries[target].pending = contribution
                    }
                case .leaf(let leaf):
                    deliver(leaf, contribution.materialized(leaf.shape))
                }
            }
            // Read once: each read of a node's input costs reference counting.
            let first = node.firstInput, second = node.secondInput
            let needsFirst = needs(first), needsSecond = second.map(needs) ?? false
            guard needsFirst || needsSecond else { continue }
            // A sum's gradient goes on as one value; element-wise ops' rules
            // read it so and write where they may.
            if let uniform = node.uniformInputGradient(gradient) {
                propagate(uniform, to: first)
                continue
            }
            if let (firstGradient, secondGradient) = node.elementwisePullback(
                &gradient, needs: (needsFirst, needsSecond), consumingSavedValues: !retainGraph
            ) {
                if let firstGradient { propagate(.values(firstGradient), to: first) }
                if let secondGradient, let second { propagate(.values(secondGradient), to: second) }
                continue
            }
            let values = gradient.materialized(node.shape)
            if needsFirst { propagate(.values(node.backwardRule(node, values, 0)), to: first) }
            if let second, needsSecond { propagate(.values(node.backwardRule(node, values, 1)), to: second) }
        }
        SavedValuesClaim.release(order.entries.count, freeing: !retainGraph) { order.entries[$0].node }
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
