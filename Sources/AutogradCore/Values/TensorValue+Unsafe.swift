// Raw access for compiled plans, which fill a tensor's elements from several
// threads, piece by piece, instead of in one initialising closure.

extension TensorValue where Scalar == Double {
    /// Values of `shape` whose elements are not yet written: the caller must
    /// write every one (through ``unsafeMutableBaseAddress``) before reading.
    /// `Double` has no destructor, so unwritten memory is never destroyed.
    static func uninitialized(_ shape: Shape) -> TensorValue {
        TensorValue(shape: shape) { _ in }
    }

    /// The address of the first element. The storage never moves, so the
    /// address stays valid while this value (or a copy) is alive.
    var unsafeBaseAddress: UnsafePointer<Double> {
        storage.withElements { UnsafePointer($0) }
    }

    /// The address of the first element, for writing into values that no one
    /// else has read yet (see ``uninitialized(_:)``).
    var unsafeMutableBaseAddress: UnsafeMutablePointer<Double> {
        storage.withElements { $0 }
    }
}

extension TensorValue {
    /// Whether no other value shares these elements, so that whoever holds
    /// this one may overwrite them (a backward pass reusing a gradient or a
    /// saved value that nothing else will read).
    mutating func isUniquelyReferenced() -> Bool {
        isKnownUniquelyReferenced(&storage)
    }
}
