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
    /// The nodes in the order they were made (so each after the nodes of its
    /// inputs); the last one made the result. A replay's reverse pass takes
    /// them in reverse, the order of `backward()`, so its sums of gradient
    /// contributions round as the tape's do.
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
        // The search found every node; creation order is the tape's.
        if zip(order, order.dropFirst()).contains(where: { $0.sequenceNumber > $1.sequenceNumber }) {
            order.sort { $0.sequenceNumber < $1.sequenceNumber }
        }
        for node in order {
            for case .leaf(let leaf) in node.inputs where seenLeaves.insert(ObjectIdentifier(leaf)).inserted {
                leaves.append(leaf)
            }
        }
        self.nodes = order
        self.leaves = leaves
    }

    /// Throws ``AutogradError/modifiedInPlace(node:shape:recordedVersion:version:)``
    /// when an in-place op changed a leaf of the graph after an op read it:
    /// a replay would read the new values where the ops read the old.
    /// Every strategy checks before it reads a leaf.
    public func checkLeavesUnchanged() throws(AutogradError) {
        for node in nodes { try node.checkLeavesUnchanged() }
    }

    /// Whether some op needs elementary functions (so a field-only scalar type
    /// such as a rational cannot evaluate the graph).
    public var requiresElementaryFunctions: Bool {
        nodes.contains { OperationConformances(of: $0.operation).contains(.elementary) }
    }

    /// Evaluates the graph over scalars with elementary functions, reading each
    /// leaf's value through `leafValue`.
    public func evaluate<S: ElementaryScalar>(
        leafValue: (Tensor) throws -> TensorValue<S>
    ) throws -> TensorValue<S> {
        try GraphEvaluation(self, leafValue: leafValue, rules: .elementary).result
    }

    /// Evaluates a graph of field ops over field scalars; throws
    /// ``AutogradError/requiresElementaryFunctions(operation:)`` if an op needs more.
    public func evaluate<S: FieldScalar>(
        leafValue: (Tensor) throws -> TensorValue<S>
    ) throws -> TensorValue<S> {
        try GraphEvaluation(self, leafValue: leafValue, rules: .fieldOnly).result
    }

    /// Evaluates the graph over scalars with elementary functions, keeping
    /// every node's value for inspection and a reverse pass.
    public func evaluation<S: ElementaryScalar>(
        leafValue: (Tensor) throws -> TensorValue<S>
    ) throws -> GraphEvaluation<S> {
        try GraphEvaluation(self, leafValue: leafValue, rules: .elementary)
    }

    /// Evaluates a graph of field ops over field scalars, keeping every node's
    /// value; throws ``AutogradError/requiresElementaryFunctions(operation:)``
    /// if an op needs more.
    public func evaluation<S: FieldScalar>(
        leafValue: (Tensor) throws -> TensorValue<S>
    ) throws -> GraphEvaluation<S> {
        try GraphEvaluation(self, leafValue: leafValue, rules: .fieldOnly)
    }

    /// The gradient of the one-element result with respect to `leaves`, by
    /// evaluating the graph over `S` and running the ops' reverse rules (vjp)
    /// over `S`: the tape's reverse pass, in any scalar type with elementary
    /// functions. Leaves the result does not depend on get zeros.
    ///
    /// ```swift
    /// let exact: [TensorValue<Double>] = try RecordedGraph(loss).gradient(withRespectTo: [predicted]) { $0.value }
    /// ```
    public func gradient<S: ElementaryScalar>(
        withRespectTo leaves: [Tensor], leafValue: (Tensor) throws -> TensorValue<S>
    ) throws -> [TensorValue<S>] {
        try GraphEvaluation(self, leafValue: leafValue, rules: .elementary).gradient(withRespectTo: leaves)
    }

    /// The gradient of the one-element result with respect to `leaves` over a
    /// field-only scalar type (exact rationals); throws
    /// ``AutogradError/requiresElementaryFunctions(operation:)`` if an op needs more.
    public func gradient<S: FieldScalar>(
        withRespectTo leaves: [Tensor], leafValue: (Tensor) throws -> TensorValue<S>
    ) throws -> [TensorValue<S>] {
        try GraphEvaluation(self, leafValue: leafValue, rules: .fieldOnly).gradient(withRespectTo: leaves)
    }
}

/// How a replay over `S` applies elementary-function ops: with their rules when
/// `S` has elementary functions, or by refusing.
struct ElementaryRules<S: FieldScalar> {
    let value: (any ElementaryUnaryOperation, TensorValue<S>) throws -> TensorValue<S>
    let vjp: (any ElementaryUnaryOperation, TensorValue<S>, TensorValue<S>, TensorValue<S>) throws -> TensorValue<S>

    static var fieldOnly: ElementaryRules {
        ElementaryRules(
            value: { operation, _ in throw AutogradError.requiresElementaryFunctions(operation: operation.name) },
            vjp: { operation, _, _, _ in throw AutogradError.requiresElementaryFunctions(operation: operation.name) }
        )
    }
}

extension ElementaryRules where S: ElementaryScalar {
    static var elementary: ElementaryRules {
        ElementaryRules(
            value: { operation, x in operation.value(x) },
            vjp: { operation, x, y, gradient in operation.vjp(x, output: y, gradient: gradient) }
        )
    }
}

