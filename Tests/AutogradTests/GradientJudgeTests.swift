import Autograd
import Foundation
import Testing

/// The judge on documents exported from real PyTorch runs (committed in
/// `Tests/Fixtures/pytorch`, made by `Exporters/pytorch/make_fixtures.py`),
/// and on documents whose gradients are known to be right or wrong.
@Suite struct GradientJudgeTests {
    /// A committed PyTorch document.
    static func fixture(_ name: String) throws -> GraphDocument {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/pytorch/\(name).json").standardized
        return try GraphDocument(json: try Data(contentsOf: url))
    }

    /// The inputs' values at the elements beyond their bound.
    static func flagged(_ source: SourceJudgement) -> Set<Double> { Set(source.beyondBound.map(\.input)) }

    @Test func pytorchsTanhGradientCancelsForLargeInputsAndIsCaught() throws {
        let report = try GradientJudge.judge(try Self.fixture("tanh"), strategies: [ReverseMode()])
        #expect(report.reference.hasPrefix("correctly rounded") && !report.passed)
        let (torch, reverse) = (report.inputs[0].sources[0], report.inputs[0].sources[1])
        #expect(torch.source.hasPrefix("torch 2.") && reverse.source == "reverse")
        // 1 − tanh²x cancels: the error grows with x, far beyond the few ULPs a correct formula commits.
        #expect(Self.flagged(torch) == [5, 10, 15, 18, -18, 19.5])
        let at = Dictionary(torch.beyondBound.map { ($0.input, $0) }, uniquingKeysWith: { a, _ in a })
        #expect((1e3...1e4).contains(at[5]!.errorULP!) && (1e7...1e8).contains(at[10]!.errorULP!) && at[18]!.errorULP! > 1e14)
        #expect(at[19.5]!.computed == 0 && at[19.5]!.truth > 4e-17)
        #expect(torch.beyondBound.allSatisfy { $0.operation == "TanhBackward" && $0.boundULP < 8 })
        #expect(torch.beyondBound.first?.input == 19.5, "the worst first")
        // PyTorch's gradients of the nodes: the sum's and tanh's output's are right, tanh's rule is not.
        #expect(torch.firstWrongNode == "tanh0" && report.nodes.map(\.name) == ["tanh0", "sum0"] && report.nodes.allSatisfy { $0.sources[0].passed })
        // This library's reverse mode on the same graph: within its bounds, a few ULPs at most.
        #expect(reverse.passed && reverse.maxULP <= 4 && reverse.elements == 12)
    }

    @Test func pytorchsSigmoidGradientUnderflowsToZeroAtForty() throws {
        let torch = try GradientJudge.judge(try Self.fixture("sigmoid")).inputs[0].sources[0]
        #expect(Self.flagged(torch) == [5, 20, 30, 36, 40])
        let forty = try #require(torch.beyondBound.first { $0.input == 40 })
        #expect(forty.computed == 0 && abs(forty.truth - 4.248354255291589e-18) < 1e-30 && forty.operation == "SigmoidBackward")
    }

    @Test func pytorchsSoftplusThresholdIsReportedWhereItIsNotTheFunction() throws {
        let torch = try GradientJudge.judge(try Self.fixture("softplus")).inputs[0].sources[0]
        // Above threshold 20 PyTorch returns x, whose derivative 1 is not softplus's.
        #expect(Self.flagged(torch) == [20.5, 25])
        #expect(torch.beyondBound.allSatisfy { $0.computed == 1 && $0.truth < 1 })
    }

    @Test func pytorchsLessonGradientIsExact() throws {
        let report = try GradientJudge.judge(try Self.fixture("lesson"), strategies: [ReverseMode(), ForwardMode()])
        #expect(report.reference == "exact" && report.passed)
        #expect(report.inputs.map(\.name) == ["predicted"], "the real values are a constant")
        #expect(report.inputs[0].sources.allSatisfy { $0.correctlyRounded == 24 && $0.maxULP == 0 })
    }

    @Test func pytorchsLayerGradientIsWithinItsBounds() throws {
        let report = try GradientJudge.judge(try Self.fixture("mlp"), strategies: [ReverseMode()])
        #expect(report.passed && report.inputs.map(\.name) == ["x", "w", "b"])
        #expect(report.inputs.allSatisfy { $0.sources.count == 2 && $0.sources.allSatisfy { $0.unresolved == 0 } })
    }

