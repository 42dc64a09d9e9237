/// The errors of exact arithmetic: each says what was wrong with the input.
/// GMP itself would abort the process on some of these (division by zero).
public enum ExactError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A NaN or an infinity has no exact rational value.
    case notFinite(Double)
    /// A division by zero.
    case divisionByZero
    /// A string that is not a rational number (`"3/4"`, `"-2"`, `"0.1"`, `"1e-3"`).
    case malformedNumber(String)
    /// An integer power whose exact result would be too large to compute.
    case exponentTooLarge(exponent: Int, limit: Int)
    /// A function outside its domain, such as `log` of a negative number.
    case outsideDomain(function: String, argument: String)
    /// An exact replay divided by zero in an op, such as `1 / x` at x = 0:
    /// the function or its derivative is undefined there.
    case divisionByZeroInOperation(String)
    /// A precision outside ``BigFloat/precisionRange``.
    case precisionOutOfRange(precision: Int, range: ClosedRange<Int>)

    public var description: String {
        switch self {
        case .notFinite(let value):
            return "\(value) has no exact rational value: only finite numbers convert"
        case .divisionByZero:
            return "division by zero"
        case .malformedNumber(let text):
            return "\"\(text)\" is not a rational number: write an integer, a fraction such as 3/4, or a decimal such as 0.1 or 1e-3"
        case .exponentTooLarge(let exponent, let limit):
            return "the exponent \(exponent) exceeds \(limit): the exact power would need too much memory"
        case .outsideDomain(let function, let argument):
            return "\(function) is not defined at \(argument)"
        case .divisionByZeroInOperation(let operation):
            return "\(operation) divides by zero: the exact function or its derivative is undefined at this input"
        case .precisionOutOfRange(let precision, let range):
            return "a precision of \(precision) bits is outside \(range.lowerBound)...\(range.upperBound)"
        }
    }
}
