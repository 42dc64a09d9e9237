// Applying an operation to tensors: compute the value, and, when recording,
// add a node whose forward rule is the operation's jvp and whose reverse rule
// is its vjp. These functions are
// generic over the concrete operation, so the `Double` loops are specialised.

extension Tensor {
    /// Applies a field operation of one tensor.
    @inlinable
    public func applying<Operation: UnaryOperation>(_ operation: Operation) -> Tensor {
        let recording = Tensor.isRecording(self)
        let result = ElementwiseResult(operation, of: self, reads: recording ? Operation.reverseRuleReads : []) {
            operation.value($0)
        }
        guard recording else { return result.tensor(gradFn: nil) }
        let (keepsInput, keepsOutput) = Self.kept(Operation.reverseRuleReads, shape, result.shape)
        let node = OperationNode(
            operation, inputs: asGraphInput, keepsInput && result.deferredInput == nil ? value : nil,
            deferredFirstInput: keepsInput ? result.deferredInput : nil,
            outputShape: result.shape, keptOutput: keepsOutput ? result.values : nil,
            dualKernels: Operation.replayKernels, forwardRules: Operation.forwardRules
        ) { node, gradient, _ in
            let node = OperationNode<Operation>.of(node)
            let (x, y) = node.savedValuesForRule
            return node.concreteOperation.vjp(x, output: y, gradient: gradient)
        }
        return result.tensor(gradFn: node)
    }

    /// Applies a field operation of one tensor whose reverse rule reads only
    /// the input's shape: the graph keeps no values for it.
    @inlinable
    public func applying<Operation: ShapeOnlyReverseRule>(_ operation: Operation) -> Tensor {
        let result = ElementwiseResult(operation, of: self, reads: []) { operation.value($0) }
        guard Tensor.isRecording(self) else { return result.tensor(gradFn: nil) }
        return result.tensor(gradFn: shapeOnlyNode(operation, outputShape: result.shape))
    }

    /// The sum of every element of this tensor, as `applying(Sum())` or
    /// `applying(Mean())` would compute it (`total(sum)` of the sum), without
    /// writing out the values of an element-wise op deferred (see
    /// `DeferredElementwiseValues`).
    @inlinable
    func applyingReduction<Operation: ShapeOnlyReverseRule>(
        _ operation: Operation, total: (Double) -> Double
    ) -> Tensor {
        guard let deferredValues else { return applying(operation) }
        guard Tensor.isRecording(self) else { return Tensor(TensorValue(scalar: total(deferredValues.sum()))) }
        // The input's gradient when this result's is 1 (a loss's).
        let inputSeed = (operation as? any UniformReverseRule)?.uniformGradient(inputShape: shape, gradient: 1)
        let sum = inputSeed.map { deferredValues.sumPrecomputingInputGradient(seed: $0) } ?? deferredValues.sum()
        let y = TensorValue(scalar: total(sum))
        return Tensor(y, gradFn: shapeOnlyNode(operation, outputShape: y.shape))
    }

    /// The node of an operation whose reverse rule reads only shapes.
    @inlinable
    func shapeOnlyNode<Operation: ShapeOnlyReverseRule>(_ operation: Operation, outputShape: Shape) -> GraphNode {
        OperationNode(
            operation, inputs: asGraphInput, nil, outputShape: outputShape, keptOutput: nil,
            dualKernels: Operation.replayKernels, forwardRules: Operation.forwardRules
        ) { node, gradient, _ in
            let node = OperationNode<Operation>.of(node)
            return node.concreteOperation.vjp(inputShape: node.firstInputShape, gradient: gradient)
        }
    }

    /// Which of an element-wise op's values the graph keeps, from what its
    /// reverse rule reads: both unless the output has the input's shape; the
    /// input when the rule reads neither.
    @inlinable
    static func kept(_ reads: ReverseRuleReads, _ input: Shape, _ output: Shape) -> (input: Bool, output: Bool) {
        guard input == output, reads != [.input, .output] else { return (true, true) }
        return (reads.contains(.input) || reads.isEmpty, reads.contains(.output))
    }

    /// Applies an elementary-function operation of one tensor.
    @inlinable
    public func applying<Operation: ElementaryUnaryOperation>(_ operation: Operation) -> Tensor {
        let recording = Tensor.isRecording(self)
        let result = ElementwiseResult(operation, of: self, reads: recording ? Operation.reverseRuleReads : []) {
            operation.value($0)
        }
        guard recording else { return result.tensor(gradFn: nil) }
        let (keepsInput, keepsOutput) = Self.kept(Operation.reverseRuleReads, shape, result.shape)
        let node = OperationNode(
            operation, inputs: asGraphInput, keepsInput && result.deferredInput == nil ? value : nil,
            deferredFirstInput: keepsInput ? result.deferredInput : nil,
            outputShape: result.shape, keptOutput: keepsOutput ? result.values : nil,
            dualKernels: Operation.replayKernels, forwardRules: Operation.forwardRules
        ) { node, gradient, _ in
            let node = OperationNode<Operation>.of(node)
            let (x, y) = node.savedValuesForRule
            return node.concreteOperation.vjp(x, output: y, gradient: gradient)
        }
        return result.tensor(gradFn: node)
    }

