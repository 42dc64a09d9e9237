// log Σ exp along an axis, and the losses built on it, composed of recorded
// element-wise ops and sums, so that every strategy differentiates them,
// exactly in the exact one.
//
// The shift m (each slice's maximum, at the position a of its first maximum)
// is taken as a constant: log Σⱼ e^xⱼ = m + log1p(expm1(xₐ − m) + Σ_{j≠a} e^(xⱼ−m))
// holds for every m, so its gradient does not depend on m, and the formula
// never overflows (every exponent is ≤ 0) nor loses the small sums to the
// leading 1 (log1p, expm1).

extension Tensor {
    /// log Σ exp of the elements along `dim` (negative counts from the end),
    /// which the result no longer has, like PyTorch's `logsumexp`: shifted by
    /// each slice's maximum, so that it neither overflows nor underflows.
    ///
    /// ```swift
    /// Tensor([[1000.0, 1000]]).logSumExp(dim: 1)   // [1000.6931471805599]
    /// ```
    public func logSumExp(dim: Int) -> Tensor {
        let axis = shape.normalizedAxis(dim, op: "logSumExp")
        let (maximum, firstMaximum) = sliceMaxima(axis, op: "logSumExp")
        return maximum.reshape(shape.removing(axis)) + shiftedSum(axis, maximum, firstMaximum).log1p()
    }

    /// log softmax along `dim`: `x − logSumExp(x)`, each element computed as
    /// `(x − m) − log1p(…)` without forming the softmax.
    ///
    /// ```swift
    /// Tensor([[0.0, 0]]).logSoftmax(dim: 1)   // [[-0.6931, -0.6931]]
    /// ```
    public func logSoftmax(dim: Int) -> Tensor {
        let axis = shape.normalizedAxis(dim, op: "logSoftmax")
        let (maximum, firstMaximum) = sliceMaxima(axis, op: "logSoftmax")
        return (self - maximum) - shiftedSum(axis, maximum, firstMaximum).log1p().reshape(shape.keepingOne(axis))
    }

    /// softmax along `dim`: `exp(logSoftmax(x))`, so every element is in
    /// [0, 1] without overflow, and each slice sums to 1 up to rounding.
    ///
    /// ```swift
    /// Tensor([[1000.0, 1000]]).softmax(dim: 1)   // [[0.5, 0.5]]
    /// ```
    public func softmax(dim: Int) -> Tensor { logSoftmax(dim: dim).exp() }

    /// Each slice's maximum along `axis` (kept as a dimension of size 1), a
    /// constant of the graph, and a constant mask of the first maximum's
    /// position. Traps, naming `op`, on an empty slice.
    func sliceMaxima(_ axis: Int, op: String) -> (maximum: Tensor, firstMaximum: Tensor) {
        guard shape[axis] > 0 else {
            fatalError("\(op): cannot reduce an empty dimension (\(axis) of shape \(shape))")
        }
        let (outer, size, inner) = value.splitShape(at: axis)
        var maxima = [Double](repeating: -.infinity, count: outer * inner)
        var positions = [Int](repeating: 0, count: outer * inner)
        value.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for k in 0..<size {
                    for i in 0..<inner where x[(o * size + k) * inner + i] > maxima[o * inner + i] || k == 0 {
                        maxima[o * inner + i] = x[(o * size + k) * inner + i]
                        positions[o * inner + i] = k
                    }
                }
            }
        }
        var mask = [Double](repeating: 0, count: value.elementCount)
        for o in 0..<outer {
            for i in 0..<inner { mask[(o * size + positions[o * inner + i]) * inner + i] = 1 }
        }
        // A slice of infinities has no finite shift: shifting by 0 keeps the formula's value.
        let shifts = maxima.map { $0.isFinite ? $0 : 0 }
        return (Tensor(TensorValue(shape: shape.keepingOne(axis), scalars: shifts)), Tensor(TensorValue(shape: shape, scalars: mask)))
    }

    /// `expm1(xₐ − m) + Σ_{j≠a} e^(xⱼ−m)` along `axis`: Σ e^(xⱼ−m) − 1 without cancellation.
    func shiftedSum(_ axis: Int, _ maximum: Tensor, _ firstMaximum: Tensor) -> Tensor {
        let shifted = self - maximum
        return (shifted.expm1() * firstMaximum + shifted.exp() * (1 - firstMaximum)).sum(dim: axis)
    }
}

extension Shape {
    /// The shape without `axis`.
    func removing(_ axis: Int) -> Shape {
        var dimensions = self.dimensions
        dimensions.remove(at: axis)
        return Shape(dimensions)
    }

    /// The shape with `axis` of size 1.
    func keepingOne(_ axis: Int) -> Shape {
        var dimensions = self.dimensions
        dimensions[axis] = 1
        return Shape(dimensions)
    }
}
