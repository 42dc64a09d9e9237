/// An optimizer: it updates a list of parameters in place from their `.grad`,
/// like PyTorch's `torch.optim` (``SGD``, ``Adam``).
///
/// A training step reads as PyTorch's `zero_grad(); backward(); step()`:
///
/// ```swift
/// var optimizer = try SGD(model.parameters, learningRate: 0.1)
/// optimizer.zeroGrad()
/// try loss(model).backward()
/// optimizer.step()
/// ```
public protocol Optimizer {
    /// The tensors it updates: leaves that require gradients.
    var parameters: [Tensor] { get }
    /// Updates every parameter that has a gradient, in place (each
    /// parameter's ``Tensor/version`` goes up by one); parameters without a
    /// gradient are left as they are, as in PyTorch.
    mutating func step()
}

extension Optimizer {
    /// Forgets every parameter's gradient (PyTorch's `zero_grad()`, which sets
    /// them to `None`), so that the next backward pass starts afresh.
    ///
    /// ```swift
    /// optimizer.zeroGrad()
    /// optimizer.parameters.allSatisfy { $0.grad == nil }   // true
    /// ```
    public func zeroGrad() {
        for parameter in parameters { parameter.zeroGrad() }
    }
}

/// What an optimizer refuses when it is made: nothing has changed then.
public enum OptimizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A setting outside its range, such as a negative learning rate.
    case invalidSetting(name: String, value: Double, expected: String)
    /// A parameter that a recorded op made: only leaves can be optimized.
    case parameterIsNotLeaf(index: Int)
    /// Nesterov momentum without momentum, or with dampening.
    case nesterovNeedsMomentumWithoutDampening

    public var description: String {
        switch self {
        case .invalidSetting(let name, let value, let expected):
            "invalid \(name) \(value): expected \(expected)"
        case .parameterIsNotLeaf(let index):
            "parameter \(index) is not a leaf (it has a gradFn): optimize the leaves it is computed from"
        case .nesterovNeedsMomentumWithoutDampening:
            "Nesterov momentum needs a momentum above 0 and a dampening of 0"
        }
    }
}

/// Throws unless every parameter is a leaf.
func checkLeaves(_ parameters: [Tensor]) throws(OptimizerError) {
    if let index = parameters.firstIndex(where: { !$0.isLeaf }) { throw .parameterIsNotLeaf(index: index) }
}

/// Throws unless the setting `name` satisfies `isValid`.
func checkSetting(
    _ name: String, _ value: Double, expected: String, _ isValid: (Double) -> Bool
) throws(OptimizerError) {
    guard isValid(value) else { throw .invalidSetting(name: name, value: value, expected: expected) }
}
