import AutogradCore
import Testing

/// Creating tensors and reading their elements.
@Suite struct TensorCreationTests {
    @Test func randIsUniformInTheUnitIntervalAndReproducible() {
        var first = SeededGenerator(seed: 7)
        var second = SeededGenerator(seed: 7)
        let a = Tensor.rand([100, 100], using: &first)
        let b = Tensor.rand([100, 100], using: &second)
        #expect(a.scalars == b.scalars)
        #expect(a.scalars.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = a.mean().item()
        #expect(abs(mean - 0.5) < 0.01)
        var third = SeededGenerator(seed: 8)
        #expect(Tensor.rand([4], using: &third).scalars != Tensor.rand([4], using: &first).scalars)
    }

    @Test func randnHasZeroMeanAndUnitVariance() {
        var generator = SeededGenerator(seed: 1)
        let x = Tensor.randn([100_000], using: &generator)
        let mean = x.mean().item()
        let variance = ((x - mean).pow(2)).mean().item()
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 1) < 0.01)
    }

    @Test func manualSeedMakesTheDefaultGeneratorReproducible() {
        Tensor.manualSeed(3)
        let a = Tensor.rand(2, 3)
        Tensor.manualSeed(3)
        let b = Tensor.rand(2, 3)
        #expect(a.scalars == b.scalars)
    }

    @Test func constantsHaveTheirShapeAndValue() {
        #expect(Tensor.ones(2, 4).scalars == Array(repeating: 1, count: 8))
        #expect(Tensor.zeros(3).scalars == [0, 0, 0])
        let full = Tensor.full(2, 3, value: 7)
        #expect(full.shape == [2, 3] && full.scalars.allSatisfy { $0 == 7 })
        #expect(Tensor.ones(2, requiresGrad: true).requiresGrad)
    }

    @Test func nestedLiteralsGiveShapeAndRowMajorOrder() {
        let m = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(m.shape == [2, 3] && m.rank == 2 && m.elementCount == 6)
        #expect(m.scalars == [1, 2, 3, 4, 5, 6])
        #expect(m[1, 0].item() == 4 && m[0, 2].item() == 3)
        let cube = Tensor([[[1.5], [2]], [[3], [4]]])
        #expect(cube.shape == [2, 2, 1] && cube[1, 1, 0].item() == 4)
        #expect(Tensor([1.0, 2]).shape == [2])
    }

    @Test func flatArraysAndScalars() {
        let m = Tensor([1, 2, 3, 4, 5, 6], shape: [3, 2])
        #expect(m[2, 1].item() == 6)
        let s = Tensor(2.5)
        #expect(s.shape == [] && s.item() == 2.5 && s.rank == 0)
        #expect(Tensor([1.0, 2, 3]).sum().item() == 6)
    }

    @Test func comparisons() {
        let a = Tensor([1.0, 2, 3])
        #expect(a.eq(Tensor([1.0, 5, 3])).value.scalars == [true, false, true])
        #expect(!a.eq(Tensor([1.0, 5, 3])).all() && a.eq(Tensor([1.0, 5, 3])).any())
        #expect(a.eq(a).all())
        #expect(a.eq(Tensor(2.0)).value.scalars == [false, true, false])
        #expect(a.allClose(a + 1e-9))
        #expect(!a.allClose(a + 1e-3))
        #expect(a.allClose(a + 1e-3, atol: 1e-2))
        #expect(!Tensor([Double.nan]).allClose(Tensor([Double.nan])))
    }
}
