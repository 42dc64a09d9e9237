import Autograd
import Testing

/// Compiled plans give the eager tape's values and gradients bit for bit, on
/// random graphs and on one or two threads, and refuse bad calls with errors.
@Suite struct CompiledFunctionTests {
    /// Random graphs of element-wise ops over three inputs of one shape, with
    /// shared subexpressions (a value read by several ops, inside and outside
    /// fused regions) and a few ops the plan cannot fuse (a broadcast
    /// constant, a reshape, a sum along an axis), ending in `sum()` or `mean()`.
    struct GraphBuilder {
        var generator: SeededGenerator
        var pool: [Tensor] = []

        mutating func pick(_ count: Int) -> Int { Int(generator.next() % UInt64(count)) }

        mutating func operand() -> Tensor { pool[pick(pool.count)] }

        mutating func build(_ inputs: [Tensor], steps: Int) -> Tensor {
            pool = inputs
            for _ in 0..<steps {
                let x = operand(), y = operand()
                let next: Tensor
                switch pick(17) {
                case 0: next = x + y
                case 1: next = x - y
                case 2: next = x * y
                case 3: next = x / (y * y + 1)
                case 4: next = x.tanh()
                case 5: next = x.pow(2)
                case 6: next = x.pow(3)
                case 7: next = (x * 0.5).exp()
                case 8: next = (x * x + 1).log()
                case 9: next = x.sigmoid()
                case 10: next = x.sin()
                case 11: next = x.relu() + x.abs()
                case 12: next = -x + 2
                case 13: next = x / 3 - 1.5
                case 14: next = x * Tensor([0.5, -1.25], shape: [2, 1])   // broadcasting: not fused
                case 15: next = (x.reshape(-1) * 2).reshape(x.shape)        // a reshape between regions
                default: next = x.sum(dim: 0).reshape(1, x.shape[1]) * y      // a reduction along an axis
                }
                pool.append(next.shape == inputs[0].shape ? next : next.sum(dim: 0).reshape(1, -1) + x)
            }
            let last = pool[pool.count - 1] + operand()
            return pick(2) == 0 ? last.sum() : last.mean()
        }
    }

    static func inputs(_ generator: inout SeededGenerator, shape: Shape) -> [Tensor] {
        (0..<3).map { _ in Tensor.randn(shape, using: &generator) }
    }

