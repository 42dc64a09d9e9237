import CGMP

/// Owns one GMP rational (`mpq_t`): initialised on creation, cleared on deinit.
/// ``Rational`` never mutates a storage that another value shares.
@usableFromInline
final class RationalStorage: @unchecked Sendable {
    /// The GMP value, at a stable address for GMP's functions.
    @usableFromInline let pointer: UnsafeMutablePointer<__mpq_struct>

    /// Zero.
    @usableFromInline init() {
        pointer = .allocate(capacity: 1)
        __gmpq_init(pointer)
    }

    deinit {
        __gmpq_clear(pointer)
        pointer.deallocate()
    }

    /// The numerator (`mpq_numref`).
    var numerator: UnsafeMutablePointer<__mpz_struct> {
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: __mpz_struct.self)
    }

    /// The denominator (`mpq_denref`), always positive.
    var denominator: UnsafeMutablePointer<__mpz_struct> {
        (UnsafeMutableRawPointer(pointer) + MemoryLayout<__mpz_struct>.stride).assumingMemoryBound(to: __mpz_struct.self)
    }
}
