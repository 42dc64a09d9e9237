// Applying an operation to tensors: compute the value, and, when recording,
// add a node whose reverse rule is the operation's vjp. These functions are
// generic over the concrete operation, so the `Double` loops are specialised.

extension Tensor {
    /// Applies a field operation of one tensor.
    @inlinable
    public func applying<Operation: UnaryOperation>(_ operation: Operation) -> Tensor {
        let x = value
        let y = operation.value(x)
        guard Tensor.isRecording(self) else { return Tensor(y) }
        return recorded(operation, y) { gradient, _ in operation.vjp(x, output: y, gradient: gradient) }
    }

    /// Applies an elementary-function operation of one tensor.
    @inlinable
    public func applying<Operation: ElementaryUnaryOperation>(_ operation: Operation) -> Tensor {
        let x = value
        let y = operation.value(x)
        guard Tensor.isRecording(self) else { return Tensor(y) }
        return recorded(operation, y) { gradient, _ in operation.vjp(x, output: y, gradient: gradient) }
    }

    /// Applies an operation of two tensors.
    @inlinable
    public static func applying<Operation: BinaryOperation>(
        _ operation: Operation, _ left: Tensor, _ right: Tensor
    ) -> Tensor {
        let x = left.value, y = right.value
        let z = operation.value(x, y)
        guard isRecording(left, right) else { return Tensor(z) }
        let node = GraphNode(
            operation: operation, inputs: left.asGraphInput, right.asGraphInput, shape: z.shape
        ) { gradient, input in
            operation.vjp(x, y, output: z, gradient: gradient, wrt: input == 0 ? .left : .right)
        }
        return Tensor(z, gradFn: node)
    }

    @inlinable
    func recorded(
        _ operation: some TensorOperation, _ output: TensorValue<Double>,
        backward: @escaping (TensorValue<Double>, Int) -> TensorValue<Double>
    ) -> Tensor {
        let node = GraphNode(operation: operation, inputs: asGraphInput, shape: output.shape, backward: backward)
        return Tensor(output, gradFn: node)
    }
}
