/// The mean of the squared differences, like PyTorch's `mse_loss`: a
/// zero-dimensional tensor. Traps, naming both shapes, unless `prediction`
/// and `target` have the same shape (PyTorch only warns, then broadcasts).
///
/// ```swift
/// mseLoss(Tensor([1.0, 3]), Tensor([0.0, 1]))   // (1 + 4) / 2 = 2.5
/// ```
public func mseLoss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    guard prediction.shape == target.shape else {
        fatalError("mseLoss: prediction of shape \(prediction.shape) and target of shape \(target.shape): give them the same shape")
    }
    return (prediction - target).pow(2).mean()
}

/// The mean binary cross-entropy of `targets` (in [0, 1]) under the
/// probabilities σ(`logits`), like PyTorch's
/// `binary_cross_entropy_with_logits`, computed from the logits as
/// `t·softplus(−x) + (1 − t)·softplus(x)`: both terms are positive, so nothing
/// cancels, and nothing overflows. Traps unless the shapes are the same.
///
/// ```swift
/// binaryCrossEntropyWithLogits(Tensor([0.0, 40]), Tensor([1.0, 1]))   // (ln 2 + 4.2e-18) / 2
/// ```
public func binaryCrossEntropyWithLogits(_ logits: Tensor, _ targets: Tensor) -> Tensor {
    guard logits.shape == targets.shape else {
        fatalError("binaryCrossEntropyWithLogits: logits of shape \(logits.shape) and targets of shape \(targets.shape): give them the same shape")
    }
    return (targets * (-logits).softplus() + (1 - targets) * logits.softplus()).mean()
}

/// The mean cross-entropy of the classes `targets` (one index per row) under
/// the softmax of `logits` (`[rows, classes]`), like PyTorch's
/// `cross_entropy`: each row's loss is `logSumExp(x) − x[class]`, computed as
/// `(m − x[class]) + log1p(…)` with the row's maximum m, so it never forms
/// `log(softmax)`, never overflows, and keeps its digits when the class's
/// logit dominates. Traps, naming the row, on a class index out of range, and
/// on a count of targets other than the rows.
///
/// ```swift
/// crossEntropy(Tensor([[2.0, 0, 0], [0, 0, 50]]), targets: [0, 2])
/// ```
public func crossEntropy(_ logits: Tensor, targets: [Int]) -> Tensor {
    guard logits.rank == 2 else {
        fatalError("crossEntropy: logits must be [rows, classes], got shape \(logits.shape)")
    }
    let (rows, classes) = (logits.shape[0], logits.shape[1])
    guard targets.count == rows else {
        fatalError("crossEntropy: \(targets.count) targets for \(rows) rows of logits (shape \(logits.shape))")
    }
    var chosen = [Double](repeating: 0, count: rows * classes)
    for (row, target) in targets.enumerated() {
        guard (0..<classes).contains(target) else {
            fatalError("crossEntropy: target \(target) of row \(row) is out of range for \(classes) classes")
        }
        chosen[row * classes + target] = 1
    }
    let targetMask = Tensor(TensorValue(shape: logits.shape, scalars: chosen))
    let (maximum, firstMaximum) = logits.sliceMaxima(1, op: "crossEntropy")
    let marginToMaximum = ((maximum - logits) * targetMask).sum(dim: 1)
    return (marginToMaximum + logits.shiftedSum(1, maximum, firstMaximum).log1p()).mean()
}
