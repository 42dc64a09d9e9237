import AutogradCore
import AutogradExact
import Foundation
import Testing

/// MPFR big floats: precision, correctly rounded arithmetic and functions,
/// conversions, and NaN (never a crash) outside a function's domain.
@Suite struct BigFloatTests {
    @Test func precisionIsPerValueAndDefaultsTo256Bits() {
        #expect(BigFloat(1.5).precision == 256)
        let wide = BigFloat.$defaultPrecision.withValue(1024) { BigFloat.exp(BigFloat(1)) }
        #expect(wide.precision == 1024)
        #expect((wide + BigFloat(1.0, precision: 64)).precision == 1024)
    }

    @Test func arithmeticAtHighPrecision() throws {
        let two = BigFloat(2)
        let root = BigFloat.sqrt(two)
        let error = (root * root - two).magnitude
        #expect(error < BigFloat(0x1p-250))
        #expect(root.decimalDescription(digits: 30) == "1.41421356237309504880168872421e0")
        // 0.1 + 0.2 in 256 bits is 0.3 to far beyond Double's precision.
        let sum = try BigFloat("0.1") + BigFloat("0.2")
        let threeTenths = try BigFloat("0.3")
        #expect((sum - threeTenths).magnitude < BigFloat(0x1p-250))
    }

    @Test func elementaryFunctionsAgreeWithDoubleToHalfAnUlpOrSo() {
        let cases: [(String, (BigFloat) -> BigFloat, (Double) -> Double, Double)] = [
            ("exp", { BigFloat.exp($0) }, { Foundation.exp($0) }, 1.25),
            ("log", { BigFloat.log($0) }, { Foundation.log($0) }, 3.5),
            ("sin", { BigFloat.sin($0) }, { Foundation.sin($0) }, 0.7),
            ("cos", { BigFloat.cos($0) }, { Foundation.cos($0) }, 0.7),
            ("tanh", { BigFloat.tanh($0) }, { Foundation.tanh($0) }, 0.3),
            ("atan", { BigFloat.atan($0) }, { Foundation.atan($0) }, 2),
            ("sqrt", { BigFloat.sqrt($0) }, { Foundation.sqrt($0) }, 2),
            ("expm1", { BigFloat.expMinusOne($0) }, { Foundation.expm1($0) }, 1e-5),
        ]
        for (name, big, double, x) in cases {
            let exact = big(BigFloat(x)).doubleValue
            #expect(abs(exact - double(x)) <= double(x).ulp, "\(name)(\(x)): \(exact) vs \(double(x))")
        }
        #expect(BigFloat.pow(BigFloat(2), 10).doubleValue == 1024)
        #expect(BigFloat.pow(BigFloat(2), BigFloat(0.5)).doubleValue == 2.0.squareRoot())
        #expect(BigFloat.root(BigFloat(27), 3).doubleValue == 3)
    }

    /// MPFR aborts on a precision it cannot take, and 1 bit gives e ≈ 2:
    /// both trap with a message naming the accepted range instead.
    @Test func aPrecisionOutsideTheRangeTrapsWithAMessage() async {
        let zero = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = BigFloat(1.5, precision: 0)
        }
        let one = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = BigFloat.$defaultPrecision.withValue(1) { BigFloat.exp(BigFloat(1)) }
        }
        let huge = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = BigFloat.$defaultPrecision.withValue(Int.max) { BigInterval(1.5) }
        }
        let messages = [zero, one, huge].map { String(decoding: $0?.standardErrorContent ?? [], as: UTF8.self) }
        #expect(messages[0].contains("BigFloat: a precision of 0 bits is outside 53...65536"))
        #expect(messages[1].contains("BigFloat: a precision of 1 bits is outside 53...65536"))
        #expect(messages[2].contains("BigInterval: a precision of \(Int.max) bits is outside 53...65536"))
        #expect(BigFloat(1.5, precision: 53).precision == 53 && BigFloat(1.5, precision: 65_536).precision == 65_536)
    }

    @Test func outsideTheDomainIsNaNNotACrash() {
        #expect(BigFloat.log(BigFloat(-1)).isNaN)
        #expect(BigFloat.sqrt(BigFloat(-4)).isNaN)
        #expect(BigFloat.log(BigFloat(0)).decimalDescription(digits: 5) == "-inf")
        #expect((BigFloat(1) / BigFloat(0)).decimalDescription(digits: 5) == "inf")
        #expect(BigFloat.log(BigFloat(-1)).rationalValue == nil)
    }

    @Test func conversions() throws {
        #expect(BigFloat(0.1).doubleValue == 0.1)
        #expect(try BigFloat(Rational("1/3")).doubleValue == 1.0 / 3)
        let tenth = try Rational(exactly: 0.1)
        #expect(BigFloat(0.1).rationalValue == tenth)
        #expect(try BigFloat("-2.5e-3").doubleValue == -2.5e-3)
        #expect(BigFloat(Int.max).rationalValue == Rational(Int.max))
    }

    @Test(arguments: ["", "abc", "1.2.3", "1e", "0x"])
    func malformedStringsThrow(_ text: String) {
        #expect(throws: ExactError.malformedBigFloat(text)) { try BigFloat(text) }
    }

    @Test func equalValuesOfDifferentPrecisionsAreEqualAndHashAlike() {
        let a = BigFloat(0.75, precision: 64), b = BigFloat(0.75, precision: 512)
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(BigFloat(1) < BigFloat(2) && !(BigFloat.log(BigFloat(-1)) == BigFloat.log(BigFloat(-1))))
    }

    /// A graph with elementary functions replays over big floats.
    @Test func aGraphWithExpAndTanhReplaysOverBigFloats() throws {
        let x = Tensor([0.5, -1.5, 2], requiresGrad: true)
        let y = (x.exp() * x.tanh()).sum()
        let gradient: [TensorValue<BigFloat>] = try RecordedGraph(y).gradient(withRespectTo: [x]) {
            $0.value.map { BigFloat($0) }
        }
        let reverse = try ReverseMode().gradient(of: y, withRespectTo: [x])[0]
        for (big, double) in zip(gradient[0].scalars, reverse.scalars) {
            #expect(abs(big.doubleValue - double) <= 4 * double.ulp)
        }
    }

    /// Threads that use MPFR's elementary functions and then end leave
    /// nothing behind: MPFR's per-thread caches are freed as each exits
    /// (scripts/check-leaks.sh runs this under LeakSanitizer, which reports
    /// them otherwise), and freeing them does not disturb the values other
    /// threads compute.
    @Test func threadsThatEndFreeTheirMPFRCaches() throws {
        let e = "2.71828182845904523536028747135e0"
        let finished = DispatchSemaphore(value: 0)
        let results = Lock([String]())
        let threadCount = 4
        for index in 0..<threadCount {
            let thread = Thread {
                // exp, sin and log fill MPFR's caches and pool on this thread.
                let x = BigFloat(Double(index) + 1)
                let roundTrip = BigFloat.exp(BigFloat.log(x)) - x + BigFloat.sin(BigInterval.sin(BigInterval(0.5)).midpoint)
                let e = BigFloat.exp(roundTrip - roundTrip + 1).decimalDescription(digits: 30)
                results.withLock { $0.append(e) }
                finished.signal()
            }
            thread.start()
        }
        for _ in 0..<threadCount { finished.wait() }
        #expect(results.withLock { $0 } == Array(repeating: e, count: threadCount))
        #expect(BigFloat.exp(BigFloat(1)).decimalDescription(digits: 30) == e)
    }
}
