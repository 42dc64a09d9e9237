/// A gradient on its way back through a backward pass: the values, or one
/// value for every element of the node's output (what a sum or a mean hands
/// its input, ``UniformReverseRule``), which is never written out unless a
/// rule needs the tensor.
///
/// ```swift
/// // (p - r).pow(2).sum(): the square's gradient is .uniform(1); its reverse
/// // rule reads that one value and writes p - r's gradient, with no tensor of ones.
/// ```
enum PendingGradient {
    /// The gradient's values.
    case values(TensorValue<Double>)
    /// The same value for every element.
    case uniform(Double)

    /// The values, of `shape` (the node's output's).
    func materialized(_ shape: Shape) -> TensorValue<Double> {
        switch self {
        case .values(let values): values
        case .uniform(let value): TensorValue(repeating: value, shape: shape)
        }
    }

    /// This gradient plus `other`, both of `shape`, element by element as
    /// ``TensorValue/adding(_:)`` adds them (so the bits do not depend on
    /// which were uniform).
    func adding(_ other: PendingGradient, shape: Shape) -> PendingGradient {
        if case .uniform(let a) = self, case .uniform(let b) = other { return .uniform(a + b) }
        return .values(materialized(shape).adding(other.materialized(shape)))
    }
}
