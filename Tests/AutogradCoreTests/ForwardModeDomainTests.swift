import AutogradCore
import Foundation
import Testing

/// Forward mode runs the ops' forward rules (jvp) in `Double`, and both
/// strategies give no NaN where the true gradient is finite: overflowing
/// values, subnormal inputs, kinks, one lane's infinity beside finite lanes.
@Suite struct ForwardModeDomainTests {
    /// Both strategies' gradients of `loss(x)` at `point`.
    func gradients(at point: [Double], _ loss: (Tensor) -> Tensor) throws -> (forward: [Double], reverse: [Double]) {
        let x = Tensor(point, shape: [point.count], requiresGrad: true)
        let result = loss(x)
        return (
            try ForwardMode().gradient(of: result, withRespectTo: [x])[0].scalars,
            try ReverseMode().gradient(of: result, withRespectTo: [x])[0].scalars
        )
    }

    /// `got` is within `ulps` units in the last place of `expected` (infinities
    /// and zeros must match exactly).
    func isClose(_ got: Double, _ expected: Double, ulps: Double = 4) -> Bool {
        guard expected.isFinite && expected != 0 else { return got == expected }
        return abs(got - expected) <= ulps * expected.ulp
    }

    // MARK: The three reproductions

    /// σ(−800) made 1/(1 + e⁸⁰⁰) = inf/inf over duals; the forward rule is finite.
    @Test func sigmoidFarOutIsFinite() throws {
        let (forward, reverse) = try gradients(at: [-800, 1]) { $0.sigmoid().sum() }
        #expect(forward == [0, 0.19661193324148185])
        #expect(reverse == forward)
    }

    /// exp(800) overflows: its lane is +∞, the other lanes exact, not NaN.
    @Test func oneOverflowingLaneLeavesTheOthersExact() throws {
        let (forward, reverse) = try gradients(at: [800, 1, 2]) { $0.exp().sum() }
        #expect(forward == [.infinity, Double.exp(1), Double.exp(2)])
        #expect(reverse == forward)
    }

    /// relu′(0) = abs′(0) = 0, as in reverse mode and PyTorch.
    @Test func kinksHaveZeroDerivative() throws {
        let relu = try gradients(at: [-1, 0, 2]) { $0.relu().sum() }
        #expect(relu.forward == [0, 0, 1] && relu.reverse == [0, 0, 1])
        let abs = try gradients(at: [-1, 0, 2]) { $0.abs().sum() }
        #expect(abs.forward == [-1, 0, 1] && abs.reverse == [-1, 0, 1])
        let (_, derivative) = try ForwardMode().jvp(at: [Tensor([0.0, 0])], along: [Tensor([1.0, 1])]) {
            $0[0].relu() + $0[0].abs()
        }
        #expect(derivative.scalars == [0, 0])
    }

    // MARK: Domain edges, in both strategies

    /// A loss of one input vector, where each strategy's gradient must be
    /// free of NaN and equal the truth within `ulps` (exactly for 0 and ±∞).
    struct DomainCase: CustomTestStringConvertible, Sendable {
        let name: String
        let point: [Double]
        let truth: [Double]
        let ulps: Double
        let loss: @Sendable (Tensor) -> Tensor
        var testDescription: String { name }

        init(_ name: String, at point: [Double], truth: [Double], ulps: Double = 0, _ loss: @escaping @Sendable (Tensor) -> Tensor) {
            (self.name, self.point, self.truth, self.ulps, self.loss) = (name, point, truth, ulps, loss)
        }
    }

