import Autograd

/// A deliberately wrong op, to show what validation catches: logCosh whose
/// derivative has lost a sign (tanh(−x) instead of tanh x). Never use it.
public struct WrongLogCosh: ElementwiseElementaryOperation {
    public init() {}

    public var name: String { "WrongLogCosh" }

    public func apply<S: ElementaryScalar>(_ x: S) -> S { LogCosh().apply(x) }

    public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S {
        S.tanh(-x)   // wrong: should be tanh x
    }
}
