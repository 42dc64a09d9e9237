// The lesson's loss, `(predicted - real).pow(2).sum()`, at five sizes: forward
// alone (recording the graph, as `predicted` requires grad), forward plus
// backward, and a hand-written fused loop (the limit), allocating its gradient
// afresh or writing it into a buffer kept across calls, and the compiled plan
// (`CompiledFunction`, traced outside the measurement) on one and two threads,
// and on one thread writing into gradient buffers kept across calls. Compare
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

        for threads in [1, 2] {
            Benchmark("loss compiled threads=\(threads) n=\(size.label)", configuration: size.configuration) { benchmark, inputs in
                let (predicted, real) = inputs
                let loss = try! CompiledFunction(tracingAt: [predicted, real], withRespectTo: [0], threads: threads) { x in
                    (x[0] - x[1]).pow(2).sum()
                }
                let arguments = [predicted, real]
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    blackHole(try! loss.valueWithGradient(arguments))
                }
            } setup: {
                lossInputs(size.shape)
            }
        }

        Benchmark("loss compiled into buffers n=\(size.label)", configuration: size.configuration) { benchmark, inputs in
            let (predicted, real) = inputs
            let loss = try! CompiledFunction(tracingAt: [predicted, real], withRespectTo: [0], threads: 1) { x in
                (x[0] - x[1]).pow(2).sum()
            }
            let arguments = [predicted, real]
            var gradients: [TensorValue<Double>] = []
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try! loss.valueWithGradient(arguments, into: &gradients))
            }
            blackHole(gradients)
        } setup: {
            lossInputs(size.shape)
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

        Benchmark("loss hand-written reused n=\(size.label)", configuration: size.configuration) { (benchmark, arrays: ([Double], [Double])) in
            let (predicted, real) = arrays
            let gradient = UnsafeMutableBufferPointer<Double>.allocate(capacity: predicted.count)
            defer { gradient.deallocate() }
            for _ in benchmark.scaledIterations {
                blackHole(handWrittenLoss(predicted, real, gradientInto: gradient))
                blackHole(gradient.baseAddress)
            }
        } setup: {
            let (predicted, real) = lossInputs(size.shape)
            return (predicted.scalars, real.scalars)
        }

        tanhLayerBenchmarks(size)
    }
}