    static let domainCases: [DomainCase] = [
        DomainCase("sigmoid at ±800, ±1e6, 0", at: [800, -800, 1e6, -1e6, 0], truth: [0, 0, 0, 0, 0.25]) {
            $0.sigmoid().sum()
        },
        DomainCase("tanh at ±800, ±1e300, 0", at: [800, -800, 1e300, -1e300, 0], truth: [0, 0, 0, 0, 1]) {
            $0.tanh().sum()
        },
        DomainCase("exp at 709", at: [709, 0], truth: [Double.exp(709), 1]) { $0.exp().sum() },
        DomainCase("exp overflowing", at: [710, 1e300, -1e300, 1], truth: [.infinity, .infinity, 0, Double.exp(1)]) {
            $0.exp().sum()
        },
        // 1/2⁻¹⁰⁷⁴ = 2¹⁰⁷⁴ is beyond Double: +∞ is its rounding.
        DomainCase("log at subnormals", at: [0x1p-1074, 0x1p-1023], truth: [.infinity, 1 / 0x1p-1023]) { $0.log().sum() },
        // 1/(2√(2⁻¹⁰⁷⁴)) = 2⁵³⁶ exactly.
        DomainCase("sqrt at subnormals", at: [0x1p-1074, 0x1p-1023], truth: [0x1p536, 0.5 / (0x1p-1023).squareRoot()], ulps: 2) {
            $0.sqrt().sum()
        },
        DomainCase("pow(0.5) of huge and tiny bases", at: [1e300, 1e-300, 0x1p-1074], truth: [0.5e-150, 0.5e150, 0x1p536], ulps: 4) {
            $0.pow(0.5).sum()
        },
        // x^(p−1) = 2^1025.7 overflows, p·x^(p−1) ≈ 2^1021.2 does not (the
        // truth, 2^(1074(1 − p) + log₂ p), is computed here to about 1e-13).
        DomainCase("pow(0.045) of the smallest subnormal", at: [0x1p-1074], truth: [Foundation.exp2(1074 * (1 - 0.045) + Foundation.log2(0.045))], ulps: 1e4) {
            $0.pow(0.045).sum()
        },
        DomainCase("pow(3) of huge and tiny bases", at: [1e100, 1e-300], truth: [3e200, 0], ulps: 4) { $0.pow(3).sum() },
        DomainCase("pow(2.5) of huge and tiny bases", at: [1e100, 1e-300], truth: [2.5e150, 0], ulps: 8) { $0.pow(2.5).sum() },
        DomainCase("pow(-1) of tiny bases", at: [1e-150, 1e-300], truth: [-1e300, -.infinity], ulps: 4) { $0.pow(-1).sum() },
        // 1 / 1e-300 is the derivative correctly rounded (9.999999999999999e299).
        DomainCase("x / 1e-300", at: [1, -2], truth: [1 / 1e-300, 1 / 1e-300]) { ($0 / 1e-300).sum() },
        DomainCase("1e-300 / x", at: [1e-300, 1e-150], truth: [-1e300, -1], ulps: 2) { (1e-300 / $0).sum() },
        DomainCase("divisor of 1e-300", at: [1e-300, 2], truth: [1 / 1e-300, 1 / 1e-300]) { x in
            (x / Tensor([1e-300, 1e-300])).sum()
        },
        DomainCase("divided by 1e-300", at: [1e-300, 1e-300], truth: [-1 / 1e-300, -.infinity]) { y in
            (Tensor([1e-300, 2]) / y).sum()
        },
        DomainCase("divided by 0 in one lane", at: [3, 4], truth: [.infinity, 1]) { x in
            (x / Tensor([0, 1])).sum()
        },
        DomainCase("multiplied by ∞ in one lane", at: [3, 4], truth: [.infinity, 2]) { x in
            (x * Tensor([.infinity, 2])).sum()
        },
    ]

    @Test(arguments: domainCases)
    func noNaNWhereTheGradientIsFinite(_ testCase: DomainCase) throws {
        let (forward, reverse) = try gradients(at: testCase.point, testCase.loss)
        for (strategy, gradient) in [("forward", forward), ("reverse", reverse)] {
            for (i, (got, truth)) in zip(gradient, testCase.truth).enumerated() {
                #expect(isClose(got, truth, ulps: testCase.ulps), "\(strategy) [\(i)]: \(got), truth \(truth)")
            }
        }
    }

    /// Ten inputs (two passes of 8 lanes), one of which overflows: every other
    /// element's derivative is exact, in both passes.
    @Test func lanesIgnoreAnotherLanesInfinity() throws {
        let point = [1, 2, 800, 0.5, -3, 4, 0, 1e-10, -800, 7.5]
        let (forward, reverse) = try gradients(at: point) { ($0.exp() * 2).sum() }
        let truth = point.map { 2 * Double.exp($0) }
        #expect(forward == truth)
        #expect(reverse == truth)
        let (_, derivative) = try ForwardMode().jvp(at: [Tensor([800.0, 1])], along: [Tensor([0.0, 1])]) {
            $0[0].exp().sum()
        }
        #expect(derivative.scalars == [Double.exp(1)])
    }

    // MARK: Forward mode runs the forward rules

    /// After `backward()` freed the saved values, forward mode evaluates the
    /// graph again and differentiates it.
    @Test func aFreedGraphStillDifferentiates() throws {
        let x = Tensor([0.5, -1, 2], requiresGrad: true)
        let loss = (x.sigmoid() * x).sum()
        try loss.backward()
        #expect(loss.gradFn!.isFreed)
        let forward = try ForwardMode().gradient(of: loss, withRespectTo: [x])[0]
        #expect(forward.scalars == x.grad!.scalars)
        let (value, derivative) = try ForwardMode().jvp(of: loss, at: [x], along: [Tensor([1.0, 0, 0])])
        #expect(value.scalars == loss.scalars && derivative.scalars == [x.grad!.scalars[0]])
    }

