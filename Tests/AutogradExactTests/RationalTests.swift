import AutogradCore
import AutogradExact
import Foundation
import Testing

/// GMP rationals: exact arithmetic, conversions both ways, parsing, and every
/// bad input as a clear error rather than a GMP abort.
@Suite struct RationalTests {
    @Test func arithmeticIsExact() throws {
        let third = try Rational("1/3")
        #expect(third + third + third == 1)
        #expect(try Rational("3/4") * Rational("2/3") == Rational("1/2"))
        #expect(try Rational("1/2") - Rational("3/4") == Rational("-1/4"))
        #expect(Rational(1) / Rational(3) == third)
        #expect((-third).description == "-1/3" && third.magnitude == third)
        #expect(try Rational(numerator: 6, denominator: -8).description == "-3/4")
    }

    @Test func everyDoubleConvertsExactlyAndRoundsBack() throws {
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<1000 {
            let x = Double(bitPattern: generator.next())
            guard x.isFinite else { continue }
            #expect(try Rational(exactly: x).doubleValue == x)
        }
        #expect(try Rational(exactly: 0.1).description == "3602879701896397/36028797018963968")
        #expect(try Rational(exactly: -0.0) == 0)
        #expect(try Rational(exactly: .leastNonzeroMagnitude).doubleValue == .leastNonzeroMagnitude)
    }

    /// GMP's own mpq_get_d truncates; the conversion here rounds to nearest.
    @Test func conversionRoundsToNearest() throws {
        #expect(try Rational("1/3").doubleValue == 1.0 / 3)
        #expect(try Rational("2/3").doubleValue == 2.0 / 3)
        #expect(try Rational("0.1").doubleValue == 0.1)
        let justBelowTwo = try Rational(exactly: 2.0.nextDown)
        let halfway = (justBelowTwo + 2) / 2   // ties to even: 2
        #expect(halfway.doubleValue == 2)
    }

    /// Near the subnormals the conversion rounds once (fuzzing found a value
    /// just above half the smallest subnormal that became 0): every decimal
    /// here rounds as strtod rounds it, which is correct.
    @Test(arguments: [
        "2.4703282292062328e-324", "2.4703282292062327e-324", "-2.4703282292062328e-324",
        "7.4109846876186982e-324", "7.4109846876186981e-324", "1e-320", "2.2250738585072011e-308",
        "2.2250738585072012e-308", "1.7976931348623158e308", "1.7976931348623159e308", "1e-400",
    ])
    func conversionNearTheSubnormalsAndTheTopRoundsOnce(_ text: String) throws {
        #expect(try Rational(text).doubleValue == Double(text)!)
    }

    @Test func parsing() throws {
        #expect(try Rational("3/4").description == "3/4")
        #expect(try Rational(" -12 ").description == "-12")
        #expect(try Rational("0.1").description == "1/10")
        #expect(try Rational("-2.5e-3").description == "-1/400")
        #expect(try Rational("1E3").description == "1000")
        #expect(try Rational(".5").description == "1/2")
        #expect(try Rational("6/4").description == "3/2")
    }

    @Test(arguments: ["", "abc", "1/2/3", "1/", "/2", "1.2.3", "1e", "--1", "0x10", "3/0", "1e999999"])
    func malformedStringsThrow(_ text: String) {
        #expect(throws: ExactError.self) { try Rational(text) }
    }

    @Test func badInputIsATypedError() throws {
        #expect(throws: ExactError.notFinite(.infinity)) { try Rational(exactly: .infinity) }
        #expect(throws: ExactError.self) { try Rational(exactly: .nan) }
        #expect(throws: ExactError.divisionByZero) { try Rational(1).dividing(by: 0) }
        #expect(throws: ExactError.divisionByZero) { try Rational(numerator: 1, denominator: 0) }
        #expect(throws: ExactError.zeroDenominator("3/0")) { try Rational("3/0") }
    }

