import Synchronization

/// A node of the recorded graph: the operation that made a tensor, its
/// inputs, its forward and reverse rules, and (until a backward pass frees
/// them) the values the reverse rule needs. A tensor's `gradFn`.
///
/// The graph is the program: `operation` keeps the op and its parameters, and
/// `inputs` lead to other nodes or to leaves, which keep their values. Freeing
/// after `backward()` drops only the saved values, so strategies can still
/// interpret the graph again.
///
/// Nodes are `Sendable`: their operation and inputs never change while any
/// tensor can reach them, and their saved values are read and freed under
/// claims (`SavedValuesClaim`) that let passes share a graph safely.
///
/// ```swift
/// let y = Tensor.ones(2, 4, requiresGrad: true) + 1
/// print(y.gradFn!)   // AddBackward
/// ```
public class GraphNode: CustomStringConvertible, @unchecked Sendable {
    /// The operation, with its parameters.
    public var operation: any TensorOperation {
        fatalError("GraphNode.operation: every node is an OperationNode")
    }
    /// The first input when it is a node, else `nil`. Inputs are kept
    /// inline (an array per node would cost an allocation), and split by
    /// kind so that the backward pass and `deinit` test and move them without
    /// copying an enum. Set to `nil` only as the node is freed (see `deinit`).
    @exclusivity(unchecked) private(set) var firstInputNode: GraphNode?
    /// The first input when it is a leaf, else `nil`.
    let firstInputLeaf: Tensor?
    /// The second input of a binary operation when it is a node.
    @exclusivity(unchecked) private(set) var secondInputNode: GraphNode?
    /// The second input of a binary operation when it is a leaf.
    let secondInputLeaf: Tensor?
    /// The shape of the tensor this node made.
    public let shape: Shape
    /// The ``Tensor/version`` of each input that is a leaf, when recorded.
    let firstInputVersion: Int, secondInputVersion: Int

    /// Orders nodes: a node is always created after the nodes of its inputs.
    @usableFromInline let sequenceNumber: Int
    /// The reverse rule: the gradient for input `i` of `node` (this node) given
    /// the output's gradient. It reads the saved values of the node's concrete
    /// class, so it captures nothing and costs no allocation.
    @usableFromInline let backwardRule: (_ node: GraphNode, _ gradient: TensorValue<Double>, _ input: Int) -> TensorValue<Double>
    /// The forward rule: the output's tangent given the inputs' tangents, by
    /// the operation's `jvp`, specialised when the op was recorded. It reads no
    /// saved value (the caller passes them), so a freed graph keeps it.
    @usableFromInline let forwardRules: ForwardRules
    /// The operation's value over `Double` and dual scalars, specialised when
    /// the op was recorded, so that replays run compiled loops.
    @usableFromInline let dualKernels: ReplayKernels
    /// Who uses the saved values: the number of passes reading them (≥ 0),
    /// or `SavedValuesClaim.freeing` while a backward pass frees them, or
    /// `SavedValuesClaim.freed` after. Passes keep their other state to
    /// themselves, so any number of them can read one graph at once.
    let useState = Atomic<Int>(0)

    /// Whether a backward pass without `retainGraph` dropped the saved values.
    public var isFreed: Bool { useState.load(ordering: .acquiring) == SavedValuesClaim.freed }

    @usableFromInline
    init(
        inputs firstInput: GraphInput, _ secondInput: GraphInput?, shape: Shape,
        dualKernels: ReplayKernels, forwardRules: ForwardRules,
        backwardRule: @escaping (GraphNode, TensorValue<Double>, Int) -> TensorValue<Double>
    ) {
        self.dualKernels = dualKernels
        self.forwardRules = forwardRules
        (firstInputNode, firstInputLeaf) = firstInput.split
        (secondInputNode, secondInputLeaf) = secondInput?.split ?? (nil, nil)
        firstInputVersion = firstInputLeaf?.version ?? 0
        secondInputVersion = secondInputLeaf?.version ?? 0
        self.firstInputShape = firstInput.shape
        self.storedSecondInputShape = secondInput?.shape
        self.shape = shape
        self.backwardRule = backwardRule
        self.sequenceNumber = GraphCounter.next()
    }

