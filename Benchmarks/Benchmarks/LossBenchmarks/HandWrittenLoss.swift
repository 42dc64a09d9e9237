/// `Σ (p - r)²` and its gradient `2 (p - r)` with respect to `p`, in one fused
/// pass over memory into a freshly allocated array: what the autograd path is
/// measured against. The result is bit-for-bit the autograd loss and `predicted.grad`.
@inline(never)
func handWrittenLoss(_ predicted: [Double], _ real: [Double]) -> (loss: Double, gradient: [Double]) {
    var loss = 0.0
    let gradient = [Double](unsafeUninitializedCapacity: predicted.count) { out, initialized in
        loss = handWrittenLoss(predicted, real, gradientInto: out)
        initialized = predicted.count
    }
    return (loss, gradient)
}

/// The same fused loop writing the gradient into memory the caller keeps from
/// one call to the next: the limit when no memory is allocated at all. It adds
/// in the library's summation order (blocks of 4,096 elements, four partial
/// sums each, blocks added left to right), so its loss has the tape's bits.
@inline(never)
func handWrittenLoss(
    _ predicted: [Double], _ real: [Double], gradientInto out: UnsafeMutableBufferPointer<Double>
) -> Double {
    precondition(predicted.count == real.count && out.count >= predicted.count)
    let count = predicted.count
    var loss = 0.0
    predicted.withUnsafeBufferPointer { p in
        real.withUnsafeBufferPointer { r in
            var start = 0
            while start < count {
                let end = min(start + 4096, count)
                var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                var i = start
                while i + 4 <= end {
                    let d0 = p[i] - r[i], d1 = p[i + 1] - r[i + 1]
                    let d2 = p[i + 2] - r[i + 2], d3 = p[i + 3] - r[i + 3]
                    s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3
                    out[i] = 2 * d0; out[i + 1] = 2 * d1; out[i + 2] = 2 * d2; out[i + 3] = 2 * d3
                    i += 4
                }
                while i < end {
                    let d = p[i] - r[i]
                    s0 += d * d
                    out[i] = 2 * d
                    i += 1
                }
                let block = (s0 + s1) + (s2 + s3)
                loss = start == 0 ? block : loss + block
                start = end
            }
        }
    }
    return loss
}
