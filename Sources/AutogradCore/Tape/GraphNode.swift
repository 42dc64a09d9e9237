import Synchronization

/// A node of the recorded graph: the operation that made a tensor, its
/// inputs, and (until a backward pass frees it) its reverse rule with the
/// values that rule needs. A tensor's `gradFn`.
///
/// The graph is the program: `operation` keeps the op and its parameters, and
/// `inputs` lead to other nodes or to leaves, which keep their values. Freeing
/// after `backward()` drops only the saved values, so strategies can still
/// interpret the graph again.
///
/// ```swift
/// let y = Tensor.ones(2, 4, requiresGrad: true) + 1
/// print(y.gradFn!)   // AddBackward
/// ```
public final class GraphNode: CustomStringConvertible {
    /// The operation, with its parameters.
    public let operation: any TensorOperation
    /// The first input (kept inline: an array per node would cost an allocation).
    @usableFromInline let firstInput: GraphInput
    /// The second input of a binary operation.
    @usableFromInline let secondInput: GraphInput?
    /// The shape of the tensor this node made.
    public let shape: Shape

    /// Orders nodes: a node is always created after the nodes of its inputs.
    @usableFromInline let sequenceNumber: Int
    /// The reverse rule: the gradient for input `i` given the output's gradient.
    /// `nil` once a backward pass without `retainGraph` has freed it.
    @exclusivity(unchecked) @usableFromInline
    var backward: ((TensorValue<Double>, Int) -> TensorValue<Double>)?
    /// The gradient accumulated for this node's output during a backward pass.
    @exclusivity(unchecked) var pendingGradient: TensorValue<Double>?
    /// The number of the traversal that last visited this node.
    @exclusivity(unchecked) var visitMark = 0

    @usableFromInline
    init(
        operation: any TensorOperation, inputs firstInput: GraphInput, _ secondInput: GraphInput? = nil,
        shape: Shape, backward: @escaping (TensorValue<Double>, Int) -> TensorValue<Double>
    ) {
        self.operation = operation
        self.firstInput = firstInput
        self.secondInput = secondInput
        self.shape = shape
        self.backward = backward
        self.sequenceNumber = GraphCounter.next()
    }

    /// The operation's inputs, in order.
    public var inputs: [GraphInput] {
        if let secondInput { [firstInput, secondInput] } else { [firstInput] }
    }

    /// PyTorch's name for the node: the operation's name and `Backward`.
    public var name: String { operation.name + "Backward" }

    public var description: String { name }

    /// Whether a backward pass freed the saved values (see `retainGraph`).
    public var isFreed: Bool { backward == nil }

    /// The nodes of the inputs, `nil` for leaves, like PyTorch's `next_functions`.
    public var nextFunctions: [GraphNode?] {
        inputs.map { if case .node(let node) = $0 { node } else { nil } }
    }
}

/// Where an input of a graph node comes from.
public enum GraphInput {
    /// The output of another recorded operation.
    case node(GraphNode)
    /// A tensor that no recorded operation made: a leaf (requiring gradients or
    /// not) or a constant computed outside the graph.
    case leaf(Tensor)
}

/// Hands out increasing numbers, for node order and traversal marks.
@usableFromInline
enum GraphCounter {
    static let counter = Atomic<Int>(0)

    @usableFromInline
    static func next() -> Int {
        counter.wrappingAdd(1, ordering: .relaxed).newValue
    }
}