    // Freeing a node frees the input nodes that only it keeps alive, and
    // Swift would do so from inside this deinit, recursively: a chain of
    // 50,000 ops overflowed the stack. Instead, a dying node's input nodes
    // are moved out, and those held only there are released one at a time
    // from this loop, each after its own were moved out. (A chain needs no
    // array: the array holds only second inputs.) Leaves need none of this.
    deinit {
        guard firstInputNode != nil || secondInputNode != nil else { return }
        var waiting: [GraphNode] = []
        var next = Self.takeInputNodes(of: self, queueingSecond: &waiting)
        while let node = next ?? waiting.popLast() {
            next = Self.takeInputNodes(of: node, queueingSecond: &waiting)
        }
    }

    /// Moves `node`'s input nodes out and returns the first that nothing
    /// else holds, queueing a second one in `waiting`. (Any other input node
    /// is released here and lives on, held elsewhere. Releasing the first
    /// before testing the second frees `x * x`'s input here too.)
    private static func takeInputNodes(of node: GraphNode, queueingSecond waiting: inout [GraphNode]) -> GraphNode? {
        var dying: GraphNode?
        if var input = node.firstInputNode.take(), isKnownUniquelyReferenced(&input) { dying = input }
        if var input = node.secondInputNode.take(), isKnownUniquelyReferenced(&input) {
            if dying == nil { dying = input } else { waiting.append(input) }
        }
        return dying
    }

    /// Drops the values saved for the reverse rule, during a backward pass
    /// that claimed the node for freeing. The node class that holds them
    /// overrides it to let them go.
    func free() {}

    /// The output's value as recorded, until a backward pass frees it.
    var savedOutput: TensorValue<Double>? { nil }

    /// For a sum or a mean (``UniformReverseRule``): the gradient of its
    /// input, one value for every element; `nil` for any other op.
    func uniformInputGradient(_ gradient: PendingGradient) -> PendingGradient? { nil }

    /// For a built-in element-wise op (``FusibleUnaryOperation``, or
    /// ``FusibleBinaryOperation`` on operands of the output's shape): the
    /// gradients of the inputs in `needs` by the op's block rule, which reads
    /// a uniform gradient without writing it out and writes into a buffer
    /// that no one else holds (the gradient's, or, when
    /// `consumingSavedValues`, a saved value's) before it allocates. `nil`
    /// for other ops, which run their tensor rule. The bits are the tensor
    /// rule's.
    func elementwisePullback(
        _ gradient: inout PendingGradient, needs: (first: Bool, second: Bool), consumingSavedValues: Bool
    ) -> (first: TensorValue<Double>?, second: TensorValue<Double>?)? {
        nil
    }

    /// Throws ``AutogradError/modifiedInPlace(node:shape:recordedVersion:version:)``
    /// when an in-place op changed a leaf this node reads since it was
    /// recorded: every pass over the graph checks before it reads a value.
    func checkLeavesUnchanged() throws(AutogradError) {
        func check(_ leaf: Tensor?, _ recorded: Int) throws(AutogradError) {
            if let leaf, leaf.version != recorded {
                throw .modifiedInPlace(node: name, shape: leaf.shape, recordedVersion: recorded, version: leaf.version)
            }
        }
        try check(firstInputLeaf, firstInputVersion)
        try check(secondInputLeaf, secondInputVersion)
    }

    /// The shape of the first input's value.
    @usableFromInline let firstInputShape: Shape

