#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a `pthread_mutex_t`: `Synchronization.Mutex`'s
/// interface, in a form that ThreadSanitizer understands.
///
/// On Linux, `Mutex` locks with raw `futex` system calls, which
/// ThreadSanitizer does not model: it sees no ordering between two critical
/// sections, so every access to the guarded value in `withLock` is reported
/// as a "Swift access race", although none can happen. ThreadSanitizer
/// intercepts `pthread_mutex_lock` and `pthread_mutex_unlock`, so the same
/// code on this lock reports nothing, and real races elsewhere stand out.
/// The price: uncontended, a lock and unlock pair costs about 55 instructions
/// (glibc's `pthread_mutex_lock` and `pthread_mutex_unlock`) against about 11
/// for `Mutex`'s inline atomics.
///
/// The mutex and the value live in allocations of their own, which never
/// move, and the value is reached through a pointer: an access to a stored
/// property would carry Swift's exclusivity instrumentation, which
/// ThreadSanitizer checks on its own terms (and for a value of no size, such
/// as `()`, places on the object's header, which every generic call reads).
/// The lock is a class, so every copy of a reference shares one mutex.
///
/// ```swift
/// let counter = Lock(0)
/// counter.withLock { $0 += 1 }
/// counter.withLock { $0 }   // 1
/// ```
package final class Lock<Value: ~Copyable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let value: UnsafeMutablePointer<Value>

    /// A lock guarding `initialValue`.
    ///
    /// ```swift
    /// let cache = Lock([String: Int]())
    /// ```
    package init(_ initialValue: consuming sending Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "Lock: pthread_mutex_init failed with \(status)")
        value = .allocate(capacity: 1)
        value.initialize(to: initialValue)
    }

    deinit {
        value.deinitialize(count: 1)
        value.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Calls `body` with the guarded value while holding the lock, and
    /// returns what it returns (or throws what it throws). `body` must not
    /// take this lock again: the mutex is not recursive.
    ///
    /// ```swift
    /// let seen = Lock(Set<Int>())
    /// let isNew = seen.withLock { $0.insert(7).inserted }   // true
    /// ```
    @inline(__always)
    package func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        lock()
        defer { unlock() }
        return try body(&value.pointee)
    }

    private func lock() {
        let status = pthread_mutex_lock(mutex)
        precondition(status == 0, "Lock: pthread_mutex_lock failed with \(status)")
    }

    private func unlock() {
        let status = pthread_mutex_unlock(mutex)
        precondition(status == 0, "Lock: pthread_mutex_unlock failed with \(status)")
    }
}