    @Test func inASaturatingLayerTheBlameGoesToTanhNotToTheProduct() throws {
        let report = try GradientJudge.judge(try Self.fixture("layer"), strategies: [ReverseMode()])
        #expect(!report.passed && report.inputs.map(\.name) == ["x", "w", "b"])
        for input in report.inputs {
            let (torch, reverse) = (input.sources[0], input.sources[1])
            #expect(torch.beyondBoundCount > 0 && reverse.passed, "\(input.name)")
            // The bound at these elements is mostly the product's and the pre-activation's roundings,
            // but the derivative that rounds is tanh's.
            #expect(torch.beyondBound.allSatisfy { $0.operation == "TanhBackward" } && torch.firstWrongNode == "tanh0", "\(input.name)")
        }
        // The gradients PyTorch passes back from tanh, to the sum x·w + b and the product, are where it goes wrong.
        #expect(report.nodes.map { "\($0.name) \($0.sources[0].passed)" } == ["matmul0 false", "add0 false", "tanh0 true", "sum0 true"])
    }

    @Test func aGraphOfManyOpsReadsAndIsJudged() throws {
        let document = try Self.fixture("many_ops")
        let operations = Set(document.nodes.map(\.operation))
        #expect(operations.isSuperset(of: ["exp", "log", "sqrt", "sin", "cos", "sigmoid", "pow", "clamp", "where", "gt", "matmul", "cat", "narrow", "transpose"]))
        let report = try GradientJudge.judge(document, strategies: [ReverseMode()])
        #expect(report.inputs.allSatisfy { $0.sources.last!.passed }, "reverse mode within its bounds")
        #expect(report.nodes.count == 68 && report.nodes.allSatisfy { $0.sources[0].passed }, "PyTorch's intermediate gradients too")
    }

    @Test func float32GradientsAreCountedInFloat32ULPs() throws {
        let report = try GradientJudge.judge(try Self.fixture("tanh_float32"), strategies: [ReverseMode()])
        let (torch, reverse) = (report.inputs[0].sources[0], report.inputs[0].sources[1])
        #expect(report.dtype == "float32" && torch.dtype == "float32" && reverse.dtype == "float64")
        // float32's 1 − tanh²x is 0 from x ≈ 9 on: tens of millions of float32 ULPs, not 10^15 double ones.
        #expect(Self.flagged(torch).isSuperset(of: [10, 15, 18, 19.5]) && torch.maxULP < 1e9 && torch.maxULP > 1e6)
        #expect(torch.beyondBound.allSatisfy { Double(Float($0.truth)) == $0.truth })
        #expect(reverse.passed)
    }

    /// `sum(tanh(x)) + sum(exp(y))`, with gradients given as the truth altered by `change`.
    static func document(_ change: (Int, Double) -> Double) throws -> GraphDocument {
        let x = Tensor([0.5, 3, 7, -2], requiresGrad: true), y = Tensor([-1.0, 0.25, 4], requiresGrad: true)
        let loss = x.tanh().sum() + y.exp().sum()
        var document = try GraphDocument(loss, inputs: ["x": x, "y": y], producer: "made up")
        let truth = try ExactMode().gradient(of: loss, withRespectTo: [x, y]).tensors
        document.inputs[0].gradient = truth[0].scalars.enumerated().map { change($0, $1) }
        document.inputs[1].gradient = truth[1].scalars.enumerated().map { change($0 + 4, $1) }
        return document
    }

    @Test func theTruthPassesWithEveryElementCorrectlyRounded() throws {
        let report = try GradientJudge.judge(try Self.document { $1 })
        #expect(report.passed && report.inputs.allSatisfy { $0.sources[0].correctlyRounded == $0.sources[0].elements })
        #expect(report.inputs[0].sources[0].source == "made up")
    }

    @Test func anErrorOfAFewULPsPassesAndAWrongElementFailsAlone() throws {
        let close = try GradientJudge.judge(try Self.document { $1.nextUp.nextUp })
        #expect(close.passed && close.inputs.allSatisfy { $0.sources[0].maxULP == 2 && $0.sources[0].medianULP == 2 })
        let wrong = try GradientJudge.judge(try Self.document { $0 == 5 ? $1 * (1 + 1e-9) : $1 })
        #expect(!wrong.passed && wrong.inputs[0].sources[0].passed)
        let y = wrong.inputs[1].sources[0]
        #expect(y.beyondBoundCount == 1 && y.beyondBound[0].index == [1] && y.beyondBound[0].input == 0.25)
        #expect(y.beyondBound[0].operation == "ExpBackward" && y.beyondBound[0].errorULP! > 1e6)
    }

