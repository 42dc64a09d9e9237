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
    /// The points where the branch changes, in increasing order (for `relu`
    /// and `abs`, 0; for `clamp`, its bounds): each branch is an interval of
    /// the real line between them, or one of them.
    var branchPoints: [Double] { get }
}

extension BranchingOperation {
    /// The sign of `x`: -1, 0 or 1.
    @inlinable
    public func branch<S: FieldScalar>(at x: S) -> Int { x > .zero ? 1 : (x < .zero ? -1 : 0) }

    /// 0, where the sign changes.
    public var branchPoints: [Double] { [0] }
}

extension Relu: BranchingOperation {}
extension Absolute: BranchingOperation {}
extension Clamp: BranchingOperation {
    /// Below the range, at its lower bound, inside, at its upper bound, above: -2 to 2.
    @inlinable
    public func branch<S: FieldScalar>(at x: S) -> Int {
        if let lower, x <= S(lower) { return x < S(lower) ? -2 : -1 }
        if let upper, x >= S(upper) { return x > S(upper) ? 2 : 1 }
        return 0
    }

    /// The bounds.
    public var branchPoints: [Double] { [lower, upper].compactMap { $0 } }
}
