/// A rule of a recorded op that the exact reference proved wrong on the
/// values it was checked at: the rule's result differs from the derivative of
/// the op's value formula.
///
/// ```swift
/// let exact = try ExactMode().gradient(of: loss, withRespectTo: [x], auditing: true)
/// exact.ruleFindings.first?.description
/// // "WrongLogCoshBackward (node 0): vjp, element 3: got -0.9640..., expected 0.9640..."
/// ```
public struct RuleFinding: Sendable, Equatable, CustomStringConvertible {
    /// The op's node name, as its `gradFn` shows it: `"SoftplusBackward"`.
    public let operation: String
    /// The position of the node among the graph's nodes.
    public let nodeIndex: Int
    /// `"vjp"` (the reverse rule) or `"jvp"` (the forward rule).
    public let rule: String
    /// The row-major position of the first wrong element (in the input for
    /// `vjp`, in the output for `jvp`), or `nil` when the dot-product test
    /// proved the rule wrong without naming an element.
    public let element: Int?
    /// What the rule gave.
    public let got: String
    /// What the value formula's derivative gives.
    public let expected: String

    public var description: String {
        let place = element.map { ", element \($0)" } ?? " (dot-product test)"
        return "\(operation) (node \(nodeIndex)): \(rule)\(place): got \(got), expected \(expected)"
    }
}
