import AutogradCore

/// What ``GradientCheck`` refuses, or finds wrong with a strategy's answer
/// before any element can be compared.
public enum GradientCheckError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A size of elements per input that is not positive.
    case invalidSize(Int)
    /// A size of elements per input above the largest checked, `limit`
    /// (``GradientCheck/maximumSize``).
    ///
    /// ```swift
    /// try GradientCheck.run(size: 10_000_000)
    /// // the size 10000000 is too large: at most 1000000 elements per input are checked
    /// ```
    case sizeTooLarge(Int, limit: Int)
    /// A strategy returned gradients of other number or shapes than the inputs.
    case wrongGradientCount(strategy: String, expected: [Shape], got: [Shape])

    public var description: String {
        switch self {
        case .invalidSize(let size):
            "the size must be a positive number of elements per input, got \(size)"
        case .sizeTooLarge(let size, let limit):
            "the size \(size) is too large: at most \(limit) elements per input are checked"
        case .wrongGradientCount(let strategy, let expected, let got):
            "strategy \(strategy) returned gradients of shapes \(got) for inputs of shapes \(expected)"
        }
    }
}
