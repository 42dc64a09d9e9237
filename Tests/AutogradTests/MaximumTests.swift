import Autograd
import Testing

/// max, min and argmax: PyTorch's gradients at ties in every strategy,
/// proven by the exact reference.
@Suite struct MaximumTests {
    let strategies: [any Differentiable] = [ReverseMode(), ForwardMode(), ExactMode()]

    @Test func theWholeMaximumSharesItsGradientAmongTies() throws {
        let x = Tensor([1.0, 3, -2, 3], requiresGrad: true)
        #expect(x.max().item() == 3 && x.min().item() == -2)
        for strategy in strategies {
            #expect(try strategy.gradient(of: x.max(), withRespectTo: [x]).tensors[0].scalars == [0, 0.5, 0, 0.5], "\(strategy.name)")
            #expect(try strategy.gradient(of: x.min(), withRespectTo: [x]).tensors[0].scalars == [0, 0, 1, 0], "\(strategy.name)")
        }
        #expect(Tensor([1.0, .nan, 3]).max().item().isNaN)
        // A NaN wins, and takes the whole gradient.
        let withNaN = Tensor([1.0, .nan, 3], requiresGrad: true)
        try withNaN.max().backward()
        #expect(withNaN.grad?.scalars == [0, 1, 0])
    }

    @Test func aMaximumAlongAnAxisSendsItsGradientToTheFirstLargest() throws {
        let x = Tensor([[1.0, 5, 5], [7, 2, 7]], requiresGrad: true)
        #expect(x.max(dim: 1).scalars == [5, 7] && x.max(dim: 0).scalars == [7, 5, 7])
        #expect(x.min(dim: 1, keepDim: true).shape == [2, 1] && x.min(dim: -1).scalars == [1, 2])
        #expect(x.argmax(dim: 1).scalars == [1, 0] && x.argmax(dim: 0).scalars == [1, 0, 1] && x.argmax() == 3)
        let loss = (x.max(dim: 1) * Tensor([10.0, 100])).sum()
        for strategy in strategies {
            #expect(try strategy.gradient(of: loss, withRespectTo: [x]).tensors[0].scalars == [0, 10, 0, 100, 0, 0], "\(strategy.name)")
        }
    }

    @Test func theExactCheckPassesThemOnRandomInputs() throws {
        var generator = SeededGenerator(seed: 5)
        let x = Tensor.randn([6, 5], using: &generator)
        let results = try GradientCheck.check("max and min", inputs: [x]) { x in
            x[0].max() + x[0].min(dim: 0).sum() * 2 + (x[0] - x[0].max(dim: 1, keepDim: true)).exp().sum()
        }
        for result in results { #expect(result.passed, "\(result.strategy): \(String(describing: result.worst))") }
    }

    @Test func anEmptyReductionTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(0).max()
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("max(): cannot reduce an empty tensor"))
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros(2, 0).max(dim: 1) }
    }
}
