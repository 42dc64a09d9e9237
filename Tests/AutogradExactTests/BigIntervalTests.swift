import AutogradCore
import AutogradExact
import Foundation
import Testing

/// MPFI intervals: rigorous enclosures of arithmetic and elementary functions,
/// the correctly rounded `Double` they prove (Ziv's test), precision, and NaN
/// or unbounded results (never a crash) outside a function's domain.
@Suite struct BigIntervalTests {
    /// `value` computed by MPFR at 1024 bits: a reference far narrower than
    /// the intervals under test.
    func reference(_ value: (BigFloat) -> BigFloat, at x: Double) -> BigFloat {
        BigFloat.$defaultPrecision.withValue(1024) { value(BigFloat(x)) }
    }

    func interval(_ lower: Double, _ upper: Double) -> BigInterval {
        BigInterval(lower: BigFloat(lower), upper: BigFloat(upper))
    }

    @Test func pointsAndEndpoints() throws {
        let half = BigInterval(0.5)
        #expect(half.isPoint && !half.isNaN && !half.containsZero && !half.isZero)
        #expect(half.lower == BigFloat(0.5) && half.upper == BigFloat(0.5))
        #expect(half.description == "[5.0000000000000000e-1, 5.0000000000000000e-1]")
        #expect(BigInterval(Int.max, precision: 64).upper.rationalValue == Rational(Int.max))
        let unit = interval(1, 2)
        #expect(unit.midpoint == BigFloat(1.5) && unit.diameter == BigFloat(1) && unit.radius == BigFloat(0.5))
        #expect(!unit.isPoint && unit.isBounded)
        // Endpoints given in the wrong order are swapped, as MPFI does.
        #expect(interval(2, 1) == unit)
        #expect(BigInterval(BigFloat.sqrt(2)).isPoint)
    }

    @Test func aRationalIsEnclosedRigorously() throws {
        let third = try Rational("1/3")
        let enclosure = BigInterval(third, precision: 64)
        #expect(!enclosure.isPoint)
        #expect(try #require(enclosure.lower.rationalValue) < third)
        #expect(third < (try #require(enclosure.upper.rationalValue)))
        #expect(enclosure.roundedDouble == 1.0 / 3)
        #expect(BigInterval(try Rational("3/4")).isPoint)
    }

    @Test func precisionIsHonoured() {
        #expect(BigInterval(1.5).precision == 256)
        let wide = BigFloat.$defaultPrecision.withValue(1024) { BigInterval.exp(BigInterval(1)) }
        #expect(wide.precision == 1024 && wide.lower.precision == 1024 && wide.midpoint.precision == 1024)
        #expect((wide + BigInterval(1.0, precision: 64)).precision == 1024)
        #expect(BigInterval.pow(wide, BigInterval(2, precision: 64)).precision == 1024)
        #expect(BigInterval.pow(wide, 3).precision == 1024 && BigInterval.root(wide, 5).precision == 1024)
    }

    @Test func elementaryFunctionsEncloseTheTrueValue() {
        let cases: [(String, (BigInterval) -> BigInterval, (BigFloat) -> BigFloat, Double)] = [
            ("exp", { .exp($0) }, { .exp($0) }, 1),
            ("expm1", { .expMinusOne($0) }, { .expMinusOne($0) }, 1e-20),
            ("log", { .log($0) }, { .log($0) }, 3.5),
            ("log1p", { .log(onePlus: $0) }, { .log(onePlus: $0) }, 1e-20),
            ("sin", { .sin($0) }, { .sin($0) }, 0.7),
            ("sin of a large argument", { .sin($0) }, { .sin($0) }, 1e22),
            ("cos", { .cos($0) }, { .cos($0) }, 1e22),
            ("tan", { .tan($0) }, { .tan($0) }, 1.5),
            ("sinh", { .sinh($0) }, { .sinh($0) }, -2),
            ("cosh", { .cosh($0) }, { .cosh($0) }, 3),
            ("tanh", { .tanh($0) }, { .tanh($0) }, 0.3),
            ("asin", { .asin($0) }, { .asin($0) }, 0.3),
            ("acos", { .acos($0) }, { .acos($0) }, -0.3),
            ("atan", { .atan($0) }, { .atan($0) }, 2),
            ("asinh", { .asinh($0) }, { .asinh($0) }, 2),
            ("acosh", { .acosh($0) }, { .acosh($0) }, 2),
            ("atanh", { .atanh($0) }, { .atanh($0) }, 0.5),
            ("sqrt", { .sqrt($0) }, { .sqrt($0) }, 2),
            ("pow", { .pow($0, BigInterval(0.3)) }, { .pow($0, BigFloat(0.3)) }, 2.5),
            ("root", { .root($0, 5) }, { .root($0, 5) }, 7),
            ("reciprocal", { $0.reciprocal! }, { 1 / $0 }, 3),
        ]
        for (name, enclose, exact, x) in cases {
            let enclosure = enclose(BigInterval(x))
            let truth = reference(exact, at: x)
            #expect(enclosure.contains(truth), "\(name)(\(x)): \(enclosure) misses \(truth.decimalDescription(digits: 20))")
            #expect(enclosure.roundedDouble == truth.doubleValue, "\(name)(\(x))")
            #expect(enclosure.diameter < BigFloat(0x1p-240) * (truth.magnitude + BigFloat(0x1p-1000)), "\(name)(\(x))")
        }
        #expect(BigInterval.exp(BigInterval(1)).contains(reference({ .exp($0) }, at: 1)))
        #expect(BigInterval.exp(BigInterval(1)).roundedDouble == 2.718281828459045)
        // sin(10²²), the classic argument-reduction test.
        #expect(BigInterval.sin(BigInterval(1e22)).roundedDouble == -0.8522008497671888)
    }

