import Autograd
import Testing

/// The three-way cross-check over the lesson's loss and every built-in op.
@Suite struct GradientCheckTests {
    @Test(arguments: [0, 1, 2] as [UInt64])
    func everyFunctionIsWithinItsBound(seed: UInt64) throws {
        let results = try GradientCheck.run(seed: seed)
        for result in results where !result.passed {
            Issue.record("\(result.function) \(result.strategy): max \(result.maxULP) ulp, bound \(result.bound)")
        }
        #expect(Set(results.map(\.strategy)) == ["forward", "reverse"])
    }

    @Test func theLessonLossIsZeroUlpForBothStrategies() throws {
        let lesson = try GradientCheck.run(seed: 5, size: 64).filter { $0.function == "lesson_loss" }
        #expect(lesson.count == 2)
        #expect(lesson.allSatisfy { $0.maxULP == 0 && $0.reference == "exact" && $0.passed })
    }

    @Test func everyBuiltInOpIsChecked() throws {
        let functions = Set(try GradientCheck.run().map(\.function))
        let ops: Set = ["add", "sub", "mul", "div", "neg", "pow", "pow_real", "exp", "log", "log_near_1", "sqrt",
                        "sin", "cos", "tanh", "sigmoid", "abs", "relu", "sum", "mean", "matmul"]
        #expect(ops.isSubset(of: functions) && functions.contains("lesson_loss"))
    }

    @Test func referencesSayWhetherTheyAreExact() throws {
        let results = try GradientCheck.run(precision: 300)
        #expect(results.first { $0.function == "matmul" }?.reference == "exact")
        let tanh = try #require(results.first { $0.function == "tanh" })
        #expect(tanh.reference == "correctly rounded" && tanh.precision == 300)
    }
}
