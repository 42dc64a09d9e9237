import Autograd

/// The number parsers, `Rational(_:)` and `BigFloat(_:precision:)`, on any
/// text, and the promises their values make.
///
/// The input is text; each of its first three lines is parsed by both
/// parsers. A thrown ``ExactError`` is a fine answer; a trap is a finding,
/// and so is a broken promise:
///
/// - a rational prints as a fraction that parses back to itself, and as a
///   decimal within half a unit of its last digit;
/// - its `doubleValue` is the nearest `Double` (the C library's correctly
///   rounded `strtod` of the same text is the judge);
/// - a big float is the text correctly rounded (so it equals the parsed
///   rational rounded), and prints with enough digits to parse back to itself;
/// - the first two rationals obey the field's laws exactly (commutativity,
///   cancellation, trichotomy), and equal values hash alike whichever way
///   they were computed (small dyadic or GMP form).
///
/// ```swift
/// NumberHarness.run(Array("1/3\n-2.5e-3".utf8))   // returns: no promise broken
/// ```
public enum NumberHarness {
    /// The precisions, in bits, each line is parsed at besides 53 and 256.
    static let precisions = [54, 64, 65, 113, 200, 1000, 4096]

    /// Parses the lines of `bytes` and checks every promise.
    public static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", maxSplits: 3, omittingEmptySubsequences: false).prefix(3).map(String.init)
        let extraPrecision = precisions[bytes.reduce(0) { $0 &+ Int($1) } % precisions.count]
        var rationals: [Rational] = []
        for line in lines {
            let rational = checkRational(line)
            if let rational { rationals.append(rational) }
            for precision in [53, 256, extraPrecision] {
                checkBigFloat(line, precision: precision, exact: rational)
            }
        }
        if rationals.count >= 2 { checkFieldLaws(rationals[0], rationals[1]) }
    }

    /// Parses `text` as a rational and checks its printing and rounding.
    static func checkRational(_ text: String) -> Rational? {
        let value: Rational
        do {
            value = try Rational(text)
        } catch {
            guard !error.description.isEmpty else { fuzzFailure("an empty ExactError description for \(quoted(text))") }
            return nil
        }
        // The fraction parses back to the same value, and the decimal is
        // within half a unit of its last digit. (Checked up to a size where
        // printing and parsing stay fast: "1e99999" has 100000 digits.)
        let fraction = value.fractionDescription
        if fraction.utf8.count <= 2000 {
            guard fraction == value.description else { fuzzFailure("description \(value.description) ≠ fractionDescription \(fraction)") }
            guard let reparsed = try? Rational(fraction), reparsed == value else {
                fuzzFailure("\(quoted(text)) prints as \(fraction), which does not parse back to it")
            }
            let digits = 24
            let decimal = value.decimalDescription(digits: digits)
            guard let rounded = try? Rational(decimal) else { fuzzFailure("decimalDescription of \(quoted(text)) is \(quoted(decimal)), not a number") }
            let unit = Rational(1) / power(of: 10, digits)
            guard (rounded - value).magnitude + (rounded - value).magnitude <= unit else {
                fuzzFailure("decimalDescription(digits: \(digits)) of \(fraction) is \(decimal), more than half a unit off")
            }
        }
        // The sign and integrality agree with GMP's view.
        guard value.signum == (value < 0 ? -1 : (value == 0 ? 0 : 1)) else { fuzzFailure("signum of \(fraction) is \(value.signum)") }
        _ = value.isInteger
        // doubleValue is the nearest Double: strtod, which rounds correctly,
        // judges the texts it accepts too.
        let trimmed = text.trimmingWhitespace()
        if let nearest = Double(trimmed), !trimmed.contains(where: { $0 == "x" || $0 == "X" || $0 == "/" }) {
            guard value.doubleValue == nearest else {
                fuzzFailure("Rational(\(quoted(text))).doubleValue is \(value.doubleValue), but the nearest Double is \(nearest)")
            }
        }
        // The small-dyadic fast path and MPFR agree on the rounding (in the
        // normal range: below it a 53-bit big float is rounded twice).
        let throughMPFR = BigFloat(value, precision: 53).doubleValue
        if value.doubleValue != throughMPFR, throughMPFR.isNormal {
            fuzzFailure("Rational(\(quoted(text))).doubleValue is \(value.doubleValue), MPFR rounds it to \(throughMPFR)")
        }
        return value
    }

    /// Parses `text` as a big float of `precision` bits and checks its value
    /// and printing; `exact` is the text parsed as a rational, if it is one.
    static func checkBigFloat(_ text: String, precision: Int, exact: Rational?) {
        let value: BigFloat
        do {
            value = try BigFloat(text, precision: precision)
        } catch {
            guard !error.description.isEmpty else { fuzzFailure("an empty ExactError description for \(quoted(text))") }
            return
        }
        guard value.precision == precision else { fuzzFailure("BigFloat(\(quoted(text)), precision: \(precision)) has precision \(value.precision)") }
        guard !value.isNaN else { fuzzFailure("BigFloat(\(quoted(text))) parsed to NaN") }
        // Correct rounding: the same as rounding the exact rational.
        if let exact {
            let rounded = BigFloat(exact, precision: precision)
            guard rounded == value else {
                fuzzFailure("BigFloat(\(quoted(text)), precision: \(precision)) is \(value.decimalDescription(digits: 40)), but the text rounds to \(rounded.decimalDescription(digits: 40))")
            }
        }
        // Enough digits print a value that parses back to itself.
        let digits = Int((Double(precision) * 0.30103).rounded(.up)) + 2
        let printed = value.decimalDescription(digits: digits)
        guard let reparsed = try? BigFloat(printed, precision: precision), reparsed == value else {
            fuzzFailure("BigFloat(\(quoted(text)), precision: \(precision)) prints as \(printed) with \(digits) digits, which does not parse back to it")
        }
        _ = value.description
        _ = value.doubleValue
        if let rational = value.rationalValue {
            guard BigFloat(rational, precision: precision) == value else {
                fuzzFailure("BigFloat(\(quoted(text)), precision: \(precision)).rationalValue \(rational) is not its value")
            }
        } else if value.isFinite {
            fuzzFailure("BigFloat(\(quoted(text))) is finite but has no rationalValue")
        }
    }

    /// The field's laws on two rationals, exactly, and hashing.
    static func checkFieldLaws(_ a: Rational, _ b: Rational) {
        let context = "a = \(a), b = \(b)"
        let sum = a + b, product = a * b
        guard sum == b + a else { fuzzFailure("a + b ≠ b + a", context: context) }
        guard product == b * a else { fuzzFailure("a · b ≠ b · a", context: context) }
        let back = sum - b
        guard back == a else { fuzzFailure("(a + b) − b = \(back) ≠ a", context: context) }
        guard back.hashValue == a.hashValue else { fuzzFailure("(a + b) − b equals a but hashes differently", context: context) }
        guard a - a == Rational(0), (a - a).signum == 0 else { fuzzFailure("a − a ≠ 0", context: context) }
        guard -(-a) == a else { fuzzFailure("−(−a) ≠ a", context: context) }
        guard a + a == a * Rational(2) else { fuzzFailure("a + a ≠ 2a", context: context) }
        // Trichotomy, and order agreeing with the sign of the difference.
        let less = a < b, greater = b < a, equal = a == b
        guard [less, greater, equal].count(where: { $0 }) == 1 else { fuzzFailure("a < b: \(less), b < a: \(greater), a == b: \(equal)", context: context) }
        let difference = (a - b).signum
        guard difference == (less ? -1 : (greater ? 1 : 0)) else { fuzzFailure("a < b is \(less) but sign(a − b) is \(difference)", context: context) }
        if equal { guard a.hashValue == b.hashValue else { fuzzFailure("a == b but they hash differently", context: context) } }
        if b.signum != 0 {
            guard let quotient = try? a.dividing(by: b) else { fuzzFailure("a.dividing(by: b) threw for b ≠ 0", context: context) }
            guard quotient == a / b else { fuzzFailure("a.dividing(by: b) ≠ a / b", context: context) }
            let restored = quotient * b
            guard restored == a else { fuzzFailure("(a / b) · b = \(restored) ≠ a", context: context) }
            guard restored.hashValue == a.hashValue else { fuzzFailure("(a / b) · b equals a but hashes differently", context: context) }
            guard product / b == a else { fuzzFailure("(a · b) / b ≠ a", context: context) }
        } else {
            do {
                _ = try a.dividing(by: b)
                fuzzFailure("a.dividing(by: 0) did not throw", context: context)
            } catch {
                guard error == .divisionByZero else { fuzzFailure("a.dividing(by: 0) threw \(error)", context: context) }
            }
        }
    }

    /// `base` to the power `exponent` (at least 0).
    static func power(of base: Int, _ exponent: Int) -> Rational {
        (0..<exponent).reduce(Rational(1)) { result, _ in result * Rational(base) }
    }

    /// Text as a Swift string literal would show it, escapes and all.
    static func quoted(_ text: String) -> String {
        text.debugDescription
    }
}

extension String {
    /// The text without leading and trailing whitespace, as the parsers trim it.
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
