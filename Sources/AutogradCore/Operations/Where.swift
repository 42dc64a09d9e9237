// Choosing element by element between two tensors by a condition, like
// PyTorch's `torch.where`, and the comparisons that make conditions. The
// condition is a constant of the graph, as in PyTorch: replays take the
// recorded choice. When a comparison made it, the op keeps the comparison
// too, and the exact strategy re-evaluates it to report the elements where
// exact arithmetic would have chosen the other operand.

/// `a` where the condition holds, `b` elsewhere (`WhereBackward`); the three
/// broadcast together. Its gradient goes to the operand chosen.
///
/// ```swift
/// Tensor.where(x.gt(0), x, 0.1 * x)   // a leaky relu
/// ```
public struct Where: BinaryOperation {
    /// The condition, recorded.
    public let condition: TensorValue<Bool>
    /// The comparison that computed `condition`, if one did.
    public let comparison: TensorComparison?
    /// The operation choosing by `condition`, which `comparison` computed.
    public init(condition: TensorValue<Bool>, comparison: TensorComparison? = nil) {
        self.condition = condition
        self.comparison = comparison
    }
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
        applying(Where(condition: condition.value, comparison: condition.comparison), a, b)
    }

    /// Element-wise `self > other`, broadcasting, like `torch.gt`.
    public func gt(_ other: Tensor) -> BoolTensor { compare(other, .greater) }
    /// Element-wise `self < other`, broadcasting, like `torch.lt`.
    public func lt(_ other: Tensor) -> BoolTensor { compare(other, .less) }
    /// Element-wise `self >= other`, broadcasting, like `torch.ge`.
    public func ge(_ other: Tensor) -> BoolTensor { compare(other, .greaterOrEqual) }
    /// Element-wise `self <= other`, broadcasting, like `torch.le`.
    public func le(_ other: Tensor) -> BoolTensor { compare(other, .lessOrEqual) }
    /// Element-wise `self != other`, broadcasting, like `torch.ne`.
    public func ne(_ other: Tensor) -> BoolTensor { compare(other, .notEqual) }

    /// Element-wise `self > c`. `x.gt(0)`
    public func gt(_ c: Double) -> BoolTensor { gt(Tensor(c)) }
    /// Element-wise `self < c`. `x.lt(0)`
    public func lt(_ c: Double) -> BoolTensor { lt(Tensor(c)) }
    /// Element-wise `self >= c`. `x.ge(0)`
    public func ge(_ c: Double) -> BoolTensor { ge(Tensor(c)) }
    /// Element-wise `self <= c`. `x.le(0)`
    public func le(_ c: Double) -> BoolTensor { le(Tensor(c)) }

    private func compare(_ other: Tensor, _ relation: TensorComparison.Relation) -> BoolTensor {
        let comparison = TensorComparison(relation, self, other)
        return BoolTensor(TensorValue.broadcasting(value, other.value, op: relation.rawValue, relation.holds), comparison: comparison)
    }
}

/// A comparison of two tensors, element by element with broadcasting, as
/// ``Tensor/gt(_:)-(Tensor)`` and its kin compute a condition: the relation, the two
/// tensors, and their values when compared.
///
/// ```swift
/// x.gt(0).comparison?.relation   // .greater
/// ```
public struct TensorComparison: Sendable {
    /// How two elements are compared.
    public enum Relation: String, Sendable {
        case greater = "gt", less = "lt", greaterOrEqual = "ge", lessOrEqual = "le", notEqual = "ne"

        /// Whether `a` and `b` are in this relation.
        @inlinable
        public func holds<S: Comparable>(_ a: S, _ b: S) -> Bool {
            switch self {
            case .greater: a > b
            case .less: a < b
            case .greaterOrEqual: a >= b
            case .lessOrEqual: a <= b
            case .notEqual: a != b
            }
        }
    }

    /// The relation.
    public let relation: Relation
    /// The left operand, which a recorded op may have made.
    public let left: Tensor
    /// The right operand.
    public let right: Tensor
    /// The left operand's values when compared.
    public let leftValue: TensorValue<Double>
    /// The right operand's values when compared.
    public let rightValue: TensorValue<Double>

    /// `left` and `right` compared by `relation`, their values taken now.
    public init(_ relation: Relation, _ left: Tensor, _ right: Tensor) {
        (self.relation, self.left, self.right) = (relation, left, right)
        (leftValue, rightValue) = (left.value, right.value)
    }
}
