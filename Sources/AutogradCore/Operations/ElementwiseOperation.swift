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
public protocol ElementwiseOperation: UnaryOperation, FusibleUnaryOperation {
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
/// struct LogCosh: ElementwiseElementaryOperation {
///     var name: String { "LogCosh" }
///     func apply<S: ElementaryScalar>(_ x: S) -> S { S.log(S.cosh(x)) }
///     func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { S.tanh(x) }
/// }
/// ```
public protocol ElementwiseElementaryOperation: ElementaryUnaryOperation, FusibleUnaryOperation {
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

/// `seed[i] · derivative(x[i], y[i])` for every element, with strong zeros
/// (see ``chainProduct(_:_:)``): the chain rule of an element-wise function,
/// in one pass over memory, for the reverse rule (the seed is the output's
/// gradient) and the forward rule (the seed is the input's tangent).
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
                    for i in 0..<x.count { (out + i).initialize(to: chainProduct(g[i], derivative(x[i], y[i]))) }
                }
            }
        }
    }
}

/// `seed · partial`, a term of the chain rule, with a *strong zero*: a seed of
/// exactly 0 gives 0 even when the partial derivative is infinite or NaN.
///
/// The seed is a gradient (reverse rules) or a tangent (forward rules), and a
/// seed of exactly 0 says that the path through this factor contributes
/// nothing: d(L)/d(x) along a path whose seed is 0 is 0, whatever the local
/// partial. Plain IEEE arithmetic would give 0·∞ = NaN, and a NaN added into a
/// sum spoils every other path: the gradient of `sum(exp(x))` at
/// x = [800, 1] in the lane of `x[1]` would be NaN instead of e (the partial
/// `exp(800)` overflows, but that lane's seed there is 0). For a finite
/// partial the result is `seed * partial`, bit for bit, so finite results
/// are unchanged.
///
/// For `Double`, `Float` and forward mode's ``TangentLanes`` (lane by lane)
/// the test is a select that the compiler keeps in vectorised loops (NaN is
/// tested as `product != product`: `isNaN` would compile to branches on the
/// bits); other scalar types (duals, whose `==` compares only the primal
/// value, and exact types, which have no infinity) multiply plainly.
///
/// ```swift
/// chainProduct(0.0, .infinity)   // 0, not NaN
/// chainProduct(2.0, .infinity)   // +∞
/// ```
@inlinable @inline(__always)
func chainProduct<S: FieldScalar>(_ seed: S, _ partial: S) -> S {
    if S.self == TangentLanes.self {
        return unsafeBitCast(
            TangentLanes.chainProduct(unsafeBitCast(seed, to: TangentLanes.self), unsafeBitCast(partial, to: TangentLanes.self)),
            to: S.self)
    }
    let product = seed * partial
    if S.self == Double.self {
        let seed = unsafeBitCast(seed, to: Double.self), product = unsafeBitCast(product, to: Double.self)
        return unsafeBitCast(seed == 0 && product != product ? 0 : product, to: S.self)
    }
    if S.self == Float.self {
        let seed = unsafeBitCast(seed, to: Float.self), product = unsafeBitCast(product, to: Float.self)
        return unsafeBitCast(seed == 0 && product != product ? 0 : product, to: S.self)
    }
    return product
}

/// `seed / divisor`, a term of the chain rule through a division, with a
/// strong zero: a seed of exactly 0 gives 0 even when the divisor is 0 or NaN
/// (see ``chainProduct(_:_:)``).
///
/// ```swift
/// chainQuotient(0.0, 0.0)   // 0, not NaN
/// ```
@inlinable @inline(__always)
func chainQuotient<S: FieldScalar>(_ seed: S, _ divisor: S) -> S {
    if S.self == TangentLanes.self {
        return unsafeBitCast(
            TangentLanes.chainQuotient(unsafeBitCast(seed, to: TangentLanes.self), unsafeBitCast(divisor, to: TangentLanes.self)),
            to: S.self)
    }
    let quotient = seed / divisor
    if S.self == Double.self {
        let seed = unsafeBitCast(seed, to: Double.self), quotient = unsafeBitCast(quotient, to: Double.self)
        return unsafeBitCast(seed == 0 && quotient != quotient ? 0 : quotient, to: S.self)
    }
    if S.self == Float.self {
        let seed = unsafeBitCast(seed, to: Float.self), quotient = unsafeBitCast(quotient, to: Float.self)
        return unsafeBitCast(seed == 0 && quotient != quotient ? 0 : quotient, to: S.self)
    }
    return quotient
}