/// One evaluation of a recorded graph over `S`: every node's value, and the
/// reverse pass over them. Made by `RecordedGraph.evaluation(leafValue:)`.
///
/// ```swift
/// let run: GraphEvaluation<Rational> = try RecordedGraph(loss).evaluation { try $0.value.map(Rational.init(exactly:)) }
/// run.result; run.value(of: node.inputs[0]); try run.gradient(withRespectTo: [predicted])
/// ```
public struct GraphEvaluation<S: FieldScalar> {
    /// The graph evaluated.
    public let graph: RecordedGraph
    let rules: ElementaryRules<S>
    private(set) var values: [ObjectIdentifier: TensorValue<S>] = [:]

    init(_ graph: RecordedGraph, leafValue: (Tensor) throws -> TensorValue<S>, rules: ElementaryRules<S>) throws {
        try graph.checkLeavesUnchanged()
        self.graph = graph
        self.rules = rules
        for leaf in graph.leaves { values[ObjectIdentifier(leaf)] = try leafValue(leaf) }
        for node in graph.nodes {
            let x = value(of: node.firstInput)
            let y = node.secondInput.map { value(of: $0) }
            if let output = node.dualKernels.value(of: node, x, y) {
                values[ObjectIdentifier(node)] = output
                continue
            }
            let output: TensorValue<S>
            switch node.operation {
            case let operation as any UnaryOperation:
                output = operation.value(x)
            case let operation as any BinaryOperation:
                output = operation.value(x, y!)
            case let operation as any ElementaryUnaryOperation:
                output = try rules.value(operation, x)
            default:
                fatalError("RecordedGraph: \(node.operation.name) conforms to no operation protocol")
            }
            values[ObjectIdentifier(node)] = output
        }
    }

    /// The value of an input of a node: a leaf's or another node's output.
    public func value(of input: GraphInput) -> TensorValue<S> {
        switch input {
        case .node(let node): values[ObjectIdentifier(node)]!
        case .leaf(let leaf): values[ObjectIdentifier(leaf)]!
        }
    }

    /// The output of `node`.
    public func value(of node: GraphNode) -> TensorValue<S> { values[ObjectIdentifier(node)]! }

    /// The graph's result, over `S`.
    public var result: TensorValue<S> {
        values[ObjectIdentifier(graph.nodes.last.map { $0 as AnyObject } ?? graph.result)]!
    }

    /// The reverse pass from a one-element result, seeded with 1, by the ops'
    /// own vjp rules over `S`; leaves the result does not depend on get zeros.
    public func gradient(withRespectTo leaves: [Tensor]) throws -> [TensorValue<S>] {
        let result = result
        guard result.elementCount == 1 else { throw AutogradError.nonScalarBackward(shape: result.shape) }
        var gradients: [ObjectIdentifier: TensorValue<S>] = [:]
        func accumulate(_ contribution: TensorValue<S>, into key: ObjectIdentifier) {
            gradients[key] = gradients[key].map { $0.adding(contribution) } ?? contribution
        }
        let root = graph.nodes.last.map { ObjectIdentifier($0) } ?? ObjectIdentifier(graph.result)
        gradients[root] = TensorValue(repeating: 1, shape: result.shape)
        // Only inputs that lead to a requested leaf need their rule run.
        var relevant = Set(leaves.map(ObjectIdentifier.init))
        for node in graph.nodes where node.inputs.contains(where: { relevant.contains($0.identifier) }) {
            relevant.insert(ObjectIdentifier(node))
        }
        for node in graph.nodes.reversed() {
            guard let gradient = gradients.removeValue(forKey: ObjectIdentifier(node)) else { continue }
            let inputs = node.inputs
            let x = value(of: inputs[0]), output = values[ObjectIdentifier(node)]!
            for (index, input) in inputs.enumerated() where relevant.contains(input.identifier) {
                let contribution: TensorValue<S>
                switch node.operation {
                case let operation as any UnaryOperation:
                    contribution = operation.vjp(x, output: output, gradient: gradient)
                case let operation as any BinaryOperation:
                    contribution = operation.vjp(
                        x, value(of: inputs[1]), output: output, gradient: gradient, wrt: index == 0 ? .left : .right
                    )
                case let operation as any ElementaryUnaryOperation:
                    contribution = try rules.vjp(operation, x, output, gradient)
                default:
                    fatalError("RecordedGraph: \(node.operation.name) conforms to no operation protocol")
                }
                accumulate(contribution, into: input.identifier)
            }
        }
        return leaves.map { leaf in
            gradients[ObjectIdentifier(leaf)] ?? .zeros(values[ObjectIdentifier(leaf)]?.shape ?? leaf.shape)
        }
    }
}

extension GraphInput {
    /// The identity of the node or leaf this input reads.
    ///
    /// ```swift
    /// RecordedGraph(loss).nodes[0].inputs.map(\.identifier)   // keys for a graph's leaves and nodes
    /// ```
    public var identifier: ObjectIdentifier {
        switch self {
        case .node(let node): ObjectIdentifier(node)
        case .leaf(let leaf): ObjectIdentifier(leaf)
        }
    }
}
