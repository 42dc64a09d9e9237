import CGMP

/// Owns one GMP rational (`mpq_t`), allocated with the object itself (one
/// allocation, at a stable address): initialised on creation, cleared on
/// deinit. ``Rational`` never mutates a storage that another value shares.
@usableFromInline
final class RationalStorage: ManagedBuffer<Void, __mpq_struct> {
    /// Zero.
    @usableFromInline static func make() -> RationalStorage {
        let storage = unsafeDowncast(create(minimumCapacity: 1) { _ in }, to: RationalStorage.self)
        __gmpq_init(storage.pointer)
        return storage
    }

    /// The GMP value.
    @usableFromInline var pointer: UnsafeMutablePointer<__mpq_struct> {
        withUnsafeMutablePointerToElements { $0 }
    }

    deinit {
        __gmpq_clear(pointer)
    }

    /// The numerator (`mpq_numref`).
    var numerator: UnsafeMutablePointer<__mpz_struct> { RationalStorage.view(pointer).numerator }

    /// The denominator (`mpq_denref`), always positive.
    var denominator: UnsafeMutablePointer<__mpz_struct> { RationalStorage.view(pointer).denominator }
}
