// In-place ops, with PyTorch's rules: they change the tensor itself (every
// variable holding it sees the new values) and bump its `version`.
//
// - On a leaf that requires gradients, they are allowed only in a no-grad
//   scope: that is an optimizer's update. With recording on they throw, as
//   PyTorch does, since the leaf would stop being the input it was.
// - With recording on, on any other tensor, the op is recorded and becomes
//   the tensor's `gradFn`, as in PyTorch (`x += w` makes `x` depend on `w`).
//   Ops recorded before keep the value they read, so their gradients are
//   those of the program as it ran.
// - In a no-grad scope, on a tensor that a recorded op made, they throw: the
//   graph would describe values the tensor no longer has. (PyTorch allows it.)
// - A pass over a graph that read a leaf since changed in place throws
//   `AutogradError.modifiedInPlace` (see `Tensor.version`).
//
// They throw instead of trapping because they meet the state of the program
// (grad mode, what requires gradients); a failed one changes nothing.

extension Tensor {
    /// Adds `other` to this tensor in place, broadcasting it to this shape.
    ///
    /// ```swift
    /// let total = Tensor.zeros(3)
    /// try total += Tensor([1.0, 2, 3])   // total: [1, 2, 3], version 1
    /// ```
    public static func += (tensor: Tensor, other: Tensor) throws(AutogradError) {
        try tensor.updateInPlace("+=", operand: other) { $0 + other }
    }

    /// Subtracts `other` from this tensor in place, broadcasting it to this
    /// shape: an optimizer's update.
    ///
    /// ```swift
    /// try withNoGrad { try w -= 0.1 * w.grad! }
    /// ```
    public static func -= (tensor: Tensor, other: Tensor) throws(AutogradError) {
        try tensor.updateInPlace("-=", operand: other) { $0 - other }
    }

    /// Multiplies this tensor by `other` in place, broadcasting it to this shape.
    ///
    /// ```swift
    /// try x *= Tensor([2.0])
    /// ```
    public static func *= (tensor: Tensor, other: Tensor) throws(AutogradError) {
        try tensor.updateInPlace("*=", operand: other) { $0 * other }
    }

    /// Divides this tensor by `other` in place, broadcasting it to this shape.
    ///
    /// ```swift
    /// try x /= Tensor([2.0])
    /// ```
    public static func /= (tensor: Tensor, other: Tensor) throws(AutogradError) {
        try tensor.updateInPlace("/=", operand: other) { $0 / other }
    }

    /// Adds a constant to every element in place. `try x += 1`
    public static func += (tensor: Tensor, constant: Double) throws(AutogradError) {
        try tensor.updateInPlace("+=", operand: nil) { $0 + constant }
    }

    /// Subtracts a constant from every element in place. `try x -= 1`
    public static func -= (tensor: Tensor, constant: Double) throws(AutogradError) {
        try tensor.updateInPlace("-=", operand: nil) { $0 - constant }
    }

    /// Multiplies every element by a constant in place. `try x *= 0.5`
    public static func *= (tensor: Tensor, constant: Double) throws(AutogradError) {
        try tensor.updateInPlace("*=", operand: nil) { $0 * constant }
    }

    /// Divides every element by a constant in place. `try x /= 2`
    public static func /= (tensor: Tensor, constant: Double) throws(AutogradError) {
        try tensor.updateInPlace("/=", operand: nil) { $0 / constant }
    }

    /// Adds `alpha · other` in place, like PyTorch's `add_(other, alpha=)`.
    ///
    /// ```swift
    /// try withNoGrad { try w.add(w.grad!, alpha: -0.1) }   // w -= 0.1 * w.grad
    /// ```
    public func add(_ other: Tensor, alpha: Double) throws(AutogradError) {
        try updateInPlace("add(_:alpha:)", operand: other) { alpha == 1 ? $0 + other : $0 + alpha * other }
    }

    /// Sets every element to zero in place, like PyTorch's `zero_()`: how a
    /// gradient is cleared while keeping the tensor.
    ///
    /// ```swift
    /// try x.grad?.zero()
    /// ```
    public func zero() throws(AutogradError) { try fill(0, operation: "zero()") }

    /// Sets every element to `constant` in place, like PyTorch's `fill_()`.
    /// No gradient flows through the old values: with recording on, a tensor
    /// that a recorded op made becomes a leaf that does not require gradients.
    ///
    /// ```swift
    /// try mask.fill(1)
    /// ```
    public func fill(_ constant: Double) throws(AutogradError) { try fill(constant, operation: "fill(_:)") }

    private func fill(_ constant: Double, operation: String) throws(AutogradError) {
        try checkInPlace(operation, recording: Tensor.isRecording(self))
        replaceInPlace(TensorValue(repeating: constant, shape: shape), gradFn: nil)
    }

    /// Applies `compute` (the out-of-place op, recorded as usual) and makes its
    /// result this tensor's values and `gradFn`, after checking the rules above.
    private func updateInPlace(
        _ operation: String, operand: Tensor?, _ compute: (Tensor) -> Tensor
    ) throws(AutogradError) {
        if let operand, Shape.broadcast(shape, operand.shape) != shape {
            throw .inPlaceShapeMismatch(operation: operation, shape: shape, operand: operand.shape)
        }
        let recording = operand.map { Tensor.isRecording(self, $0) } ?? Tensor.isRecording(self)
        try checkInPlace(operation, recording: recording)
        // A leaf's recorded op reads a snapshot of it: the leaf itself is
        // about to change, and the graph must keep the value the op read.
        let result = compute(recording && isLeaf ? Tensor(value) : self)
        replaceInPlace(result.value, gradFn: recording ? result.gradFn : gradFn)
    }

    /// Throws when PyTorch's rules forbid an in-place op here.
    private func checkInPlace(_ operation: String, recording: Bool) throws(AutogradError) {
        if recording && isLeaf && leafRequiresGrad {
            throw .inPlaceOnLeafRequiringGrad(operation: operation, shape: shape)
        }
        if !recording && !isLeaf {
            throw .inPlaceOnRecordedResultWithoutGrad(operation: operation, shape: shape)
        }
    }
}