    /// The shape of the second input's value (binary operations).
    @usableFromInline var secondInputShape: Shape {
        guard let storedSecondInputShape else { fatalError("secondInputShape: \(name) has one input") }
        return storedSecondInputShape
    }
    /// The second input's shape, `nil` for an operation of one tensor. (The
    /// inputs' shapes are kept: reading them through the inputs would cost
    /// reference counting on every read.)
    @usableFromInline let storedSecondInputShape: Shape?

    /// The operation's inputs, in order.
    public var inputs: [GraphInput] {
        if let secondInput { [firstInput, secondInput] } else { [firstInput] }
    }

    /// The first input.
    var firstInput: GraphInput {
        if let firstInputNode { .node(firstInputNode) } else { .leaf(firstInputLeaf!) }
    }

    /// The second input of a binary operation.
    var secondInput: GraphInput? {
        if let secondInputNode { .node(secondInputNode) } else { secondInputLeaf.map(GraphInput.leaf) }
    }

    /// PyTorch's name for the node: the operation's name and `Backward`.
    public var name: String { operation.name + "Backward" }

    public var description: String { name }

    /// The nodes of the inputs, `nil` for leaves, like PyTorch's `next_functions`.
    public var nextFunctions: [GraphNode?] {
        inputs.map { if case .node(let node) = $0 { node } else { nil } }
    }
}

/// Where an input of a graph node comes from.
public enum GraphInput: Sendable {
    /// The output of another recorded operation.
    case node(GraphNode)
    /// A tensor that no recorded operation made: a leaf (requiring gradients or
    /// not) or a constant computed outside the graph.
    case leaf(Tensor)

    /// The shape of the tensor this input reads.
    ///
    /// ```swift
    /// let y = Tensor.ones(2, 3, requiresGrad: true).sum()
    /// y.gradFn!.inputs[0].shape   // [2, 3]
    /// ```
    public var shape: Shape {
        switch self {
        case .node(let node): node.shape
        case .leaf(let leaf): leaf.shape
        }
    }

    /// The input as a node or as a leaf, the other `nil`.
    var split: (node: GraphNode?, leaf: Tensor?) {
        switch self {
        case .node(let node): (node, nil)
        case .leaf(let leaf): (nil, leaf)
        }
    }
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

/// A graph node of a concrete operation, holding the values its reverse rule
/// reads: the inputs' values and the output's.
@usableFromInline
final class OperationNode<Operation: TensorOperation>: GraphNode, @unchecked Sendable {
    /// The operation, with its concrete type for the reverse rule.
    @usableFromInline let concreteOperation: Operation
    /// The first input's value, `nil` once freed.
    @exclusivity(unchecked) @usableFromInline var firstValue: TensorValue<Double>?
    /// The second input's value (binary operations), `nil` once freed.
    @exclusivity(unchecked) @usableFromInline var secondValue: TensorValue<Double>?
    /// The output's value, `nil` once freed.
    @exclusivity(unchecked) @usableFromInline var outputValue: TensorValue<Double>?
    /// The first input when its values are deferred (`(p − r).pow(2)`
    /// keeps `p − r` so), in place of ``firstValue``; `nil` once freed. A
    /// rule that reads them computes them, unless a sum computed the
    /// gradient ahead or the rule reads them a piece at a time (see
    /// `elementwisePullback`).
    @exclusivity(unchecked) @usableFromInline var deferredFirstInput: DeferredInput?

    /// A node for `operation`, keeping the given input values, and the
    /// output's when `keepingOutput` (what the reverse rule reads).
    @inlinable
    convenience init(
        _ operation: Operation,
        inputs firstInput: GraphInput, _ firstValue: TensorValue<Double>?,
        _ secondInput: GraphInput? = nil, _ secondValue: TensorValue<Double>? = nil,
        output: TensorValue<Double>, keepingOutput: Bool, dualKernels: ReplayKernels, forwardRules: ForwardRules,
        backwardRule: @escaping (GraphNode, TensorValue<Double>, Int) -> TensorValue<Double>
    ) {
        self.init(
            operation, inputs: firstInput, firstValue, secondInput, secondValue,
            outputShape: output.shape, keptOutput: keepingOutput ? output : nil,
            dualKernels: dualKernels, forwardRules: forwardRules, backwardRule: backwardRule)
    }

