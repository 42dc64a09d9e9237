import Autograd
import Testing

/// Creation from shapes and other tensors, integer scalars, dimensions of
/// size 1 and reductions that keep their dimension, in every strategy.
@Suite struct DimensionTests {
    @Test func tensorsFromAShapeOrAnotherTensor() {
        let x = Tensor.ones(2, 3)
        #expect(Tensor.zeros(x.shape).scalars == [0, 0, 0, 0, 0, 0] && Tensor.ones([4]).shape == [4])
        #expect(Tensor.zeros(like: x).shape == [2, 3] && Tensor.ones(like: x, requiresGrad: true).requiresGrad)
    }

    @Test func integerScalarsWorkOnEitherSide() throws {
        let n = 2
        let x = Tensor([1.0, 4], requiresGrad: true)
        let y = (x * n + n - x / n) / n + (n - x) + n * x
        let expected: [Double] = [4.75, 10]     // (2x + 2 − x/2)/2 + (2 − x) + 2x
        #expect(y.scalars == expected)
        #expect((8 / x).scalars == [8, 2])
        try y.sum().backward()
        let slope: Double = 1.75                // (2 − 1/2)/2 − 1 + 2
        #expect(x.grad?.scalars == [slope, slope])
    }

    @Test func unsqueezeAndSqueezeMoveOnlyShapes() {
        let x = Tensor([1.0, 2, 3])
        #expect(x.unsqueeze(0).shape == [1, 3] && x.unsqueeze(1).shape == [3, 1] && x.unsqueeze(-1).shape == [3, 1])
        #expect(x.unsqueeze(-2).shape == [1, 3])
        #expect(Tensor.zeros(1, 3, 1).squeeze().shape == [3] && Tensor.zeros(1, 3, 1).squeeze(-1).shape == [1, 3])
        #expect(Tensor.zeros(2, 3).squeeze(1).shape == [2, 3])    // size 3: unchanged, as in PyTorch
    }

    @Test func keepDimKeepsTheReducedDimensionForBroadcasting() throws {
        let x = Tensor([[1.0, 3], [2, 6]], requiresGrad: true)
        let shares = x / x.sum(dim: 1, keepDim: true)
        #expect(shares.scalars == [0.25, 0.75, 0.25, 0.75])
        #expect(x.mean(dim: 0, keepDim: true).shape == [1, 2] && x.sum(dim: -1, keepDim: false).shape == [2])
        let loss = (shares * Tensor([[1.0, 2], [3, 5]])).sum() + (x - x.mean(dim: 0, keepDim: true)).pow(2).sum()
        for strategy in [ReverseMode(), ForwardMode()] as [any Differentiable] {
            let gradient = try strategy.gradient(of: loss, withRespectTo: [x]).tensors[0].scalars
            let exact = try ExactMode().gradient(of: loss, withRespectTo: [x]).tensors[0].scalars
            for (a, b) in zip(gradient, exact) { #expect(Swift.abs(a - b) <= 2 * b.ulp, "\(strategy.name)") }
        }
    }

    @Test func anUnsqueezeOutOfRangeTrapsWithTheRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(2, 3).unsqueeze(3)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("unsqueeze: dimension 3 is out of range for shape [2, 3] (from -3 to 2)"))
    }
}
