/// The errors of differentiation: each says what went wrong and what to do.
///
/// A throwing call that fails leaves every tensor, its `.grad` and the graph as
/// they were.
public enum AutogradError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `backward()` on a tensor that neither requires gradients nor has a `gradFn`.
    case doesNotRequireGrad
    /// `backward()` without a gradient on a result with more than one element.
    case nonScalarBackward(shape: Shape)
    /// `backward(gradient:)` with a gradient whose shape is not the result's.
    case gradientShapeMismatch(expected: Shape, got: Shape)
    /// A second backward pass through a graph whose saved values were freed.
    case graphFreed(node: String)
    /// A backward pass that frees the graph while another task differentiates
    /// it, or a pass on a graph that another task's backward pass is freeing.
    case graphInUse(node: String)
    /// A tensor to differentiate with respect to does not require gradients.
    case inputDoesNotRequireGrad(index: Int)
    /// A tensor to differentiate with respect to is not a leaf.
    case inputIsNotLeaf(index: Int)
    /// A different number of tangents (directions) than inputs.
    case tangentCountMismatch(expected: Int, got: Int)
    /// A tangent (direction) whose shape is not its input's.
    case tangentShapeMismatch(index: Int, expected: Shape, got: Shape)
    /// A graph with an elementary-function op was replayed over a scalar type
    /// that only has field arithmetic (such as rationals).
    case requiresElementaryFunctions(operation: String)

    public var description: String {
        switch self {
        case .doesNotRequireGrad:
            return "the tensor does not require grad and has no gradFn: "
                + "set requiresGrad = true on the leaves it is computed from, outside any no-grad scope"
        case .nonScalarBackward(let shape):
            return "backward() needs a gradient for a result of shape \(shape): "
                + "call backward(gradient:) with a tensor of shape \(shape), or reduce the result to one element (e.g. .sum())"
        case .gradientShapeMismatch(let expected, let got):
            return "backward(gradient:) got a gradient of shape \(got) for a result of shape \(expected): "
                + "pass a gradient of shape \(expected)"
        case .graphFreed(let node):
            return "trying to backward through the graph a second time (\(node) was freed after the first pass): "
                + "pass retainGraph: true to the first backward() if you need to backward through the graph again"
        case .graphInUse(let node):
            return "another task is differentiating this graph (\(node)) while backward() frees it: "
                + "pass retainGraph: true to backward() calls that share a graph, or wait for the other task"
        case .inputDoesNotRequireGrad(let index):
            return "input \(index) does not require grad: set requiresGrad = true on it before computing the result"
        case .tangentCountMismatch(let expected, let got):
            return "got \(got) tangents for \(expected) inputs: pass one tangent per input"
        case .tangentShapeMismatch(let index, let expected, let got):
            return "tangent \(index) has shape \(got), but its input has shape \(expected): pass a tangent of shape \(expected)"
        case .inputIsNotLeaf(let index):
            return "input \(index) is not a leaf (it has a gradFn): differentiate with respect to the leaves it is computed from"
        case .requiresElementaryFunctions(let operation):
            return "the graph contains \(operation), which needs elementary functions: "
                + "replay it over a scalar type with them (such as Double or a big float), not a field-only type"
        }
    }
}
