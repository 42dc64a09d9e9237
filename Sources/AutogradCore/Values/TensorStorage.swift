/// The elements of a tensor value: small ones in the same allocation as the
/// header, large ones (from ``LargeBufferCache/threshold`` bytes) in a block of
/// the ``LargeBufferCache``.
///
/// A tensor value's storage is never mutated after it is initialised, so values
/// share it freely. It replaces `Array` because an array's allocation goes
/// through unspecialised generic code in the standard library on Linux (a
/// metadata lookup per array), which dominated the cost of small tensors.
@usableFromInline
final class TensorStorage<Scalar>: ManagedBuffer<TensorStorageHeader, Scalar> {
    /// Storage for `count` elements that `initialize` must all initialise,
    /// given a pointer to the first.
    @inlinable
    static func make(
        count: Int, initializingWith initialize: (UnsafeMutablePointer<Scalar>) throws -> Void
    ) rethrows -> TensorStorage {
        let byteCount = count * MemoryLayout<Scalar>.stride
        let isLarge = byteCount >= LargeBufferCache.threshold
        let buffer = create(minimumCapacity: isLarge ? 0 : count) { _ in TensorStorageHeader(count: 0, external: nil) }
        let storage = unsafeDowncast(buffer, to: TensorStorage.self)
        try storage.withUnsafeMutablePointers { header, tail in
            var elements = tail
            if isLarge {
                let block = LargeBufferCache.take(byteCount: byteCount)
                header.pointee.external = block
                elements = block.bindMemory(to: Scalar.self, capacity: count)
            }
            do {
                try initialize(elements)
            } catch {
                if let block = header.pointee.external { LargeBufferCache.give(block, byteCount: byteCount) }
                header.pointee.external = nil
                throw error
            }
            header.pointee.count = count
        }
        return storage
    }

    /// The number of elements, read through a pointer (reading `header` would
    /// check exclusivity at run time on every access).
    @inlinable
    var count: Int { withUnsafeMutablePointerToHeader { $0.pointee.count } }

    /// Calls `body` with a pointer to the first element.
    @inlinable
    func withElements<Result>(_ body: (UnsafeMutablePointer<Scalar>) throws -> Result) rethrows -> Result {
        try withUnsafeMutablePointers { header, tail in
            try body(header.pointee.external.map { $0.assumingMemoryBound(to: Scalar.self) } ?? tail)
        }
    }

    deinit {
        // The header's offset does not depend on `Scalar`, and for a trivial
        // scalar such as `Double` nothing else is read: this deinitialiser is
        // unspecialised generic code, run for every tensor value freed.
        let (count, block) = withUnsafeMutablePointerToHeader { ($0.pointee.count, $0.pointee.external) }
        if !_isPOD(Scalar.self) {
            if let block {
                block.assumingMemoryBound(to: Scalar.self).deinitialize(count: count)
            } else {
                withUnsafeMutablePointerToElements { $0.deinitialize(count: count) }
            }
        }
        if let block { LargeBufferCache.give(block, byteCount: count * MemoryLayout<Scalar>.stride) }
    }
}

/// The header of a ``TensorStorage``: the element count and, for large
/// storage, the block that holds the elements.
@usableFromInline
struct TensorStorageHeader {
    @usableFromInline var count: Int
    @usableFromInline var external: UnsafeMutableRawPointer?

    @inlinable
    init(count: Int, external: UnsafeMutableRawPointer?) {
        self.count = count
        self.external = external
    }
}
