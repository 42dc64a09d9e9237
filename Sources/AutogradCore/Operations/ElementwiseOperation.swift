import RealModule

/// A unary field operation applied element by element, defined by its scalar
/// function and derivative; the tensor rules come from this protocol.
///
/// ```swift
/// struct Cube: ElementwiseOperation {
///     var name: String { "Cube" }
///     func apply<S: FieldScalar>(_ x: S) -> S { x * x * x }
///     func derivative<S: FieldScalar>(at x: S, output: S) -> S { S(3) * x * x }
/// }
/// ```
public protocol ElementwiseOperation: UnaryOperation {
    /// The scalar function.
    func apply<S: FieldScalar>(_ x: S) -> S
    /// Its derivative at `x`, given `output == apply(x)`.
    func derivative<S: FieldScalar>(at x: S, output: S) -> S
}

extension ElementwiseOperation {
    /// Element-wise: the input's shape.
    public func outputShape(for input: Shape) -> Shape { input }

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S> {
        x.map { apply($0) }
    }

    @inlinable
    public func vjp<S: FieldScalar>(
        _ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>
    ) -> TensorValue<S> {
        elementwiseProduct(gradient, x, output) { derivative(at: $0, output: $1) }
    }

    @inlinable
    public func jvp<S: FieldScalar>(
        _ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>
    ) -> TensorValue<S> {
        elementwiseProduct(tangent, x, output) { derivative(at: $0, output: $1) }
    }
}

/// A unary elementary-function operation applied element by element, defined
/// by its scalar function and derivative.
///
/// ```swift
/// struct Softplus: ElementwiseElementaryOperation {
///     var name: String { "Softplus" }
///     func apply<S: ElementaryScalar>(_ x: S) -> S { S.log(onePlus: S.exp(x)) }
///     func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { 1 / (1 + S.exp(-x)) }
/// }
/// ```
public protocol ElementwiseElementaryOperation: ElementaryUnaryOperation {
    /// The scalar function.
    func apply<S: ElementaryScalar>(_ x: S) -> S
    /// Its derivative at `x`, given `output == apply(x)`.
    func derivative<S: ElementaryScalar>(at x: S, output: S) -> S
}

extension ElementwiseElementaryOperation {
    /// Element-wise: the input's shape.
    public func outputShape(for input: Shape) -> Shape { input }

    @inlinable
    public func value<S: ElementaryScalar>(_ x: TensorValue<S>) -> TensorValue<S> {
        x.map { apply($0) }
    }

    @inlinable
    public func vjp<S: ElementaryScalar>(
        _ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>
    ) -> TensorValue<S> {
        elementwiseProduct(gradient, x, output) { derivative(at: $0, output: $1) }
    }

    @inlinable
    public func jvp<S: ElementaryScalar>(
        _ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>
    ) -> TensorValue<S> {
        elementwiseProduct(tangent, x, output) { derivative(at: $0, output: $1) }
    }
}

/// `seed[i] * derivative(x[i], y[i])` for every element: the chain rule of an
/// element-wise function, in one pass over memory.
@inlinable @inline(__always)
func elementwiseProduct<S: FieldScalar>(
    _ seed: TensorValue<S>, _ x: TensorValue<S>, _ y: TensorValue<S>,
    _ derivative: (S, S) -> S
) -> TensorValue<S> {
    guard seed.shape == x.shape else {
        fatalError("elementwise rule: seed of shape \(seed.shape) for an input of shape \(x.shape)")
    }
    return seed.withUnsafeBufferPointer { g in
        x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                TensorValue(shape: seed.shape) { out in
                    for i in 0..<x.count { (out + i).initialize(to: g[i] * derivative(x[i], y[i])) }
                }
            }
        }
    }
}
