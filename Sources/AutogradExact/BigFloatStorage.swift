import CMPFR

/// Owns one MPFR number (`mpfr_t`): initialised with its precision on
/// creation, cleared on deinit. ``BigFloat`` never mutates a shared storage.
@usableFromInline
final class BigFloatStorage: @unchecked Sendable {
    /// The MPFR value, at a stable address for MPFR's functions.
    @usableFromInline let pointer: UnsafeMutablePointer<__mpfr_struct>

    /// NaN, with `precision` bits.
    @usableFromInline init(precision: Int) {
        precondition(
            BigFloat.precisionRange.contains(precision),
            "BigFloat: a precision of \(precision) bits is outside \(BigFloat.precisionRange.lowerBound)...\(BigFloat.precisionRange.upperBound)"
        )
        pointer = .allocate(capacity: 1)
        mpfr_init2(pointer, mpfr_prec_t(precision))
        MPFRThreadCaches.registerCurrentThread()
    }

    deinit {
        mpfr_clear(pointer)
        pointer.deallocate()
    }
}
