import Autograd
import Foundation
import Testing

/// logSumExp, softmax and the classification losses: accurate where the
/// textbook formulas overflow or cancel, and proven by the exact reference in
/// every strategy.
@Suite struct LossTests {
    @Test func logSumExpNeitherOverflowsNorUnderflows() {
        #expect(Tensor([[1000.0, 1000]]).logSumExp(dim: 1).scalars == [1000 + log(2)])
        #expect(Tensor([[-1000.0, -1000]]).logSumExp(dim: -1).scalars == [-1000 + log(2)])
        let moderate = Tensor([[1.0, 2, 3], [0, 0, 0]]).logSumExp(dim: 1).scalars
        #expect(Swift.abs(moderate[0] - log(exp(1) + exp(2) + exp(3))) <= 4e-16 * 4)
        #expect(Swift.abs(moderate[1] - log(3.0)) <= log(3.0).ulp)
        // Along the first axis of a [2, 3]: three values.
        let alongRows = Tensor([[1.0, 2, 3], [1, 2, 3]]).logSumExp(dim: 0).scalars
        let doubled: [Double] = [1, 2, 3].map { $0 + log(2.0) }
        #expect(alongRows == doubled)
        #expect(Tensor([[-Double.infinity, -.infinity]]).logSumExp(dim: 1).scalars == [-.infinity])
    }

    @Test func softmaxIsAProbabilityEvenForHugeLogits() {
        #expect(Tensor([[1000.0, 1000]]).softmax(dim: 1).scalars == [0.5, 0.5])
        let probabilities = Tensor([[3.0, -700, 1], [0, 800, 0]]).softmax(dim: 1).scalars
        #expect(probabilities.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(Swift.abs(probabilities[0...2].reduce(0, +) - 1) <= 1e-15)
        #expect(probabilities[4] == 1 && probabilities[3] == 0)
        #expect(Tensor([[0.0, 0]]).logSoftmax(dim: 1).scalars == [-log(2), -log(2)])
    }

    @Test func crossEntropyKeepsTheDigitsOfASmallLoss() throws {
        let logits = Tensor([[2.0, 0, 0], [0, 0, 50]], requiresGrad: true)
        let loss = crossEntropy(logits, targets: [0, 2])
        let rowLosses = [Foundation.log1p(2 * exp(-2.0)), Foundation.log1p(2 * exp(-50.0))]
        #expect(Swift.abs(loss.item() - (rowLosses[0] + rowLosses[1]) / 2) <= 2 * loss.item().ulp)
        // The second row alone: log(softmax) would have given 0.
        let small = crossEntropy(Tensor([[0.0, 0, 50]]), targets: [2]).item()
        #expect(Swift.abs(small - 2 * exp(-50.0)) <= 4 * small.ulp)
        // Its gradient is (softmax − one-hot) / rows.
        try loss.backward()
        let softmax = logits.detach().softmax(dim: 1).scalars
        let expected = softmax.indices.map { i in (softmax[i] - ([0, 5].contains(i) ? 1 : 0)) / 2 }
        for (computed, truth) in zip(logits.grad!.scalars, expected) { #expect(Swift.abs(computed - truth) <= 1e-16) }
    }

    @Test func binaryCrossEntropyWithLogitsNeitherCancelsNorOverflows() throws {
        let logits = Tensor([0.0, 40, -800, 800], requiresGrad: true)
        let loss = binaryCrossEntropyWithLogits(logits, Tensor([1.0, 1, 0, 1]))
        #expect(loss.item() == (log(2.0) + exp(-40.0)) / 4)
        try loss.backward()
        #expect(logits.grad?.scalars == [-0.125, -0.25 * Sigmoid.logistic(-40.0), 0, 0])
    }

    @Test(arguments: ["crossEntropy", "binaryCrossEntropyWithLogits", "logSumExp", "logSoftmax"])
    func everyStrategyPassesTheExactCheck(_ name: String) throws {
        var generator = SeededGenerator(seed: 11)
        let logits = Tensor.randn([6, 4], using: &generator) * 30
        let results = try GradientCheck.check(name, inputs: [logits], names: ["logits"]) { x in
            switch name {
            case "crossEntropy": crossEntropy(x[0], targets: [0, 1, 2, 3, 0, 1])
            case "binaryCrossEntropyWithLogits": binaryCrossEntropyWithLogits(x[0], Tensor([0.0, 1, 1, 0]).reshape(1, 4) * Tensor.ones(6, 1))
            case "logSumExp": x[0].logSumExp(dim: 1).sum()
            default: (x[0].logSoftmax(dim: 0) * Tensor.randn([6, 4], using: &generator)).sum()
            }
        }
        #expect(results.count == 2)
        for result in results { #expect(result.passed, "\(result.strategy): \(String(describing: result.worst))") }
    }

    @Test func aClassOutOfRangeTrapsNamingTheRow() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(Tensor.zeros(2, 3), targets: [1, 3])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("crossEntropy: target 3 of row 1 is out of range for 3 classes"))
    }

    @Test func targetsForEveryRowAndMatchingShapesAreRequired() async {
        let rows = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(Tensor.zeros(2, 3), targets: [1])
        }
        let rowsMessage = String(decoding: rows?.standardErrorContent ?? [], as: UTF8.self)
        #expect(rowsMessage.contains("crossEntropy: 1 targets for 2 rows"))
        let shapes = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = binaryCrossEntropyWithLogits(Tensor.zeros(2), Tensor.zeros(2, 1))
        }
        let shapesMessage = String(decoding: shapes?.standardErrorContent ?? [], as: UTF8.self)
        #expect(shapesMessage.contains("binaryCrossEntropyWithLogits: logits of shape [2] and targets of shape [2, 1]"))
    }
}
