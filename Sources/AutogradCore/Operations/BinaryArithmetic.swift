import RealModule

// `+ − × ÷` of two tensors, with NumPy broadcasting. Each reverse rule sums the
// gradient back down to its operand's shape. The products and quotients of a
// gradient or tangent by a partial derivative have strong zeros
// (`chainProduct`, `chainQuotient`): a zero seed contributes 0, even where
// the partial is infinite.

/// Element-wise `x + y` (`AddBackward`).
public struct Add: ShapeOnlyBinaryReverseRule {
    /// The operation; it has no parameters.
    public init() {}
    /// NumPy broadcasting of the two shapes.
    public func outputShape(_ x: Shape, _ y: Shape) -> Shape { broadcastShape(x, y, op: name) }
    public var name: String { "Add" }

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>, _ y: TensorValue<S>) -> TensorValue<S> {
        .broadcasting(x, y, op: name) { apply($0, $1) }
    }

    /// Both operands receive the gradient, summed down to their shapes.
    @inlinable
    public func vjp<S: FieldScalar>(
        leftShape: Shape, rightShape: Shape, gradient: TensorValue<S>, wrt operand: BinaryOperand
    ) -> TensorValue<S> {
        gradient.reduced(to: operand == .left ? leftShape : rightShape)
    }

    @inlinable
    public func jvp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>,
        tangents: (x: TensorValue<S>?, y: TensorValue<S>?)
    ) -> TensorValue<S> {
        combineTangents(tangents.x, tangents.y, shape: output.shape, op: name, +)
    }
}

/// Element-wise `x − y` (`SubBackward`).
public struct Subtract: ShapeOnlyBinaryReverseRule {
    /// The operation; it has no parameters.
    public init() {}
    /// NumPy broadcasting of the two shapes.
    public func outputShape(_ x: Shape, _ y: Shape) -> Shape { broadcastShape(x, y, op: name) }
    public var name: String { "Sub" }

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>, _ y: TensorValue<S>) -> TensorValue<S> {
        .broadcasting(x, y, op: name) { apply($0, $1) }
    }

    /// The left operand receives the gradient, the right its negation, each
    /// summed down to its shape.
    @inlinable
    public func vjp<S: FieldScalar>(
        leftShape: Shape, rightShape: Shape, gradient: TensorValue<S>, wrt operand: BinaryOperand
    ) -> TensorValue<S> {
        operand == .left ? gradient.reduced(to: leftShape) : gradient.map { -$0 }.reduced(to: rightShape)
    }

    @inlinable
    public func jvp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>,
        tangents: (x: TensorValue<S>?, y: TensorValue<S>?)
    ) -> TensorValue<S> {
        combineTangents(tangents.x, tangents.y, shape: output.shape, op: name, right: { -$0 }, -)
    }
}

/// Element-wise `x × y` (`MulBackward`).
public struct Multiply: BinaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    /// NumPy broadcasting of the two shapes.
    public func outputShape(_ x: Shape, _ y: Shape) -> Shape { broadcastShape(x, y, op: name) }
    public var name: String { "Mul" }

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>, _ y: TensorValue<S>) -> TensorValue<S> {
        .broadcasting(x, y, op: name) { apply($0, $1) }
    }

    @inlinable
    public func vjp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>,
        gradient: TensorValue<S>, wrt operand: BinaryOperand
    ) -> TensorValue<S> {
        operand == .left
            ? TensorValue.broadcasting(gradient, y, op: name, chainProduct).reduced(to: x.shape)
            : TensorValue.broadcasting(gradient, x, op: name, chainProduct).reduced(to: y.shape)
    }

    @inlinable
    public func jvp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>,
        tangents: (x: TensorValue<S>?, y: TensorValue<S>?)
    ) -> TensorValue<S> {
        let fromX = tangents.x.map { TensorValue.broadcasting($0, y, op: name, chainProduct) }
        let fromY = tangents.y.map { TensorValue.broadcasting(x, $0, op: name) { chainProduct($1, $0) } }
        return combineTangents(fromX, fromY, shape: output.shape, op: name, +)
    }
}

/// Element-wise `x ÷ y` (`DivBackward`).
public struct Divide: BinaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    /// NumPy broadcasting of the two shapes.
    public func outputShape(_ x: Shape, _ y: Shape) -> Shape { broadcastShape(x, y, op: name) }
    public var name: String { "Div" }

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>, _ y: TensorValue<S>) -> TensorValue<S> {
        .broadcasting(x, y, op: name) { apply($0, $1) }
    }

    /// ∂(x/y)/∂x = 1/y and ∂(x/y)/∂y = −(x/y)/y, written with the output so that
    /// nothing overflows that the value did not. A zero gradient gives zeros,
    /// even where y = 0 (strong zeros).
    @inlinable
    public func vjp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>,
        gradient: TensorValue<S>, wrt operand: BinaryOperand
    ) -> TensorValue<S> {
        let gradientOverY = TensorValue.broadcasting(gradient, y, op: name, chainQuotient)
        if operand == .left { return gradientOverY.reduced(to: x.shape) }
        return TensorValue.broadcasting(gradientOverY, output, op: name) { -chainProduct($0, $1) }.reduced(to: y.shape)
    }

    @inlinable
    public func jvp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>,
        tangents: (x: TensorValue<S>?, y: TensorValue<S>?)
    ) -> TensorValue<S> {
        let fromX = tangents.x.map { TensorValue.broadcasting($0, y, op: name, chainQuotient) }
        let fromY = tangents.y.map {
            TensorValue.broadcasting(TensorValue.broadcasting($0, y, op: name, chainQuotient), output, op: name) {
                -chainProduct($0, $1)
            }
        }
        return combineTangents(fromX, fromY, shape: output.shape, op: name, +)
    }
}

/// The sum of two optional tangent contributions, broadcast to the output's
/// shape; a missing contribution counts as zero, and a lone contribution is
/// passed through `left` or `right` (`nil`: unchanged, without a copy).
@inlinable
func combineTangents<S: FieldScalar>(
    _ a: TensorValue<S>?, _ b: TensorValue<S>?, shape: Shape, op: String,
    left: ((S) -> S)? = nil, right: ((S) -> S)? = nil, _ combine: (S, S) -> S
) -> TensorValue<S> {
    switch (a, b) {
    case let (a?, b?): return TensorValue.broadcasting(a, b, op: op, combine).broadcast(to: shape)
    case let (a?, nil): return (left.map { a.map($0) } ?? a).broadcast(to: shape)
    case let (nil, b?): return (right.map { b.map($0) } ?? b).broadcast(to: shape)
    case (nil, nil): return .zeros(shape)
    }
}