    /// Applies an operation of two tensors.
    @inlinable
    public static func applying<Operation: BinaryOperation>(
        _ operation: Operation, _ left: Tensor, _ right: Tensor
    ) -> Tensor {
        let x = left.value, y = right.value
        let z = operation.value(x, y)
        guard isRecording(left, right) else { return Tensor(z) }
        let node = OperationNode(
            operation, inputs: left.asGraphInput, x, right.asGraphInput, y, output: z, keepingOutput: true,
            dualKernels: Operation.replayKernels,
            forwardRules: Operation.forwardRules
        ) { node, gradient, input in
            let node = OperationNode<Operation>.of(node)
            return node.concreteOperation.vjp(
                node.firstValue!, node.secondValue!, output: node.outputValue!, gradient: gradient,
                wrt: input == 0 ? .left : .right
            )
        }
        return Tensor(z, gradFn: node)
    }

    /// Applies an operation of two tensors whose reverse rule reads only the
    /// operands' shapes: the graph keeps no values for it.
    @inlinable
    public static func applying<Operation: ShapeOnlyBinaryReverseRule>(
        _ operation: Operation, _ left: Tensor, _ right: Tensor
    ) -> Tensor {
        let x = left.value, y = right.value
        // The graph keeps no values of this op: they may wait for a reader.
        let deferred = ElementwiseDeferral.deferring(operation, on: x, y, outputIsKept: false)
        let z = deferred == nil ? operation.value(x, y) : nil
        let gradFn: GraphNode? = !isRecording(left, right) ? nil : OperationNode(
            operation, inputs: left.asGraphInput, nil, right.asGraphInput, nil,
            outputShape: z?.shape ?? x.shape, keptOutput: nil,
            dualKernels: Operation.replayKernels,
            forwardRules: Operation.forwardRules
        ) { node, gradient, input in
            let node = OperationNode<Operation>.of(node)
            return node.concreteOperation.vjp(
                leftShape: node.firstInputShape, rightShape: node.secondInputShape, gradient: gradient,
                wrt: input == 0 ? .left : .right)
        }
        if let deferred { return Tensor(deferred, shape: x.shape, gradFn: gradFn) }
        return Tensor(z!, gradFn: gradFn)
    }
}

/// The result of an op of one tensor: its values, computed now, or deferred
/// (a large built-in element-wise op whose output the graph does not keep:
/// see `DeferredElementwiseValues`).
@usableFromInline
struct ElementwiseResult {
    /// The values, when computed now.
    @usableFromInline let computed: TensorValue<Double>?
    /// The values to compute on first read, and their shape (the operand's).
    @usableFromInline let deferred: (values: any DeferredElementwiseValues, shape: Shape)?
    /// For a result deferred on a deferred operand, that operand as the
    /// graph keeps it, uncomputed; `nil` when the operand's values are in
    /// memory (or were computed for this result).
    @usableFromInline let deferredInput: DeferredInput?

    /// The result of `operation` on `tensor`'s values, whose reverse rule
    /// `reads` those values (none when not recorded); `compute` gives them
    /// now from the operand's values.
    @inlinable
    init(
        _ operation: some TensorOperation, of tensor: Tensor, reads: ReverseRuleReads,
        compute: (TensorValue<Double>) -> TensorValue<Double>
    ) {
        guard let deferredOperand = tensor.deferredValues else {
            let x = tensor.storedValue
            // `deferring` checks the size too; small tensors, the common
            // case, skip the call and the operand's copy that it takes.
            let isSmall = x.elementCount < ElementwiseDeferral.minimumElementCount
            let deferred = isSmall ? nil : ElementwiseDeferral.deferring(
                operation, on: .values(x), shape: x.shape, outputIsKept: reads.contains(.output), keptInput: nil)
            (computed, self.deferred, deferredInput) = (deferred == nil ? compute(x) : nil, deferred.map { ($0, x.shape) }, nil)
            return
        }
        // The node keeps the operand deferred, and takes its gradient from a sum.
        let input = DeferredInput(deferredOperand)
        if let deferred = ElementwiseDeferral.deferring(
            operation, on: .deferred(deferredOperand), shape: tensor.shape, outputIsKept: reads.contains(.output),
            keptInput: input
        ) {
            (computed, self.deferred, deferredInput) = (nil, (deferred, tensor.shape), input)
        } else {
            (computed, self.deferred, deferredInput) = (compute(deferredOperand.values), nil, nil)
        }
    }

    /// The output's shape.
    @inlinable var shape: Shape { computed?.shape ?? deferred!.shape }

    /// The values: computed now if they were deferred.
    @inlinable var values: TensorValue<Double> { computed ?? deferred!.values.values }

    /// The tensor holding the result.
    @inlinable
    func tensor(gradFn: GraphNode?) -> Tensor {
        if let computed { return Tensor(computed, gradFn: gradFn) }
        return Tensor(deferred!.values, shape: deferred!.shape, gradFn: gradFn)
    }
}