    @Test func tanhOfALargeArgumentRoundsToOne() {
        let t = BigInterval.tanh(BigInterval(800))
        #expect(t.upper <= BigFloat(1) && t.lower < BigFloat(1))
        #expect(t.roundedDouble == 1)
    }

    @Test func logOfASubnormal() {
        let tiny = Double.leastNonzeroMagnitude
        let enclosure = BigInterval.log(BigInterval(tiny))
        #expect(enclosure.contains(reference({ .log($0) }, at: tiny)))
        #expect(enclosure.roundedDouble == reference({ .log($0) }, at: tiny).doubleValue)
        #expect(enclosure.roundedDouble == Foundation.log(tiny))
    }

    @Test func roundedDoubleIsNilAcrossARoundingBoundaryOrZero() {
        // Halfway between 1 and its successor: a tie, which rounds to even (1).
        let halfway = BigFloat(1) + BigFloat(0x1p-53)
        #expect(BigInterval(halfway).roundedDouble == 1)
        let epsilon = BigFloat(0x1p-100)
        #expect(BigInterval(lower: halfway - epsilon, upper: halfway + epsilon).roundedDouble == nil)
        #expect(BigInterval(lower: halfway + epsilon, upper: halfway + epsilon + epsilon).roundedDouble == 1.0.nextUp)
        // Across zero, the sign of the rounded zero is not decided.
        let tiny = BigFloat(0x1p-550) * BigFloat(0x1p-550)   // 2^-1100, far below the subnormals
        #expect(BigInterval(lower: -tiny, upper: tiny).roundedDouble == nil)
        #expect(BigInterval(lower: BigFloat(0), upper: tiny).roundedDouble == nil)
        #expect(BigInterval(0).roundedDouble?.sign == .plus && BigInterval(0).roundedDouble == 0)
        #expect((BigInterval(2) - BigInterval(2)).isZero)
        #expect(BigInterval(0).description == "[0.0000000000000000e0, 0.0000000000000000e0]")
        #expect(BigInterval(0).upper.doubleValue.sign == .plus)
        // Entirely on one side of zero, a value below the subnormals rounds to a signed zero.
        let positive = BigInterval(lower: tiny, upper: tiny + tiny).roundedDouble
        #expect(positive == 0 && positive?.sign == .plus)
        let negative = BigInterval(lower: -tiny - tiny, upper: -tiny).roundedDouble
        #expect(negative == 0 && negative?.sign == .minus)
        // Past the largest Double both endpoints round to infinity, as exp(1000) does.
        #expect(BigInterval.exp(BigInterval(1000)).roundedDouble == .infinity)
        #expect(BigInterval.log(BigInterval(-1)).roundedDouble == nil)
    }

