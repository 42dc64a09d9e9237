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
