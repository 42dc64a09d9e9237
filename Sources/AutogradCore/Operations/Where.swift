// Choosing element by element between two tensors by a condition, like
// PyTorch's `torch.where`, and the comparisons that make conditions. The
// condition is a constant of the graph, as in PyTorch: replays take the
// recorded choice (the exact reference does not re-evaluate the comparison).

/// `a` where the condition holds, `b` elsewhere (`WhereBackward`); the three
/// broadcast together. Its gradient goes to the operand chosen.
///
/// ```swift
/// Tensor.where(x.gt(0), x, 0.1 * x)   // a leaky relu
/// ```
public struct Where: BinaryOperation {
    /// The condition, recorded.
    public let condition: TensorValue<Bool>
    /// The operation choosing by `condition`.
    public init(condition: TensorValue<Bool>) { self.condition = condition }
    public var name: String { "Where" }

    public func outputShape(_ x: Shape, _ y: Shape) -> Shape {
        guard let pair = Shape.broadcast(x, y), let shape = Shape.broadcast(condition.shape, pair) else {
            fatalError("where: the condition \(condition.shape) and operands \(x) and \(y) cannot be broadcast together")
        }
        return shape
    }

    /// The condition at every position of `shape`.
    @inlinable
    func mask(_ shape: Shape) -> TensorValue<Bool> {
        TensorValue.broadcasting(condition, TensorValue<Bool>(repeating: false, shape: shape), op: name) { c, _ in c }
    }

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>, _ y: TensorValue<S>) -> TensorValue<S> {
        let shape = outputShape(x.shape, y.shape)
        let (a, b, mask) = (x.broadcast(to: shape), y.broadcast(to: shape), mask(shape))
        return TensorValue.broadcasting(TensorValue.broadcasting(a, b, op: name) { ($0, $1) }, mask, op: name) { $1 ? $0.0 : $0.1 }
    }

    @inlinable
    public func vjp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>, wrt operand: BinaryOperand
    ) -> TensorValue<S> {
        let chosen = operand == .left
        let masked = TensorValue.broadcasting(gradient, mask(gradient.shape), op: name) { $1 == chosen ? $0 : .zero }
        return masked.reduced(to: chosen ? x.shape : y.shape)
    }

    @inlinable
    public func jvp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>, tangents: (x: TensorValue<S>?, y: TensorValue<S>?)
    ) -> TensorValue<S> {
        value(tangents.x ?? .zeros(x.shape), tangents.y ?? .zeros(y.shape))
    }
}

extension Tensor {
    /// `a` where `condition` holds, `b` elsewhere, broadcasting the three,
    /// like `torch.where`; the gradient goes to the operand chosen.
    ///
    /// ```swift
    /// let leaky = Tensor.where(x.gt(0), x, x * 0.1)
    /// ```
    public static func `where`(_ condition: BoolTensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        applying(Where(condition: condition.value), a, b)
    }

    /// Element-wise `self > other`, broadcasting, like `torch.gt`.
    public func gt(_ other: Tensor) -> BoolTensor { compare(other, "gt", >) }
    /// Element-wise `self < other`, broadcasting, like `torch.lt`.
    public func lt(_ other: Tensor) -> BoolTensor { compare(other, "lt", <) }
    /// Element-wise `self >= other`, broadcasting, like `torch.ge`.
    public func ge(_ other: Tensor) -> BoolTensor { compare(other, "ge", >=) }
    /// Element-wise `self <= other`, broadcasting, like `torch.le`.
    public func le(_ other: Tensor) -> BoolTensor { compare(other, "le", <=) }
    /// Element-wise `self != other`, broadcasting, like `torch.ne`.
    public func ne(_ other: Tensor) -> BoolTensor { compare(other, "ne", !=) }

    /// Element-wise `self > c`. `x.gt(0)`
    public func gt(_ c: Double) -> BoolTensor { gt(Tensor(c)) }
    /// Element-wise `self < c`. `x.lt(0)`
    public func lt(_ c: Double) -> BoolTensor { lt(Tensor(c)) }
    /// Element-wise `self >= c`. `x.ge(0)`
    public func ge(_ c: Double) -> BoolTensor { ge(Tensor(c)) }
    /// Element-wise `self <= c`. `x.le(0)`
    public func le(_ c: Double) -> BoolTensor { le(Tensor(c)) }

    private func compare(_ other: Tensor, _ name: String, _ predicate: (Double, Double) -> Bool) -> BoolTensor {
        BoolTensor(TensorValue.broadcasting(value, other.value, op: name, predicate))
    }
}
