import Autograd
import Testing

/// The README's library example, as written, computes the right gradients.
@Suite struct ReadmeExampleTests {
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
