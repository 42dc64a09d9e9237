// Adding and removing dimensions of size 1, and reductions that keep the
// reduced dimension: all recorded as reshapes, so every strategy
// differentiates them.

extension Tensor {
    /// The same elements with a new dimension of size 1 at `dim` (from
    /// `-(rank + 1)` to `rank`; negative counts from the end), like PyTorch's
    /// `unsqueeze`.
    ///
    /// ```swift
    /// Tensor([1.0, 2, 3]).unsqueeze(1).shape   // [3, 1]
    /// ```
    public func unsqueeze(_ dim: Int) -> Tensor {
        let normalized = dim < 0 ? dim + rank + 1 : dim
        guard (0...rank).contains(normalized) else {
            fatalError("unsqueeze: dimension \(dim) is out of range for shape \(shape) (from \(-rank - 1) to \(rank))")
        }
        var dimensions = shape.dimensions
        dimensions.insert(1, at: normalized)
        return reshape(Shape(dimensions))
    }

    /// The same elements without dimension `dim` if its size is 1 (else
    /// unchanged, as PyTorch's `squeeze(dim)`).
    ///
    /// ```swift
    /// Tensor.zeros(3, 1).squeeze(1).shape   // [3]
    /// ```
    public func squeeze(_ dim: Int) -> Tensor {
        let axis = shape.normalizedAxis(dim, op: "squeeze")
        guard shape[axis] == 1 else { return self }
        return reshape(shape.removing(axis))
    }

    /// The same elements without any dimension of size 1, like PyTorch's `squeeze()`.
    ///
    /// ```swift
    /// Tensor.zeros(1, 3, 1).squeeze().shape   // [3]
    /// ```
    public func squeeze() -> Tensor {
        let kept = shape.dimensions.filter { $0 != 1 }
        return kept.count == rank ? self : reshape(Shape(kept))
    }

    /// The sum along `dim`, which the result keeps with size 1 when
    /// `keepDim` (so that it broadcasts against the input).
    ///
    /// ```swift
    /// let shares = x / x.sum(dim: 1, keepDim: true)
    /// ```
    public func sum(dim: Int, keepDim: Bool) -> Tensor {
        keepDim ? sum(dim: dim).reshape(shape.keepingOne(shape.normalizedAxis(dim, op: "Sum"))) : sum(dim: dim)
    }

    /// The mean along `dim`, which the result keeps with size 1 when `keepDim`.
    ///
    /// ```swift
    /// let centred = x - x.mean(dim: 0, keepDim: true)
    /// ```
    public func mean(dim: Int, keepDim: Bool) -> Tensor {
        keepDim ? mean(dim: dim).reshape(shape.keepingOne(shape.normalizedAxis(dim, op: "Mean"))) : mean(dim: dim)
    }
}
