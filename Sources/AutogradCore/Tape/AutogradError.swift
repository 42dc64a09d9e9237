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
    /// A pass over a graph whose op `node` read a leaf (of `shape`) that an
    /// in-place op changed after the op was recorded.
    case modifiedInPlace(node: String, shape: Shape, recordedVersion: Int, version: Int)
    /// An in-place op, while recording, on a leaf that requires gradients
    /// (allowed only in a no-grad scope, as in an optimizer's update).
    case inPlaceOnLeafRequiringGrad(operation: String, shape: Shape)
    /// An in-place op in a no-grad scope on a tensor that a recorded op made:
    /// the graph would not see the change.
    case inPlaceOnRecordedResultWithoutGrad(operation: String, shape: Shape)
    /// An in-place op whose operand does not broadcast to the tensor's own
    /// shape (an in-place op cannot change a tensor's shape).
    case inPlaceShapeMismatch(operation: String, shape: Shape, operand: Shape)
    /// A compiled function was called with `got` inputs; it was traced with `expected`.
    case inputCountMismatch(expected: Int, got: Int)
    /// Input `index` of a compiled function has shape `got`; it was traced with `expected`.
    case inputShapeMismatch(index: Int, expected: Shape, got: Shape)
    /// The traced function contains an op that a compiled plan cannot run again
    /// on other values, and why.
    case notCompilable(operation: String, reason: String)

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
        case .modifiedInPlace(let node, let shape, let recordedVersion, let version):
            return "a value needed by \(node) was modified in place after it was recorded "
                + "(a leaf of shape \(shape), version \(recordedVersion) then, \(version) now): "
                + "compute the result again after the change, or change the tensor after backward()"
        case .inPlaceOnLeafRequiringGrad(let operation, let shape):
            return "a leaf of shape \(shape) that requires grad is used in an in-place \(operation): "
                + "update it inside withNoGrad { } (as an optimizer's step does), or set requiresGrad = false first"
        case .inPlaceOnRecordedResultWithoutGrad(let operation, let shape):
            return "an in-place \(operation) in a no-grad scope on a tensor of shape \(shape) that a recorded op made: "
                + "the graph would not see the change; do it with recording on, or on its detach()"
        case .inPlaceShapeMismatch(let operation, let shape, let operand):
            return "in-place \(operation): an operand of shape \(operand) does not broadcast to the tensor's shape \(shape) "
                + "(an in-place op cannot change a tensor's shape)"
        case .inputCountMismatch(let expected, let got):
            return "the compiled function takes \(expected) inputs, got \(got): pass them in the order it was traced with"
        case .inputShapeMismatch(let index, let expected, let got):
            return "input \(index) has shape \(got), but the function was compiled for shape \(expected): "
                + "compile it again for the new shape"
        case .notCompilable(let operation, let reason):
            return "cannot compile \(operation): \(reason); differentiate this function with ReverseMode instead"
        case .requiresElementaryFunctions(let operation):
            return "the graph contains \(operation), which needs elementary functions: "
                + "replay it over a scalar type with them (such as Double or a big float), not a field-only type"
        }
    }
}