    /// A node for `operation` whose output has `outputShape`, keeping the
    /// given values (an output whose values are deferred is never kept; a
    /// first input's may be, in `deferredFirstInput`).
    @inlinable
    init(
        _ operation: Operation,
        inputs firstInput: GraphInput, _ firstValue: TensorValue<Double>?,
        _ secondInput: GraphInput? = nil, _ secondValue: TensorValue<Double>? = nil,
        deferredFirstInput: DeferredInput? = nil,
        outputShape: Shape, keptOutput: TensorValue<Double>?, dualKernels: ReplayKernels, forwardRules: ForwardRules,
        backwardRule: @escaping (GraphNode, TensorValue<Double>, Int) -> TensorValue<Double>
    ) {
        concreteOperation = operation
        self.firstValue = firstValue
        self.deferredFirstInput = deferredFirstInput
        self.secondValue = secondValue
        self.outputValue = keptOutput
        super.init(
            inputs: firstInput, secondInput, shape: outputShape,
            dualKernels: dualKernels, forwardRules: forwardRules, backwardRule: backwardRule
        )
    }

    override var operation: any TensorOperation { concreteOperation }

    override var savedOutput: TensorValue<Double>? { outputValue }

    override func uniformInputGradient(_ gradient: PendingGradient) -> PendingGradient? {
        // Only a one-element output can be a whole-tensor reduction: the cast
        // is tried on few nodes, and only where writing the gradient out
        // would cost more than the cast.
        guard shape.rank == 0, firstInputShape.elementCount >= ElementwisePullback.pieceSize,
              case .values(let values) = gradient,
              let rule = concreteOperation as? any UniformReverseRule else { return nil }
        return .uniform(rule.uniformGradient(inputShape: firstInputShape, gradient: values[flat: 0]))
    }

    override func elementwisePullback(
        _ gradient: inout PendingGradient, needs: (first: Bool, second: Bool), consumingSavedValues: Bool
    ) -> (first: TensorValue<Double>?, second: TensorValue<Double>?)? {
        // Below a piece, a buffer saved costs less than the cast (a uniform
        // gradient never reaches a small op: see uniformInputGradient).
        guard shape.elementCount >= ElementwisePullback.pieceSize, firstInputShape == shape else { return nil }
        guard secondInputNode != nil || secondInputLeaf != nil else {
            guard let operation = concreteOperation as? any FusibleUnaryOperation & BlockRuleIsTensorRule else { return nil }
            // An op that hands the gradient on unchanged (x + c) shares a
            // gradient tensor by its tensor rule, at no cost; only a uniform
            // one needs writing out.
            if operation.passesGradientUnchanged, case .values = gradient { return nil }
            if let deferredInput = deferredFirstInput {
                // A sum's gradient was computed ahead, or reads the input a
                // piece at a time, as computed; any other computes it.
                if case .uniform(let seed) = gradient {
                    if let values = deferredInput.takeGradient(seed: seed, keeping: !consumingSavedValues) {
                        return (values, nil)
                    }
                    if let rule = operation as? any UniformSeedUnaryPullback {
                        return (ElementwisePullback.run(
                            rule, uniformSeed: seed, deferredInput: deferredInput.values, shape: shape), nil)
                    }
                }
                var input: TensorValue<Double>? = deferredInput.values.values
                let result = ElementwisePullback.run(
                    operation, gradient: &gradient, input: &input, output: &outputValue,
                    shape: shape, consumingSavedValues: consumingSavedValues)
                return (result, nil)
            }
            let result = ElementwisePullback.run(
                operation, gradient: &gradient, input: &firstValue, output: &outputValue,
                shape: shape, consumingSavedValues: consumingSavedValues)
            return (result, nil)
        }
        // Ops that keep no values (+ and −) share or negate the gradient by
        // their tensor rules.
        guard secondInputShape == shape, firstValue != nil, secondValue != nil, outputValue != nil,
              let operation = concreteOperation as? any FusibleBinaryOperation & BlockRuleIsTensorRule else { return nil }
        let results = ElementwisePullback.run(
            operation, gradient: &gradient, left: &firstValue, right: &secondValue, output: &outputValue,
            needs: (needs.first, needs.second), shape: shape, consumingSavedValues: consumingSavedValues)
        return (results.left, results.right)
    }

