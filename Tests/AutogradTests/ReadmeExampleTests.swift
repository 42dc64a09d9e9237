import Autograd
import Testing

/// The README's library example, as written, computes the right gradients.
@Suite struct ReadmeExampleTests {
    /// The training loop of "The lesson continued", as printed there.
    @Test func theTrainingExampleLearns() throws {
        var generator = SeededGenerator(seed: 0)
        let x = Tensor.randn([64, 2], using: &generator)
        let y = (x.detach().sum(dim: 1).reshape(64, 1) * 4).sigmoid()   // soft labels
        let model = Sequential(Linear(2, 16, using: &generator), Activation.tanh, Linear(16, 1, using: &generator))
        var optimizer = try Adam(model.parameters, learningRate: 0.05)
        var losses: [Double] = []
        for _ in 0..<100 {
            optimizer.zeroGrad()
            let loss = binaryCrossEntropyWithLogits(model(x), y)
            try loss.backward()
            optimizer.step()
            losses.append(loss.item())
        }
        // The soft labels' own entropy is the floor; the loss comes down to near it.
        let floor = binaryCrossEntropyWithLogits(withNoGrad { (x.sum(dim: 1).reshape(64, 1) * 4) }, y).item()
        #expect(losses.last! < losses.first! && losses.last! - floor < 0.02, "\(losses.first!) → \(losses.last!), floor \(floor)")
        // And the in-place rows of the table.
        let w = Tensor([1.0, 2], requiresGrad: true)
        try (w * w).sum().backward()
        try withNoGrad { try w -= 0.1 * w.grad! }
        try w.grad?.zero()
        #expect(w.scalars == [0.8, 1.6] && w.grad?.scalars == [0, 0])
    }

    @Test func theLibraryExampleRuns() throws {
        var generator = SeededGenerator(seed: 0)
        let w = Tensor.randn([4, 1], requiresGrad: true, using: &generator)
        let b = Tensor.zeros(1, requiresGrad: true)
        let x = Tensor([[1.0, 2, 3, 4], [5, 6, 7, 8]])
        let loss = (x.matmul(w) + b).tanh().pow(2).mean()
        try loss.backward()

        // d/db mean(tanh(z)^2) = mean(2 tanh(z) / cosh(z)^2), z = x·w + b.
        let z = withNoGrad { x.matmul(w) + b }
        let expected = withNoGrad { (2 * z.tanh() / z.cosh2()).mean() }
        #expect(w.grad?.shape == [4, 1] && b.grad?.shape == [1])
        #expect(abs(b.grad!.item() - expected.item()) <= 1e-15)

        let gradient = try ReverseMode().gradient(at: Tensor([1.0, 2]), of: { $0.exp().sum() })
        #expect(gradient.scalars == [Double.exp(1), Double.exp(2)])
    }
}

private extension Tensor {
    func cosh2() -> Tensor { let c = (exp() + (-self).exp()) / 2; return c * c }
}

/// The README's exact-arithmetic examples, as written.
@Suite struct ReadmeExactExampleTests {
    @Test func theExactExamplesRun() throws {
        #expect(try Rational(exactly: 0.1).description == "3602879701896397/36028797018963968")
        #expect(try Rational("0.1").description == "1/10")
        var generator = SeededGenerator(seed: 0)
        let real = Tensor.rand([3, 8], using: &generator)
        let predicted = Tensor.rand([3, 8], requiresGrad: true, using: &generator)
        let loss = (predicted - real).pow(2).sum()
        try loss.backward()
        let auto = predicted.grad!
        let exact = try ExactMode().gradient(of: loss, withRespectTo: [predicted])
        #expect(exact.exactness == "exact")
        #expect(exact.tensors[0].eq(auto).all())
    }
}

/// A strategy of a program's own, as in the Configuration article: central
/// finite differences, as other checkers use, evaluated by replaying the
/// recorded graph.
struct CentralDifferences: Differentiable {
    var name: String { "central" }
    var step = 1e-6

    func gradient(of result: Tensor, withRespectTo leaves: [Tensor]) throws -> [Tensor] {
        let graph = RecordedGraph(result)
        return try leaves.map { leaf in
            let x = leaf.scalars
            let slopes = try x.indices.map { i in
                func f(_ offset: Double) throws -> Double {
                    var moved = x
                    moved[i] += offset
                    let value: TensorValue<Double> = try graph.evaluate { $0 === leaf ? TensorValue(shape: leaf.shape, scalars: moved) : $0.value }
                    return value.scalars[0]
                }
                return try (f(step) - f(-step)) / (2 * step)
            }
            return Tensor(slopes, shape: leaf.shape)
        }
    }

    func gradient(at point: [Tensor], of function: ([Tensor]) -> Tensor) throws -> [Tensor] {
        let (inputs, result) = Tensor.trace(at: point, of: function)
        return try gradient(of: result, withRespectTo: inputs)
    }
}

/// The configuration examples of the README and the Configuration article.
@Suite struct ReadmeConfigurationExampleTests {
    @Test func aProgramPicksItsBackendFromConfigurationInOneLine() throws {
        let example = Lesson.example(seed: 0)
        let (loss, predicted) = (example.loss, example.predicted)
        let strategy = try AutogradConfiguration.load(directory: "/nonexistent", environment: ["AUTOGRAD_BACKEND": "forward"]).strategy()
        let gradient = try strategy.gradient(of: loss, withRespectTo: [predicted]).tensors[0]
        #expect(strategy.name == "forward")
        #expect(gradient.eq(withNoGrad { 2 * (example.predicted - example.real) }).all())
    }

    @Test func aProgramsOwnStrategyIsRegisteredChosenAndCrossChecked() throws {
        let registry = BackendRegistry()   // the article uses BackendRegistry.standard
        try registry.register("central", summary: "central finite differences") { _ in CentralDifferences() }
        let mine = try AutogradConfiguration.load(flags: [.backend: "central"], directory: "/nonexistent", environment: [:], registry: registry)
            .strategy(in: registry)
        let results = try GradientCheck.run(strategies: [mine])
        // Finite differences are what exact arithmetic replaces: far outside the bounds.
        #expect(results.allSatisfy { $0.strategy == "central" })
        let lesson = try #require(results.first { $0.function == "lesson_loss" })
        #expect(!lesson.passed && lesson.maxULP > 1000)
    }
}

/// The worked example of a verdict that the Validating gradients article
/// shows (there without a matrix product, whose rounding may depend on the
/// CPU the BLAS kernels were chosen for).
@Suite struct ReadmeVerdictExampleTests {
    @Test func aCorrectGradientManyULPsOffPassesItsBound() throws {
        var generator = SeededGenerator(seed: 7)
        let features = Tensor.randn([64, 4], using: &generator)
        let labels = Tensor((0..<64).map { _ in generator.nextUnit() < 0.5 ? 0.0 : 1 }, shape: [64, 1])
        let results = try GradientCheck.check("logistic", inputs: [Tensor.randn([4, 1], using: &generator)], names: ["w"]) { w in
            let p = features.matmul(w[0]).sigmoid()
            return -(labels * p.log() + (1 - labels) * (1 - p).log()).sum()
        }
        let forward = try #require(results.first { $0.strategy == "forward" })
        let worst = try #require(forward.worst)
        #expect(forward.passed && results.allSatisfy(\.passed))
        #expect(forward.maxULP > 4)   // a fixed 4-ULP tolerance would fail this correct gradient
        #expect(worst.inputName == "w" && worst.bound > 1000 * worst.truth.ulp)
    }
}
