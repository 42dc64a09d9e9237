import Autograd
import Testing

/// x³ as an op that is not element-wise by protocol (so the reference proves
/// its reverse rule with the dot-product test), with one rule wrong on demand.
struct FaultyCube: UnaryOperation {
    /// `"vjp"` or `"jvp"`: the rule that is wrong; anything else: none.
    let wrongRule: String
    var name: String { "FaultyCube" }
    func outputShape(for input: Shape) -> Shape { input }
    func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S> { x.map { $0 * $0 * $0 } }
    func vjp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> {
        let factor: S = wrongRule == "vjp" ? 2 : 3
        return TensorValue.broadcasting(gradient, x, op: name) { $0 * factor * $1 * $1 }
    }
    func jvp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
        let factor: S = wrongRule == "jvp" ? 2 : 3
        return TensorValue.broadcasting(tangent, x, op: name) { $0 * factor * $1 * $1 }
    }
}

/// A strategy that answers with no gradients at all.
struct NoGradients: Differentiable {
    var name: String { "none" }
    func gradient(of result: Tensor, withRespectTo leaves: [Tensor]) throws -> [Tensor] { [] }
    func gradient(at point: [Tensor], of function: ([Tensor]) -> Tensor) throws -> [Tensor] { [] }
}

/// The exact reference as a judge: independent of the rules it judges, proven
/// correctly rounded or honestly unresolved, and verdicts from the condition.
@Suite struct ExactJudgeTests {
    /// Constants computed inside a traced function are part of it: the
    /// reference computes 1.3² + 1 exactly instead of taking its rounding.
    @Test func constantsInsideTheFunctionAreComputedExactly() throws {
        let exact = try ExactMode().gradient(at: [Tensor([0.3, -1.2, 2.5])]) { x in
            let c = Tensor(1.3), d = Tensor(0.8263)
            return (x[0] / (c * c + 1) - d.cos()).sum()
        }
        let truth = BigFloat.$defaultPrecision.withValue(1024) {
            (BigFloat(1) / (BigFloat(1.3) * BigFloat(1.3) + BigFloat(1))).doubleValue
        }
        let preRounded = BigFloat.$defaultPrecision.withValue(1024) { (BigFloat(1) / BigFloat(1.3 * 1.3 + 1)).doubleValue }
        #expect(preRounded != truth)   // so the test tells the two apart
        #expect(exact.tensors[0].scalars == [truth, truth, truth])
        #expect(exact.elementStatuses[0].allSatisfy { $0 == .correctlyRounded(precision: 256) })
        #expect(exact.givenInputs.map(\.shape) == [[], []])   // the two literals' tensors
    }

    /// A true gradient of exactly 0 by cancellation cannot be proven by
    /// enclosures: it is reported unresolved with an enclosure of 0, and a
    /// verdict treats it as an absolute bound.
    @Test func aCancellingGradientIsUnresolvedNotANumber() throws {
        let function: ([Tensor]) -> Tensor = { x in
            let q = x[0] * x[0] + 1
            return (q.log().exp().relu() / q).sum()
        }
        let b = Tensor([0.7, -1.3])
        let exact = try ExactMode(precision: 128, maximumPrecision: 512).gradient(at: [b], of: function)
        #expect(exact.unresolvedCount == 2 && exact.precision == 512)
        #expect(exact.exactness == "2 of 2 elements unresolved (512 bits)")
        for status in exact.elementStatuses[0] {
            guard case .unresolved(let lower, let upper, 512) = status else {
                Issue.record("expected unresolved, got \(status)")
                continue
            }
            #expect(lower < 0 && 0 < upper && upper - lower < 1e-100)
        }
        let results = try GradientCheck.check("cancellation", inputs: [b], loss: function)
        #expect(results.allSatisfy { $0.passed && $0.reference == "unresolved" && $0.unresolvedElements == 2 })
        #expect(results.allSatisfy { $0.worst?.errorULP == nil })
    }

