import RealModule

/// The matrix product, `[m, k] × [k, n] → [m, n]` (`MmBackward`); operands of
/// rank 3 or more are stacks of matrices, multiplied pairwise, whose leading
/// dimensions broadcast (`[b, m, k] × [k, n] → [b, m, n]`): one node for the
/// whole stack.
///
/// `Double` products go through the ``MatrixProductKernel`` that `Autograd`
/// links (OpenBLAS), forward and both reverse products alike.
///
/// ```swift
/// let c = a.matmul(b)   // records MatrixMultiply()
/// ```
public struct MatrixMultiply: BinaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Mm" }

    /// `[..., m, k] × [..., k, n] → [..., m, n]`, the stacks broadcast; traps,
    /// naming both shapes, otherwise.
    public func outputShape(_ x: Shape, _ y: Shape) -> Shape {
        MatrixProductPlan(x, y, transposingLeft: false, transposingRight: false, op: "matmul").output
    }

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>, _ y: TensorValue<S>) -> TensorValue<S> {
        x.matmul(y, op: "matmul")
    }

    /// ∂L/∂x = G·yᵀ and ∂L/∂y = xᵀ·G, each summed over the stack dimensions its
    /// operand was broadcast along.
    @inlinable
    public func vjp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>,
        gradient: TensorValue<S>, wrt operand: BinaryOperand
    ) -> TensorValue<S> {
        operand == .left
            ? gradient.matmul(y, transposingRight: true, op: "matmul").reduced(to: x.shape)
            : x.matmul(gradient, transposingLeft: true, op: "matmul").reduced(to: y.shape)
    }

    /// d(x·y) = dx·y + x·dy.
    @inlinable
    public func jvp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>,
        tangents: (x: TensorValue<S>?, y: TensorValue<S>?)
    ) -> TensorValue<S> {
        let fromX = tangents.x.map { $0.matmul(y, op: "matmul") }
        let fromY = tangents.y.map { x.matmul($0, op: "matmul") }
        return combineTangents(fromX, fromY, shape: output.shape, op: name, +)
    }
}
