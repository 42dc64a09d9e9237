/// A tensor of Booleans, the result of a comparison such as ``Tensor/eq(_:)``.
///
/// ```swift
/// manual.eq(auto).all()   // true
/// ```
public struct BoolTensor: Equatable, Sendable, CustomStringConvertible {
    /// The shape and the elements.
    public let value: TensorValue<Bool>
    /// The comparison that computed the elements (`x.gt(0)`), if one did:
    /// ``Tensor/where(_:_:_:)`` records it, so that the exact strategy can
    /// report where exact arithmetic would have chosen otherwise.
    public let comparison: TensorComparison?

    /// A Boolean tensor with the given values, and the comparison that
    /// computed them, if any.
    public init(_ value: TensorValue<Bool>, comparison: TensorComparison? = nil) {
        self.value = value
        self.comparison = comparison
    }

    /// Whether the elements are equal (however they were computed).
    public static func == (a: BoolTensor, b: BoolTensor) -> Bool { a.value == b.value }

    /// The dimensions, outermost first.
    public var shape: Shape { value.shape }

    /// Whether every element is `true` (`true` for no elements).
    public func all() -> Bool { value.withUnsafeBufferPointer { $0.allSatisfy { $0 } } }

    /// Whether some element is `true`.
    public func any() -> Bool { value.withUnsafeBufferPointer { $0.contains(true) } }

    public var description: String {
        TensorFormatter.describe(value.shape, value.scalars.map { $0 ? "true" : "false" })
    }
}

extension Tensor {
    /// Element-wise equality, broadcasting, like `torch.eq`.
    ///
    /// ```swift
    /// Tensor([1, 2]).eq(Tensor([1, 3]))   // tensor([true, false])
    /// ```
    public func eq(_ other: Tensor) -> BoolTensor {
        BoolTensor(TensorValue.broadcasting(value, other.value, op: "eq", ==))
    }

    /// Whether every element is within `atol + rtol·|other|` of `other`'s, with
    /// broadcasting, like `torch.allclose`; NaNs are never close.
    ///
    /// ```swift
    /// Tensor([1.0]).allClose(Tensor([1.0 + 1e-9]))   // true
    /// ```
    public func allClose(_ other: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8) -> Bool {
        TensorValue.broadcasting(value, other.value, op: "allClose") { a, b in
            a == b || Swift.abs(a - b) <= atol + rtol * Swift.abs(b)
        }.withUnsafeBufferPointer { $0.allSatisfy { $0 } }
    }
}
