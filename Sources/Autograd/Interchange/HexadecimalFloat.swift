import Foundation

/// Doubles written exactly, in C's hexadecimal notation (`0x1.8p+1` is 3),
/// as the interchange format writes every floating-point number.
///
/// ```swift
/// HexadecimalFloat.text(0.1)            // "0x1.999999999999ap-4"
/// HexadecimalFloat.parse("0x1.8p+1")    // 3.0
/// HexadecimalFloat.parse("0.1")         // nil: decimal is refused
/// ```
enum HexadecimalFloat {
    /// The exact value of `text`: a hexadecimal floating-point literal with
    /// an optional sign (`-0x1p-1074`), or `inf`, `-inf`, `nan`; `nil` for
    /// anything else, decimal included.
    static func parse(_ text: String) -> Double? {
        switch text {
        case "inf", "+inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan", "-nan": return .nan
        default: break
        }
        let body = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard body.lowercased().hasPrefix("0x"), body.dropFirst(2).allSatisfy({ $0.isHexDigit || ".pP+-".contains($0) }) else {
            return nil
        }
        // A literal too large for a double is not its exact value.
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// `value` in hexadecimal notation, exactly: `%a`'s form (`0x1.8p+1`),
    /// and `inf`, `-inf`, `nan`, as Python's `float.hex()` writes them.
    static func text(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return String(format: "%a", value)
    }
}
