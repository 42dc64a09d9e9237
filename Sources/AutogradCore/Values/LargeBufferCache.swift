import Synchronization

/// Keeps the memory of freed large tensors for the next tensor of the same
/// size, instead of handing it back to the operating system.
///
/// glibc serves blocks of more than 32 MiB with fresh `mmap`s, and often trims
/// freed smaller ones back to the system, so a new large tensor would pay for
/// page faults and zeroing, often more than for its arithmetic. A training
/// loop allocates the same sizes again and again; this cache makes the second
/// and later allocations free. Only blocks of at least ``threshold`` bytes are
/// cached, up to ``limit`` bytes in all.
///
/// ```swift
/// LargeBufferCache.limit = 0           // cache nothing
/// LargeBufferCache.removeAll()         // return what is cached to the system
/// ```
public enum LargeBufferCache {
    /// Blocks smaller than this many bytes (64 KiB) are left to `malloc`.
    public static let threshold = 1 << 16

    /// Sizes are rounded up to a multiple of this, so similar sizes share blocks.
    static let granule = 1 << 16

    // Blocks are kept as addresses: pointers are not `Sendable`, but the
    // cache owns these blocks outright.
    private struct State {
        var blocks: [Int: [UInt]] = [:]
        var cachedBytes = 0
        var limit = 512 << 20
        var reusedBlockCount = 0
    }

    private static let state = Mutex(State())

    /// The most bytes kept for reuse (512 MiB unless set); lowering it frees
    /// what no longer fits.
    public static var limit: Int {
        get { state.withLock { $0.limit } }
        set {
            state.withLock { $0.limit = max(0, newValue) }
            trim()
        }
    }

    /// The bytes currently kept for reuse.
    public static var cachedBytes: Int { state.withLock { $0.cachedBytes } }

    /// How many allocations the cache has served from freed blocks so far.
    public static var reusedBlockCount: Int { state.withLock { $0.reusedBlockCount } }

    /// Returns every cached block to the system.
    public static func removeAll() {
        let blocks = state.withLock { state in
            defer { state.blocks = [:]; state.cachedBytes = 0 }
            return state.blocks.values.flatMap { $0 }
        }
        for block in blocks { UnsafeMutableRawPointer(bitPattern: block)!.deallocate() }
    }

    /// The byte count a block for `byteCount` bytes really has.
    static func roundedSize(_ byteCount: Int) -> Int {
        (byteCount + granule - 1) / granule * granule
    }

    /// A block of at least `byteCount` bytes: a cached one of that size, or a new one.
    @usableFromInline
    static func take(byteCount: Int) -> UnsafeMutableRawPointer {
        let size = roundedSize(byteCount)
        let reused: UInt? = state.withLock { state in
            guard let block = state.blocks[size]?.popLast() else { return nil }
            state.cachedBytes -= size
            state.reusedBlockCount += 1
            return block
        }
        return reused.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
            ?? UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    }

    /// Takes back a block from ``take(byteCount:)`` for reuse, or frees it when
    /// the cache is full.
    @usableFromInline
    static func give(_ block: UnsafeMutableRawPointer, byteCount: Int) {
        let size = roundedSize(byteCount)
        let address = UInt(bitPattern: block)
        let kept = state.withLock { state in
            guard state.cachedBytes + size <= state.limit else { return false }
            state.blocks[size, default: []].append(address)
            state.cachedBytes += size
            return true
        }
        if !kept { block.deallocate() }
    }

    /// Frees cached blocks until the cache fits its limit.
    private static func trim() {
        let excess = state.withLock { state -> [UInt] in
            var freed: [UInt] = []
            for size in state.blocks.keys.sorted(by: >) where state.cachedBytes > state.limit {
                while state.cachedBytes > state.limit, let block = state.blocks[size]?.popLast() {
                    freed.append(block)
                    state.cachedBytes -= size
                }
            }
            return freed
        }
        for block in excess { UnsafeMutableRawPointer(bitPattern: block)!.deallocate() }
    }
}
