import Autograd
import Testing

/// narrow, select, row ranges, cat and stack: values, gradients in every
/// strategy, rules proven by the exact backend, and misuse.
@Suite struct SlicingTests {
    let strategies: [any Differentiable] = [ReverseMode(), ForwardMode(), ExactMode()]

    @Test func slicesKeepTheirElements() {
        let x = Tensor([[1.0, 2, 3], [4, 5, 6]])
        #expect(x.narrow(dim: 1, start: 1, length: 2).scalars == [2, 3, 5, 6])
        #expect(x.select(dim: 0, index: 1).scalars == [4, 5, 6] && x.select(dim: 1, index: -1).scalars == [3, 6])
        #expect(x.select(dim: 0, index: 0).shape == [3] && x[rows: 1..<2].shape == [1, 3])
        #expect(Tensor.cat([x, x[rows: 0..<1]]).shape == [3, 3])
        #expect(Tensor.cat([x, Tensor([[7.0], [8]])], dim: 1).scalars == [1, 2, 3, 7, 4, 5, 6, 8])
        #expect(Tensor.stack([Tensor([1.0, 2]), Tensor([3.0, 4])], dim: 1).scalars == [1, 3, 2, 4])
    }

    @Test func gradientsGoBackWhereTheElementsCameFrom() throws {
        let x = Tensor([[1.0, 2, 3], [4, 5, 6]], requiresGrad: true)
        let y = Tensor([10.0, 20], requiresGrad: true)
        let joined = Tensor.cat([x.select(dim: 1, index: 2) * y, x[rows: 0..<1].reshape(3)])
        let loss = (joined * Tensor([1.0, 2, 3, 4, 5])).sum() + Tensor.stack([y, y]).pow(2).sum()
        for strategy in strategies {
            let gradient = try strategy.gradient(of: loss, withRespectTo: [x, y]).tensors
            let expectedX: [Double] = [3, 4, 15, 0, 0, 40]    // the row ranges 3, 4, 5; select·y: 1·10 and 2·20
            let expectedY: [Double] = [43, 92]                // 1·3 + 2·2·10 and 2·6 + 2·2·20
            #expect(gradient[0].scalars == expectedX, "\(strategy.name)")
            #expect(gradient[1].scalars == expectedY, "\(strategy.name)")
        }
    }

    @Test func theirRulesAreProven() throws {
        #expect(try OpValidation.validate(Narrow(axis: 1, start: 1, length: 2), shape: [3, 4]).passed)
        #expect(try OpValidation.validate(Concatenate(axis: 0), shapes: ([2, 3], [1, 3])).passed)
    }

    @Test func outOfRangeSlicesAndMismatchedShapesTrap() async {
        let select = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(2, 3).select(dim: 1, index: 3)
        }
        let selectMessage = String(decoding: select?.standardErrorContent ?? [], as: UTF8.self)
        #expect(selectMessage.contains("select: index 3 is out of range for dimension 1 of size 3 (shape [2, 3])"))
        let cat = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.cat([Tensor.zeros(2, 3), Tensor.zeros(2, 4)])
        }
        let catMessage = String(decoding: cat?.standardErrorContent ?? [], as: UTF8.self)
        #expect(catMessage.contains("cat: shapes [2, 3] and [2, 4] differ outside dimension 0"))
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros(3)[rows: 2..<5] }
    }

    @Test func indexingIsPyTorchsAndGradientsFlowThroughIt() throws {
        let x = Tensor([[1.0, 2, 3], [4, 5, 6]], requiresGrad: true)
        #expect(x[1].shape == [3] && x[1].scalars == [4, 5, 6])
        #expect(x[1, 2].shape == [] && x[1, 2].item() == 6 && x[-1, -3].item() == 4)
        #expect(x[0, 1].gradFn != nil)
        let loss = x[0, 1] * 3 + x[1].sum()
        for strategy in strategies {
            let expected: [Double] = [0, 3, 0, 1, 1, 1]
            #expect(try strategy.gradient(of: loss, withRespectTo: [x]).tensors[0].scalars == expected, "\(strategy.name)")
        }
    }

    @Test func tooManyIndicesOrOneOutOfRangeTraps() async {
        let tooMany = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(2, 3)[0, 1, 2]
        }
        let tooManyMessage = String(decoding: tooMany?.standardErrorContent ?? [], as: UTF8.self)
        #expect(tooManyMessage.contains("index [0, 1, 2] has 3 components, but the shape [2, 3] has 2"))
        let outOfRange = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(2, 3)[2]
        }
        let outOfRangeMessage = String(decoding: outOfRange?.standardErrorContent ?? [], as: UTF8.self)
        #expect(outOfRangeMessage.contains("index [2] is out of range for shape [2, 3]"))
    }
}