    @Test func divisionByZeroWithTheOperatorTrapsWithAMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Rational(1) / Rational(0)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Rational: division by zero"))
    }

    @Test func decimalsOnRequest() throws {
        #expect(try Rational("2/3").decimalDescription(digits: 4) == "0.6667")
        #expect(try Rational("-1/8").decimalDescription(digits: 2) == "-0.13")
        #expect(try Rational("1/1000").decimalDescription(digits: 2) == "0.00")
        #expect(Rational(42).decimalDescription(digits: 0) == "42")
    }

    @Test func orderAndHashing() throws {
        let values = try ["1/3", "-2", "0.5", "2/6"].map { try Rational($0) }
        #expect(values.sorted().map(\.description) == ["-2", "1/3", "1/3", "1/2"])
        #expect(Set(values).count == 3)
        #expect(values[0].hashValue == values[3].hashValue)
    }

    /// A graph of field ops replays exactly over rationals: the lesson's loss.
    @Test func theLessonLossReplaysExactly() throws {
        var generator = SeededGenerator(seed: 2)
        let real = Tensor.rand([3, 8], using: &generator)
        let predicted = Tensor.rand([3, 8], requiresGrad: true, using: &generator)
        let loss = (predicted - real).pow(2).sum()
        let gradient: [TensorValue<Rational>] = try RecordedGraph(loss).gradient(withRespectTo: [predicted]) {
            try $0.value.map { x throws(ExactError) in try Rational(exactly: x) }
        }
        let exact = try zip(predicted.scalars, real.scalars).map { 2 * (try Rational(exactly: $0) - Rational(exactly: $1)) }
        #expect(gradient[0].scalars == exact)
        // 2·fl(p − r) is the correctly rounded true gradient here.
        #expect(gradient[0].scalars.map(\.doubleValue) == (try ReverseMode().gradient(of: loss, withRespectTo: [predicted])[0]).scalars)
    }
}

/// The dyadic fast path (+, −, × without gcd) gives GMP's canonical results.
@Suite struct DyadicArithmeticTests {
    @Test func dyadicResultsEqualGeneralOnes() throws {
        var generator = SeededGenerator(seed: 8)
        func randomDouble() -> Double {
            let exponent = Int(generator.next() % 200) - 100
            return (generator.nextUnit() * 2 - 1) * Double.pow(2, Double(exponent))
        }
        for _ in 0..<2000 {
            let x = randomDouble(), y = randomDouble()
            let a = try Rational(exactly: x), b = try Rational(exactly: y)
            // Through a non-dyadic detour (·3 then ÷3), the general mpq path.
            let three = Rational(3)
            let sum = a + b, difference = a - b, product = a * b
            #expect(sum == (a * three + b * three) / three)
            #expect(difference.description == ((a * three - b * three) / three).description)
            #expect(product.description == ((a * three) * b / three).description)
            #expect(sum.doubleValue == x + y || !(x + y).isFinite)
        }
        #expect((try Rational("3/4") + Rational("1/4")).description == "1")
        #expect((try Rational("3/4") - Rational("3/4")).description == "0")
        #expect((try Rational("1/3") + Rational("1/4")).description == "7/12")
        #expect((Rational(6) * (try Rational("1/4"))).description == "3/2")
    }
}

/// Values near the edge of the machine-word representation are equal and hash
/// alike whichever way they were computed.
@Suite struct SmallDyadicEdgeTests {
    @Test func valuesAroundTwoToThe126AreCanonical() throws {
        let big = Rational(1 << 62) * Rational(1 << 62) * Rational(4)        // 2^126: past the small bound
        let viaGMP = try Rational("85070591730234615865843651857942052864")  // 2^126, parsed through GMP
        #expect(big == viaGMP && big.hashValue == viaGMP.hashValue)
        let justBelow = big - 1
        let parsedBelow = try Rational("85070591730234615865843651857942052863")
        #expect(justBelow == parsedBelow && justBelow.hashValue == parsedBelow.hashValue)
        #expect(justBelow + 1 == big && (justBelow + 1).hashValue == big.hashValue)
        #expect((-big) * (-big) == big * big)
        #expect((big * big).description == "7237005577332262213973186563042994240829374041602535252466099000494570602496")
    }
}