    /// Ziv's strategy: raising the precision narrows the enclosure until it
    /// rounds to one Double.
    @Test func raisingThePrecisionNarrowsTheEnclosure() {
        let e = reference({ .exp($0) }, at: 1)
        var previous: BigInterval?
        for precision in [53, 64, 128, 256] {
            let enclosure = BigFloat.$defaultPrecision.withValue(precision) { BigInterval.exp(BigInterval(1)) }
            #expect(enclosure.contains(e), "at \(precision) bits")
            if let previous { #expect(enclosure.diameter < previous.diameter, "at \(precision) bits") }
            previous = enclosure
        }
        #expect(BigFloat.$defaultPrecision.withValue(53) { BigInterval.exp(BigInterval(1)) }.roundedDouble == nil)
        var precision = 53
        var rounded: Double?
        while rounded == nil {
            precision *= 2
            rounded = BigFloat.$defaultPrecision.withValue(precision) { BigInterval.sin(BigInterval(1e22)).roundedDouble }
        }
        #expect(rounded == reference({ .sin($0) }, at: 1e22).doubleValue)
    }

    @Test func divisionByAnIntervalContainingZeroDoesNotCrash() {
        let across = BigInterval(1) / interval(-1, 1)
        #expect(!across.isBounded && across.roundedDouble == nil)
        let touching = BigInterval(1) / interval(0, 2)
        #expect(touching.lower == BigFloat(0.5) && !touching.isBounded && touching.roundedDouble == nil)
        let byZero = BigInterval(1) / BigInterval(0)
        #expect(!byZero.isBounded && byZero.roundedDouble == nil)
        let zeroByZero = BigInterval(0) / BigInterval(0)
        #expect(zeroByZero.isNaN && zeroByZero.roundedDouble == nil)
        #expect(interval(-1, 1).reciprocal == nil && BigInterval(0).reciprocal == nil)
        #expect(BigInterval.pow(interval(-1, 1), -1).roundedDouble == nil)
    }

    @Test func outsideTheDomainIsNaN() {
        #expect(BigInterval.log(BigInterval(-1)).isNaN)
        #expect(BigInterval.sqrt(interval(-1, 4)).isNaN)
        #expect(BigInterval.root(interval(-1, 16), 4).isNaN)
        #expect(BigInterval.asin(BigInterval(2)).isNaN)
        #expect(BigInterval.pow(BigInterval(-2), BigInterval(2)).isNaN)
        #expect(BigInterval.log(BigInterval(-1)).containsZero)
        #expect(!(BigInterval.log(BigInterval(-1)) == BigInterval.log(BigInterval(-1))))
    }

    @Test func powersAndRootsAreTight() {
        #expect(BigInterval.pow(interval(-1, 2), 3) == interval(-1, 8))
        #expect(BigInterval.pow(interval(-1, 2), 2) == interval(0, 4))
        #expect(BigInterval.pow(interval(-3, -2), 2) == interval(4, 9))
        #expect(BigInterval.pow(BigInterval(2), -2) == BigInterval(0.25))
        #expect(BigInterval.pow(BigInterval(7), 0) == BigInterval(1))
        #expect(BigInterval.pow(BigInterval.log(BigInterval(-1)), 0).isNaN)
        #expect(BigInterval.root(BigInterval(-27), 3) == BigInterval(-3))
        #expect(BigInterval.root(BigInterval(16), 4) == BigInterval(2))
        #expect(BigInterval.root(BigInterval(16), -4) == BigInterval(0.5))
        #expect(BigInterval.root(BigInterval(-32), 5) == BigInterval(-2))
        #expect(BigInterval.root(BigInterval(2), 0).isNaN)
        #expect(BigInterval.pow(BigInterval(2), BigInterval(0.5)).contains(reference({ .sqrt($0) }, at: 2)))
        #expect(BigInterval.pow(BigInterval(0), BigInterval(2)).isZero)
        // 3^39 (beyond 2^53) is exact at 256 bits.
        #expect(BigInterval.pow(BigInterval(3), 39) == BigInterval(4_052_555_153_018_976_267))
    }

    @Test func comparisonIsByMidpointAndEqualityByEndpoints() {
        #expect(interval(0, 3) < BigInterval(2))
        #expect(BigInterval(1) < BigInterval(2) && !(BigInterval(2) < BigInterval(1)))
        #expect(BigInterval(0.75, precision: 64) == BigInterval(0.75, precision: 512))
        #expect(interval(0, 2) != BigInterval(1))
        #expect((interval(1, 2) - interval(0, 3)).containsZero)
        #expect(interval(-2, 1).magnitude == interval(0, 2))
    }

    @Test func copiesAreIndependent() {
        let x = BigInterval(1.5)
        var y = x
        y += BigInterval(1)
        y *= BigInterval(2)
        #expect(x == BigInterval(1.5) && y == BigInterval(5))
        var z = y
        z = -z
        #expect(y == BigInterval(5) && z == BigInterval(-5))
        let literal: BigInterval = 3
        #expect(literal == BigInterval(3) && BigInterval(exactly: 7 as UInt8) == BigInterval(7))
        #expect(BigInterval(exactly: UInt64.max) == nil)
    }

    @Test func dualNumbersOverIntervalsEncloseDerivatives() {
        let exp = derivative(at: BigInterval(0.5)) { Dual.exp($0) }
        #expect(exp.contains(reference({ .exp($0) }, at: 0.5)))
        #expect(exp.roundedDouble == Foundation.exp(0.5))
        // d/dx tanh(x²) = 2x / cosh²(x²).
        let tanh = derivative(at: BigInterval(0.75)) { x in Dual.tanh(x * x) }
        let truth = reference({ x in 2 * x / (BigFloat.cosh(x * x) * BigFloat.cosh(x * x)) }, at: 0.75)
        #expect(tanh.contains(truth))
        #expect(tanh.roundedDouble == truth.doubleValue)
        // d/dx x^y at x = 2, y = 3 is 12, through exp(y log x).
        let power = derivative(at: BigInterval(2)) { x in Dual.pow(x, Dual(constant: BigInterval(3))) }
        #expect(power.contains(BigFloat(12)) && power.roundedDouble == 12)
    }
}
