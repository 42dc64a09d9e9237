// The training ops' forward and backward on the tape (each summed to a scalar
// loss, then backward) beside a hand-written loop that computes the same loss
// and gradient in one pass over buffers allocated once, at 10^3 and 10^6
// elements: softplus, logSumExp along rows of 100, max, where, narrow+cat, and
// tanh (the tape's vectorised kernels beside glibc's tanh and cosh).
// Compare the two lines of a pair in one run (their ratio is the overhead).
//
//     cd Benchmarks && swift package --allow-writing-to-package-directory benchmark --target OpBenchmarks --no-progress

import Autograd
import Benchmark
import Foundation

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal], warmupIterations: 1, maxDuration: .seconds(2), maxIterations: 1000
    )
    for (label, count) in [("10^3", 1_000), ("10^6", 1_000_000)] {
        for op in OpCase.allCases {
            Benchmark("\(op) forward+backward n=\(label)", configuration: configuration) { benchmark, x in
                for _ in benchmark.scaledIterations {
                    let loss = op.loss(x)
                    try loss.backward()
                    blackHole(x.grad)
                    x.zeroGrad()
                }
            } setup: {
                OpCase.input(count)
            }

            Benchmark("\(op) forward+backward n=\(label), hand-written loop", configuration: configuration) { benchmark, state in
                for _ in benchmark.scaledIterations { blackHole(op.handWritten(state.values, state.gradient)) }
            } setup: {
                HandWrittenBuffers(OpCase.input(count).scalars)
            }
        }
    }
}

/// The ops measured, each as a scalar loss of one input.
enum OpCase: String, CaseIterable, CustomStringConvertible {
    case softplus, logSumExp, max, `where`, narrowCat = "narrow+cat", tanh

    var description: String { rawValue }

    /// Normal values (scaled by 4, so softplus and where see both signs and
    /// large magnitudes) that require gradients.
    static func input(_ count: Int) -> Tensor {
        var generator = SeededGenerator(seed: 11)
        let values = Tensor.randn([count], using: &generator).value.map { $0 * 4 }
        return Tensor(values, requiresGrad: true)
    }

    /// The loss on the tape.
    func loss(_ x: Tensor) -> Tensor {
        switch self {
        case .softplus: x.softplus().sum()
        case .logSumExp: x.reshape(-1, 100).logSumExp(dim: 1).sum()
        case .max: x.max()
        case .where: Tensor.where(x.gt(0), x, x * 0.1).sum()
        case .narrowCat:
            Tensor.cat([x.narrow(dim: 0, start: 0, length: x.shape[0] / 2) * 2,
                        x.narrow(dim: 0, start: x.shape[0] / 2, length: x.shape[0] - x.shape[0] / 2)]).sum()
        case .tanh: x.tanh().sum()
        }
    }

    /// The same loss and its gradient (into `g`) in plain loops.
    @inline(never)
    func handWritten(_ x: UnsafeMutableBufferPointer<Double>, _ g: UnsafeMutableBufferPointer<Double>) -> Double {
        var loss = 0.0
        switch self {
        case .softplus:
            for i in 0..<x.count {
                let e = exp(-abs(x[i]))
                loss += Swift.max(x[i], 0) + log1p(e)
                g[i] = x[i] >= 0 ? 1 / (1 + e) : e / (1 + e)
            }
        case .logSumExp:
            for row in stride(from: 0, to: x.count, by: 100) {
                var m = x[row]
                for i in row + 1..<row + 100 { m = Swift.max(m, x[i]) }
                var s = 0.0
                for i in row..<row + 100 { let e = exp(x[i] - m); g[i] = e; s += e }
                loss += log(s) + m
                for i in row..<row + 100 { g[i] /= s }
            }
        case .max:
            var best = 0
            for i in 1..<x.count where x[i] > x[best] { best = i }
            g.update(repeating: 0)
            g[best] = 1
            loss = x[best]
        case .where:
            for i in 0..<x.count {
                let positive = x[i] > 0
                loss += positive ? x[i] : x[i] * 0.1
                g[i] = positive ? 1 : 0.1
            }
        case .narrowCat:
            let half = x.count / 2
            for i in 0..<half { loss += x[i] * 2; g[i] = 2 }
            for i in half..<x.count { loss += x[i]; g[i] = 1 }
        case .tanh:
            // glibc's, with the derivative that does not cancel (not 1 − tanh²).
            for i in 0..<x.count {
                let c = cosh(x[i])
                loss += Foundation.tanh(x[i])
                g[i] = 1 / (c * c)
            }
        }
        return loss
    }
}

/// An input and a gradient buffer, allocated once.
final class HandWrittenBuffers {
    let values: UnsafeMutableBufferPointer<Double>, gradient: UnsafeMutableBufferPointer<Double>

    init(_ scalars: [Double]) {
        values = .allocate(capacity: scalars.count)
        _ = values.initialize(from: scalars)
        gradient = .allocate(capacity: scalars.count)
        gradient.initialize(repeating: 0)
    }

    deinit { values.deallocate(); gradient.deallocate() }
}
