import Autograd
import Testing

/// The eager tape's lighter reverse pass: a sum's or mean's gradient reaches
/// the next element-wise rule as one value, and element-wise rules write
/// into a gradient or a saved value that no one else holds. It must give the
/// bits of the op's tensor rules, which a replay of a freed graph runs, and
/// never overwrite a value that anyone can still read.
@Suite struct EagerBackwardTests {
    static func bits(_ tensor: Tensor?) -> [UInt64] { tensor?.scalars.map(\.bitPattern) ?? [] }

    /// Whether two tensors hold the same bits (a short failure message).
    static func same(_ a: Tensor?, _ b: Tensor?) -> Bool { bits(a) == bits(b) }

    static let elementwiseCount = 11

    /// Element-wise ops, each with its own reverse rule: of `x` alone, or
    /// of `x` and `other` (both gradients wanted when both lead to inputs).
    static func elementwise(_ kind: Int, _ x: Tensor, _ other: Tensor) -> Tensor {
        switch kind {
        case 0: x.tanh()
        case 1: x.pow(2)
        case 2: x.sigmoid()
        case 3: (x * 0.5).exp()
        case 4: x / 3
        case 5: -x + 2
        case 6: x.sin()
        case 7: x.pow(3) - 1
        case 8: x * other
        case 9: other / (x * x + 1)
        default: x * x
        }
    }

    /// On random graphs (every built-in element-wise op, shared values,
    /// broadcasting, reshapes, reductions along an axis), three passes agree
    /// bit for bit: one that keeps the graph (`ReverseMode`), `backward()`,
    /// which frees it and may overwrite saved values, and a replay of the
    /// freed graph by the ops' tensor rules (`ReverseMode` again).
    /// 700 columns make pieces of 512 and a partial one.
    @Test(arguments: [3, 700])
    func backwardGivesTheTensorRulesBits(columns: Int) throws {
        var generator = SeededGenerator(seed: 303 + UInt64(columns))
        for graph in 0..<(columns < 100 ? 80 : 20) {
            let seed = generator.next()
            let inputs = CompiledFunctionTests.inputs(&generator, shape: [2, columns]).map {
                Tensor($0.scalars, shape: $0.shape, requiresGrad: true)
            }
            var builder = CompiledFunctionTests.GraphBuilder(generator: SeededGenerator(seed: seed))
            // Two element-wise ops before a last reduction: the reduction's
            // gradient reaches them as one value, and the inner one's output
            // is held by the outer one's node alone, so it may be overwritten
            // (unless the outer op reads it twice).
            let built = builder.build(inputs, steps: 8)
            let inner = Self.elementwise(builder.pick(Self.elementwiseCount), builder.operand(), builder.operand())
            let outer = Self.elementwise(builder.pick(Self.elementwiseCount), inner, builder.operand())
            let result = built + (builder.pick(2) == 0 ? outer.sum() : outer.mean())
            let kept = try ReverseMode().gradient(of: result, withRespectTo: inputs)
            try result.backward()
            let replayed = try ReverseMode().gradient(of: result, withRespectTo: inputs)
            for index in inputs.indices {
                let fromBackward = inputs[index].grad ?? Tensor.zeros(inputs[index].shape)
                #expect(Self.same(fromBackward, replayed[index]), "graph \(graph), input \(index): backward()")
                #expect(Self.same(kept[index], replayed[index]), "graph \(graph), input \(index): graph kept")
            }
        }
    }

    /// A value that a tensor still holds is not overwritten by the pass, nor
    /// is the gradient the caller gave; calling again on a kept graph gives
    /// the same gradient again.
    @Test func valuesSomeoneHoldsAreNotOverwritten() throws {
        var generator = SeededGenerator(seed: 8)
        let p = Tensor.randn([1000], requiresGrad: true, using: &generator)
        let r = Tensor.randn([1000], using: &generator)
        let difference = p - r
        let before = Self.bits(difference)
        let loss = difference.pow(2).sum()
        try loss.backward(retainGraph: true)
        #expect(Self.bits(difference).elementsEqual(before))
        let first = Self.bits(p.grad)
        p.grad = nil
        try loss.backward()
        #expect(Self.bits(p.grad).elementsEqual(first))
        #expect(Self.bits(difference).elementsEqual(before))

        let y = p.tanh()
        let seed = Tensor.randn([1000], using: &generator)
        let seedBits = Self.bits(seed)
        p.grad = nil
        try y.backward(gradient: seed)
        #expect(Self.bits(seed).elementsEqual(seedBits))
        #expect(Self.same(p.grad, try ReverseMode().gradient(of: (p.tanh() * seed).sum(), withRespectTo: [p])[0]))
    }

