import Autograd
import Testing

/// A recorded graph may be differentiated by several tasks at once: every
/// strategy's result equals the sequential one, and backward() either adds
/// up like sequential passes (retaining the graph) or, when it would free a
/// graph another task is using, throws graphInUse and changes nothing.
@Suite struct ConcurrencyTests {
    /// A small network-like loss over `x` and `w`, with shared subgraphs.
    static func loss(_ x: Tensor, _ w: Tensor) -> Tensor {
        let hidden = (x.matmul(w)).tanh()
        return (hidden * hidden + hidden.sigmoid()).sum()
    }

    static func inputs() -> (Tensor, Tensor) {
        var generator = SeededGenerator(seed: 11)
        return (Tensor.rand([4, 3], requiresGrad: true, using: &generator), Tensor.rand([3, 5], requiresGrad: true, using: &generator))
    }

    @Test func everyStrategyOnOneGraphFromManyTasksGivesTheSequentialResult() async throws {
        let (x, w) = Self.inputs()
        let loss = Self.loss(x, w)
        let strategies: [any Differentiable] = [ReverseMode(), ForwardMode(), ExactMode(), CompiledReverseMode(threads: 2)]
        let sequential = try strategies.map { try $0.gradient(of: loss, withRespectTo: [x, w]).tensors.map(\.scalars) }
        try await withThrowingTaskGroup(of: (Int, [[Double]]).self) { group in
            for round in 0..<24 {
                let index = round % strategies.count
                let strategy = strategies[index]
                group.addTask { (index, try strategy.gradient(of: loss, withRespectTo: [x, w]).tensors.map(\.scalars)) }
            }
            for try await (index, gradients) in group {
                #expect(gradients == sequential[index], "\(strategies[index].name)")
            }
        }
        #expect(x.grad == nil && w.grad == nil && loss.gradFn?.isFreed == false)
    }

    /// One compiled function called from many tasks at once, each call
    /// spreading its blocks over two threads: every call gives the bits of
    /// a call made alone (the threads write disjoint blocks of fresh buffers).
    @Test func aCompiledFunctionCalledFromManyTasksGivesTheSequentialResult() async throws {
        var generator = SeededGenerator(seed: 12)
        let inputs = [Tensor.randn([70_000], using: &generator), Tensor.randn([70_000], using: &generator)]
        let compiled = try CompiledFunction(tracingAt: inputs, threads: 2) { x in ((x[0] * x[1]).tanh() + x[0]).pow(2).mean() }
        let alone = try compiled.valueWithGradient(inputs)
        try await withThrowingTaskGroup(of: (Double, [[Double]]).self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let (value, gradient) = try compiled.valueWithGradient(inputs)
                    return (value.item(), gradient.map(\.scalars))
                }
            }
            for try await (value, gradient) in group {
                #expect(value.bitPattern == alone.value.item().bitPattern)
                #expect(gradient == alone.gradient.map(\.scalars))
            }
        }
    }

    @Test func backwardPassesThatRetainTheGraphAddUpFromManyTasks() async throws {
        let (x, w) = Self.inputs()
        let loss = Self.loss(x, w)
        let once = try ReverseMode().gradient(of: loss, withRespectTo: [x, w])
        for _ in 0..<20 {
            x.zeroGrad()
            w.zeroGrad()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask { try loss.backward(retainGraph: true) }
                }
                try await group.waitForAll()
            }
            // Two equal contributions: g + g = 2g exactly, whichever came first.
            #expect(x.grad?.scalars == once[0].scalars.map { 2 * $0 })
            #expect(w.grad?.scalars == once[1].scalars.map { 2 * $0 })
        }
    }

    @Test func aBackwardPassThatFreesTheGraphWhileAnotherTaskUsesItThrows() async throws {
        let (x, w) = Self.inputs()
        let loss = Self.loss(x, w)
        let once = try ReverseMode().gradient(of: loss, withRespectTo: [x, w])
        let outcomes = await withTaskGroup(of: AutogradError?.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    do throws(AutogradError) { try loss.backward(); return nil } catch { return error }
                }
            }
            return await group.reduce(into: [AutogradError?]()) { $0.append($1) }
        }
        // Exactly one pass freed the graph; the others were refused, changing nothing.
        #expect(outcomes.filter { $0 == nil }.count == 1)
        for case let error? in outcomes {
            switch error {
            case .graphFreed, .graphInUse: break
            default: Issue.record("unexpected \(error)")
            }
        }
        #expect(x.grad?.scalars == once[0].scalars && w.grad?.scalars == once[1].scalars)
        #expect(loss.gradFn?.isFreed == true)
        // Strategies still differentiate the freed graph, by replaying it.
        #expect(try ReverseMode().gradient(of: loss, withRespectTo: [x, w]).map(\.scalars) == once.map(\.scalars))
    }

    @Test func theGraphInUseErrorSaysWhatToDo() {
        #expect(AutogradError.graphInUse(node: "SumBackward").description.contains("retainGraph: true"))
    }
}