    override func free() {
        firstValue = nil
        deferredFirstInput?.close()
        deferredFirstInput = nil
        secondValue = nil
        outputValue = nil
    }

    /// The input and output values for an element-wise op's reverse rule:
    /// a value the graph did not keep (the rule does not read it) is
    /// replaced by the other, which has its shape.
    @inlinable
    var savedValuesForRule: (input: TensorValue<Double>, output: TensorValue<Double>) {
        let input = firstValue ?? deferredFirstInput?.values.values
        return (input ?? outputValue!, outputValue ?? input!)
    }

    /// The node a reverse rule was handed: always this class, by construction.
    @inlinable
    static func of(_ node: GraphNode) -> OperationNode {
        unsafeDowncast(node, to: OperationNode.self)
    }
}

/// An operation's value over `Double` and over `Dual<Double>`, specialised
/// for the concrete operation, for replays of the recorded graph: `Double`
/// gives every node's value again (``ForwardMode`` reads them, even after a
/// backward pass freed the saved ones), `Dual<Double>` serves
/// ``ForwardMode/hessianVectorProduct(of:withRespectTo:along:)``. Calling a
/// generic rule through an existential would run unspecialised code, dozens
/// of times slower.
@usableFromInline
struct ReplayKernels {
    @usableFromInline typealias Kernel<S> = (GraphNode, TensorValue<S>, TensorValue<S>?) -> TensorValue<S>
    /// The value in `Double`: bit for bit the recorded one, by the same code.
    @usableFromInline let real: Kernel<Double>
    /// The value over single-lane duals.
    @usableFromInline let single: Kernel<Dual<Double>>
    /// The reverse rule in `Double` on values given by the caller (a compiled
    /// plan's): the contribution to input `input` given the inputs' values
    /// `x` and `y`, the output's value and the output's gradient.
    @usableFromInline let reverse: ReverseKernel

    @usableFromInline typealias ReverseKernel = (
        _ node: GraphNode, _ x: TensorValue<Double>, _ y: TensorValue<Double>?, _ output: TensorValue<Double>,
        _ gradient: TensorValue<Double>, _ input: Int
    ) -> TensorValue<Double>

    @inlinable
    init(real: @escaping Kernel<Double>, single: @escaping Kernel<Dual<Double>>, reverse: @escaping ReverseKernel) {
        self.real = real
        self.single = single
        self.reverse = reverse
    }

