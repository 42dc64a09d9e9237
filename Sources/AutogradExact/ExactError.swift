/// The errors of exact arithmetic: each says what was wrong with the input.
/// GMP itself would abort the process on some of these (division by zero).
public enum ExactError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A NaN or an infinity has no exact rational value.
    case notFinite(Double)
    /// A division by zero.
    case divisionByZero
    /// A string that is not a rational number (`"3/4"`, `"-2"`, `"0.1"`, `"1e-3"`).
    case malformedNumber(String)
    /// A fraction whose denominator is zero: a division by zero in the text.
    ///
    /// ```swift
    /// try Rational("1/0")   // throws .zeroDenominator("1/0")
    /// ```
    case zeroDenominator(String)
    /// A decimal whose exponent is beyond `limit` in magnitude: its exact
    /// value would need too much memory.
    ///
    /// ```swift
    /// try Rational("1e999999")   // throws .exponentOutOfRange("1e999999", limit: 100000)
    /// ```
    case exponentOutOfRange(String, limit: Int)
    /// A string that is not a big float (`"0.1"`, `"-2.5e-3"`, `"1e400"`).
    ///
    /// ```swift
    /// try BigFloat("1/3")   // throws .malformedBigFloat("1/3")
    /// ```
    case malformedBigFloat(String)
    /// An integer power whose exact result would be too large to compute.
    case exponentTooLarge(exponent: Int, limit: Int)
    /// A function outside its domain, such as `log` of a negative number.
    case outsideDomain(function: String, argument: String)
    /// An exact replay divided by zero in an op, such as `1 / x` at x = 0:
    /// the function or its derivative is undefined there.
    case divisionByZeroInOperation(String)
    /// A precision outside ``BigFloat/precisionRange``.
    case precisionOutOfRange(precision: Int, range: ClosedRange<Int>)
    /// A constant of the function, in the op named, is NaN or infinite: it
    /// has no exact value, so the function has no exact replay.
    ///
    /// ```swift
    /// try ExactMode().gradient(of: (x + .nan).sum(), withRespectTo: [x])
    /// // throws .notFiniteConstant(.nan, operation: "AddBackward")
    /// ```
    case notFiniteConstant(Double, operation: String)

    public var description: String {
        switch self {
        case .notFinite(let value):
            return "\(value) has no exact rational value: only finite numbers convert"
        case .divisionByZero:
            return "division by zero"
        case .malformedNumber(let text):
            return "\"\(text)\" is not a rational number: write an integer, a fraction such as 3/4, or a decimal such as 0.1 or 1e-3"
        case .zeroDenominator(let text):
            return "\"\(text)\" divides by zero: the denominator of a fraction must not be 0"
        case .exponentOutOfRange(let text, let limit):
            return "the exponent of \"\(text)\" is out of range: a decimal's exponent must be from -\(limit) to \(limit)"
        case .malformedBigFloat(let text):
            return "\"\(text)\" is not a big float: write a decimal such as 0.1, -2.5e-3 or 1e400"
        case .exponentTooLarge(let exponent, let limit):
            return "the exponent \(exponent) exceeds \(limit): the exact power would need too much memory"
        case .outsideDomain(let function, let argument):
            return "\(function) is not defined at \(argument)"
        case .divisionByZeroInOperation(let operation):
            return "\(operation) divides by zero: the exact function or its derivative is undefined at this input"
        case .precisionOutOfRange(let precision, let range):
            return "a precision of \(precision) bits is outside \(range.lowerBound)...\(range.upperBound)"
        case .notFiniteConstant(let value, let operation):
            return "the constant \(value) in \(operation) has no exact value: the exact reference needs finite constants"
        }
    }
}
