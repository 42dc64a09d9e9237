import Autograd

/// logCosh(x) = ln(cosh x), a smooth |x| (the "log-cosh" loss), computed as
/// |x| + ln(1 + e^−2|x|) − ln 2 so that it neither overflows for large |x|
/// (cosh 1000 does) nor loses digits. Its derivative is tanh x.
///
/// Defined once, generic over the scalar: the same code runs on `Double`, on
/// dual numbers (forward mode) and on rigorous intervals (the exact strategy).
///
/// ```swift
/// let y = x.logCosh().sum()
/// try y.backward()          // x.grad == tanh(x)
/// ```
public struct LogCosh: ElementwiseElementaryOperation {
    public init() {}

    public var name: String { "LogCosh" }

    public func apply<S: ElementaryScalar>(_ x: S) -> S {
        let magnitude = x < .zero ? -x : x
        return magnitude + S.log(onePlus: S.exp(-2 * magnitude)) - S.log(2)
    }

    public func derivative<S: ElementaryScalar>(at x: S, output: S) -> S {
        S.tanh(x)
    }
}

extension Tensor {
    /// ln(cosh x) element-wise, recorded as `LogCoshBackward`.
    public func logCosh() -> Tensor { applying(LogCosh()) }
}
