// The exact strategy: ExactMode's gradient of the lesson's loss (a replay of
// the recorded graph over dyadic rationals in machine words, over GMP
// rationals where they do not fit, then its reverse pass) at 24, 10^3
// and 10^5 elements, and of a loss with elementary functions (MPFI intervals,
// Ziv's strategy: see ElementaryExactBenchmarks.swift). Divide the time by n
// for the cost per element.
//
//     cd Benchmarks && swift package --allow-writing-to-package-directory benchmark --target ExactBenchmarks --no-progress

import Autograd
import Benchmark

let benchmarks: @Sendable () -> Void = {
    lessonBenchmarks()
    elementaryBenchmarks()
}

/// The lesson's loss `((predicted - real).pow(2)).sum()`: field ops only, so
/// exact in dyadic rationals.
func lessonBenchmarks() {
    // The default spreads 10^5 elements over the machine's cores; "one
    // thread" is the same replay on the calling thread alone.
    let sizes: [(String, Shape, BenchmarkScalingFactor, Int, ExactMode)] = [
        ("24", [3, 8], .kilo, 1_000, ExactMode()), ("10^3", [1000], .one, 1_000, ExactMode()),
        ("10^5", [100_000], .one, 20, ExactMode()), ("10^5 one thread", [100_000], .one, 20, ExactMode(threads: 1)),
    ]
    for (label, shape, scaling, iterations, strategy) in sizes {
        let configuration = Benchmark.Configuration(
            metrics: [.wallClock, .mallocCountTotal], warmupIterations: 1, scalingFactor: scaling,
            maxDuration: .seconds(3), maxIterations: iterations
        )
        Benchmark("loss exact gradient n=\(label)", configuration: configuration) { (benchmark, inputs: (Tensor, Tensor)) in
            let (predicted, real) = inputs
            let loss = (predicted - real).pow(2).sum()
            for _ in benchmark.scaledIterations {
                blackHole(try strategy.gradient(of: loss, withRespectTo: [predicted]))
            }
        } setup: {
            var generator = SeededGenerator(seed: 42)
            return (Tensor.rand(shape, requiresGrad: true, using: &generator), Tensor.rand(shape, using: &generator))
        }
    }
}