    /// The kernel for `S`, applied, or `nil` when `S` has none.
    func value<S>(of node: GraphNode, _ x: TensorValue<S>, _ y: TensorValue<S>?) -> TensorValue<S>? {
        if S.self == Double.self {
            return unsafeBitCast(
                real(node, unsafeBitCast(x, to: TensorValue<Double>.self),
                     y.map { unsafeBitCast($0, to: TensorValue<Double>.self) }),
                to: TensorValue<S>.self)
        }
        if S.self == Dual<Double>.self {
            return unsafeBitCast(
                single(node, unsafeBitCast(x, to: TensorValue<Dual<Double>>.self),
                       y.map { unsafeBitCast($0, to: TensorValue<Dual<Double>>.self) }),
                to: TensorValue<S>.self)
        }
        return nil
    }
}

/// A node's forward rule, over `Double` (one direction) and over
/// ``TangentLanes`` (eight directions at once): the output's tangent given
/// the inputs' values, the output's value and the inputs' tangents (`nil` for
/// a tangent that is identically zero; never both). Each calls the
/// operation's `jvp`, specialised for the concrete operation when the node
/// was recorded.
@usableFromInline
struct ForwardRules {
    @usableFromInline typealias Rule<T> = (
        _ node: GraphNode, _ x: TensorValue<T>, _ y: TensorValue<T>?, _ output: TensorValue<T>,
        _ tangents: (x: TensorValue<T>?, y: TensorValue<T>?)
    ) -> TensorValue<T>
    /// One direction, in `Double`.
    @usableFromInline let real: Rule<Double>
    /// Eight directions, values splat across the lanes.
    @usableFromInline let lanes: Rule<TangentLanes>

    @inlinable
    init(real: @escaping Rule<Double>, lanes: @escaping Rule<TangentLanes>) {
        self.real = real
        self.lanes = lanes
    }
}

extension UnaryOperation {
    @inlinable
    static var replayKernels: ReplayKernels {
        ReplayKernels(
            real: { node, x, _ in OperationNode<Self>.of(node).concreteOperation.value(x) },
            single: { node, x, _ in OperationNode<Self>.of(node).concreteOperation.value(x) },
            reverse: { node, x, _, output, gradient, _ in
                OperationNode<Self>.of(node).concreteOperation.vjp(x, output: output, gradient: gradient)
            }
        )
    }

    @inlinable
    static var forwardRules: ForwardRules {
        ForwardRules(
            real: { node, x, _, output, tangents in
                OperationNode<Self>.of(node).concreteOperation.jvp(x, output: output, tangent: tangents.x!)
            },
            lanes: { node, x, _, output, tangents in
                OperationNode<Self>.of(node).concreteOperation.jvp(x, output: output, tangent: tangents.x!)
            }
        )
    }
}

extension ElementaryUnaryOperation {
    @inlinable
    static var replayKernels: ReplayKernels {
        ReplayKernels(
            real: { node, x, _ in OperationNode<Self>.of(node).concreteOperation.value(x) },
            single: { node, x, _ in OperationNode<Self>.of(node).concreteOperation.value(x) },
            reverse: { node, x, _, output, gradient, _ in
                OperationNode<Self>.of(node).concreteOperation.vjp(x, output: output, gradient: gradient)
            }
        )
    }

    @inlinable
    static var forwardRules: ForwardRules {
        ForwardRules(
            real: { node, x, _, output, tangents in
                OperationNode<Self>.of(node).concreteOperation.jvp(x, output: output, tangent: tangents.x!)
            },
            lanes: { node, x, _, output, tangents in
                OperationNode<Self>.of(node).concreteOperation.jvp(x, output: output, tangent: tangents.x!)
            }
        )
    }
}

extension BinaryOperation {
    @inlinable
    static var replayKernels: ReplayKernels {
        ReplayKernels(
            real: { node, x, y in OperationNode<Self>.of(node).concreteOperation.value(x, y!) },
            single: { node, x, y in OperationNode<Self>.of(node).concreteOperation.value(x, y!) },
            reverse: { node, x, y, output, gradient, input in
                OperationNode<Self>.of(node).concreteOperation.vjp(
                    x, y!, output: output, gradient: gradient, wrt: input == 0 ? .left : .right)
            }
        )
    }

    @inlinable
    static var forwardRules: ForwardRules {
        ForwardRules(
            real: { node, x, y, output, tangents in
                OperationNode<Self>.of(node).concreteOperation.jvp(x, y!, output: output, tangents: tangents)
            },
            lanes: { node, x, y, output, tangents in
                OperationNode<Self>.of(node).concreteOperation.jvp(x, y!, output: output, tangents: tangents)
            }
        )
    }
}
