import AutogradCore
import Foundation
import Testing

/// Dual numbers: the differentiation rules, every elementary function, nesting
/// without perturbation confusion, and replaying a recorded graph.
@Suite struct DualTests {
    /// |a − b| ≤ 4 ulp of b, or both NaN.
    static func close(_ a: Double, _ b: Double, ulps: Double = 4) -> Bool {
        a == b || (a.isNaN && b.isNaN) || abs(a - b) <= ulps * b.ulp
    }

    @Test func fieldRules() {
        let x = Dual(3.0, tangent: 1), y = Dual(-2.0, tangent: 0.5)
        let product = x * y, quotient = x / y, sum = x + y, difference = x - y
        #expect(product.value == -6 && product.tangent == 1 * -2 + 3 * 0.5)
        #expect(quotient.value == -1.5 && quotient.tangent == (1 - (-1.5) * 0.5) / -2)
        #expect(sum.tangent == 1.5 && difference.tangent == 0.5 && (-x).tangent == -1)
        #expect(Dual(-2.0, tangent: 1).magnitude.tangent == -1)
        #expect((x + 1).tangent == 1 && (2 * x).tangent == 2)
    }

    /// One elementary function, its derivative's formula, and where to test it.
    struct ElementaryCase: Sendable, CustomTestStringConvertible {
        let name: String
        let function: @Sendable (Dual<Double>) -> Dual<Double>
        let formula: @Sendable (Double) -> Double
        let points: [Double]
        var testDescription: String { name }

        init(
            _ name: String, _ points: [Double],
            _ function: @escaping @Sendable (Dual<Double>) -> Dual<Double>,
            _ formula: @escaping @Sendable (Double) -> Double
        ) {
            self.name = name
            self.function = function
            self.formula = formula
            self.points = points
        }
    }

    static let elementaryCases: [ElementaryCase] = [
        ElementaryCase("exp", [-3, 0.5, 10], { Dual.exp($0) }, { exp($0) }),
        ElementaryCase("expMinusOne", [-1e-3, 0.7], { Dual.expMinusOne($0) }, { exp($0) }),
        ElementaryCase("log", [1e-3, 1, 1e6], { Dual.log($0) }, { 1 / $0 }),
        ElementaryCase("log(onePlus:)", [-0.5, 1e-9, 3], { Dual.log(onePlus: $0) }, { 1 / (1 + $0) }),
        ElementaryCase("sin", [-2, 0.3, 100], { Dual.sin($0) }, { cos($0) }),
        ElementaryCase("cos", [-2, 0.3, 100], { Dual.cos($0) }, { -sin($0) }),
        ElementaryCase("tan", [-1, 0.3], { Dual.tan($0) }, { 1 / (cos($0) * cos($0)) }),
        ElementaryCase("sinh", [-2, 0.3], { Dual.sinh($0) }, { cosh($0) }),
        ElementaryCase("cosh", [-2, 0.3], { Dual.cosh($0) }, { sinh($0) }),
        ElementaryCase("tanh", [-0.4, 10, 20], { Dual.tanh($0) }, { 1 / (cosh($0) * cosh($0)) }),
        ElementaryCase("asin", [-0.5, 0.9], { Dual.asin($0) }, { 1 / (1 - $0 * $0).squareRoot() }),
        ElementaryCase("acos", [-0.5, 0.9], { Dual.acos($0) }, { -1 / (1 - $0 * $0).squareRoot() }),
        ElementaryCase("atan", [-3, 0.5], { Dual.atan($0) }, { 1 / (1 + $0 * $0) }),
        ElementaryCase("asinh", [-3, 0.5], { Dual.asinh($0) }, { 1 / ($0 * $0 + 1).squareRoot() }),
        ElementaryCase("acosh", [1.5, 30], { Dual.acosh($0) }, { 1 / ($0 * $0 - 1).squareRoot() }),
        ElementaryCase("atanh", [-0.5, 0.25], { Dual.atanh($0) }, { 1 / (1 - $0 * $0) }),
        ElementaryCase("sqrt", [1e-4, 2, 1e8], { Dual.sqrt($0) }, { 0.5 / $0.squareRoot() }),
        ElementaryCase("root(_, 3)", [0.5, 8], { Dual.root($0, 3) }, { 1 / (3 * cbrt($0 * $0)) }),
        ElementaryCase("pow(_, 3)", [-2, 0.5], { Dual.pow($0, 3) }, { 3 * $0 * $0 }),
        ElementaryCase("pow(_, 2.5)", [0.5, 4], { Dual.pow($0, Dual(constant: 2.5)) }, { 2.5 * pow($0, 1.5) }),
    ]

