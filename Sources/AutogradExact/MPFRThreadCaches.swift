#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CMPFR

/// Frees MPFR's per-thread state when a thread that used MPFR ends.
///
/// MPFR keeps, for each thread, caches of constants (log 2, π) and a pool of
/// GMP integers that `exp`, `sin` and the like reuse. Only
/// `mpfr_free_cache` frees them, and only the calling thread's: a thread that
/// ends without calling it loses them (about 1 KB). Worker threads come and
/// go (Dispatch retires idle ones), so a long-running program that computes
/// exact gradients from tasks would leak a little every time one retires.
///
/// Every ``BigFloat`` and ``BigInterval`` storage registers its thread on
/// creation (one `pthread_getspecific` after the first); a registered thread
/// frees its MPFR caches as it exits.
///
/// ```swift
/// MPFRThreadCaches.registerCurrentThread()   // before MPFR's first use on this thread
/// ```
enum MPFRThreadCaches {
    /// A thread-specific key whose destructor frees the thread's MPFR caches;
    /// the destructor runs only on threads that set a non-nil value.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { _ in
            mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE)
        }
        precondition(status == 0, "MPFRThreadCaches: pthread_key_create failed (\(status))")
        return key
    }()

    /// Makes the current thread free its MPFR caches when it exits.
    @inline(__always)
    static func registerCurrentThread() {
        if pthread_getspecific(key) == nil {
            _ = pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
        }
    }
}
