import Autograd
import AutogradTesting
import CustomOp
import Testing

@Suite struct LogCoshTests {
    /// The whole validation, in one line: exact dot-product test, rules against
    /// dual numbers over 256-bit floats, and the Double rules' ULP error.
    @Test func logCoshIsValid() {
        expectValid(LogCosh(), domain: -30...30)
    }

    /// The op works in every strategy, and its gradFn is named after it.
    @Test func logCoshDifferentiatesInEveryStrategy() throws {
        let x = Tensor([-20.0, -1, 0, 0.5, 40], requiresGrad: true)
        let y = x.logCosh().sum()
        #expect(y.gradFn?.nextFunctions[0]?.name == "LogCoshBackward")
        let reverse = try ReverseMode().gradient(of: y, withRespectTo: [x])[0]
        let forward = try ForwardMode().gradient(of: y, withRespectTo: [x])[0]
        let exact = try ExactMode().gradient(of: y, withRespectTo: [x]).tensors[0]
        for ((r, f), e) in zip(zip(reverse.scalars, forward.scalars), exact.scalars) {
            #expect(abs(r - e) <= 2 * e.ulp && abs(f - e) <= 2 * e.ulp)
        }
        #expect(Tensor([1000.0]).logCosh().item() == 1000 - 0.6931471805599453)   // no overflow
    }

    /// LogCosh in the three-way cross-check: forward and reverse against exact.
    @Test func logCoshPassesTheCrossCheck() throws {
        var generator = SeededGenerator(seed: 3)
        let x = Tensor.randn([24], using: &generator) * 10
        let results = try GradientCheck.check("logCosh", inputs: [x], ulps: 4) { $0[0].logCosh().sum() }
        #expect(results.count == 2 && results.allSatisfy(\.passed), "\(results)")
        // Both rules wrong: both rows fail.
        let wrong = try GradientCheck.check("wrong logCosh", inputs: [x]) { $0[0].applying(WrongLogCosh()).sum() }
        #expect(wrong.allSatisfy { !$0.passed })
    }

    /// The exact reference derives derivatives from the value formula, so a
    /// rule it judges cannot fool it: a wrong reverse rule fails the reverse
    /// row only, a wrong forward rule the forward row only, and each failure
    /// names the op and the rule.
    @Test(arguments: [("reverse", "vjp"), ("forward", "jvp")])
    func aWrongRuleFailsTheRowOfTheStrategyThatUsesIt(strategy: String, rule: String) throws {
        var generator = SeededGenerator(seed: 3)
        let x = Tensor.randn([24], using: &generator) * 10
        let results = try GradientCheck.check("wrong \(rule)", inputs: [x], names: ["x"]) { x in
            strategy == "reverse" ? x[0].applying(WrongReverseLogCosh()).sum() : x[0].applying(WrongForwardLogCosh()).sum()
        }
        let failing = try #require(results.first { $0.strategy == strategy })
        let other = try #require(results.first { $0.strategy != strategy })
        #expect(!failing.passed && other.passed)
        let operation = strategy == "reverse" ? "WrongReverseLogCoshBackward" : "WrongForwardLogCoshBackward"
        #expect(failing.worst?.operation == "\(operation) \(rule)")
        #expect(failing.worst?.inputName == "x")
        #expect(failing.ruleFindings.count == 1 && failing.ruleFindings[0].contains("\(operation) (node 0): \(rule), element"))
        // Orders of magnitude outside the bound, not a rounding matter.
        let worst = try #require(failing.worst)
        #expect(worst.error > 1e6 * worst.bound)
    }

    /// The wrong op is caught, and the message says which rule, input and element.
    @Test func theWrongLogCoshIsCaught() throws {
        let report = try OpValidation.validate(WrongLogCosh(), domain: -3...3)
        #expect(!report.passed)
        #expect(report.mismatches.contains { $0.rule == "vjp" && $0.input == 0 })
        #expect(report.description.contains("WrongLogCosh: INVALID"))
        withKnownIssue("WrongLogCosh is wrong on purpose") {
            expectValid(WrongLogCosh(), domain: -3...3)
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("jvp, input 0, element 0: got") }
        }
    }
}
