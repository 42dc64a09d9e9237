/// A recorded graph read as a program, so it can be evaluated again over
/// another scalar type: this is how forward and exact strategies differentiate
/// the very tensor a program computed.
///
/// ```swift
/// let loss = (predicted - real).pow(2).sum()
/// let graph = RecordedGraph(loss)
/// let again: TensorValue<Float> = try graph.evaluate { leaf in leaf.value.map(Float.init) }
/// ```
public struct RecordedGraph {
    /// The nodes, each after the nodes of its inputs; the last one made the result.
    public let nodes: [GraphNode]
    /// The distinct leaves the result depends on, in the order they are first read.
    public let leaves: [Tensor]
    /// The tensor the graph computes.
    public let result: Tensor

    /// The graph that computed `result` (a single leaf when it has no `gradFn`).
    public init(_ result: Tensor) {
        self.result = result
        guard let root = result.gradFn else {
            nodes = []
            leaves = [result]
            return
        }
        var order: [GraphNode] = []
        var seen = Set<ObjectIdentifier>()
        var seenLeaves = Set<ObjectIdentifier>()
        var leaves: [Tensor] = []
        // Depth-first, inputs before the node that reads them.
        var stack: [(GraphNode, Bool)] = [(root, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            guard seen.insert(ObjectIdentifier(node)).inserted else { continue }
            stack.append((node, true))
            for input in node.inputs.reversed() {
                if case .node(let next) = input, !seen.contains(ObjectIdentifier(next)) { stack.append((next, false)) }
            }
        }
        for node in order {
            for case .leaf(let leaf) in node.inputs where seenLeaves.insert(ObjectIdentifier(leaf)).inserted {
                leaves.append(leaf)
            }
        }
        self.nodes = order
        self.leaves = leaves
    }

    /// Whether some op needs elementary functions (so a field-only scalar type
    /// such as a rational cannot evaluate the graph).
    public var requiresElementaryFunctions: Bool {
        nodes.contains { $0.operation is any ElementaryUnaryOperation }
    }

    /// Evaluates the graph over scalars with elementary functions, reading each
    /// leaf's value through `leafValue`.
    public func evaluate<S: ElementaryScalar>(
        leafValue: (Tensor) throws -> TensorValue<S>
    ) rethrows -> TensorValue<S> {
        try evaluate(leafValue: leafValue, elementary: { operation, x in operation.value(x) })
    }

    /// Evaluates a graph of field ops over field scalars; throws
    /// ``AutogradError/requiresElementaryFunctions(operation:)`` if an op needs more.
    public func evaluate<S: FieldScalar>(
        leafValue: (Tensor) throws -> TensorValue<S>
    ) throws -> TensorValue<S> {
        try evaluate(leafValue: leafValue, elementary: { operation, _ in
            throw AutogradError.requiresElementaryFunctions(operation: operation.name)
        })
    }

    private func evaluate<S: FieldScalar>(
        leafValue: (Tensor) throws -> TensorValue<S>,
        elementary: (any ElementaryUnaryOperation, TensorValue<S>) throws -> TensorValue<S>
    ) rethrows -> TensorValue<S> {
        var nodeValues: [ObjectIdentifier: TensorValue<S>] = [:]
        var leafValues: [ObjectIdentifier: TensorValue<S>] = [:]
        func input(_ input: GraphInput) throws -> TensorValue<S> {
            switch input {
            case .node(let node): return nodeValues[ObjectIdentifier(node)]!
            case .leaf(let leaf):
                if let known = leafValues[ObjectIdentifier(leaf)] { return known }
                let value = try leafValue(leaf)
                leafValues[ObjectIdentifier(leaf)] = value
                return value
            }
        }
        guard !nodes.isEmpty else { return try leafValue(result) }
        for node in nodes {
            let value: TensorValue<S>
            switch node.operation {
            case let operation as any UnaryOperation:
                value = operation.value(try input(node.inputs[0]))
            case let operation as any BinaryOperation:
                value = operation.value(try input(node.inputs[0]), try input(node.inputs[1]))
            case let operation as any ElementaryUnaryOperation:
                value = try elementary(operation, try input(node.inputs[0]))
            default:
                fatalError("RecordedGraph: \(node.operation.name) conforms to no operation protocol")
            }
            nodeValues[ObjectIdentifier(node)] = value
        }
        return nodeValues[ObjectIdentifier(nodes[nodes.count - 1])]!
    }
}
