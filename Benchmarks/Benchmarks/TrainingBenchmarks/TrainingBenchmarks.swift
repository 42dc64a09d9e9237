// Training: one step of a 64-256-1 network on 2,048 rows (forward, mean
// squared error, backward, Adam) on the tape beside the same step written by
// hand in plain loops and with OpenBLAS; Adam's update alone at 10^6 parameters beside a loop;
// cross-entropy's forward and backward at 10^3 and 10^6 logits beside a loop.
// Compare the two lines of a pair in one run (their ratio is the overhead).
//
//     cd Benchmarks && swift package --allow-writing-to-package-directory benchmark --target TrainingBenchmarks --no-progress

import Autograd
import Benchmark

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal], warmupIterations: 1, maxDuration: .seconds(3), maxIterations: 200
    )

    Benchmark("training step 64-256-1, 2048 rows, tape + Adam", configuration: configuration) { benchmark, state in
        for _ in benchmark.scaledIterations {
            state.optimizer.zeroGrad()
            let loss = mseLoss(state.model(state.inputs), state.targets)
            try loss.backward()
            state.optimizer.step()
            blackHole(loss)
        }
    } setup: {
        try TapeTraining()
    }

    Benchmark("training step 64-256-1, 2048 rows, hand-written loops", configuration: configuration) { benchmark, state in
        for _ in benchmark.scaledIterations { blackHole(state.step()) }
    } setup: {
        HandWrittenTraining()
    }

    Benchmark("training step 64-256-1, 2048 rows, hand-written with OpenBLAS", configuration: configuration) { benchmark, state in
        for _ in benchmark.scaledIterations { blackHole(state.step()) }
    } setup: {
        HandWrittenBLASTraining()
    }

    Benchmark("Adam step, 10^6 parameters", configuration: configuration) { benchmark, state in
        for _ in benchmark.scaledIterations { state.optimizer.step() }
    } setup: {
        try AdamState(count: 1_000_000)
    }

    Benchmark("Adam step, 10^6 parameters, hand-written loop", configuration: configuration) { benchmark, state in
        for _ in benchmark.scaledIterations { state.step() }
    } setup: {
        HandWrittenAdam(count: 1_000_000)
    }

    for (label, rows) in [("10^3", 100), ("10^6", 100_000)] {
        Benchmark("crossEntropy forward+backward n=\(label)", configuration: configuration) { benchmark, state in
            for _ in benchmark.scaledIterations {
                let loss = crossEntropy(state.logits, targets: state.targets)
                try loss.backward()
                state.logits.zeroGrad()
                blackHole(loss)
            }
        } setup: {
            CrossEntropyInputs(rows: rows)
        }

        Benchmark("crossEntropy forward+backward n=\(label), hand-written loop", configuration: configuration) { (benchmark, state: (values: [Double], targets: [Int])) in
            for _ in benchmark.scaledIterations { blackHole(handWrittenCrossEntropy(state.values, state.targets, classes: 10)) }
        } setup: {
            let inputs = CrossEntropyInputs(rows: rows)
            return (values: inputs.logits.scalars, targets: inputs.targets)
        }
    }
}

/// The model, data and optimizer of the tape's training step.
final class TapeTraining {
    let model: Sequential
    let inputs: Tensor, targets: Tensor
    var optimizer: Adam

    init() throws {
        var generator = SeededGenerator(seed: 1)
        model = Sequential(Linear(64, 256, using: &generator), Activation.tanh, Linear(256, 1, using: &generator))
        inputs = Tensor.randn([2048, 64], using: &generator)
        targets = Tensor.randn([2048, 1], using: &generator)
        optimizer = try Adam(model.parameters, learningRate: 1e-3)
    }
}

/// Adam over one 10^6-element parameter with a fixed gradient.
final class AdamState {
    var optimizer: Adam

    init(count: Int) throws {
        var generator = SeededGenerator(seed: 2)
        let parameter = Tensor.randn([count], requiresGrad: true, using: &generator)
        parameter.grad = Tensor.randn([count], using: &generator)
        optimizer = try Adam([parameter])
    }
}

/// Logits `[rows, 10]` and a class per row.
struct CrossEntropyInputs {
    let logits: Tensor
    let targets: [Int]

    init(rows: Int) {
        var generator = SeededGenerator(seed: 3)
        logits = (Tensor.randn([rows, 10], using: &generator) * 4).detach()
        logits.requiresGrad = true
        targets = (0..<rows).map { $0 % 10 }
    }
}
