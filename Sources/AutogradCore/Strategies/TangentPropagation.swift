/// A recorded graph evaluated once in `Double` and laid out for forward mode:
/// tangents flow from seeded leaves to the result through each node's forward
/// rule (its operation's `jvp`), several independent directions ("lanes") per
/// pass.
///
/// Every leaf and node has a slot: leaves first, in ``RecordedGraph/leaves``
/// order, then nodes in evaluation order. A tangent that is identically zero
/// is `nil`, never materialised: a node whose input tangents are all `nil`
/// gets `nil` without running its rule, so a lane pays only for the part of
/// the graph its seed reaches.
///
/// ```swift
/// let propagation = try TangentPropagation(loss)
/// let slot = propagation.slot(of: x)!
/// let derivative = propagation.propagate(seeds: [(slot, v.value)])   // nil: identically zero
/// ```
struct TangentPropagation {
    /// The nodes, each after the nodes of its inputs; the last one made the result.
    let nodes: [GraphNode]
    /// Every slot's value in `Double`, bit for bit the recorded one.
    let values: [TensorValue<Double>]
    /// The slot of each node's first input.
    let firstInputSlots: [Int]
    /// The slot of each node's second input, or -1 for a unary node.
    let secondInputSlots: [Int]
    /// For each slot, the index of the last node that reads it (-1 if none):
    /// past it, the slot's tangents are dropped to bound memory.
    let lastReader: [Int]
    /// The slot of the result.
    let resultSlot: Int
    /// The slot of each leaf, by identity.
    private let leafSlots: [ObjectIdentifier: Int]

    /// Reads the values of the graph that computed `result`: the recorded
    /// outputs, and where the graph did not keep one (its op's reverse rule
    /// does not read it) or a backward pass freed them, the node's value
    /// again, by the op's specialised `Double` kernel (the same bits).
    /// Throws when a leaf changed in place since it was read.
    init(_ result: Tensor) throws(AutogradError) {
        let graph = RecordedGraph(result)
        try graph.checkLeavesUnchanged()
        // The recorded outputs, unless a backward pass freed them (or
        // another task's backward pass is freeing them).
        let saved: [TensorValue<Double>?]
        if (try? SavedValuesClaim.claim(graph.nodes, freeing: false)) != nil {
            saved = graph.nodes.map(\.savedOutput)
            SavedValuesClaim.release(graph.nodes, freeing: false)
        } else {
            saved = graph.nodes.map { _ in nil }
        }
        var leafSlots: [ObjectIdentifier: Int] = [:]
        var nodeSlots: [ObjectIdentifier: Int] = [:]
        var values: [TensorValue<Double>] = []
        values.reserveCapacity(graph.leaves.count + graph.nodes.count)
        for leaf in graph.leaves {
            leafSlots[ObjectIdentifier(leaf)] = values.count
            values.append(leaf.value)
        }
        func slot(of input: GraphInput) -> Int {
            switch input {
            case .node(let node): nodeSlots[ObjectIdentifier(node)]!
            case .leaf(let leaf): leafSlots[ObjectIdentifier(leaf)]!
            }
        }
        var firstInputSlots: [Int] = []
        var secondInputSlots: [Int] = []
        firstInputSlots.reserveCapacity(graph.nodes.count)
        secondInputSlots.reserveCapacity(graph.nodes.count)
        for (index, node) in graph.nodes.enumerated() {
            let first = slot(of: node.firstInput)
            let second = node.secondInput.map(slot(of:)) ?? -1
            firstInputSlots.append(first)
            secondInputSlots.append(second)
            nodeSlots[ObjectIdentifier(node)] = values.count
            values.append(saved[index] ?? node.dualKernels.real(node, values[first], second >= 0 ? values[second] : nil))
        }
        var lastReader = [Int](repeating: -1, count: values.count)
        for index in graph.nodes.indices {
            lastReader[firstInputSlots[index]] = index
            if secondInputSlots[index] >= 0 { lastReader[secondInputSlots[index]] = index }
        }
        self.nodes = graph.nodes
        self.values = values
        self.firstInputSlots = firstInputSlots
        self.secondInputSlots = secondInputSlots
        self.lastReader = lastReader
        self.leafSlots = leafSlots
        self.resultSlot = graph.nodes.isEmpty ? leafSlots[ObjectIdentifier(result)]! : values.count - 1
    }

    /// The slot of `leaf`, or `nil` when the result does not depend on it.
    func slot(of leaf: Tensor) -> Int? { leafSlots[ObjectIdentifier(leaf)] }

    /// The result's value.
    var resultValue: TensorValue<Double> { values[resultSlot] }

    /// The result's tangent in one direction (`nil` where it is identically
    /// zero), starting from the leaf tangents `seeds` (slot and tangent, of
    /// that leaf's shape); leaves without a seed stay put.
    func propagate(seeds: [(slot: Int, tangent: TensorValue<Double>)]) -> TensorValue<Double>? {
        propagate(seeds: seeds, value: { values[$0] }, rule: { $0.forwardRules.real })
    }

    /// The result's tangent in eight directions at once, one per lane of
    /// ``TangentLanes``, from the leaf tangents `seeds`. The values are splat
    /// across the lanes once per slot and kept in `splatValues` (one entry
    /// per slot, `nil` until needed), so that passes share them.
    func propagate(
        seeds: [(slot: Int, tangent: TensorValue<TangentLanes>)], splatValues: inout [TensorValue<TangentLanes>?]
    ) -> TensorValue<TangentLanes>? {
        propagate(seeds: seeds, value: { slot in
            if let splat = splatValues[slot] { return splat }
            let splat = values[slot].map(TangentLanes.init(splat:))
            splatValues[slot] = splat
            return splat
        }, rule: { $0.forwardRules.lanes })
    }

    /// Nodes run in order; a node whose input tangents are all `nil` gets
    /// `nil` without running its rule; tangents no later node reads are let go.
    private func propagate<T>(
        seeds: [(slot: Int, tangent: TensorValue<T>)], value: (Int) -> TensorValue<T>,
        rule: (GraphNode) -> ForwardRules.Rule<T>
    ) -> TensorValue<T>? {
        var tangents = [TensorValue<T>?](repeating: nil, count: values.count)
        for (slot, tangent) in seeds { tangents[slot] = tangent }
        for (index, node) in nodes.enumerated() {
            let first = firstInputSlots[index], second = secondInputSlots[index]
            let tangentOfX = tangents[first]
            let tangentOfY = second >= 0 ? tangents[second] : nil
            if first != resultSlot && lastReader[first] == index { tangents[first] = nil }
            if second >= 0 && second != resultSlot && lastReader[second] == index { tangents[second] = nil }
            guard tangentOfX != nil || tangentOfY != nil else { continue }
            let outputSlot = index + values.count - nodes.count
            let output = value(outputSlot)
            let tangent = rule(node)(
                node, value(first), second >= 0 ? value(second) : nil, output, (tangentOfX, tangentOfY)
            )
            guard tangent.shape == output.shape else {
                fatalError("\(node.operation.name) jvp: tangent of shape \(tangent.shape) for an output of shape \(output.shape)")
            }
            tangents[outputSlot] = tangent
        }
        return tangents[resultSlot]
    }
}
