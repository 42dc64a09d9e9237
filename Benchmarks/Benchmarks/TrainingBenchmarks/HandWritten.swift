import Autograd
import CBLASDirect
import Foundation

// The hand-written limits: the same computations as the tape's, in plain
// loops over buffers allocated once (the matrix products as dot-product and
// i-k-j loops), and the same step with OpenBLAS for the products.

/// A buffer of doubles allocated once, freed with its owner.
final class Buffer {
    let pointer: UnsafeMutableBufferPointer<Double>

    init(_ values: [Double]) {
        pointer = .allocate(capacity: values.count)
        _ = pointer.initialize(from: values)
    }

    convenience init(zeros count: Int) { self.init([Double](repeating: 0, count: count)) }

    deinit { pointer.deallocate() }
}

/// One training step of a 64-256-1 tanh network with mean squared error and
/// Adam, written out: forward, backward and update.
final class HandWrittenTraining {
    let rows = 2048, inputs = 64, hidden = 256
    let x: Buffer, y: Buffer
    let w1: Buffer, b1: Buffer, w2: Buffer, b2: Buffer
    let h: Buffer, out: Buffer
    let gw1: Buffer, gb1: Buffer, gw2: Buffer, gb2: Buffer
    let adam: [HandWrittenAdam]

    init() {
        var generator = SeededGenerator(seed: 1)
        func draw(_ count: Int, _ scale: Double) -> Buffer {
            Buffer((0..<count).map { _ in (generator.nextUnit() * 2 - 1) * scale })
        }
        w1 = draw(256 * 64, 0.125); b1 = draw(256, 0.125)
        w2 = draw(256, 0.0625); b2 = draw(1, 0.0625)
        x = draw(2048 * 64, 2); y = draw(2048, 1)
        h = Buffer(zeros: 2048 * 256); out = Buffer(zeros: 2048)
        gw1 = Buffer(zeros: 256 * 64); gb1 = Buffer(zeros: 256); gw2 = Buffer(zeros: 256); gb2 = Buffer(zeros: 1)
        adam = [256 * 64, 256, 256, 1].map { HandWrittenAdam(count: $0) }
    }

    /// One step; returns the loss before the update.
    @inline(never)
    func step() -> Double {
        let (x, y, w1, b1, w2, b2, h, out) = (x.pointer, y.pointer, w1.pointer, b1.pointer, w2.pointer, b2.pointer, h.pointer, out.pointer)
        let (gw1, gb1, gw2, gb2) = (gw1.pointer, gb1.pointer, gw2.pointer, gb2.pointer)
        let (rows, inputs, hidden) = (rows, inputs, hidden)
        // Forward: h = tanh(x·w1ᵀ + b1), out = h·w2 + b2.
        for r in 0..<rows {
            for j in 0..<hidden {
                var z = b1[j]
                for k in 0..<inputs { z += x[r * inputs + k] * w1[j * inputs + k] }
                h[r * hidden + j] = tanh(z)
            }
            var o = b2[0]
            for j in 0..<hidden { o += h[r * hidden + j] * w2[j] }
            out[r] = o
        }
        var loss = 0.0
        for r in 0..<rows { loss += (out[r] - y[r]) * (out[r] - y[r]) }
        loss /= Double(rows)
        // Backward.
        gw1.update(repeating: 0); gb1.update(repeating: 0); gw2.update(repeating: 0); gb2.update(repeating: 0)
        for r in 0..<rows {
            let d = 2 * (out[r] - y[r]) / Double(rows)
            gb2[0] += d
            for j in 0..<hidden {
                let hj = h[r * hidden + j]
                gw2[j] += d * hj
                let dz = d * w2[j] * (1 - hj * hj)
                gb1[j] += dz
                for k in 0..<inputs { gw1[j * inputs + k] += dz * x[r * inputs + k] }
            }
        }
        // Update.
        adam[0].update(w1, gw1); adam[1].update(b1, gb1); adam[2].update(w2, gw2); adam[3].update(b2, gb2)
        return loss
    }
}

/// Adam's update, PyTorch's formulas, on buffers kept from step to step.
final class HandWrittenAdam {
    let m: Buffer, v: Buffer
    var t = 0
    let parameter: Buffer, gradient: Buffer

    init(count: Int) {
        var generator = SeededGenerator(seed: 2)
        m = Buffer(zeros: count); v = Buffer(zeros: count)
        parameter = Buffer((0..<count).map { _ in generator.nextUnit() })
        gradient = Buffer((0..<count).map { _ in generator.nextUnit() - 0.5 })
    }

    @inline(never)
    func step() { update(parameter.pointer, gradient.pointer) }

