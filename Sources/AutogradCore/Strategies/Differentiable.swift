/// A differentiation strategy: reverse mode (the tape, the ops' reverse
/// rules), forward mode (tangents through the ops' forward rules) or exact
/// arithmetic (derivatives from the ops' value formulas), behind one interface.
///
/// Not to be confused with the `Differentiable` protocol of Swift's
/// `_Differentiation` module: a file that imports both writes
/// `AutogradCore.Differentiable`.
///
/// Every strategy answers the same two questions:
/// - the gradient of a recorded one-element result with respect to chosen
///   leaves: the very `loss` a program built, whose graph is the program;
/// - the gradient of a function of tensors at a point.
///
/// A strategy that computes more than `Double` gradients (the exact one also
/// has exact values and their provenance) says so in its ``Gradient`` type.
///
/// ```swift
/// let strategy = ReverseMode()
/// let loss = (predicted - real).pow(2).sum()
/// let gradient = try strategy.gradient(of: loss, withRespectTo: [predicted]).tensors[0]
/// ```
public protocol Differentiable: Sendable {
    /// What the strategy returns: at least the gradients as `Double` tensors.
    associatedtype Gradient: GradientCollection

    /// The strategy's name, as configuration spells it: `"reverse"`, `"forward"`, `"exact"`.
    var name: String { get }

    /// The gradient of a one-element result with respect to leaves it was
    /// computed from. Leaves it does not depend on get zeros. Leaves' `.grad`
    /// and the graph are left as they were.
    func gradient(of result: Tensor, withRespectTo leaves: [Tensor]) throws -> Gradient

    /// The gradient of `function`, whose result has one element, at `point`.
    func gradient(at point: [Tensor], of function: ([Tensor]) -> Tensor) throws -> Gradient
}

/// The result of a strategy: one `Double` gradient per input, in order.
public protocol GradientCollection {
    /// The gradient with respect to each input, shaped like that input.
    var tensors: [Tensor] { get }
}

extension Array: GradientCollection where Element == Tensor {
    /// The array itself.
    public var tensors: [Tensor] { self }
}

extension Differentiable {
    /// The gradient of a function of one tensor at `point`.
    ///
    /// ```swift
    /// try ReverseMode().gradient(at: Tensor([1.0, 2]), of: { $0.pow(2).sum() })   // tensor([2., 4.])
    /// ```
    public func gradient(at point: Tensor, of function: (Tensor) -> Tensor) throws -> Tensor {
        try gradient(at: [point], of: { function($0[0]) }).tensors[0]
    }
}