    /// Each elementary function's derivative against its formula (a few ulp)
    /// and against central differences (1e-5 relative).
    @Test(arguments: elementaryCases)
    func elementaryFunction(_ testCase: ElementaryCase) {
        for x in testCase.points {
            let automatic = derivative(at: x, of: testCase.function)
            let expected = testCase.formula(x)
            #expect(Self.close(automatic, expected), "\(testCase.name) at \(x): \(automatic) vs \(expected)")
            let h = 1e-6 * max(abs(x), 1e-3)
            let central = (testCase.function(Dual(constant: x + h)).value
                - testCase.function(Dual(constant: x - h)).value) / (2 * h)
            #expect(abs(automatic - central) <= 1e-5 * max(1, abs(central)), "\(testCase.name) at \(x): \(central)")
        }
    }

    @Test func powWithATangentInTheExponent() {
        // d/dy 2^y = 2^y log 2; at x = 0 the exponent's derivative is 0, not NaN.
        #expect(Self.close(derivative(at: 3.0) { Dual.pow(Dual(constant: 2), $0) }, 8 * log(2)))
        #expect(derivative(at: 2.0) { Dual.pow(Dual(constant: 0), $0) } == 0)
    }

    @Test func genericCodeRunsOnDuals() {
        func softplus<S: ElementaryScalar>(_ x: S) -> S { S.log(onePlus: S.exp(x)) }
        #expect(Self.close(derivative(at: 0.3) { softplus($0) }, 1 / (1 + exp(-0.3))))
        let (value, slope) = valueWithDerivative(at: 0.0) { Dual.exp($0) }
        #expect(value == 1 && slope == 1)
    }

    /// Code written against swift-numerics' protocols alone, knowing nothing of
    /// this library, is differentiable as it is.
    @Test func swiftNumericsGenericCodeIsDifferentiable() {
        func logistic<T: AlgebraicField & ElementaryFunctions>(_ x: T) -> T { 1 / (1 + T.exp(-x)) }
        func hypotenuse<T: AlgebraicField & ElementaryFunctions>(_ a: T, _ b: T) -> T { T.sqrt(a * a + b * b) }
        let s = logistic(0.5)
        #expect(Self.close(derivative(at: 0.5) { logistic($0) }, s * (1 - s)))
        #expect(Self.close(derivative(at: 3.0) { hypotenuse($0, Dual(constant: 4)) }, 0.6))
        let slopes = gradient(at: [3.0, 4.0]) { hypotenuse($0[0], $0[1]) }
        #expect(Self.close(slopes[0], 0.6) && Self.close(slopes[1], 0.8))
    }

    @Test func jvpGivesValuesAndADirectionalDerivative() {
        let (values, directional) = jvp(at: [1.0, 2.0], along: [1, 0]) { [$0[0] * $0[1], $0[0] + $0[1]] }
        #expect(values == [2, 3] && directional == [2, 1])
        let (_, other) = jvp(at: [1.0, 2.0], along: [0.5, -1]) { [$0[0] * $0[1]] }
        #expect(other == [0.0])   // 0.5 · 2 + 1 · (−1)
    }