    /// A mean's gradient, 1/n for every element, and a sum straight on a
    /// leaf, whose gradient is written out (1,000 elements: the one-value
    /// form starts at a piece of 512).
    @Test func reductionsHandOnOneValue() throws {
        let x = Tensor((1...1000).map(Double.init), requiresGrad: true)
        try x.pow(2).mean().backward()
        #expect(x.grad?.scalars == x.scalars.map { (1.0 / 1000) * ($0 + $0) })
        x.grad = nil
        try (x.sum() * 3).backward()
        #expect(x.grad?.scalars == Array(repeating: 3, count: 1000))
        x.grad = nil
        try (x.mean() + x.sum()).backward()
        #expect(x.grad?.scalars == Array(repeating: 1.0 / 1000 + 1, count: 1000))
    }

    /// A sum scaled by 0 hands every op a seed of 0 as one value: where the
    /// op's partial is infinite or NaN (`2·∞`, `exp(710)`, `1/0`, `log 0`,
    /// `√0`), the rules' strong zeros still give 0, as the tensor rules do,
    /// on the tape (`backward()`) and in a compiled plan.
    @Test func aZeroSeedKeepsTheStrongZeros() throws {
        var values = (0..<1000).map { Double($0) / 100 - 5 }
        values[3] = .infinity
        values[600] = -.infinity
        values[700] = .nan
        values[10] = 0
        values[20] = 710
        let functions: [(String, (Tensor, Tensor) -> Tensor)] = [
            ("pow(2)", { x, _ in x.pow(2) }), ("pow(3)", { x, _ in x.pow(3) }), ("exp", { x, _ in x.exp() }),
            ("log", { x, _ in x.log() }), ("sqrt", { x, _ in x.sqrt() }), ("x·y", { x, y in x * y }),
            ("x/y", { x, y in y / x }), ("1/x", { x, _ in 1 / x }),
        ]
        for (name, function) in functions {
            let x = Tensor(values, requiresGrad: true), y = Tensor(values.reversed(), requiresGrad: true)
            let loss = function(x, y).sum() * 0
            try loss.backward()
            let replayed = try ReverseMode().gradient(of: loss, withRespectTo: [x, y])
            let compiled = try CompiledFunction(tracingAt: [x, y]) { function($0[0], $0[1]).sum() * 0 }
                .valueWithGradient([x, y]).gradient
            #expect(Self.same(x.grad, replayed[0]), "\(name): x")
            #expect(Self.same(compiled[0], replayed[0]), "\(name): compiled x")
            #expect(Self.same(compiled[1], replayed[1]), "\(name): compiled y")
            #expect(x.grad?.scalars.allSatisfy { $0 == 0 } == true, "\(name): \(x.grad?.scalars.filter { $0 != 0 } ?? [])")
        }
    }
}

/// A custom op whose tensor reverse rule is not its derivative's formula
/// (tripling the gradient): the tape must run it, so that the gradient
/// checks judge it, even where a built-in op would run its block rule.
struct TriplingReverseRule: ElementwiseOperation {
    var name: String { "TriplingReverseRule" }
    func apply<S: FieldScalar>(_ x: S) -> S { x }
    func derivative<S: FieldScalar>(at x: S, output: S) -> S { 1 }
    func vjp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> {
        gradient.map { 3 * $0 }
    }
}

extension EagerBackwardTests {
    @Test func aCustomOpRunsItsOwnReverseRule() throws {
        let x = Tensor(Array(repeating: 0.5, count: 1000), requiresGrad: true)
        try x.applying(TriplingReverseRule()).sum().backward()
        #expect(x.grad?.scalars == Array(repeating: 3, count: 1000))
    }
}
