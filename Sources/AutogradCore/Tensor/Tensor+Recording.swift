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
        let node = OperationNode(
            operation, inputs: asGraphInput, x, output: y, dualKernels: Operation.replayKernels,
            forwardRules: Operation.forwardRules
        ) { node, gradient, _ in
            let node = OperationNode<Operation>.of(node)
            return node.concreteOperation.vjp(node.firstValue!, output: node.outputValue!, gradient: gradient)
        }
        return Tensor(y, gradFn: node)
    }

    /// Applies an elementary-function operation of one tensor.
    @inlinable
    public func applying<Operation: ElementaryUnaryOperation>(_ operation: Operation) -> Tensor {
        let x = value
        let y = operation.value(x)
        guard Tensor.isRecording(self) else { return Tensor(y) }
        let node = OperationNode(
            operation, inputs: asGraphInput, x, output: y, dualKernels: Operation.replayKernels,
            forwardRules: Operation.forwardRules
        ) { node, gradient, _ in
            let node = OperationNode<Operation>.of(node)
            return node.concreteOperation.vjp(node.firstValue!, output: node.outputValue!, gradient: gradient)
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
            operation, inputs: left.asGraphInput, x, right.asGraphInput, y, output: z,
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
}
