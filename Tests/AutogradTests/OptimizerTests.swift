import Autograd
import Foundation
import Testing

/// The optimizers' update formulas against steps computed by hand, their
/// settings' errors, and a model that learns.
@Suite struct OptimizerTests {
    /// A leaf with a gradient already set.
    func parameter(_ values: [Double], grad: [Double]) -> Tensor {
        let p = Tensor(values, requiresGrad: true)
        p.grad = Tensor(grad)
        return p
    }

    @Test func plainSGDStepsAgainstTheGradient() throws {
        let p = parameter([1, -2], grad: [0.5, 0.25])
        var optimizer = try SGD([p], learningRate: 0.5)
        optimizer.step()
        #expect(p.scalars == [0.75, -2.125])
        #expect(p.version == 1 && p.isLeaf && p.requiresGrad)
    }

    @Test func momentumAccumulatesFromTheFirstGradient() throws {
        let p = parameter([1], grad: [0.5])
        var optimizer = try SGD([p], learningRate: 0.25, momentum: 0.5)
        optimizer.step()                 // b = 0.5;            p = 1 - 0.25·0.5
        #expect(p.scalars == [0.875])
        optimizer.step()                 // b = 0.5·0.5 + 0.5;  p -= 0.25·0.75
        #expect(p.scalars == [0.6875])
    }

    @Test func dampeningScalesTheNewGradientInTheBuffer() throws {
        let p = parameter([1], grad: [0.5])
        var optimizer = try SGD([p], learningRate: 0.25, momentum: 0.5, dampening: 0.5)
        optimizer.step()                 // b = 0.5 (the first step is not damped)
        optimizer.step()                 // b = 0.5·0.5 + 0.5·0.5 = 0.5
        #expect(p.scalars == [1 - 0.125 - 0.125])
    }

    @Test func nesterovLooksAheadAlongTheMomentum() throws {
        let p = parameter([1], grad: [0.5])
        var optimizer = try SGD([p], learningRate: 0.25, momentum: 0.5, nesterov: true)
        optimizer.step()                 // b = 0.5;  g + μb = 0.75
        #expect(p.scalars == [1 - 0.1875])
        optimizer.step()                 // b = 0.75; g + μb = 0.875
        #expect(p.scalars == [1 - 0.1875 - 0.21875])
    }

    @Test func weightDecayAddsThePenaltysGradient() throws {
        let p = parameter([2, -4], grad: [0, 1])
        var optimizer = try SGD([p], learningRate: 0.5, weightDecay: 0.25)
        optimizer.step()                 // g + 0.25·p = [0.5, 0]
        #expect(p.scalars == [1.75, -4])
    }

    /// Adam's step written out for one scalar, PyTorch's formulas in order.
    func adamByHand(
        _ p: Double, grads: [Double], lr: Double, beta1: Double = 0.9, beta2: Double = 0.999,
        epsilon: Double = 1e-8, decay: Double = 0, decoupled: Bool = false
    ) -> Double {
        var (p, m, v) = (p, 0.0, 0.0)
        for (step, rawGrad) in grads.enumerated() {
            let t = Double(step + 1)
            let g = decoupled || decay == 0 ? rawGrad : rawGrad + decay * p
            let shrunk = decoupled ? p * (1 - lr * decay) : p
            m = m + (1 - beta1) * (g - m)
            v = beta2 * v + (1 - beta2) * g * g
            let stepSize = lr / (1 - pow(beta1, t))
            let correction2 = (1 - pow(beta2, t)).squareRoot()
            p = shrunk - stepSize * (m / (v.squareRoot() / correction2 + epsilon))
        }
        return p
    }

    @Test func adamMatchesItsFormulasStepByStep() throws {
        let p = parameter([1, -3, 0.5], grad: [0.2, -7, 0])
        var optimizer = try Adam([p], learningRate: 0.01)
        let grads: [[Double]] = [[0.2, -7, 0], [0.1, 3, 1e-3], [-0.4, 2, 5]]
        for g in grads {
            p.grad = Tensor(g)
            optimizer.step()
        }
        let expected = [1, -3, 0.5].indices.map { i in
            adamByHand([1, -3, 0.5][i], grads: grads.map { $0[i] }, lr: 0.01)
        }
        #expect(p.scalars == expected)
        #expect(p.version == 3)
        // Adam's first step moves each element by about the learning rate.
        let q = parameter([1, -3], grad: [0.2, -7])
        var first = try Adam([q], learningRate: 0.01)
        first.step()
        #expect(Swift.abs(q.scalars[0] - 0.99) < 1e-9 && Swift.abs(q.scalars[1] + 2.99) < 1e-9)
    }