    func update(
        _ p: UnsafeMutableBufferPointer<Double>, _ g: UnsafeMutableBufferPointer<Double>,
        lr: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8
    ) {
        t += 1
        let stepSize = lr / (1 - pow(beta1, Double(t)))
        let correction2 = (1 - pow(beta2, Double(t))).squareRoot()
        let (m, v) = (m.pointer, v.pointer)
        for i in 0..<p.count {
            m[i] += (1 - beta1) * (g[i] - m[i])
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
            p[i] -= stepSize * (m[i] / (v[i].squareRoot() / correction2 + eps))
        }
    }
}

/// Mean cross-entropy of `[rows, classes]` logits and its gradient, in one pass per row.
@inline(never)
func handWrittenCrossEntropy(_ logits: [Double], _ targets: [Int], classes: Int) -> (Double, [Double]) {
    let rows = targets.count
    var loss = 0.0
    let gradient = [Double](unsafeUninitializedCapacity: logits.count) { out, initialized in
        logits.withUnsafeBufferPointer { x in
            for r in 0..<rows {
                let row = r * classes
                var m = x[row]
                for c in 1..<classes { m = Swift.max(m, x[row + c]) }
                var s = 0.0
                for c in 0..<classes { s += exp(x[row + c] - m) }
                loss += log(s) + m - x[row + targets[r]]
                for c in 0..<classes { out[row + c] = exp(x[row + c] - m) / s / Double(rows) }
                out[row + targets[r]] -= 1 / Double(rows)
            }
        }
        initialized = logits.count
    }
    return (loss / Double(rows), gradient)
}

/// The same training step as ``HandWrittenTraining``, with its two large
/// products (x·w1ᵀ forward, ∂zᵀ·x backward) and the output layer's
/// matrix-vector products by OpenBLAS: the limit for the tape once its
/// matmul goes through OpenBLAS.
final class HandWrittenBLASTraining {
    let plain = HandWrittenTraining()
    let dz: Buffer

    init() { dz = Buffer(zeros: plain.rows * plain.hidden) }

    /// One step; returns the loss before the update.
    @inline(never)
    func step() -> Double {
        let p = plain
        let (x, y, w1, b1, w2, b2, h, out) = (p.x.pointer, p.y.pointer, p.w1.pointer, p.b1.pointer, p.w2.pointer, p.b2.pointer, p.h.pointer, p.out.pointer)
        let (gw1, gb1, gw2, gb2, dz) = (p.gw1.pointer, p.gb1.pointer, p.gw2.pointer, p.gb2.pointer, dz.pointer)
        let (rows, inputs, hidden) = (Int32(p.rows), Int32(p.inputs), Int32(p.hidden))
        // Forward: h = tanh(x·w1ᵀ + b1), out = h·w2 + b2.
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, hidden, inputs, 1, x.baseAddress, inputs, w1.baseAddress, inputs, 0, h.baseAddress, hidden)
        for r in 0..<p.rows {
            for j in 0..<p.hidden { h[r * p.hidden + j] = tanh(h[r * p.hidden + j] + b1[j]) }
        }
        cblas_dgemv(CblasRowMajor, CblasNoTrans, rows, hidden, 1, h.baseAddress, hidden, w2.baseAddress, 1, 0, out.baseAddress, 1)
        var loss = 0.0
        for r in 0..<p.rows {
            out[r] += b2[0]
            loss += (out[r] - y[r]) * (out[r] - y[r])
        }
        loss /= Double(p.rows)
        // Backward: d = ∂L/∂out, ∂w2 = hᵀ·d, ∂z = d·w2ᵀ ∘ (1 − h²), ∂w1 = ∂zᵀ·x.
        gb1.update(repeating: 0)
        var sum = 0.0
        for r in 0..<p.rows {
            let d = 2 * (out[r] - y[r]) / Double(p.rows)
            out[r] = d
            sum += d
            for j in 0..<p.hidden {
                let hj = h[r * p.hidden + j]
                let value = d * w2[j] * (1 - hj * hj)
                dz[r * p.hidden + j] = value
                gb1[j] += value
            }
        }
        gb2[0] = sum
        cblas_dgemv(CblasRowMajor, CblasTrans, rows, hidden, 1, h.baseAddress, hidden, out.baseAddress, 1, 0, gw2.baseAddress, 1)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, hidden, inputs, rows, 1, dz.baseAddress, hidden, x.baseAddress, inputs, 0, gw1.baseAddress, inputs)
        // Update.
        p.adam[0].update(w1, gw1); p.adam[1].update(b1, gb1); p.adam[2].update(w2, gw2); p.adam[3].update(b2, gb2)
        return loss
    }
}
