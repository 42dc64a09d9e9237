import Autograd
import AutogradTesting
import Testing

/// Custom ops proven right (or caught wrong) by the exact backend.
@Suite struct OpValidationTests {
    /// softplus(x) = log(1 + eˣ), derivative σ(x).
    struct Softplus: ElementwiseElementaryOperation {
        var name: String { "Softplus" }
        func apply<S: ElementaryScalar>(_ x: S) -> S { S.log(onePlus: S.exp(x)) }
        func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { 1 / (1 + S.exp(-x)) }
    }

    /// x², with a derivative off by a factor (3x instead of 2x).
    struct WrongSquare: ElementwiseOperation {
        var name: String { "WrongSquare" }
        func apply<S: FieldScalar>(_ x: S) -> S { x * x }
        func derivative<S: FieldScalar>(at x: S, output: S) -> S { 3 * x }
    }

    /// 2x, whose reverse rule forgot the 2 while its forward rule has it.
    struct InconsistentDouble: UnaryOperation {
        var name: String { "InconsistentDouble" }
        func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S> { x.map { $0 + $0 } }
        func jvp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
            tangent.map { $0 + $0 }
        }
        func vjp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> {
            gradient
        }
    }

    /// A reduction whose shape rule forgot that it drops the axis.
    struct WrongShapeSum: UnaryOperation {
        var name: String { "WrongShapeSum" }
        func outputShape(for input: Shape) -> Shape { input }
        func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S> { Sum().value(x) }
        func vjp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> {
            Sum().vjp(x, output: output, gradient: gradient)
        }
        func jvp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
            Sum().jvp(x, output: output, tangent: tangent)
        }
    }

    @Test func aWrongShapeRuleIsCaught() throws {
        let report = try OpValidation.validate(WrongShapeSum(), shape: [2, 3])
        #expect(report.mismatches.map(\.rule) == ["shape"])
        #expect(report.description.contains("shape, input 0, element 0: got [2, 3], expected []"))
    }

    @Test func shapeRulesOfBuiltIns() {
        #expect(Sum().outputShape(for: [3, 4]) == [] && Exp().outputShape(for: [3, 4]) == [3, 4])
        #expect(SumAlongAxis(axis: -1).outputShape(for: [2, 3, 4]) == [2, 3])
        #expect(Add().outputShape([3, 1], [4]) == [3, 4] && MatrixMultiply().outputShape([3, 4], [4, 2]) == [3, 2])
        #expect(Reshape([-1, 2]).outputShape(for: [3, 4]) == [6, 2] && Transpose(0, 1).outputShape(for: [3, 4]) == [4, 3])
    }

    @Test func builtInOpsAreValid() throws {
        let reports = [
            try OpValidation.validate(Sigmoid(), domain: -30...30),
            try OpValidation.validate(HyperbolicTangent(), domain: -10...10),
            try OpValidation.validate(Exp(), domain: -50...50),
            try OpValidation.validate(Log(), domain: 1e-3...1e3),
            try OpValidation.validate(IntegerPower(3)),
            try OpValidation.validate(Relu(), domain: 0.1...2),
            try OpValidation.validate(Sum(), shape: [3, 4]),
            try OpValidation.validate(Transpose(0, 1), shape: [3, 4]),
            try OpValidation.validate(Divide(), domain: 0.5...2),
            try OpValidation.validate(Multiply(), shapes: ([3, 1], [4])),
            try OpValidation.validate(MatrixMultiply(), shapes: ([3, 4], [4, 2])),
            try OpValidation.validate(AutogradCore.Softplus(), domain: -30...30),
            try OpValidation.validate(Log1p(), domain: -0.5...10),
            try OpValidation.validate(Expm1(), domain: -5...5),
            try OpValidation.validate(Clamp(lower: -1, upper: 1), domain: -2...2),
            try OpValidation.validate(Maximum(), shape: [3, 4]),
            try OpValidation.validate(MaximumAlongAxis(axis: 1), shape: [3, 4]),
        ]
        for report in reports { #expect(report.passed, "\(report)") }
        #expect(reports[0].reference == "approximate (256 bits)" && reports[4].reference == "exact")
    }

    @Test func aCustomElementaryOpIsValidAndWorksInEveryStrategy() throws {
        #expect(try OpValidation.validate(Softplus(), domain: -5...5).passed)
        let x = Tensor([-1.0, 0.5, 3], requiresGrad: true)
        let y = x.applying(Softplus()).sum()
        #expect(y.gradFn?.nextFunctions[0]?.name == "SoftplusBackward")
        let reverse = try ReverseMode().gradient(of: y, withRespectTo: [x])[0]
        let forward = try ForwardMode().gradient(of: y, withRespectTo: [x])[0]
        let exact = try ExactMode().gradient(of: y, withRespectTo: [x])
        for ((r, f), e) in zip(zip(reverse.scalars, forward.scalars), exact.tensors[0].scalars) {
            #expect(abs(r - e) <= 2 * e.ulp && abs(f - e) <= 2 * e.ulp)
        }
        #expect(RecordedGraph(y).dot().contains("SoftplusBackward"))
    }

    @Test func aWrongDerivativeIsCaughtWithTheRuleInputAndElement() throws {
        let report = try OpValidation.validate(WrongSquare(), shape: [4])
        #expect(!report.passed)
        let rules = Set(report.mismatches.map(\.rule))
        #expect(rules == ["jvp", "vjp"])   // consistent with each other, both wrong
        let first = try #require(report.mismatches.first { $0.rule == "vjp" })
        #expect(first.input == 0 && first.element == 0)
        #expect(report.description.contains("WrongSquare: INVALID (reference exact)"))
        #expect(report.description.contains("vjp, input 0, element 0: got"))
    }

    @Test func inconsistentRulesFailTheDotProductTest() throws {
        let report = try OpValidation.validate(InconsistentDouble(), shape: [5])
        #expect(report.mismatches.contains { $0.rule == "jvp·vjp dot product" })
        #expect(report.mismatches.contains { $0.rule == "vjp" } && !report.mismatches.contains { $0.rule == "jvp" })
        #expect(report.floatVJPError > report.floatBound)
    }

    @Test func expectValidIsOneLine() {
        expectValid(Softplus(), domain: -20...20)
        expectValid(IntegerPower(2))
        expectValid(Add(), shapes: ([2, 3], [3]))
    }

    @Test func expectValidRecordsTheReportForAWrongOp() {
        withKnownIssue {
            expectValid(WrongSquare(), shape: [3])
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("WrongSquare: INVALID") && $0.rawValue.contains("vjp, input 0") }
        }
    }
}
