import RealModule

// Field ops with a branch on the sign of the input. A replay takes the branch
// that its own scalar's comparison gives.

/// `|x|` (`AbsBackward`); its derivative at 0 is 0, as in PyTorch.
public struct Absolute: ElementwiseOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Abs" }
    @inlinable public func apply<S: FieldScalar>(_ x: S) -> S { x < .zero ? -x : x }
    @inlinable
    public func derivative<S: FieldScalar>(at x: S, output: S) -> S {
        x > .zero ? 1 : (x < .zero ? -1 : 0)
    }
}

/// `max(x, 0)` (`ReluBackward`); its derivative at 0 is 0, as in PyTorch.
public struct Relu: ElementwiseOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Relu" }
    @inlinable public func apply<S: FieldScalar>(_ x: S) -> S { x < .zero ? .zero : x }
    @inlinable public func derivative<S: FieldScalar>(at x: S, output: S) -> S { x > .zero ? 1 : 0 }
}