    @Test func adamsWeightDecayIsAPenaltyAndAdamWsDecaysTheParameter() throws {
        let coupled = parameter([2, -1], grad: [0.5, 0.5])
        var adam = try Adam([coupled], learningRate: 0.1, weightDecay: 0.5)
        adam.step()
        #expect(coupled.scalars == [adamByHand(2, grads: [0.5], lr: 0.1, decay: 0.5),
                                    adamByHand(-1, grads: [0.5], lr: 0.1, decay: 0.5)])
        // With a zero gradient, AdamW only shrinks: p·(1 − ηλ).
        let decoupled = parameter([2, -1], grad: [0, 0])
        var adamW = try AdamW([decoupled], learningRate: 0.5, weightDecay: 0.5)
        adamW.step()
        #expect(decoupled.scalars == [1.5, -0.75])
        decoupled.grad = Tensor([0.5, 0.5])
        adamW.step()
        #expect(decoupled.scalars == [adamByHand(2, grads: [0, 0.5], lr: 0.5, decay: 0.5, decoupled: true),
                                      adamByHand(-1, grads: [0, 0.5], lr: 0.5, decay: 0.5, decoupled: true)])
    }

    @Test func parametersWithoutAGradientAreLeftAlone() throws {
        let withGrad = parameter([1], grad: [1])
        let without = Tensor([5.0], requiresGrad: true)
        var optimizer = try Adam([withGrad, without])
        optimizer.step()
        #expect(without.scalars == [5] && without.version == 0 && withGrad.version == 1)
        optimizer.zeroGrad()
        #expect(withGrad.grad == nil && without.grad == nil)
    }

    @Test func badSettingsAndNonLeavesAreTypedErrors() throws {
        let p = Tensor([1.0], requiresGrad: true)
        #expect(throws: OptimizerError.invalidSetting(name: "learning rate", value: -1, expected: "a finite number, 0 or more")) {
            try SGD([p], learningRate: -1)
        }
        #expect(throws: OptimizerError.nesterovNeedsMomentumWithoutDampening) {
            try SGD([p], learningRate: 0.1, nesterov: true)
        }
        let error = #expect(throws: OptimizerError.self) { try Adam([p], betas: (0.9, 1)) }
        #expect(error?.description == "invalid beta2 1.0: expected a number in [0, 1)")
        #expect(throws: OptimizerError.invalidSetting(name: "weight decay", value: -0.5, expected: "a finite number, 0 or more")) {
            try AdamW([p], weightDecay: -0.5)
        }
        let notLeaf = p * 2
        #expect(throws: OptimizerError.parameterIsNotLeaf(index: 1)) { try SGD([p, notLeaf], learningRate: 0.1) }
    }

    @Test func aSmallNetworkLearnsASineWithAdam() throws {
        var generator = SeededGenerator(seed: 7)
        let xs = (0..<32).map { Double($0) / 31 * 6 - 3 }
        let input = Tensor(TensorValue(shape: [32, 1], scalars: xs))
        let target = Tensor(TensorValue(shape: [32, 1], scalars: xs.map { sin($0) }))
        let model = Sequential(Linear(1, 16, using: &generator), Activation.tanh, Linear(16, 1, using: &generator))
        #expect(model.parameters.map(\.shape) == [[16, 1], [16], [1, 16], [1]])
        var optimizer = try Adam(model.parameters, learningRate: 0.02)
        var losses: [Double] = []
        for _ in 0..<300 {
            optimizer.zeroGrad()
            let loss = mseLoss(model(input), target)
            try loss.backward()
            optimizer.step()
            losses.append(loss.item())
        }
        #expect(losses.last! < losses.first! / 20, "loss \(losses.first!) → \(losses.last!)")
    }
}

/// The lesson continued: the moons classifier that `autograd train` runs.
@Suite struct MoonsTrainingTests {
    @Test func theClassifierLearnsAndItsLastGradientPassesTheExactCheck() throws {
        var training = MoonsTraining(configuration: try AutogradConfiguration.load(flags: [.seed: "2"], environment: [:]))
        training.steps = 150
        var reported = 0
        let result = try training.run { _ in reported += 1 }
        #expect(reported == 150 && result.progress.count == 150)
        #expect(result.progress[0].loss > 0.5 && result.loss < 0.05 && result.accuracy >= 0.95, "\(result.loss) \(result.accuracy)")
        #expect(result.finalCheck.count == 2 && result.finalCheck.allSatisfy { $0.passed })
    }

    @Test func everyBackendTrainsAlike() throws {
        func losses(_ backend: String) throws -> [Double] {
            let configuration = try AutogradConfiguration.load(flags: [.backend: backend, .seed: "1"], environment: [:])
            var training = MoonsTraining(configuration: configuration)
            training.steps = 4
            return try training.run().progress.map(\.loss)
        }
        let reverse = try losses("reverse")
        for backend in ["forward", "exact"] {
            for (a, b) in zip(try losses(backend), reverse) { #expect(Swift.abs(a - b) <= 1e-12, "\(backend)") }
        }
    }
}
