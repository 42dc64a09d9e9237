// A deeper element-wise graph, `sum(tanh(x·w + b)·y)` with `w` and `b`
// requiring gradients, at the loss benchmarks' sizes: eager forward+backward
// beside one fused loop that writes both gradients into buffers kept across
// calls (its limit).

import Autograd
import Benchmark

/// The four operands, of `shape` each; `w` and `b` require gradients.
func tanhLayerInputs(_ shape: Shape) -> (x: Tensor, w: Tensor, b: Tensor, y: Tensor) {
    var generator = SeededGenerator(seed: 43)
    let x = Tensor.randn(shape, using: &generator)
    let w = Tensor.randn(shape, requiresGrad: true, using: &generator)
    let b = Tensor.randn(shape, requiresGrad: true, using: &generator)
    let y = Tensor.randn(shape, using: &generator)
    return (x, w, b, y)
}

/// `Σ tanh(x·w + b)·y`, and its gradients with respect to `w` and `b`
/// (`y·tanh′(z)·x` and `y·tanh′(z)`) in one pass, with the tape's `tanh`
/// kernel so that both sides compute the same functions.
@inline(never)
func handWrittenTanhLayer(
    _ x: [Double], _ w: [Double], _ b: [Double], _ y: [Double],
    weightGradient: UnsafeMutableBufferPointer<Double>, biasGradient: UnsafeMutableBufferPointer<Double>
) -> Double {
    var loss = 0.0
    for i in 0..<x.count {
        let z = x[i] * w[i] + b[i]
        loss += HyperbolicTangentKernel.tanh(z) * y[i]
        let dz = y[i] * HyperbolicTangentKernel.derivative(z)
        biasGradient[i] = dz
        weightGradient[i] = dz * x[i]
    }
    return loss
}

/// The same function and gradients in pieces of 512 elements that stay in
/// cache, through the library's vectorised `tanh` and `tanh′` loops (what a
/// careful C programmer would write): the fair limit for a compiled plan.
@inline(never)
func handWrittenBlockedTanhLayer(
    _ x: [Double], _ w: [Double], _ b: [Double], _ y: [Double],
    weightGradient: UnsafeMutableBufferPointer<Double>, biasGradient: UnsafeMutableBufferPointer<Double>
) -> Double {
    let piece = 512
    let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 3 * piece)
    defer { scratch.deallocate() }
    let z = scratch, t = scratch + piece, dz = scratch + 2 * piece
    var loss = 0.0
    x.withUnsafeBufferPointer { x in
        w.withUnsafeBufferPointer { w in
            b.withUnsafeBufferPointer { b in
                y.withUnsafeBufferPointer { y in
                    var start = 0
                    while start < x.count {
                        let length = min(piece, x.count - start)
                        let x = x.baseAddress! + start, w = w.baseAddress! + start
                        let b = b.baseAddress! + start, y = y.baseAddress! + start
                        for i in 0..<length { z[i] = x[i] * w[i] + b[i] }
                        Double.hyperbolicTangent(UnsafeBufferPointer(start: z, count: length), into: t)
                        Double.hyperbolicTangentDerivative(UnsafeBufferPointer(start: z, count: length), times: y, into: dz)
                        let weightGradient = weightGradient.baseAddress! + start
                        let biasGradient = biasGradient.baseAddress! + start
                        for i in 0..<length {
                            loss += t[i] * y[i]
                            biasGradient[i] = dz[i]
                            weightGradient[i] = dz[i] * x[i]
                        }
                        start += length
                    }
                }
            }
        }
    }
    return loss
}

func tanhLayerBenchmarks(_ size: LossSize) {
    Benchmark("tanh layer forward+backward n=\(size.label)", configuration: size.configuration) { benchmark, inputs in
        let (x, w, b, y) = inputs
        for _ in benchmark.scaledIterations {
            let loss = ((x * w + b).tanh() * y).sum()
            try! loss.backward()
            blackHole((w.grad, b.grad))
            w.grad = nil
            b.grad = nil
        }
    } setup: {
        tanhLayerInputs(size.shape)
    }

    for threads in [1, 2] {
        Benchmark("tanh layer compiled threads=\(threads) n=\(size.label)", configuration: size.configuration) { (benchmark, layer: (function: CompiledFunction, arguments: [Tensor])) in
            for _ in benchmark.scaledIterations {
                blackHole(try! layer.function.valueWithGradient(layer.arguments))
            }
        } setup: {
            // Traced once, outside the samples (see LossBenchmarks.swift).
            let (x, w, b, y) = tanhLayerInputs(size.shape)
            let arguments = [x, w, b, y]
            let function = try! CompiledFunction(tracingAt: arguments, withRespectTo: [1, 2], threads: threads) { t in
                ((t[0] * t[1] + t[2]).tanh() * t[3]).sum()
            }
            return (function: function, arguments: arguments)
        }
    }

    Benchmark("tanh layer hand-written blocked n=\(size.label)", configuration: size.configuration) { benchmark, layer in
        for _ in benchmark.scaledIterations {
            blackHole(handWrittenBlockedTanhLayer(
                layer.x, layer.w, layer.b, layer.y, weightGradient: layer.weightGradient, biasGradient: layer.biasGradient))
        }
    } setup: {
        TanhLayerBuffers(size.shape)
    }

    Benchmark("tanh layer hand-written reused n=\(size.label)", configuration: size.configuration) { benchmark, layer in
        for _ in benchmark.scaledIterations {
            blackHole(handWrittenTanhLayer(
                layer.x, layer.w, layer.b, layer.y, weightGradient: layer.weightGradient, biasGradient: layer.biasGradient))
            blackHole((layer.weightGradient.baseAddress, layer.biasGradient.baseAddress))
        }
    } setup: {
        TanhLayerBuffers(size.shape)
    }
}

/// The hand-written loops' inputs and the gradient buffers they keep from
/// one sample to the next (made in the setup, as the compiled plan is).
final class TanhLayerBuffers {
    let x: [Double], w: [Double], b: [Double], y: [Double]
    let weightGradient: UnsafeMutableBufferPointer<Double>
    let biasGradient: UnsafeMutableBufferPointer<Double>

    init(_ shape: Shape) {
        let (x, w, b, y) = tanhLayerInputs(shape)
        (self.x, self.w, self.b, self.y) = (x.scalars, w.scalars, b.scalars, y.scalars)
        weightGradient = .allocate(capacity: shape.elementCount)
        biasGradient = .allocate(capacity: shape.elementCount)
        weightGradient.initialize(repeating: 0)
        biasGradient.initialize(repeating: 0)
    }

    deinit {
        weightGradient.deallocate()
        biasGradient.deallocate()
    }
}
