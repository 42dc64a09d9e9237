import RealModule

/// The matrix product of two 2-D tensors, `[m, k] × [k, n] → [m, n]` (`MmBackward`).
///
/// ```swift
/// let c = a.matmul(b)   // records MatrixMultiply()
/// ```
public struct MatrixMultiply: BinaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Mm" }

    /// `[m, k] × [k, n] → [m, n]`; traps, naming both shapes, otherwise.
    public func outputShape(_ x: Shape, _ y: Shape) -> Shape {
        guard x.rank == 2 && y.rank == 2 && x[1] == y[0] else {
            fatalError("matmul: shapes \(x) and \(y) cannot be multiplied (need [m, k] and [k, n])")
        }
        return [x[0], y[1]]
    }

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>, _ y: TensorValue<S>) -> TensorValue<S> {
        x.matmul(y, op: "matmul")
    }

    /// ∂L/∂x = G·yᵀ and ∂L/∂y = xᵀ·G.
    @inlinable
    public func vjp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>,
        gradient: TensorValue<S>, wrt operand: BinaryOperand
    ) -> TensorValue<S> {
        operand == .left
            ? gradient.matmul(y.transposed(0, 1), op: "matmul")
            : x.transposed(0, 1).matmul(gradient, op: "matmul")
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