    /// An element whose enclosure is narrow rounds to one Double after Ziv's
    /// steps; the status says at which precision.
    @Test func enclosuresAreProvenCorrectlyRounded() throws {
        let x = Tensor([0.5, -3, 20, -800, 800], requiresGrad: true)
        let exact = try ExactMode(precision: 64).gradient(of: (x.tanh() * x.sigmoid()).sum(), withRespectTo: [x])
        #expect(exact.unresolvedCount == 0)
        #expect(exact.elementStatuses[0].allSatisfy {
            if case .correctlyRounded(let bits) = $0 { [64, 128, 256].contains(bits) } else { false }
        })
        // d/dx tanh(x)σ(x) at 0.5, from BigFloat at 1024 bits.
        let truth = BigFloat.$defaultPrecision.withValue(1024) {
            let x = BigFloat(0.5), one = BigFloat(1)
            let sigma = one / (one + BigFloat.exp(-x)), cosh = BigFloat.cosh(x)
            return (one / (cosh * cosh) * sigma + BigFloat.tanh(x) * sigma * (one - sigma)).doubleValue
        }
        #expect(exact.tensors[0].scalars[0] == truth)
        #expect(exact.tensors[0].scalars[3] == 0 && exact.tensors[0].scalars[4] == 0)
    }

    /// A wrong reverse rule of an op that is not element-wise does not fool
    /// the reference: the dot-product test disproves it, the reference falls
    /// back to the value formula, and the reverse row fails naming the rule.
    @Test(arguments: ["vjp", "jvp"])
    func aWrongRuleOfAGeneralOpIsCaught(rule: String) throws {
        let x = Tensor([0.5, -1.25, 2], requiresGrad: true)
        let y = x.applying(FaultyCube(wrongRule: rule)).sum()
        let exact = try ExactMode().gradient(of: y, withRespectTo: [x], auditing: true)
        #expect(exact.tensors[0].scalars == [0.75, 4.6875, 12])   // 3x², whichever rule is wrong
        #expect(exact.ruleFindings.map(\.rule) == [rule])
        #expect(exact.ruleFindings[0].operation == "FaultyCubeBackward")
        let results = try GradientCheck.check("faulty cube", inputs: [x]) { $0[0].applying(FaultyCube(wrongRule: rule)).sum() }
        let failing = rule == "vjp" ? "reverse" : "forward"
        for result in results {
            #expect(result.passed == (result.strategy != failing), "\(result.strategy): \(result.worst.map { "\($0)" } ?? "")")
        }
        #expect(results.first { $0.strategy == failing }?.worst?.operation == "FaultyCubeBackward \(rule)")
    }

    /// A correct gradient of a longer computation passes the condition's
    /// bound although it is many ULPs off; nothing is pooled: the worst
    /// element is named. (The README's logistic loss is the other example,
    /// in `ReadmeVerdictExampleTests`.)
    @Test func correctGradientsOfLongComputationsPass() throws {
        var generator = SeededGenerator(seed: 7)
        // A 1-32-1 tanh network's squared error on 64 points.
        let inputs = Tensor.randn([64, 1], using: &generator), targets = inputs.sin()
        let network = try GradientCheck.check(
            "tanh network",
            inputs: [Tensor.randn([1, 32], using: &generator), Tensor.randn([32], using: &generator), Tensor.randn([32, 1], using: &generator)],
            names: ["w1", "b1", "w2"]
        ) { p in
            let hidden = (inputs.matmul(p[0]) + p[1]).tanh()
            return (hidden.matmul(p[2]) - targets).pow(2).mean()
        }
        for result in network {
            #expect(result.passed, "\(result.function) \(result.strategy): \(result.maxULP) ulp, worst \(result.worst.map { "\($0)" } ?? "")")
            #expect(result.worst != nil && result.worst!.bound > 0 && result.worst!.inputName != nil)
        }
        #expect(network.contains { $0.maxULP > 4 }, "\(network.map(\.maxULP))")
    }

    /// A sum whose terms cancel rounds by u times the terms' magnitudes, not
    /// the result's: (1 + 10⁻¹⁰ − 1)² has a gradient of 2·10⁻¹⁰ that every
    /// float strategy gets 8% wrong, correctly, and the bound must allow it.
    @Test func aSumThatCancelsIsBoundedByItsTermsMagnitudes() throws {
        let x = Tensor([1, 1e-10, -1])
        let results = try GradientCheck.check("cancelling sum", inputs: [x]) { $0[0].sum().pow(2) }
        for result in results {
            #expect(result.passed, "\(result.strategy): \(result.worst.map { "\($0)" } ?? "")")
            #expect(result.maxULP > 1e6, "the gradient is far from the truth in ULPs, as it must be")
        }
    }

    /// Where rounding moved a kink's input to the other side, the verdict
    /// says so: the float strategies differentiated another branch.
    @Test func aBranchTakenOnlyBecauseOfRoundingIsReported() throws {
        let results = try GradientCheck.check("kink", inputs: [Tensor([1.0])]) { b in
            let large = Tensor([1e16])
            return ((large + b[0]) - large).relu().sum()   // 0 in Double, 1 exactly
        }
        for result in results {
            #expect(!result.passed && result.worst?.computed == 0 && result.worst?.truth == 1)
            #expect(result.branchDivergences.count == 1 && result.branchDivergences[0].contains("ReluBackward"))
        }
    }

    /// Where a kink's input is exactly 0 but known only as an enclosure
    /// around 0 (e^(log 2) − 2), the reference cannot tell the branch: it
    /// used to take one by the enclosure's midpoint and call the result
    /// correctly rounded (4, where PyTorch's convention gives 0). Now the
    /// element is unresolved, with bounds that hold every branch's result.
    @Test func anUndecidedBranchIsNeverCalledCorrectlyRounded() throws {
        let x = Tensor([2.0, 3.0], requiresGrad: true)
        let v = x.log().exp() - 2   // exactly 0 at x = 2; 1 at x = 3
        let loss = (v.relu() * x + v.abs() * x).sum()
        let exact = try ExactMode().gradient(of: loss, withRespectTo: [x])
        guard case .unresolved(let lower, let upper, _) = exact.elementStatuses[0][0] else {
            Issue.record("at the kink: \(exact.elementStatuses[0][0])")
            return
        }
        // relu′ ∈ [0, 1] and abs′ ∈ [−1, 1], times x = 2.
        #expect(lower <= -2 && upper >= 4 && upper < 5)
        #expect(exact.branchDivergences.map(\.element) == [0, 0])
        // Away from the kink the element is proven as before: 2x + 2x at x = 3.
        #expect(exact.tensors[0].scalars[1] == 8)
        guard case .correctlyRounded = exact.elementStatuses[0][1] else {
            Issue.record("away from the kink: \(exact.elementStatuses[0][1])")
            return
        }
    }

    /// The check refuses what it cannot judge instead of passing it.
    @Test func theCheckRefusesBadSizesAndMissingGradients() throws {
        #expect(throws: GradientCheckError.invalidSize(0)) { try GradientCheck.run(size: 0) }
        #expect(throws: GradientCheckError.invalidSize(-3)) { try GradientCheck.run(size: -3) }
        #expect(throws: GradientCheckError.wrongGradientCount(strategy: "none", expected: [[24]], got: [])) {
            try GradientCheck.check("lesson", inputs: [Tensor.zeros(24)], strategies: [NoGradients()]) { $0[0].pow(2).sum() }
        }
        // A function undefined at the input: a typed error naming the op, no trap.
        #expect(throws: ExactError.divisionByZeroInOperation("DivBackward")) {
            try GradientCheck.check("reciprocal", inputs: [Tensor([0.0, 1])]) { (1 / $0[0]).sum() }
        }
    }
}
