/// A binary operation computed element by element after NumPy broadcasting:
/// each output element depends only on the two operand elements at its
/// position (`+`, `−`, `×`, `÷`).
///
/// The exact reference relies on this to derive the op's partial derivatives
/// from its value formula alone, by one evaluation over dual numbers per
/// operand, instead of trusting its reverse rule. A custom binary op that is
/// element-wise conforms to it too; one that mixes elements (a matrix product)
/// must not.
///
/// ```swift
/// extension MyHypot: BroadcastingElementwiseOperation {}
/// ```
public protocol BroadcastingElementwiseOperation: BinaryOperation {}

extension Add: BroadcastingElementwiseOperation {}
extension Subtract: BroadcastingElementwiseOperation {}
extension Multiply: BroadcastingElementwiseOperation {}
extension Divide: BroadcastingElementwiseOperation {}
