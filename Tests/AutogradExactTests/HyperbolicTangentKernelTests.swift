import AutogradCore
import AutogradExact
import Foundation
import Testing

/// The Double tanh kernel against MPFR at 200 bits: its error in ULPs of the
/// correctly rounded result, on a seeded sample of the whole range and at
/// the points where its formula changes.
@Suite struct HyperbolicTangentKernelTests {
    /// |computed − truth| in ULPs of the truth rounded to a Double.
    static func ulps(_ computed: Double, _ truth: BigFloat) -> Double {
        let rounded = truth.doubleValue
        let unit = rounded == 0 ? Double.leastNonzeroMagnitude : rounded.ulp
        return (BigFloat(computed, precision: 200) - truth).magnitude.doubleValue / unit
    }

    static func sample() -> [Double] {
        var generator = SeededGenerator(seed: 8)
        let uniform = (0..<10_000).map { _ in (generator.nextUnit() * 2 - 1) * 1.2 }
        let wide = (0..<6_000).map { _ in (generator.nextUnit() * 2 - 1) * 25 }
        let tiny = (0..<2_000).map { _ in (generator.nextUnit() * 2 - 1) * 1e-6 }
        let edges = [0.55, 0.55.nextDown, 0.55.nextUp, -0.55, 1e-300, 5e-324, 19.1, 354, 373, 800]
        return uniform + wide + tiny + edges
    }

    @Test func tanhIsWithinOneAndAHalfULP() {
        var worst = (error: 0.0, at: 0.0)
        for x in Self.sample() {
            let error = Self.ulps(HyperbolicTangentKernel.tanh(x), BigFloat.tanh(BigFloat(x, precision: 200)))
            if error > worst.error { worst = (error, x) }
        }
        #expect(worst.error <= 1.5, "\(worst.error) ULP at x = \(worst.at)")
    }

    @Test func theDerivativeIsWithinFourULP() {
        var worst = (error: 0.0, at: 0.0)
        for x in Self.sample() {
            let big = BigFloat(x, precision: 200)
            let reciprocal = 1 / BigFloat.cosh(big)
            let error = Self.ulps(HyperbolicTangentKernel.derivative(x), reciprocal * reciprocal)
            if error > worst.error { worst = (error, x) }
        }
        #expect(worst.error <= 4, "\(worst.error) ULP at x = \(worst.at)")
    }

    @Test func signsZerosAndNaNAreKept() {
        #expect(HyperbolicTangentKernel.tanh(-0.0).sign == .minus && HyperbolicTangentKernel.tanh(0) == 0)
        #expect(HyperbolicTangentKernel.tanh(.infinity) == 1 && HyperbolicTangentKernel.tanh(-.infinity) == -1)
        #expect(HyperbolicTangentKernel.tanh(.nan).isNaN && HyperbolicTangentKernel.derivative(.nan).isNaN)
        #expect(HyperbolicTangentKernel.derivative(0) == 1 && HyperbolicTangentKernel.derivative(.infinity) == 0)
        #expect(HyperbolicTangentKernel.tanh(-3) == -HyperbolicTangentKernel.tanh(3))
    }
}
