/// A tensor of Booleans, the result of a comparison such as ``Tensor/eq(_:)``.
///
/// ```swift
/// manual.eq(auto).all()   // true
/// ```
public struct BoolTensor: Equatable, Sendable, CustomStringConvertible {
    /// The shape and the elements.
    public let value: TensorValue<Bool>

    /// A Boolean tensor with the given values.
    public init(_ value: TensorValue<Bool>) { self.value = value }

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
