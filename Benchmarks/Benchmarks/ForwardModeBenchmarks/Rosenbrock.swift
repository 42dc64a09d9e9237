import Autograd

/// The Rosenbrock function Σ (1 − xᵢ)² + 100 (xᵢ₊₁ − xᵢ²)², generic over the
/// scalar so that one definition runs on `Double`, on duals and (below) on
/// the tape.
@inlinable
func rosenbrock<S: FieldScalar>(_ x: [S]) -> S {
    var sum = S.zero
    for i in 0..<(x.count - 1) {
        let a = 1 - x[i], b = x[i + 1] - x[i] * x[i]
        sum += a * a + 100 * b * b
    }
    return sum
}

/// The same function on zero-dimensional tensors, so that the tape records it.
func rosenbrock(_ x: [Tensor]) -> Tensor {
    var sum = Tensor(0.0)
    for i in 0..<(x.count - 1) {
        let a = 1 - x[i], b = x[i + 1] - x[i] * x[i]
        sum = sum + a * a + 100 * b * b
    }
    return sum
}

/// A point of `n` variables in [−1, 1), fixed by a seed.
func rosenbrockPoint(_ n: Int) -> [Double] {
    var generator = SeededGenerator(seed: 7)
    return (0..<n).map { _ in generator.nextUnit() * 2 - 1 }
}
