import Autograd

/// A deliberately wrong op, to show what validation catches: softplus whose
/// derivative has lost a sign (σ(−x) instead of σ(x)). Never use it.
public struct WrongSoftplus: ElementwiseElementaryOperation {
    public init() {}

    public var name: String { "WrongSoftplus" }

    public func apply<S: ElementaryScalar>(_ x: S) -> S { Softplus().apply(x) }

    public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S {
        1 / (1 + S.exp(x))   // wrong: should be 1 / (1 + e⁻ˣ)
    }
}
