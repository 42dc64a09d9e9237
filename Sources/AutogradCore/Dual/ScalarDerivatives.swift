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
    try PerturbationTag.withFresh { tag in
        let result = try f(Dual(x, tangent: 1, tag: tag))
        return (result.value, result.carries(tag) ? result.tangent : .zero)
    }
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
    return try PerturbationTag.withFresh { tag in
        let results = try f(zip(point, direction).map { Dual($0, tangent: $1, tag: tag) })
        return (results.map(\.value), results.map { $0.carries(tag) ? $0.tangent : .zero })
    }
}

/// The gradient of `f` at `point`, by forward mode in chunks: each pass
/// carries 8 directions in the lanes of a ``MultiDual``, so `n` inputs take
/// `⌈n/8⌉` passes.
///
/// ```swift
/// func rosenbrock<S: FieldScalar>(_ x: [S]) -> S {
///     (0..<x.count - 1).reduce(S.zero) { sum, i in
///         let a = 1 - x[i], b = x[i + 1] - x[i] * x[i]
///         return sum + a * a + 100 * b * b
///     }
/// }
/// gradient(at: [1.0, 2.0]) { rosenbrock($0) }   // [-400, 200]
/// ```
@inlinable
public func gradient<T: FieldScalar>(
    at point: [T], of f: ([MultiDual<8, T>]) throws -> MultiDual<8, T>
) rethrows -> [T] {
    try gradient(at: point, lanes: MultiDual<8, T>.self, of: f)
}

/// The gradient of `f` at `point`, with the lanes of `lanes` per pass
/// (`MultiDual<4, Double>.self` for 4; `Dual<Double>.self` for one).
@inlinable
public func gradient<D: DualNumber>(
    at point: [D.Base], lanes: D.Type, of f: ([D]) throws -> D
) rethrows -> [D.Base] {
    try jacobian(at: point, lanes: lanes) { [try f($0)] }[0]
}

/// The Jacobian of `f` at `point` (one row per output), by forward mode in
/// chunks of 8 directions.
///
/// ```swift
/// jacobian(at: [2.0, 3.0]) { [$0[0] * $0[1], $0[0] - $0[1]] }   // [[3, 2], [1, -1]]
/// ```
@inlinable
public func jacobian<T: FieldScalar>(
    at point: [T], of f: ([MultiDual<8, T>]) throws -> [MultiDual<8, T>]
) rethrows -> [[T]] {
    try jacobian(at: point, lanes: MultiDual<8, T>.self, of: f)
}

/// The Jacobian of `f` at `point`, with the lanes of `lanes` per pass.
@inlinable
public func jacobian<D: DualNumber>(
    at point: [D.Base], lanes: D.Type, of f: ([D]) throws -> [D]
) rethrows -> [[D.Base]] {
    var rows: [[D.Base]] = []
    var first = 0
    repeat {
        try PerturbationTag.withFresh { tag in
            let inputs = point.indices.map { i in D(point[i], tag: tag) { lane in i == first + lane ? 1 : 0 } }
            let outputs = try f(inputs)
            if rows.isEmpty { rows = Array(repeating: Array(repeating: .zero, count: point.count), count: outputs.count) }
            for (row, output) in outputs.enumerated() where output.carries(tag) {
                for lane in 0..<Swift.min(D.laneCount, point.count - first) {
                    rows[row][first + lane] = output.tangent(lane: lane)
                }
            }
        }
        first += D.laneCount
    } while first < point.count
    return rows
}
