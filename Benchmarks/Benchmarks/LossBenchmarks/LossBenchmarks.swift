// The lesson's loss, `(predicted - real).pow(2).sum()`, at five sizes: forward
// alone (recording the graph, as `predicted` requires grad), forward plus
// backward, and a hand-written fused loop (the limit), allocating its gradient
// afresh or writing it into a buffer kept across calls, and the compiled plan
// (`CompiledFunction`, traced once in the setup) on one and two threads, and
// on one thread writing into gradient buffers kept across calls. What is made
// once (a plan, a kept buffer) is made in the setup, not in each sample: at
// sizes that run one call per sample, making it there would leave the caches
// cold for the call measured. On small tensors, "minimal tape"
// (MinimalTape.swift) is the floor of the tape's object model. Compare
// "forward+backward" with "hand-written" at the same n. Times and malloc
// counts are per loss (the `*` columns), whatever the scaling factor; peak
// resident memory is the process's. The tanh layer (TanhLayerLoss.swift)
// is a deeper element-wise graph at the same sizes.
//
//     cd Benchmarks && swift package --allow-writing-to-package-directory benchmark --no-progress
//     swift package benchmark --filter '.*n=24'     # the filter must match the whole name

import Autograd
import Benchmark

/// One problem size: its label in benchmark names, its shape, and how to run it.
struct LossSize {
    let label: String
    let shape: Shape
    let configuration: Benchmark.Configuration
}

/// The sizes measured. Small ones repeat 1000 times per sample (`.kilo`).
func lossSizes() -> [LossSize] {
    [
        LossSize(label: "24", shape: [3, 8], configuration: .loss(scaling: .kilo, maxIterations: 10_000)),
        LossSize(label: "10^3", shape: [1000], configuration: .loss(scaling: .kilo, maxIterations: 10_000)),
        LossSize(label: "10^5", shape: [100_000], configuration: .loss(scaling: .one, maxIterations: 2_000)),
        LossSize(label: "10^6", shape: [1_000_000], configuration: .loss(scaling: .one, maxIterations: 400)),
        LossSize(label: "10^7", shape: [10_000_000], configuration: .loss(scaling: .one, maxIterations: 40)),
    ]
}

extension Benchmark.Configuration {
    /// Wall clock and malloc count, two seconds at most per benchmark.
    static func loss(scaling: BenchmarkScalingFactor, maxIterations: Int) -> Self {
        .init(
            metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
            warmupIterations: 3,
            scalingFactor: scaling,
            maxDuration: .seconds(2),
            maxIterations: maxIterations
        )
    }
}

/// The lesson's inputs: `predicted` requires grad, `real` does not; fixed seed.
func lossInputs(_ shape: Shape) -> (predicted: Tensor, real: Tensor) {
    var generator = SeededGenerator(seed: 42)
    let predicted = Tensor.rand(shape, requiresGrad: true, using: &generator)
    let real = Tensor.rand(shape, using: &generator)
    return (predicted, real)
}

/// The lesson's loss compiled once, its arguments, and the gradient buffers
/// that calls into buffers reuse from one sample to the next (made by a
/// first call).
final class CompiledLoss {
    let function: CompiledFunction
    let arguments: [Tensor]
    var gradients: [TensorValue<Double>] = []

    init(_ shape: Shape, threads: Int) {
        let (predicted, real) = lossInputs(shape)
        arguments = [predicted, real]
        function = try! CompiledFunction(tracingAt: arguments, withRespectTo: [0], threads: threads) { x in
            (x[0] - x[1]).pow(2).sum()
        }
        _ = try! function.valueWithGradient(arguments, into: &gradients)
    }
}

/// The hand-written loop's inputs and the gradient buffer it keeps.
final class HandWrittenLossBuffers {
    let predicted: [Double]
    let real: [Double]
    let gradient: UnsafeMutableBufferPointer<Double>

    init(_ shape: Shape) {
        let (predicted, real) = lossInputs(shape)
        (self.predicted, self.real) = (predicted.scalars, real.scalars)
        gradient = .allocate(capacity: shape.elementCount)
        gradient.initialize(repeating: 0)
    }

    deinit { gradient.deallocate() }
}

let benchmarks: @Sendable () -> Void = {
    for size in lossSizes() {
        Benchmark("loss forward n=\(size.label)", configuration: size.configuration) { benchmark, inputs in
            let (predicted, real) = inputs
            for _ in benchmark.scaledIterations {
                blackHole((predicted - real).pow(2).sum())
            }
        } setup: {
            lossInputs(size.shape)
        }

        Benchmark("loss forward+backward n=\(size.label)", configuration: size.configuration) { benchmark, inputs in
            let (predicted, real) = inputs
            for _ in benchmark.scaledIterations {
                let loss = (predicted - real).pow(2).sum()
                try! loss.backward()
                blackHole(predicted.grad)
                predicted.grad = nil
            }
        } setup: {
            lossInputs(size.shape)
        }

        // The floor of the tape's object model (MinimalTape.swift), where
        // allocations and reference counting are what a call costs: small
        // tensors only (its loops are plain, not the library's).
        if size.label == "24" {
            Benchmark("loss minimal tape n=\(size.label)", configuration: size.configuration) { benchmark, inputs in
                let (predicted, real) = inputs
                for _ in benchmark.scaledIterations {
                    let loss = (predicted - real).squared().sum()
                    loss.backward()
                    blackHole(predicted.grad)
                    predicted.grad = nil
                }
            } setup: {
                MinimalTape.checkedInputs(size.shape)
            }
        }

        for threads in [1, 2] {
            Benchmark("loss compiled threads=\(threads) n=\(size.label)", configuration: size.configuration) { benchmark, loss in
                for _ in benchmark.scaledIterations {
                    blackHole(try! loss.function.valueWithGradient(loss.arguments))
                }
            } setup: {
                CompiledLoss(size.shape, threads: threads)
            }
        }

        Benchmark("loss compiled into buffers n=\(size.label)", configuration: size.configuration) { benchmark, loss in
            for _ in benchmark.scaledIterations {
                blackHole(try! loss.function.valueWithGradient(loss.arguments, into: &loss.gradients))
            }
            blackHole(loss.gradients)
        } setup: {
            CompiledLoss(size.shape, threads: 1)
        }

        Benchmark("loss hand-written n=\(size.label)", configuration: size.configuration) { (benchmark, arrays: ([Double], [Double])) in
            let (predicted, real) = arrays
            for _ in benchmark.scaledIterations {
                blackHole(handWrittenLoss(predicted, real))
            }
        } setup: {
            let (predicted, real) = lossInputs(size.shape)
            return (predicted.scalars, real.scalars)
        }

        Benchmark("loss hand-written reused n=\(size.label)", configuration: size.configuration) { benchmark, loss in
            for _ in benchmark.scaledIterations {
                blackHole(handWrittenLoss(loss.predicted, loss.real, gradientInto: loss.gradient))
                blackHole(loss.gradient.baseAddress)
            }
        } setup: {
            HandWrittenLossBuffers(size.shape)
        }

        tanhLayerBenchmarks(size)
    }
}
