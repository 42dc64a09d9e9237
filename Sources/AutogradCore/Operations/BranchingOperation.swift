/// An operation whose formula branches on its input, such as `relu` and `abs`:
/// a replay in another arithmetic may take another branch than the recorded
/// run, and the exact strategy reports where it does.
///
/// ```swift
/// Relu().branch(at: -0.5)   // -1
/// ```
public protocol BranchingOperation: TensorOperation {
    /// Which branch the op takes at `x` (for `relu` and `abs`, the sign of `x`).
    func branch<S: FieldScalar>(at x: S) -> Int
}

extension BranchingOperation {
    /// The sign of `x`: -1, 0 or 1.
    @inlinable
    public func branch<S: FieldScalar>(at x: S) -> Int { x > .zero ? 1 : (x < .zero ? -1 : 0) }
}

extension Relu: BranchingOperation {}
extension Absolute: BranchingOperation {}