    @Test func eachElementIsBlamedOnTheOpWhoseRoundingsWeighMost() throws {
        let wrong = try GradientJudge.judge(try Self.document { $1 * (1 + 1e-9) })
        #expect(wrong.inputs[0].sources[0].beyondBound.allSatisfy { $0.operation == "TanhBackward" }, "\(wrong.inputs.map { $0.sources[0].beyondBound.map { "\($0.input) \($0.operation ?? "-")" } })")
        #expect(wrong.inputs[1].sources[0].beyondBound.allSatisfy { $0.operation == "ExpBackward" })
        #expect(wrong.inputs.map { $0.sources[0].beyondBoundCount } == [4, 3])
    }

    /// `exp(tanh(x)).sum()` with every node's gradient the truth, but for the
    /// input's and the nodes named in `wrong`, which are off by a relative 10⁻⁹.
    static func chain(wrong: Set<String>) throws -> GraphDocument {
        let x = Tensor([0.5, -1.5, 2], requiresGrad: true)
        let loss = x.tanh().exp().sum()
        var document = try GraphDocument(loss, inputs: ["x": x])
        var reference = ExactMode()
        reference.keepsNodeCotangents = true
        let exact = try reference.gradient(of: loss, withRespectTo: [x], auditing: true)
        func altered(_ values: [Double], _ name: String) -> [Double] { wrong.contains(name) ? values.map { $0 * (1 + 1e-9) } : values }
        document.inputs[0].gradient = altered(exact.tensors[0].scalars, "x")
        #expect(exact.nodeCotangents!.map(\.nodeIndex) == [0, 1, 2])
        for (index, cotangent) in exact.nodeCotangents!.enumerated() {
            document.nodes[index].gradient = altered(cotangent.values, document.nodes[index].name)
        }
        return document
    }

    @Test func theNodesGradientsShowWhereTheErrorFirstAppears() throws {
        let names = try Self.chain(wrong: []).nodes.map(\.name)
        #expect(names == ["tanh0", "exp1", "sum2"])
        // Only the input's gradient is wrong: tanh's rule passed a wrong gradient back.
        let atTanh = try GradientJudge.judge(try Self.chain(wrong: ["x"]))
        #expect(atTanh.inputs[0].sources[0].firstWrongNode == "tanh0")
        #expect(atTanh.inputs[0].sources[0].beyondBound.allSatisfy { $0.operation == "TanhBackward" })
        #expect(atTanh.nodes.map(\.name) == names && atTanh.nodes.allSatisfy { $0.sources[0].passed })
        // Tanh's output gradient is wrong too: exp's rule went wrong first.
        let atExp = try GradientJudge.judge(try Self.chain(wrong: ["x", "tanh0"]))
        #expect(atExp.inputs[0].sources[0].firstWrongNode == "exp1")
        #expect(atExp.inputs[0].sources[0].beyondBound.allSatisfy { $0.operation == "ExpBackward" })
        #expect(atExp.nodes.map { $0.sources[0].passed } == [false, true, true])
        // All right: nothing to blame.
        let right = try GradientJudge.judge(try Self.chain(wrong: []))
        #expect(right.passed && right.inputs[0].sources[0].firstWrongNode == nil)
    }

    @Test func aDocumentWithNothingToDifferentiateIsRefused() throws {
        let constant = GraphDocument(inputs: [.init(name: "c", shape: [2], requiresGrad: false, values: [1, 2])],
                                     nodes: [.init(name: "s", operation: "sum", arguments: ["c"])], output: "s")
        #expect(throws: GraphDocumentError(path: "$.inputs", expected: "an input with \"requires_grad\": true", found: "none")) {
            try GradientJudge.judge(constant)
        }
        let vector = GraphDocument(inputs: [.init(name: "x", shape: [2], values: [1, 2])],
                                   nodes: [.init(name: "e", operation: "exp", arguments: ["x"])], output: "e")
        #expect(throws: GraphDocumentError(path: "$.output", expected: "a tensor of one element (a loss) to differentiate", found: "shape [2]")) {
            try GradientJudge.judge(vector)
        }
    }
}
