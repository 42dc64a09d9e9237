import Autograd

/// LogCosh whose reverse rule (vjp) alone is wrong: it lost the sign of x in
/// tanh x. Its value and forward rule are right, so only reverse mode goes
/// wrong, and the cross-check's `reverse` row names this op and its `vjp`.
/// Never use it.
public struct WrongReverseLogCosh: ElementwiseElementaryOperation {
    public init() {}
    public var name: String { "WrongReverseLogCosh" }
    public func apply<S: ElementaryScalar>(_ x: S) -> S { LogCosh().apply(x) }
    public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { LogCosh().derivative(at: x, output: output) }

    /// Wrong on purpose: tanh(−x) instead of tanh(x).
    public func vjp<S: ElementaryScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> {
        TensorValue.broadcasting(gradient, x, op: name) { g, x in g * S.tanh(-x) }
    }
}

/// LogCosh whose forward rule (jvp) alone is wrong: it doubles the tangent.
/// Only forward mode goes wrong, and the cross-check's `forward` row names
/// this op and its `jvp`. Never use it.
public struct WrongForwardLogCosh: ElementwiseElementaryOperation {
    public init() {}
    public var name: String { "WrongForwardLogCosh" }
    public func apply<S: ElementaryScalar>(_ x: S) -> S { LogCosh().apply(x) }
    public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { LogCosh().derivative(at: x, output: output) }

    /// Wrong on purpose: twice the true directional derivative.
    public func jvp<S: ElementaryScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
        TensorValue.broadcasting(tangent, x, op: name) { t, x in 2 * t * S.tanh(x) }
    }
}