    /// d/dx [x · (d/dy (x + y))(y = 1)] at x = 1 is 1; a confused
    /// implementation adds the two perturbations and gives 2.
    @Test func theClassicNestedDerivativeIsOne() {
        let result = derivative(at: 1.0) { (x: Dual<Double>) in
            x * derivative(at: Dual(constant: 1.0)) { y in Dual(constant: x) + y }
        }
        #expect(result == 1)
    }

    /// d/dx [x · (d/dy (x · y))(y = 2)] = d/dx x² = 2x.
    @Test func aNestedDerivativeThatReadsTheOuterVariable() {
        let result = derivative(at: 3.0) { (x: Dual<Double>) in
            x * derivative(at: Dual(constant: 2.0)) { y in Dual(constant: x) * y }
        }
        #expect(result == 6)
    }

    @Test func secondDerivativesFromNestedDuals() {
        let secondOfCube = derivative(at: 2.0) { (x: Dual<Double>) in
            derivative(at: x) { (y: Dual<Dual<Double>>) in y * y * y }
        }
        #expect(secondOfCube == 12)
        let secondOfSine = derivative(at: 0.7) { (x: Dual<Double>) in
            derivative(at: x) { (y: Dual<Dual<Double>>) in Dual.sin(y) }
        }
        #expect(Self.close(secondOfSine, -sin(0.7)))
        let secondOfTanh = derivative(at: 0.4) { (x: Dual<Double>) in
            derivative(at: x) { (y: Dual<Dual<Double>>) in Dual.tanh(y) }
        }
        let t = tanh(0.4)
        #expect(Self.close(secondOfTanh, -2 * t * (1 - t * t), ulps: 16))
    }

    /// Mixing two derivatives' perturbations at one level traps instead of
    /// returning the confused 2.
    @Test func perturbationConfusionTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = derivative(at: 1.0) { (x: Dual<Double>) in
                x * Dual(constant: derivative(at: 1.0) { y in x + y })
            }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("perturbation confusion"))
    }

    /// A dual number kept from one derivative and used in another (at the
    /// same nesting level) traps instead of returning the confused 3.
    @Test func aDualThatEscapedItsDerivativeTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var leaked = Dual(0.0, tangent: 0)
            _ = derivative(at: 1.0) { x in leaked = x; return x }
            _ = derivative(at: 2.0) { $0 * leaked }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("perturbation confusion") && message.contains("escaped the derivative"))
        // Its value, kept instead, is a constant: d/dx (x · 1) = 1.
        var kept = 0.0
        _ = derivative(at: 1.0) { x in kept = x.value; return x }
        #expect(derivative(at: 2.0) { $0 * Dual(constant: kept) } == 1)
    }

    /// Replaying the lesson's recorded loss over duals, one input direction at
    /// a time, gives the reverse-mode gradient bit for bit.
    @Test(arguments: [0, 1, 2] as [UInt64])
    func replayingTheLessonLossOverDualsMatchesReverseMode(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let real = Tensor.rand([3, 8], using: &generator)
        let predicted = Tensor.rand([3, 8], requiresGrad: true, using: &generator)
        let loss = (predicted - real).pow(2).sum()
        let graph = RecordedGraph(loss)
        let reverse = try ReverseMode().gradient(of: loss, withRespectTo: [predicted])[0]
        let tag = PerturbationTag.fresh()
        let forward = try (0..<predicted.elementCount).map { i in
            let result: TensorValue<Dual<Double>> = try graph.evaluate { leaf in
                guard leaf === predicted else { return leaf.value.map { Dual(constant: $0) } }
                let seeded = leaf.scalars.enumerated().map { Dual($1, tangent: $0 == i ? 1 : 0, tag: tag) }
                return TensorValue(shape: leaf.shape, scalars: seeded)
            }
            return result[flat: 0].tangent
        }
        #expect(forward == reverse.scalars)
    }
}
