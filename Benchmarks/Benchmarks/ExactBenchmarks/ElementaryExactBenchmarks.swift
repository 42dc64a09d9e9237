// The exact strategy on elementary functions: the gradient of
// `(x.tanh() * y.sigmoid()).sum()` with respect to x and y (10^3 elements
// each, uniform in [-3, 3)), replayed over MPFI intervals. With the defaults
// Ziv's strategy raises the precision until every element resolves; the
// fixed single steps (precision == maximumPrecision) show the cost of one
// step at 128, 256 and 512 bits; auditing adds the rule audits and rounding
// bounds that GradientCheck uses. The lesson's loss with auditing sits beside
// them for comparison. Times are per call: divide by 10^3 for the cost per
// element of each input (2 * 10^3 gradient elements in all).

import Autograd
import Benchmark

func elementaryBenchmarks() {
    let n = 1000
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal], timeUnits: .microseconds, warmupIterations: 1,
        scalingFactor: .one, maxDuration: .seconds(3), maxIterations: 200
    )
    let cases: [(String, ExactMode, Bool)] = [
        ("defaults", ExactMode(), false),
        ("one step 128 bits", ExactMode(precision: 128, maximumPrecision: 128), false),
        ("one step 256 bits", ExactMode(precision: 256, maximumPrecision: 256), false),
        ("one step 512 bits", ExactMode(precision: 512, maximumPrecision: 512), false),
        ("auditing", ExactMode(), true),
    ]
    for (label, mode, auditing) in cases {
        Benchmark("tanh*sigmoid exact gradient n=10^3 \(label)", configuration: configuration) { (benchmark, inputs: (Tensor, Tensor)) in
            let (x, y) = inputs
            let loss = (x.tanh() * y.sigmoid()).sum()
            for _ in benchmark.scaledIterations {
                blackHole(try mode.gradient(of: loss, withRespectTo: [x, y], auditing: auditing))
            }
        } setup: {
            var generator = SeededGenerator(seed: 42)
            return (uniform(n, in: -3...3, using: &generator), uniform(n, in: -3...3, using: &generator))
        }
    }
    Benchmark("loss exact gradient n=10^3 auditing", configuration: configuration) { (benchmark, inputs: (Tensor, Tensor)) in
        let (predicted, real) = inputs
        let loss = (predicted - real).pow(2).sum()
        for _ in benchmark.scaledIterations {
            blackHole(try ExactMode().gradient(of: loss, withRespectTo: [predicted], auditing: true))
        }
    } setup: {
        var generator = SeededGenerator(seed: 42)
        return (Tensor.rand([n], requiresGrad: true, using: &generator), Tensor.rand([n], using: &generator))
    }
}

/// `count` numbers drawn uniformly from `range` by `generator`, as a leaf
/// that requires its gradient.
func uniform(_ count: Int, in range: ClosedRange<Double>, using generator: inout SeededGenerator) -> Tensor {
    let width = range.upperBound - range.lowerBound
    let scalars = (0..<count).map { _ in range.lowerBound + width * generator.nextUnit() }
    return Tensor(scalars, shape: [count], requiresGrad: true)
}
