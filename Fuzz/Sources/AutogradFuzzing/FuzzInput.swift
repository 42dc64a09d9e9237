/// The bytes of one fuzz input, read front to back as the decisions of a
/// harness: which op, which operand, which value.
///
/// Reading past the end gives zeros, so every input, however short, decodes
/// to something; libFuzzer's mutations of a byte then change one decision.
///
/// ```swift
/// var input = FuzzInput([3, 200])
/// input.choose(below: 2)   // 1 (3 % 2)
/// input.byte()             // 200
/// input.byte()             // 0: past the end
/// ```
public struct FuzzInput {
    /// The bytes not read yet.
    public private(set) var remaining: ArraySlice<UInt8>

    /// An input of these bytes.
    public init<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        remaining = ArraySlice(bytes)
    }

    /// Whether every byte has been read.
    public var isExhausted: Bool { remaining.isEmpty }

    /// The next byte, or 0 past the end.
    public mutating func byte() -> UInt8 {
        remaining.popFirst() ?? 0
    }

    /// A number from 0 to `count − 1` (0 when `count` is at most 1).
    public mutating func choose(below count: Int) -> Int {
        count <= 1 ? 0 : Int(byte()) % count
    }

    /// One of `choices`, which must not be empty.
    public mutating func choose<Element>(from choices: [Element]) -> Element {
        choices[choose(below: choices.count)]
    }

    /// A coin flip: the low bit of the next byte.
    public mutating func flag() -> Bool {
        byte() & 1 == 1
    }

    /// The next eight bytes, little-endian.
    public mutating func word() -> UInt64 {
        (0..<8).reduce(0) { word, shift in word | UInt64(byte()) << (8 * shift) }
    }

    /// A `Double` from one byte, rarely more: mostly small dyadic values
    /// (exact in every strategy), then the values where floating point and
    /// the elementary functions are delicate (subnormals, overflow
    /// thresholds, huge arguments), then any bit pattern, NaN and infinities
    /// included, read from the next eight bytes.
    public mutating func double() -> Double {
        let selector = byte()
        switch selector {
        case 0..<160:
            return (Double(selector % 40) - 20) / 4            // -5 ... 4.75 in quarters
        case 160..<250:
            return FuzzInput.specialValues[Int(selector - 160) % FuzzInput.specialValues.count]
        case 250, 251:
            return Double(bitPattern: word())
        case 252: return .infinity
        case 253: return -.infinity
        case 254: return .nan
        default: return -0.0
        }
    }

    /// The delicate values that ``double()`` picks from.
    static let specialValues: [Double] = [
        0.1, -0.1, 1.0 / 3, -2.0 / 3, .pi, -.pi, .pi / 2, 1e-8, -1e-8, 1e8, -1e8,
        .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, -.leastNormalMagnitude,
        .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e-300, -1e-300, 1e300, -1e300,
        709.782712893384, 710, -745.1332191019411, -746, 36, -36, 19.5, -20,
        1 + .ulpOfOne, 1 - .ulpOfOne / 2, -1 - .ulpOfOne, 0.5 + .ulpOfOne, .ulpOfOne, -.ulpOfOne,
        1e16, 0x1p53 + 2, 3.0e-162, 1.5e154, 2.5, 7, -0.75, 1024, 0x1.8p-1063,
        .leastNonzeroMagnitude * 3, 100, -100, 1e22, 123456.789, -0.001, 0.999, 1.001, 8.5, -1.5, 0.3,
        1.0 / 1024, -1.0 / 4096, 65504, 1e-5, 3e5, -7.25, 0x1.2p-1030, 0.7, -0.2,
        1.0e-200, -1.0e200, 6.2831853071795862, 31.4, -2.1e-15, 4.0e15, 0.25,
        1e-100, 1e100, -1e-150, 12345678901234567890.0, 2.9e-4, 1.0e-3, 0.125,
        1e200, 2e-16,
    ]
}

/// Stops the process: a harness found an input that breaks a promise the
/// library makes (a trap, a wrong shape, a gradient that should equal
/// another). libFuzzer then saves the input as a `crash-...` file.
///
/// `context` is printed before the message: the decoded program, say, so the
/// crash log reads as a reproduction.
public func fuzzFailure(_ message: String, context: @autoclosure () -> String = "", file: StaticString = #fileID, line: UInt = #line) -> Never {
    let context = context()
    fatalError("fuzz finding: " + message + (context.isEmpty ? "" : "\n" + context), file: file, line: line)
}
