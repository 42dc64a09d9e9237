import Autograd
import AutogradTesting
import CustomOp
import Testing

@Suite struct SoftplusTests {
    /// The whole validation, in one line: exact dot-product test, rules against
    /// dual numbers over 256-bit floats, and the Double rules' ULP error.
    @Test func softplusIsValid() {
        expectValid(Softplus(), domain: -30...30)
    }

    /// The op works in every strategy, and its gradFn is named after it.
    @Test func softplusDifferentiatesInEveryStrategy() throws {
        let x = Tensor([-20.0, -1, 0, 0.5, 40], requiresGrad: true)
        let y = x.softplus().sum()
        #expect(y.gradFn?.nextFunctions[0]?.name == "SoftplusBackward")
        let reverse = try ReverseMode().gradient(of: y, withRespectTo: [x])[0]
        let forward = try ForwardMode().gradient(of: y, withRespectTo: [x])[0]
        let exact = try ExactMode().gradient(of: y, withRespectTo: [x]).tensors[0]
        for ((r, f), e) in zip(zip(reverse.scalars, forward.scalars), exact.scalars) {
            #expect(abs(r - e) <= 2 * e.ulp && abs(f - e) <= 2 * e.ulp)
        }
        #expect(Tensor([1000.0]).softplus().item() == 1000)   // no overflow
    }

    /// Softplus in the three-way cross-check: forward and reverse against exact.
    @Test func softplusPassesTheCrossCheck() throws {
        var generator = SeededGenerator(seed: 3)
        let x = Tensor.randn([24], using: &generator) * 10
        let results = try GradientCheck.check("softplus", inputs: [x], ulps: 4) { $0[0].softplus().sum() }
        #expect(results.count == 2 && results.allSatisfy(\.passed), "\(results)")
        // The exact reverse pass runs the op's own (wrong) rule, so reverse mode
        // agrees with it; forward mode differentiates the value formula, and the
        // cross-check shows the disagreement.
        let wrong = try GradientCheck.check("wrong softplus", inputs: [x], ulps: 4) { $0[0].applying(WrongSoftplus()).sum() }
        #expect(wrong.first { $0.strategy == "forward" }?.passed == false)
    }

    /// The wrong op is caught, and the message says which rule, input and element.
    @Test func theWrongSoftplusIsCaught() throws {
        let report = try OpValidation.validate(WrongSoftplus(), domain: -3...3)
        #expect(!report.passed)
        #expect(report.mismatches.contains { $0.rule == "vjp" && $0.input == 0 })
        #expect(report.description.contains("WrongSoftplus: INVALID"))
        withKnownIssue("WrongSoftplus is wrong on purpose") {
            expectValid(WrongSoftplus(), domain: -3...3)
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("jvp, input 0, element 0: got") }
        }
    }
}
