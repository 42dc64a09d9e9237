// Forward mode. The lesson's loss: ForwardMode's gradient (⌈n/8⌉ replays of
// the recorded graph over 8-lane duals) beside the tape's. Rosenbrock in 2
// and 100 variables: the value in Double, the value and one directional
// derivative on a single-lane Dual (target: within 3× of Double), the gradient
// on 8-lane MultiDuals, and the gradient on the tape.
//
//     cd Benchmarks && swift package --allow-writing-to-package-directory benchmark --target ForwardModeBenchmarks --no-progress

import Autograd
import Benchmark

extension Benchmark.Configuration {
    /// Wall clock and malloc count, two seconds at most per benchmark.
    static func forward(scaling: BenchmarkScalingFactor, maxIterations: Int = 10_000) -> Self {
        .init(
            metrics: [.wallClock, .mallocCountTotal],
            warmupIterations: 3, scalingFactor: scaling,
            maxDuration: .seconds(2), maxIterations: maxIterations
        )
    }
}

let benchmarks: @Sendable () -> Void = {
    // Forward mode needs ⌈n/8⌉ passes over all n elements: quadratic in n, so
    // only small sizes are measured; larger ones are extrapolated in the notes.
    for (label, shape, scaling) in [("24", Shape([3, 8]), BenchmarkScalingFactor.kilo), ("10^3", Shape([1000]), .one)] {
        Benchmark("loss forward-mode gradient n=\(label)", configuration: .forward(scaling: scaling, maxIterations: 2_000)) { (benchmark, inputs: (Tensor, Tensor)) in
            let (predicted, real) = inputs
            let loss = (predicted - real).pow(2).sum()
            for _ in benchmark.scaledIterations {
                blackHole(try ForwardMode().gradient(of: loss, withRespectTo: [predicted]))
            }
        } setup: {
            var generator = SeededGenerator(seed: 42)
            return (Tensor.rand(shape, requiresGrad: true, using: &generator), Tensor.rand(shape, using: &generator))
        }
    }

    for n in [2, 100] {
        let scaling: BenchmarkScalingFactor = .kilo
        Benchmark("rosenbrock Double n=\(n)", configuration: .forward(scaling: scaling)) { (benchmark, point: [Double]) in
            for _ in benchmark.scaledIterations { blackHole(rosenbrock(point)) }
        } setup: { rosenbrockPoint(n) }

        // The seeded dual inputs are made in setup, as the Double inputs are.
        Benchmark("rosenbrock Dual (value + one directional derivative) n=\(n)", configuration: .forward(scaling: scaling)) { (benchmark, seeded: [Dual<Double>]) in
            for _ in benchmark.scaledIterations { blackHole(rosenbrock(seeded)) }
        } setup: {
            let point = rosenbrockPoint(n), tag = PerturbationTag.fresh()
            return point.indices.map { Dual(point[$0], tangent: $0 == 0 ? 1 : 0, tag: tag) }
        }

        Benchmark("rosenbrock gradient MultiDual<8> n=\(n)", configuration: .forward(scaling: scaling)) { (benchmark, point: [Double]) in
            for _ in benchmark.scaledIterations { blackHole(gradient(at: point) { rosenbrock($0) }) }
        } setup: { rosenbrockPoint(n) }

        Benchmark("rosenbrock gradient tape n=\(n)", configuration: .forward(scaling: scaling)) { (benchmark, point: [Double]) in
            for _ in benchmark.scaledIterations {
                blackHole(try ReverseMode().gradient(at: point.map { Tensor($0) }) { rosenbrock($0) })
            }
        } setup: { rosenbrockPoint(n) }
    }
}
