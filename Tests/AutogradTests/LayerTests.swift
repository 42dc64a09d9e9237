import Autograd
import Foundation
import Testing

/// Layers: what they compute, their parameters, and their misuse.
@Suite struct LayerTests {
    @Test func linearComputesXTimesWTransposedPlusB() throws {
        let weight = Tensor([[1.0, 2], [3, 4], [5, 6]], requiresGrad: true)
        let bias = Tensor([0.5, -0.5, 1], requiresGrad: true)
        let layer = Linear(weight: weight, bias: bias)
        let output = layer(Tensor([[1.0, 1], [2, -1]]))
        #expect(output.shape == [2, 3])
        #expect(output.scalars == [3.5, 6.5, 12, 0.5, 1.5, 5])
        #expect(layer.parameters.count == 2 && layer.parameters[0] === weight && layer.parameters[1] === bias)
        try output.sum().backward()
        #expect(bias.grad?.scalars == [2, 2, 2])
        #expect(weight.grad?.scalars == [3, 0, 3, 0, 3, 0])
    }

    @Test func linearStartsUniformWithinOneOverRootInputs() {
        var generator = SeededGenerator(seed: 3)
        let layer = Linear(16, 4, using: &generator)
        #expect(layer.weight.shape == [4, 16] && layer.bias?.shape == [4])
        #expect(layer.parameters.allSatisfy { $0.isLeaf && $0.requiresGrad })
        #expect(layer.parameters.flatMap(\.scalars).allSatisfy { Swift.abs($0) <= 0.25 })
        #expect(Set(layer.weight.scalars).count == 64)
        let noBias = Linear(16, 4, bias: false, using: &generator)
        #expect(noBias.bias == nil && noBias.parameters.count == 1)
    }

    @Test func sequentialComposesAndCollectsParameters() {
        var generator = SeededGenerator(seed: 3)
        let first = Linear(2, 3, using: &generator), second = Linear(3, 1, using: &generator)
        let model = Sequential(first, Activation.relu, second)
        let input = Tensor([[1.0, -2]])
        #expect(model(input).scalars == second(first(input).relu()).scalars)
        #expect(model.parameters.count == 4)
        #expect(Activation { $0 * 2 }(Tensor([1.0, 2])).scalars == [2, 4])
    }

    @Test func mseLossIsTheMeanSquaredDifference() throws {
        let prediction = Tensor([1.0, 3], requiresGrad: true)
        let loss = mseLoss(prediction, Tensor([0.0, 1]))
        #expect(loss.item() == 2.5)
        try loss.backward()
        #expect(prediction.grad?.scalars == [1, 2])
    }

    @Test func aLinearLayerRefusesAnInputOfTheWrongWidth() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var generator = SeededGenerator(seed: 0)
            _ = Linear(2, 3, using: &generator)(Tensor.ones(4, 5))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Linear: input of shape [4, 5] does not fit a weight of shape [3, 2]: expected [batch, 2]"))
    }

    @Test func mseLossRefusesShapesThatDiffer() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = mseLoss(Tensor.ones(3), Tensor.ones(3, 1))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("mseLoss: prediction of shape [3] and target of shape [3, 1]"))
    }
}
