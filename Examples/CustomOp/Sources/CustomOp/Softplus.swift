import Autograd

/// softplus(x) = log(1 + eˣ), a smooth ReLU, computed as max(x, 0) + log(1 + e^−|x|)
/// so that it neither overflows for large x nor loses digits for very negative x.
/// Its derivative is the logistic function σ(x) = 1/(1 + e⁻ˣ).
///
/// Defined once, generic over the scalar: the same code runs on `Double`, on
/// dual numbers (forward mode) and on big floats (the exact strategy).
///
/// ```swift
/// let y = x.softplus().sum()
/// try y.backward()          // x.grad == σ(x)
/// ```
public struct Softplus: ElementwiseElementaryOperation {
    public init() {}

    public var name: String { "Softplus" }

    public func apply<S: ElementaryScalar>(_ x: S) -> S {
        let positivePart = x > .zero ? x : .zero
        let negativeMagnitude = x > .zero ? -x : x
        return positivePart + S.log(onePlus: S.exp(negativeMagnitude))
    }

    public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S {
        1 / (1 + S.exp(-x))
    }
}

extension Tensor {
    /// softplus element-wise, recorded as `SoftplusBackward`.
    public func softplus() -> Tensor { applying(Softplus()) }
}
