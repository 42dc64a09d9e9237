#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Calls `body` with room for `count` `Double`s, uninitialized: taken from
/// this thread's scratch arena when it has room, else allocated for the
/// call. Kernels ask for pieces of a few kilobytes on every call; taking
/// them from the arena costs no allocation, where `withUnsafeTemporaryAllocation`
/// goes to the heap past 1 KB on Linux (a large part of a small call's cost).
///
/// ```swift
/// withScratch(count: 512) { piece in piece.initialize(repeating: 0, count: 512) }
/// ```
func withScratch<Result>(count: Int, _ body: (UnsafeMutablePointer<Double>) -> Result) -> Result {
    ScratchArena.current._withUnsafeGuaranteedRef { arena in
        guard let scratch = arena.take(count) else {
            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(count, 1))
            defer { scratch.deallocate() }
            return body(scratch)
        }
        defer { arena.give(back: count) }
        return body(scratch)
    }
}

/// A thread's scratch memory, used as a stack: nested calls of
/// ``withScratch(count:_:)`` (a region's block sums, then its pieces) take
/// from the top and give back in reverse order. Its memory is reserved once
/// per thread (pages are touched only when used) and freed when the thread
/// ends.
final class ScratchArena {
    /// The `Double`s a thread's arena holds: 2 MB, room for the pieces of a
    /// region of about 250 ops.
    static let capacity = 1 << 18

    private let base: UnsafeMutablePointer<Double>
    private var top = 0

    private init() {
        base = .allocate(capacity: Self.capacity)
    }

    deinit { base.deallocate() }

    /// The next `count` elements, or `nil` when the arena has no room left.
    func take(_ count: Int) -> UnsafeMutablePointer<Double>? {
        guard count <= Self.capacity - top else { return nil }
        defer { top += count }
        return base + top
    }

    /// Gives back the last `count` elements taken.
    func give(back count: Int) {
        top -= count
    }

    /// The calling thread's arena, made at its first use (the thread holds
    /// it: a caller uses it without retaining it).
    static var current: Unmanaged<ScratchArena> {
        if let arena = pthread_getspecific(key) { return Unmanaged.fromOpaque(arena) }
        let arena = Unmanaged.passRetained(ScratchArena())
        pthread_setspecific(key, arena.toOpaque())
        return arena
    }

    /// The thread-specific key of the arenas; a thread's arena is released
    /// when the thread ends.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { arena in
            guard let arena else { return }
            Unmanaged<ScratchArena>.fromOpaque(arena).release()
        }
        return key
    }()
}
