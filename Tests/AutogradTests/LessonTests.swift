import Autograd
import Testing

/// Every step of the lesson, through the public API. Serialized: the lesson
/// reseeds the default generator.
@Suite(.serialized) struct LessonTests {
    func step(_ title: String, seed: UInt64 = 0) throws -> LessonStep {
        try #require(try Lesson.run(seed: seed).first { $0.title.hasPrefix(title) })
    }

    @Test func everyStepShowsSwiftCode() throws {
        let steps = try Lesson.run(seed: 0)
        #expect(steps.count == 15)
        #expect(steps.allSatisfy { !$0.code.isEmpty })
    }

    @Test func trackingPrintsARandomThreeBySevenTensorThatRequiresGrad() throws {
        let step = try step("Tracking")
        #expect(step.code.contains("Tensor.rand(3, 7, requiresGrad: true)"))
        let lines = step.output.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("tensor([[") && lines[2].hasSuffix("]], requiresGrad: true)"))
        #expect(lines[0].split(separator: ",").count == 7)
    }

    @Test func gradFnNamesTheOp() throws {
        let step = try step("gradFn")
        #expect(step.output == """
            tensor([[2., 2., 2., 2.],
                    [2., 2., 2., 2.]], gradFn: AddBackward)
            AddBackward
            false true
            """)
    }

    @Test func judiciousTracking() throws {
        #expect(try step("Judicious tracking: detach").output == "false")
        #expect(try step("Judicious tracking: requiresGrad").output == "nil")
        #expect(try step("Judicious tracking: a no-grad").output == "false true")
    }

    @Test func theLossAndBothGradients() throws {
        let steps = try Lesson.run(seed: 0)
        let loss = try #require(steps.first { $0.title == "The loss" })
        #expect(loss.output.hasPrefix("tensor(") && loss.output.hasSuffix(", gradFn: SumBackward)"))
        let manual = try #require(steps.first { $0.title.hasPrefix("The gradient by hand") })
        let auto = try #require(steps.first { $0.title.hasPrefix("The gradient by autograd") })
        #expect(manual.output.hasPrefix("tensor([[") && !manual.output.contains("gradFn"))
        #expect(manual.output == auto.output)
    }

    @Test(arguments: [0, 1, 42, 12345] as [UInt64])
    func manualAndAutomaticGradientsAgreeForEverySeed(seed: UInt64) throws {
        #expect(try step("They agree", seed: seed).output == "true")
    }

    @Test(arguments: [0, 7] as [UInt64])
    func forwardModeGivesTheSameGradient(seed: UInt64) throws {
        let step = try step("Forward mode", seed: seed)
        #expect(step.code.contains("ForwardMode().gradient(of: loss, withRespectTo: [predicted])"))
        let auto = try #require(try Lesson.run(seed: seed).first { $0.title.hasPrefix("The gradient by autograd") })
        #expect(step.output == auto.output + "\ntrue")
    }

    @Test func theHessianVectorProductIsTwiceTheDirection() throws {
        let step = try step("Forward over reverse")
        #expect(step.output == """
            tensor([[2., 2., 2., 2., 2., 2., 2., 2.],
                    [2., 2., 2., 2., 2., 2., 2., 2.],
                    [2., 2., 2., 2., 2., 2., 2., 2.]])
            """)
    }

    @Test(arguments: [0, 3, 99] as [UInt64])
    func theThreeGradientsAgreeWithTheExactOne(seed: UInt64) throws {
        let step = try step("The exact reference", seed: seed)
        let lines = step.output.split(separator: "\n")
        #expect(lines.count == 3 && lines[0] == "exact" && lines[2] == "true")
        let numbers = lines[1].split(separator: " ").compactMap { Double($0) }
        #expect(numbers.count == 3 && numbers[0] == numbers[1] && numbers[1] == numbers[2])
    }

    @Test func theExampleHasTheLessonsValues() throws {
        let example = Lesson.example(seed: 11)
        let shown = try step("The example", seed: 11).output
        #expect(shown == "\(example.real)\n\(example.predicted)")
        #expect(example.loss.gradFn?.name == "SumBackward")
    }

    @Test func aSeedGivesTheSameOutputEveryTime() throws {
        let first = try Lesson.run(seed: 9).map(\.output)
        let second = try Lesson.run(seed: 9).map(\.output)
        let other = try Lesson.run(seed: 10).map(\.output)
        #expect(first == second)
        #expect(first != other)
    }

    @Test(arguments: ["forward", "reverse", "exact", "compiled"])
    func theLastStepUsesTheConfiguredBackendAndSaysWhereItCameFrom(backend: String) throws {
        let configuration = try AutogradConfiguration.load(
            flags: [.backend: backend, .seed: "4"], directory: "/nonexistent", environment: [:])
        let steps = try Lesson.run(configuration: configuration)
        #expect(steps.first?.code == "Tensor.manualSeed(4)")
        let last = try #require(steps.last)
        #expect(last.title == "The configured backend: \(backend), from flag --backend")
        #expect(last.code.contains("try configuration.strategy()"))
        #expect(last.output == "\(backend) true")
    }
}