    /// A custom op with a wrong forward rule makes forward mode wrong and
    /// leaves reverse mode right; a wrong reverse rule does the opposite.
    @Test func eachStrategyRunsItsOwnRules() throws {
        let point = [1.0, -2, 3]
        let wrongForward = try gradients(at: point) { $0.applying(SquareWithWrongForwardRule()).sum() }
        #expect(wrongForward.reverse == [2, -4, 6])
        #expect(wrongForward.forward == [3, -6, 9])
        let wrongReverse = try gradients(at: point) { $0.applying(SquareWithWrongReverseRule()).sum() }
        #expect(wrongReverse.forward == [2, -4, 6])
        #expect(wrongReverse.reverse == [3, -6, 9])

        let x = Tensor(point, requiresGrad: true), y = Tensor([4.0, 5, 6], requiresGrad: true)
        let product = Tensor.applying(ProductWithWrongForwardRule(), x, y).sum()
        let forward = try ForwardMode().gradient(of: product, withRespectTo: [x, y])
        let reverse = try ReverseMode().gradient(of: product, withRespectTo: [x, y])
        #expect(reverse.map(\.scalars) == [[4, 5, 6], [1, -2, 3]])
        #expect(forward.map(\.scalars) == [[4, 5, 6], [2, -4, 6]])
    }

    /// Nodes that the seeded leaf does not reach get no tangent; leaves the
    /// result does not read get zeros; a result that is a leaf has gradient 1.
    @Test func unreachedLeavesAndLeafResults() throws {
        let x = Tensor([1.0, 2], requiresGrad: true), unused = Tensor([3.0], requiresGrad: true)
        let gradient = try ForwardMode().gradient(of: (x * x).sum(), withRespectTo: [unused, x])
        #expect(gradient.map(\.scalars) == [[0], [2, 4]])
        let scalar = Tensor([5.0], requiresGrad: true)
        #expect(try ForwardMode().gradient(of: scalar, withRespectTo: [scalar])[0].scalars == [1])
        let (value, derivative) = try ForwardMode().jvp(of: x * 2, at: [unused], along: [Tensor([1.0])])
        #expect(value.scalars == [2, 4] && derivative.scalars == [0, 0])
    }
}

/// y = x², with a right reverse rule and a forward rule that says 3x.
struct SquareWithWrongForwardRule: UnaryOperation {
    var name: String { "WrongForwardSquare" }
    func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S> { x.map { $0 * $0 } }
    func vjp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> {
        TensorValue.broadcasting(gradient, x, op: name) { $0 * ($1 + $1) }
    }
    func jvp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
        TensorValue.broadcasting(tangent, x, op: name) { $0 * ($1 + $1 + $1) }
    }
}

/// y = x², with a right forward rule and a reverse rule that says 3x.
struct SquareWithWrongReverseRule: UnaryOperation {
    var name: String { "WrongReverseSquare" }
    func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S> { x.map { $0 * $0 } }
    func vjp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> {
        TensorValue.broadcasting(gradient, x, op: name) { $0 * ($1 + $1 + $1) }
    }
    func jvp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
        TensorValue.broadcasting(tangent, x, op: name) { $0 * ($1 + $1) }
    }
}

/// z = x·y, whose forward rule doubles y's contribution.
struct ProductWithWrongForwardRule: BinaryOperation {
    var name: String { "WrongForwardProduct" }
    func value<S: FieldScalar>(_ x: TensorValue<S>, _ y: TensorValue<S>) -> TensorValue<S> {
        .broadcasting(x, y, op: name, *)
    }
    func vjp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>,
        gradient: TensorValue<S>, wrt operand: BinaryOperand
    ) -> TensorValue<S> {
        TensorValue.broadcasting(gradient, operand == .left ? y : x, op: name, *)
    }
    func jvp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>,
        tangents: (x: TensorValue<S>?, y: TensorValue<S>?)
    ) -> TensorValue<S> {
        let fromX = tangents.x.map { TensorValue.broadcasting($0, y, op: name, *) } ?? .zeros(output.shape)
        let fromY = tangents.y.map { TensorValue.broadcasting($0, x, op: name) { $0 * ($1 + $1) } } ?? .zeros(output.shape)
        return .broadcasting(fromX, fromY, op: name, +)
    }
}
