import CMPFI
import CMPFR

/// Owns one MPFI interval (`mpfi_t`, two `mpfr_t` endpoints): initialised
/// with its precision on creation, cleared on deinit. ``BigInterval`` never
/// mutates a shared storage.
@usableFromInline
final class BigIntervalStorage: @unchecked Sendable {
    /// The MPFI value, at a stable address for MPFI's functions.
    @usableFromInline let pointer: UnsafeMutablePointer<__mpfi_struct>

    /// [NaN, NaN], with `precision` bits per endpoint.
    @usableFromInline init(precision: Int) {
        precondition(
            BigFloat.precisionRange.contains(precision),
            "BigInterval: a precision of \(precision) bits is outside \(BigFloat.precisionRange.lowerBound)...\(BigFloat.precisionRange.upperBound)"
        )
        pointer = .allocate(capacity: 1)
        mpfi_init2(pointer, mpfr_prec_t(precision))
        MPFRThreadCaches.registerCurrentThread()
    }

    /// The left endpoint, inside the MPFI value.
    @usableFromInline var left: UnsafeMutablePointer<__mpfr_struct> { pointer.pointer(to: \.left)! }

    /// The right endpoint, inside the MPFI value.
    @usableFromInline var right: UnsafeMutablePointer<__mpfr_struct> { pointer.pointer(to: \.right)! }

    deinit {
        mpfi_clear(pointer)
        pointer.deallocate()
    }
}