    static func sameBits(_ a: Tensor, _ b: Tensor) -> Bool {
        a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    /// Shapes of 2 × n: n = 3 (a piece shorter than four), and 6,151 (three
    /// summation blocks, the last one partial, and pieces with tails).
    @Test(arguments: [3, 6_151])
    func randomGraphsMatchTheTapeBitForBitOnOneAndTwoThreads(columns: Int) throws {
        var generator = SeededGenerator(seed: 77 + UInt64(columns))
        var fused = 0
        for graph in 0..<(columns < 100 ? 120 : 24) {
            let seed = generator.next()
            let inputs = Self.inputs(&generator, shape: [2, columns])
            let function: ([Tensor]) -> Tensor = { x in
                var builder = GraphBuilder(generator: SeededGenerator(seed: seed))
                return builder.build(x, steps: 8)
            }
            let eagerValue = function(inputs)
            let eagerGradient = try ReverseMode().gradient(at: inputs, of: function)
            for threads in [1, 2] {
                let compiled = try CompiledFunction(tracingAt: inputs, threads: threads, function)
                fused += compiled.fusedRegions.count
                let (value, gradient) = try compiled.valueWithGradient(inputs)
                #expect(Self.sameBits(value, eagerValue), "graph \(graph), \(threads) threads: value \(value.item()) against \(eagerValue.item())")
                #expect(Self.sameBits(try compiled.value(inputs), eagerValue), "graph \(graph): value() alone")
                for index in inputs.indices {
                    #expect(Self.sameBits(gradient[index], eagerGradient[index]), "graph \(graph), \(threads) threads, input \(index); regions \(compiled.fusedRegions)")
                }
            }
        }
        #expect(fused > 0)
    }

    /// The lesson's loss at a size that spans 245 summation blocks: one fused
    /// region, the tape's bits, and the same bits on one and two threads.
    /// (On the tape the square is deferred and added up as it is computed:
    /// see DeferredElementwiseTests.)
    @Test func theLessonsLossFusesIntoOneRegion() throws {
        var generator = SeededGenerator(seed: 5)
        let predicted = Tensor.rand([1_000_000], requiresGrad: true, using: &generator)
        let real = Tensor.rand([1_000_000], using: &generator)
        let loss = (predicted - real).pow(2).sum()
        try loss.backward()
        for threads in [1, 2] {
            let compiled = try CompiledFunction(tracingAt: [predicted, real], threads: threads) { x in (x[0] - x[1]).pow(2).sum() }
            #expect(compiled.fusedRegions == ["Sub, Pow, Sum over 1000000 elements"])
            let (value, gradient) = try compiled.valueWithGradient([predicted, real])
            #expect(value.item().bitPattern == loss.item().bitPattern)
            #expect(Self.sameBits(gradient[0], predicted.grad!))
            #expect(Self.sameBits(gradient[1], -predicted.grad!))
        }
    }

    /// An input read by a region and, later in the recording, by an op the
    /// plan runs alone: the region adds its contribution to the gradient the
    /// input already has (here `p` through `+`, whose gradient could
    /// otherwise be written in place), in the tape's order.
    @Test func aRegionAddsToAGradientAnInputAlreadyHas() throws {
        var generator = SeededGenerator(seed: 7)
        let inputs = [Tensor.randn([3, 700], using: &generator), Tensor.randn([3, 700], using: &generator)]
        let function: ([Tensor]) -> Tensor = { x in
            (x[0] + x[1]).tanh().sum() + (x[0].reshape(-1) * x[0].reshape(-1)).sum(dim: 0)
        }
        let eager = try ReverseMode().gradient(at: inputs, of: function)
        let compiled = try CompiledFunction(tracingAt: inputs, function)
        #expect(compiled.fusedRegions.contains("Add, Tanh, Sum over 2100 elements"))
        let (value, gradient) = try compiled.valueWithGradient(inputs)
        #expect(value.item().bitPattern == function(inputs).item().bitPattern)
        for index in inputs.indices { #expect(Self.sameBits(gradient[index], eager[index])) }
    }

    /// Every built-in op of one tensor as the op a final sum or mean reads,
    /// of `x + y`, `x − y` and `x · y`, and of a product whose first operand
    /// is itself computed: the plan computes the pair's values, their sum and
    /// its reverse rule in one pass (or in turn, for `tanh` and the others),
    /// with the tape's bits. 2 × 701 elements make pieces of 512 and a tail
    /// that is not a multiple of four.
    @Test func everyBuiltInOpBeforeAFinalSumMatchesTheTape() throws {
        let finals = BuiltInOperations.ofOneTensor
        let pairs: [(String, (Tensor, Tensor) -> Tensor)] = [
            ("x · y", { $0 * $1 }), ("x + y", { $0 + $1 }), ("x − y", { $0 - $1 }), ("exp(x) − y", { $0.exp() - $1 }),
        ]
        var generator = SeededGenerator(seed: 9)
        let inputs = [Tensor.randn([2, 701], using: &generator), Tensor.randn([2, 701], using: &generator)]
        for (name, final) in finals {
            for (pairName, pair) in pairs {
                for mean in [false, true] {
                    let name = "\(name) of \(pairName)"
                    let function: ([Tensor]) -> Tensor = { x in
                        let reduced = final(pair(x[0], x[1]))
                        return mean ? reduced.mean() : reduced.sum()
                    }
                    let eager = try ReverseMode().gradient(at: inputs, of: function)
                    for threads in [1, 2] {
                        let compiled = try CompiledFunction(tracingAt: inputs, threads: threads, function)
                        let (value, gradient) = try compiled.valueWithGradient(inputs)
                        #expect(value.item().bitPattern == function(inputs).item().bitPattern, "\(name), mean \(mean): value")
                        for index in inputs.indices {
                            #expect(Self.sameBits(gradient[index], eager[index]), "\(name), mean \(mean), \(threads) threads: input \(index)")
                        }
                    }
                }
            }
        }
    }

    /// The deeper graph of the benchmarks: `sum(tanh(x·w + b)·y)`.
    @Test func aTanhLayerMatchesTheTape() throws {
        var generator = SeededGenerator(seed: 6)
        let inputs = (0..<4).map { _ in Tensor.randn([20_000], using: &generator) }
        let layer: ([Tensor]) -> Tensor = { x in ((x[0] * x[1] + x[2]).tanh() * x[3]).sum() }
        let eager = try ReverseMode().gradient(at: inputs, of: layer)
        let compiled = try CompiledFunction(tracingAt: inputs, threads: 2, layer)
        #expect(compiled.fusedRegions == ["Mul, Add, Tanh, Mul, Sum over 20000 elements"])
        let (value, gradient) = try compiled.valueWithGradient(inputs)
        #expect(value.item().bitPattern == layer(inputs).item().bitPattern)
        for index in inputs.indices { #expect(Self.sameBits(gradient[index], eager[index])) }
    }

    /// `sum()` adds in fixed blocks whatever the thread count: the same bits
    /// as adding the block sums from left to right.
    @Test func sumsAddFixedBlocksFromLeftToRight() {
        var generator = SeededGenerator(seed: 8)
        let x = Tensor.randn([3 * SummationOrder.blockSize + 5], using: &generator)
        let scalars = x.scalars
        let blocks = stride(from: 0, to: scalars.count, by: SummationOrder.blockSize).map { start in
            scalars[start..<min(start + SummationOrder.blockSize, scalars.count)].withUnsafeBufferPointer { block in
                var accumulator = BlockAccumulator()
                // In two pieces, the first a multiple of four, as a plan adds them.
                let first = min(512, block.count)
                accumulator.add(block.baseAddress!, count: first)
                accumulator.add(block.baseAddress! + first, count: block.count - first)
                return accumulator.total
            }
        }
        #expect(x.sum().item().bitPattern == (((blocks[0] + blocks[1]) + blocks[2]) + blocks[3]).bitPattern)
    }

    /// Edge cases: no elements, zero-dimensional inputs, a function that
    /// returns its input or ignores one, and a mean.
    @Test func edgeCasesMatchTheTape() throws {
        let cases: [(String, [Tensor], ([Tensor]) -> Tensor)] = [
            ("empty sum", [Tensor([Double](), shape: [0]), Tensor([Double](), shape: [0])], { x in (x[0] * x[1]).sum() }),
            ("empty mean", [Tensor([Double](), shape: [0])], { x in x[0].exp().mean() }),
            ("scalars", [Tensor(1.5), Tensor(-2.0)], { x in (x[0] * x[1] + x[0]).tanh() }),
            ("identity", [Tensor(3.0)], { x in x[0] }),
            ("ignored input", [Tensor([1.0, 2]), Tensor([5.0, 6])], { x in (x[0] * x[0]).sum() }),
            ("mean", [Tensor([1.0, 2, 4])], { x in (x[0].log() - 1).mean() }),
        ]
        for (name, inputs, function) in cases {
            let eager = try ReverseMode().gradient(at: inputs, of: function)
            let (value, gradient) = try CompiledFunction(tracingAt: inputs, threads: 2, function).valueWithGradient(inputs)
            #expect(Self.sameBits(value, function(inputs)), "\(name)")
            for index in inputs.indices { #expect(Self.sameBits(gradient[index], eager[index]), "\(name), input \(index)") }
        }
    }

    @Test func theCompiledStrategyIsRegisteredAndAgreesWithTheTape() throws {
        let strategy = try AutogradConfiguration.load(flags: [.backend: "compiled", .threads: "2"]).strategy()
        #expect(strategy.name == "compiled")
        var generator = SeededGenerator(seed: 9)
        let x = Tensor.randn([3, 8], requiresGrad: true, using: &generator)
        let y = ((x * x).exp().mean() + x.tanh().sum()).sqrt()
        let compiled = try strategy.gradient(of: y, withRespectTo: [x]).tensors[0]
        #expect(Self.sameBits(compiled, try ReverseMode().gradient(of: y, withRespectTo: [x])[0]))
    }

    @Test func callsWithOtherInputsAreRefused() throws {
        let compiled = try CompiledFunction(tracingAt: [Tensor.zeros(2, 3), Tensor.zeros(2, 3)]) { x in (x[0] * x[1]).sum() }
        #expect(throws: AutogradError.inputCountMismatch(expected: 2, got: 1)) { try compiled.value([Tensor.zeros(2, 3)]) }
        #expect(throws: AutogradError.inputShapeMismatch(index: 1, expected: [2, 3], got: [3, 2])) {
            try compiled.valueWithGradient([Tensor.zeros(2, 3), Tensor.zeros(3, 2)])
        }
        let notScalar = try CompiledFunction(tracingAt: [Tensor.zeros(2)]) { x in x[0].exp() }
        #expect(throws: AutogradError.nonScalarBackward(shape: [2])) { try notScalar.valueWithGradient([Tensor.zeros(2)]) }
        #expect(try notScalar.value([Tensor([0.0, 1])]).scalars == [1, Tensor(1.0).exp().item()])
    }

    /// Differentiating with respect to an input that does not exist is a
    /// programming error: it traps, naming the position and the input count.
    @Test func aDifferentiatedInputOutOfRangeTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = try? CompiledFunction(tracingAt: [Tensor([1.0])], withRespectTo: [1]) { x in x[0].sum() }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("withRespectTo: input 1 does not exist; the function has 1 inputs"))
    }

    /// Only the chosen inputs are differentiated, in the order given.
    @Test func gradientsFollowWithRespectTo() throws {
        let inputs = [Tensor([1.0, 2]), Tensor([3.0, 5])]
        let compiled = try CompiledFunction(tracingAt: inputs, withRespectTo: [1, 0]) { x in (x[0] * x[1]).sum() }
        let (value, gradient) = try compiled.valueWithGradient(inputs)
        #expect(value.item() == 13)
        #expect(gradient.map(\.scalars) == [[1, 2], [3, 5]])
    }

    @Test func aTracedConditionIsRefused() {
        #expect(throws: AutogradError.self) {
            try CompiledFunction(tracingAt: [Tensor([1.0, -1])]) { x in Tensor.where(x[0].gt(0), x[0], -x[0]).sum() }
        }
    }
}
