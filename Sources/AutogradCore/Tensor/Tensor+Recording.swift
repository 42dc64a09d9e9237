// Applying an operation to tensors: compute the value, and, when recording,
// add a node whose forward rule is the operation's jvp and whose reverse rule
// is its vjp. These functions are
// generic over the concrete operation, so the `Double` loops are specialised.

extension Tensor {
    /// Applies a field operation of one tensor.
    @inlinable
    public func applying<Operation: UnaryOperation>(_ operation: Operation) -> Tensor {
        let x = value
        let y = operation.value(x)
        guard Tensor.isRecording(self) else { return Tensor(y) }
        let (keepsInput, keepsOutput) = Self.kept(Operation.reverseRuleReads, x.shape, y.shape)
        let node = OperationNode(
            operation, inputs: asGraphInput, keepsInput ? x : nil, output: y, keepingOutput: keepsOutput,
            dualKernels: Operation.replayKernels, forwardRules: Operation.forwardRules
        ) { node, gradient, _ in
            let node = OperationNode<Operation>.of(node)
            let (x, y) = node.savedValuesForRule
            return node.concreteOperation.vjp(x, output: y, gradient: gradient)
        }
        return Tensor(y, gradFn: node)
    }

    /// Applies a field operation of one tensor whose reverse rule reads only
    /// the input's shape: the graph keeps no values for it.
    @inlinable
    public func applying<Operation: ShapeOnlyReverseRule>(_ operation: Operation) -> Tensor {
        let x = value
        let y = operation.value(x)
        guard Tensor.isRecording(self) else { return Tensor(y) }
        let node = OperationNode(
            operation, inputs: asGraphInput, nil, output: y, keepingOutput: false,
            dualKernels: Operation.replayKernels, forwardRules: Operation.forwardRules
        ) { node, gradient, _ in
            let node = OperationNode<Operation>.of(node)
            return node.concreteOperation.vjp(inputShape: node.firstInputShape, gradient: gradient)
        }
        return Tensor(y, gradFn: node)
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
        let x = value
        let y = operation.value(x)
        guard Tensor.isRecording(self) else { return Tensor(y) }
        let (keepsInput, keepsOutput) = Self.kept(Operation.reverseRuleReads, x.shape, y.shape)
        let node = OperationNode(
            operation, inputs: asGraphInput, keepsInput ? x : nil, output: y, keepingOutput: keepsOutput,
            dualKernels: Operation.replayKernels, forwardRules: Operation.forwardRules
        ) { node, gradient, _ in
            let node = OperationNode<Operation>.of(node)
            let (x, y) = node.savedValuesForRule
            return node.concreteOperation.vjp(x, output: y, gradient: gradient)
        }
        return Tensor(y, gradFn: node)
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
        let z = operation.value(x, y)
        guard isRecording(left, right) else { return Tensor(z) }
        let node = OperationNode(
            operation, inputs: left.asGraphInput, nil, right.asGraphInput, nil, output: z, keepingOutput: false,
            dualKernels: Operation.replayKernels,
            forwardRules: Operation.forwardRules
        ) { node, gradient, input in
            let node = OperationNode<Operation>.of(node)
            return node.concreteOperation.vjp(
                leftShape: node.firstInputShape, rightShape: node.secondInputShape, gradient: gradient,
                wrt: input == 0 ? .left : .right)
        }
        return Tensor(z, gradFn: node)
    }
}
