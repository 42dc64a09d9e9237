import Autograd

/// Softplus whose reverse rule (vjp) alone is wrong: it lost the sign of x in
/// σ(x). Its value and forward rule are right, so only reverse mode goes wrong,
/// and the cross-check's `reverse` row names this op and its `vjp`. Never use it.
public struct WrongReverseSoftplus: ElementwiseElementaryOperation {
    public init() {}
    public var name: String { "WrongReverseSoftplus" }
    public func apply<S: ElementaryScalar>(_ x: S) -> S { Softplus().apply(x) }
    public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { Softplus().derivative(at: x, output: output) }

    /// Wrong on purpose: σ(−x) instead of σ(x).
    public func vjp<S: ElementaryScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> {
        TensorValue.broadcasting(gradient, x, op: name) { g, x in g / (1 + S.exp(x)) }
    }
}

/// Softplus whose forward rule (jvp) alone is wrong: it doubles the tangent.
/// Only forward mode goes wrong, and the cross-check's `forward` row names
/// this op and its `jvp`. Never use it.
public struct WrongForwardSoftplus: ElementwiseElementaryOperation {
    public init() {}
    public var name: String { "WrongForwardSoftplus" }
    public func apply<S: ElementaryScalar>(_ x: S) -> S { Softplus().apply(x) }
    public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { Softplus().derivative(at: x, output: output) }

    /// Wrong on purpose: twice the true directional derivative.
    public func jvp<S: ElementaryScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
        TensorValue.broadcasting(tangent, x, op: name) { t, x in 2 * t / (1 + S.exp(-x)) }
    }
}
