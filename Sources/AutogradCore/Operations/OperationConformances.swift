/// Which of the op protocols that the strategies dispatch on an op's type
/// conforms to, found once per type.
///
/// A dynamic check `operation is any P` that fails makes the Swift runtime
/// scan every conformance record in the process, every time (a failed lookup
/// is not cached): about ten thousand instructions, more than the exact
/// replay of a small op costs. The strategies ask these questions of every
/// node of every graph, so the answers are kept per type.
///
/// ```swift
/// OperationConformances(of: Exp()).contains(.elementary)   // true
/// ```
package struct OperationConformances: OptionSet, Sendable {
    package let rawValue: UInt8

    package init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Each output element depends only on the input elements at its position:
    /// ``ElementwiseOperation``, ``ElementwiseElementaryOperation`` or
    /// ``BroadcastingElementwiseOperation``.
    package static let elementwise = OperationConformances(rawValue: 1 << 0)
    /// Needs elementary functions: ``ElementaryUnaryOperation``.
    package static let elementary = OperationConformances(rawValue: 1 << 1)
    /// Chooses a branch by its input: ``BranchingOperation``.
    package static let branching = OperationConformances(rawValue: 1 << 2)

    /// Chooses input elements by comparing them: ``SelectingOperation``, or a
    /// ``Where`` whose condition is a recorded comparison.
    package static let selecting = OperationConformances(rawValue: 1 << 3)

    private static let known = Lock<[ObjectIdentifier: OperationConformances]>([:])

    /// The conformances of `operation`'s type.
    package init(of operation: any TensorOperation) {
        let type = ObjectIdentifier(Swift.type(of: operation))
        if let found = Self.known.withLock({ $0[type] }) {
            self = found
            return
        }
        var found: OperationConformances = []
        if operation is any ElementwiseOperation || operation is any ElementwiseElementaryOperation
            || operation is any BroadcastingElementwiseOperation {
            found.insert(.elementwise)
        }
        if operation is any ElementaryUnaryOperation { found.insert(.elementary) }
        if operation is any BranchingOperation { found.insert(.branching) }
        if operation is any SelectingOperation || operation is Where { found.insert(.selecting) }
        Self.known.withLock { $0[type] = found }
        self = found
    }
}
