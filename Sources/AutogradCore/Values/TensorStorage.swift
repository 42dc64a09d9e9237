/// The elements of a tensor value in one allocation, with their count as header.
///
/// A tensor value's storage is never mutated after it is initialised, so values
/// share it freely. It replaces `Array` because an array's allocation goes
/// through unspecialised generic code in the standard library on Linux (a
/// metadata lookup per array), which dominated the cost of small tensors.
@usableFromInline
final class TensorStorage<Scalar>: ManagedBuffer<Int, Scalar> {
    /// Storage for `count` elements that `initialize` must all initialise,
    /// given a pointer to the first.
    @inlinable
    static func make(
        count: Int, initializingWith initialize: (UnsafeMutablePointer<Scalar>) throws -> Void
    ) rethrows -> TensorStorage {
        let buffer = create(minimumCapacity: count) { _ in 0 }
        let storage = unsafeDowncast(buffer, to: TensorStorage.self)
        try storage.withUnsafeMutablePointers { header, elements in
            try initialize(elements)
            header.pointee = count
        }
        return storage
    }

    /// The number of elements, read through a pointer (reading `header` would
    /// check exclusivity at run time on every access).
    @inlinable
    var count: Int { withUnsafeMutablePointerToHeader { $0.pointee } }

    deinit {
        _ = withUnsafeMutablePointers { count, elements in elements.deinitialize(count: count.pointee) }
    }
}
