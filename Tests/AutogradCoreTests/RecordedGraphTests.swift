import AutogradCore
import Testing

/// The recorded graph is a program: it can be evaluated again over other scalars.
@Suite struct RecordedGraphTests {
    func lessonLoss(seed: UInt64) -> (loss: Tensor, predicted: Tensor, real: Tensor) {
        var generator = SeededGenerator(seed: seed)
        let real = Tensor.rand([3, 8], using: &generator)
        let predicted = Tensor.rand([3, 8], requiresGrad: true, using: &generator)
        return ((predicted - real).pow(2).sum(), predicted, real)
    }

    @Test(arguments: [0, 1, 2] as [UInt64])
    func replayInDoubleReproducesTheRecordedValueBitForBit(seed: UInt64) throws {
        let (loss, predicted, real) = lessonLoss(seed: seed)
        let graph = RecordedGraph(loss)
        #expect(graph.nodes.map(\.name) == ["SubBackward", "PowBackward", "SumBackward"])
        #expect(graph.leaves.count == 2 && graph.leaves[0] === predicted && graph.leaves[1] === real)
        #expect(!graph.requiresElementaryFunctions)
        let replayed: TensorValue<Double> = try graph.evaluate { $0.value }
        #expect(replayed == loss.value)
    }

    @Test func replayWithOtherLeafValuesComputesTheNewResult() throws {
        let (loss, predicted, _) = lessonLoss(seed: 4)
        let graph = RecordedGraph(loss)
        let shifted: TensorValue<Double> = try graph.evaluate { leaf in
            leaf === predicted ? leaf.value.map { $0 + 1 } : leaf.value
        }
        let expected = withNoGrad { ((predicted + 1) - graph.leaves[1]).pow(2).sum() }
        #expect(shifted == expected.value)
    }

    @Test func replayInFloatIsCloseToTheDoubleValue() throws {
        let x = Tensor([0.5, 1.5, 2.5], requiresGrad: true)
        let y = (x.exp() * x.sin()).sum()
        let graph = RecordedGraph(y)
        #expect(graph.requiresElementaryFunctions)
        let single: TensorValue<Float> = try graph.evaluate { $0.value.map(Float.init) }
        #expect(abs(Double(single.scalars[0]) - y.item()) < 1e-5 * abs(y.item()))
    }

    @Test func replayKeepsWorkingAfterBackwardFreedTheGraph() throws {
        let (loss, _, _) = lessonLoss(seed: 5)
        try loss.backward()
        let replayed: TensorValue<Double> = try RecordedGraph(loss).evaluate { $0.value }
        #expect(replayed == loss.value)
    }

    @Test func aFieldOnlyReplayRefusesElementaryFunctions() {
        let x = Tensor([1.0], requiresGrad: true)
        let graph = RecordedGraph((x.exp() + 1).sum())
        #expect(throws: AutogradError.requiresElementaryFunctions(operation: "Exp")) {
            let _: TensorValue<FieldOnly> = try graph.evaluate { $0.value.map(FieldOnly.init) }
        }
        #expect(throws: AutogradError.requiresElementaryFunctions(operation: "Exp")) {
            let _: [TensorValue<FieldOnly>] = try graph.gradient(withRespectTo: [x]) { $0.value.map(FieldOnly.init) }
        }
    }

    /// The reverse pass replayed through the generic rules reproduces the tape's
    /// gradients bit for bit: the graph keeps everything the rules need.
    @Test(arguments: [0, 1, 2] as [UInt64])
    func replayedReversePassMatchesTheTapeBitForBit(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let a = Tensor.randn([3, 4], requiresGrad: true, using: &generator)
        let b = Tensor.randn([4, 2], requiresGrad: true, using: &generator)
        let bias = Tensor.randn([2], requiresGrad: true, using: &generator)
        let hidden = (a.matmul(b) + bias).tanh()
        let loss = ((hidden * hidden.sigmoid() - 0.5).abs() + hidden.exp() / 3).mean(dim: 0).sum()
        let graph = RecordedGraph(loss)
        let replayed: [TensorValue<Double>] = try graph.gradient(withRespectTo: [a, b, bias]) { $0.value }
        let taped = try ReverseMode().gradient(of: loss, withRespectTo: [a, b, bias])
        #expect(replayed == taped.map(\.value))
    }

    /// A graph of field ops differentiates over a field-only scalar type.
    @Test func theLessonLossDifferentiatesOverAFieldOnlyScalar() throws {
        let (loss, predicted, real) = lessonLoss(seed: 6)
        let graph = RecordedGraph(loss)
        let gradient: [TensorValue<FieldOnly>] = try graph.gradient(withRespectTo: [predicted, real]) {
            $0.value.map(FieldOnly.init)
        }
        let manual = withNoGrad { 2 * (predicted - real) }
        #expect(gradient[0].map(\.value) == manual.value)
        #expect(gradient[1].map(\.value) == (-manual).value)
    }
}

/// A scalar with field arithmetic only, standing in for an exact rational.
struct FieldOnly: FieldScalar {
    var value: Double
    init(_ value: Double) { self.value = value }
    init(integerLiteral value: Int) { self.value = Double(value) }
    init?<T: BinaryInteger>(exactly source: T) { self.value = Double(source) }
    var magnitude: FieldOnly { FieldOnly(Swift.abs(value)) }
    static func + (a: FieldOnly, b: FieldOnly) -> FieldOnly { FieldOnly(a.value + b.value) }
    static func - (a: FieldOnly, b: FieldOnly) -> FieldOnly { FieldOnly(a.value - b.value) }
    static func * (a: FieldOnly, b: FieldOnly) -> FieldOnly { FieldOnly(a.value * b.value) }
    static func *= (a: inout FieldOnly, b: FieldOnly) { a = a * b }
    static func /= (a: inout FieldOnly, b: FieldOnly) { a = FieldOnly(a.value / b.value) }
    static func < (a: FieldOnly, b: FieldOnly) -> Bool { a.value < b.value }
}
