import RealModule

/// A fast, seedable random number generator (xoshiro256**, seeded through
/// SplitMix64), so that random tensors are reproducible.
///
/// ```swift
/// var generator = SeededGenerator(seed: 42)
/// let x = Tensor.rand(3, 7, using: &generator)
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose sequence is determined by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    public mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = state.3 << 45 | state.3 >> 19
        return result
    }

    /// A `Double` uniform in [0, 1), with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A standard normal `Double` (Box–Muller).
    public mutating func nextNormal() -> Double {
        let u1 = 1 - nextUnit()   // in (0, 1]
        let u2 = nextUnit()
        return (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * .pi * u2)
    }
}

/// The generator that `Tensor.rand` and `Tensor.randn` use when none is given.
enum DefaultGenerator {
    static let shared = Lock(SeededGenerator(seed: UInt64.random(in: .min ... .max)))
}

extension Tensor {
    /// Reseeds the default generator, like `torch.manual_seed`, so that the
    /// following `rand` and `randn` calls are reproducible.
    ///
    /// ```swift
    /// Tensor.manualSeed(0)
    /// let x = Tensor.rand(3, 7)   // the same values on every run
    /// ```
    public static func manualSeed(_ seed: UInt64) {
        DefaultGenerator.shared.withLock { $0 = SeededGenerator(seed: seed) }
    }
}
