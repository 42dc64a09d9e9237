// Forward-mode derivatives of scalar functions, on dual numbers. Each call
// tags its perturbation, so nested calls never mix their tangents.

/// The derivative of `f` at `x`, in one forward pass.
///
/// `f` is written over ``Dual``; generic code over ``FieldScalar`` or
/// ``ElementaryScalar`` (or swift-numerics' protocols) passes as it is.
/// Nest calls for higher derivatives, lifting outer values with
/// `Dual(constant:)`:
///
/// ```swift
/// derivative(at: 2.0) { x in x * x * x }                       // 12
/// derivative(at: 1.0) { (x: Dual<Double>) in                    // 1, not 2
///     x * derivative(at: Dual(constant: 1.0)) { y in Dual(constant: x) + y }
/// }
/// ```
@inlinable
public func derivative<T: FieldScalar>(at x: T, of f: (Dual<T>) throws -> Dual<T>) rethrows -> T {
    try valueWithDerivative(at: x, of: f).derivative
}

/// `f(x)` and `f′(x)`, in one forward pass.
///
/// ```swift
/// valueWithDerivative(at: 0.0) { Dual.exp($0) }   // (1, 1)
/// ```
@inlinable
public func valueWithDerivative<T: FieldScalar>(
    at x: T, of f: (Dual<T>) throws -> Dual<T>
) rethrows -> (value: T, derivative: T) {
    let tag = PerturbationTag.fresh()
    let result = try f(Dual(x, tangent: 1, tag: tag))
    return (result.value, result.tag == tag ? result.tangent : .zero)
}

/// The values of `f` at `point` and its directional derivative along
/// `direction` (the Jacobian–vector product), in one forward pass.
///
/// ```swift
/// jvp(at: [1.0, 2.0], along: [1, 0]) { [$0[0] * $0[1], $0[0] + $0[1]] }   // ([2, 3], [2, 1])
/// ```
@inlinable
public func jvp<T: FieldScalar>(
    at point: [T], along direction: [T], of f: ([Dual<T>]) throws -> [Dual<T>]
) rethrows -> (value: [T], derivative: [T]) {
    guard point.count == direction.count else {
        fatalError("jvp: a point of \(point.count) inputs and a direction of \(direction.count)")
    }
    let tag = PerturbationTag.fresh()
    let results = try f(zip(point, direction).map { Dual($0, tangent: $1, tag: tag) })
    return (results.map(\.value), results.map { $0.tag == tag ? $0.tangent : .zero })
}
