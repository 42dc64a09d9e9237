/// Keeps the memory of freed large tensors for the next tensor of the same
/// size, instead of handing it back to the operating system at once.
///
/// glibc serves blocks of more than 32 MiB with fresh `mmap`s, and often trims
/// freed smaller ones back to the system, so a new large tensor would pay for
/// page faults and zeroing, often more than for its arithmetic. A training
/// loop allocates the same sizes again and again; this cache makes the second
/// and later allocations free. Only blocks of at least ``threshold`` bytes are
/// cached; sizes are rounded up to a multiple of 64 KiB.
///
/// ## When memory goes back to the system
///
/// A freed block is kept and handed to the next allocation of its size, the
/// most recently freed first. Blocks go back to the system (through `free`)
/// by three rules:
///
/// - **Idle blocks go back.** Each allocation of a large tensor is a chance
///   to reuse every cached block. A block that ``maxIdleAllocations``
///   allocations (1000 unless set) have passed by without taking it goes
///   back, during the allocation that makes it that old. A loop whose steps
///   each allocate fewer large tensors than that reuses every block every
///   step, so it keeps them all; blocks of a size the program no longer
///   makes (a batch size changed, a model was dropped), and surplus blocks
///   of a size it now needs fewer of, go back.
/// - **The total is bounded.** At most ``limit`` bytes (512 MiB unless set)
///   are kept. A block freed into a full cache pushes out the blocks freed
///   longest ago; lowering the limit returns what no longer fits.
/// - **On request.** ``removeAll()`` returns every block.
///
/// The cache has no clock and no thread of its own: it acts only when a
/// large tensor is allocated or freed. To it, the end of a training step and
/// the end of the whole computation look the same, so after the last step
/// it keeps what the step freed (at most its temporaries' peak, within the
/// limit) until ``maxIdleAllocations`` more large allocations pass or
/// ``removeAll()`` is called.
///
/// ```swift
/// for _ in 0..<100 {                        // the same sizes every step:
///     let loss = (predicted - real).pow(2).sum()
///     try loss.backward()                   // every step after the first reuses
///     predicted.grad = nil                  // the blocks of the one before
/// }
/// LargeBufferCache.removeAll()              // done: give the blocks back now
/// LargeBufferCache.maxIdleAllocations = 10_000   // for steps that allocate more
/// LargeBufferCache.limit = 0                // cache nothing
/// ```
public enum LargeBufferCache {
    /// Blocks smaller than this many bytes (64 KiB) are left to `malloc`.
    public static let threshold = 1 << 16

    /// Sizes are rounded up to a multiple of this, so similar sizes share blocks.
    static let granule = 1 << 16

    /// A cached block: its address (pointers are not `Sendable`, but the cache
    /// owns its blocks outright) and the allocation count when it was freed.
    private struct Block {
        var address: UInt
        var freedAt: Int
    }

    private struct State {
        /// The cached blocks of each rounded size, least recently freed first.
        var blocks: [Int: [Block]] = [:]
        var cachedBytes = 0
        var limit = 512 << 20
        var maxIdleAllocations = 1000
        /// The number of large allocations so far: the cache's clock.
        var allocationCount = 0
        /// No cached block was freed before this allocation count (a lower
        /// bound, made exact by each sweep), so most allocations need no sweep.
        var earliestFreedAt = Int.max
        var reusedBlockCount = 0

        /// Takes a cached block of `size` bytes, the most recently freed.
        mutating func reuse(size: Int) -> UInt? {
            guard let block = blocks[size]?.popLast() else { return nil }
            cachedBytes -= size
            reusedBlockCount += 1
            return block.address
        }

        /// Keeps a freed block, pushing out the least recently freed blocks
        /// while it would not fit the limit; returns those (or the block itself,
        /// when it is larger than the limit).
        mutating func keep(_ address: UInt, size: Int) -> [UInt] {
            guard size <= limit else { return [address] }
            var pushedOut: [UInt] = []
            while cachedBytes + size > limit, let oldest = removeLeastRecentlyFreed() {
                pushedOut.append(oldest)
            }
            blocks[size, default: []].append(Block(address: address, freedAt: allocationCount))
            cachedBytes += size
            earliestFreedAt = min(earliestFreedAt, allocationCount)
            return pushedOut
        }

        /// Removes the blocks that `maxIdleAllocations` allocations passed by.
        mutating func removeIdle() -> [UInt] {
            guard allocationCount - earliestFreedAt >= maxIdleAllocations else { return [] }
            var removed: [UInt] = []
            var earliest = Int.max
            for size in Array(blocks.keys) {
                let list = blocks[size]!
                let idle = list.prefix { allocationCount - $0.freedAt >= maxIdleAllocations }.count
                if idle == list.count {
                    blocks[size] = nil
                } else {
                    if idle > 0 { blocks[size]!.removeFirst(idle) }
                    earliest = min(earliest, list[idle].freedAt)
                }
                removed += list[..<idle].lazy.map(\.address)
                cachedBytes -= idle * size
            }
            earliestFreedAt = earliest
            return removed
        }

        /// Removes the block freed longest ago, if any.
        mutating func removeLeastRecentlyFreed() -> UInt? {
            guard let (size, list) = blocks.min(by: { ($0.value.first?.freedAt ?? .max) < ($1.value.first?.freedAt ?? .max) }),
                  let oldest = list.first
            else { return nil }
            if list.count == 1 { blocks[size] = nil } else { blocks[size]!.removeFirst() }
            cachedBytes -= size
            return oldest.address
        }

        /// Removes every block.
        mutating func removeAll() -> [UInt] {
            defer { blocks = [:]; cachedBytes = 0; earliestFreedAt = .max }
            return blocks.values.flatMap { $0.map(\.address) }
        }
    }

    private static let state = Lock(State())

    /// The most bytes kept for reuse (512 MiB unless set); lowering it frees
    /// what no longer fits, the blocks freed longest ago first.
    ///
    /// ```swift
    /// LargeBufferCache.limit = 64 << 20   // keep at most 64 MiB
    /// ```
    public static var limit: Int {
        get { state.withLock { $0.limit } }
        set {
            release(state.withLock { state in
                state.limit = max(0, newValue)
                var excess: [UInt] = []
                while state.cachedBytes > state.limit, let oldest = state.removeLeastRecentlyFreed() {
                    excess.append(oldest)
                }
                return excess
            })
        }
    }

    /// How many large allocations may pass a cached block by before it goes
    /// back to the system (1000 unless set); lowering it frees the blocks
    /// that are now too old. Raise it when each step of a loop allocates more
    /// large tensors than that, so that every step still reuses the blocks
    /// of the one before.
    ///
    /// ```swift
    /// LargeBufferCache.maxIdleAllocations = 10_000
    /// ```
    public static var maxIdleAllocations: Int {
        get { state.withLock { $0.maxIdleAllocations } }
        set {
            release(state.withLock { state in
                state.maxIdleAllocations = max(0, newValue)
                return state.removeIdle()
            })
        }
    }

    /// The bytes currently kept for reuse.
    ///
    /// ```swift
    /// LargeBufferCache.cachedBytes   // 0 after removeAll()
    /// ```
    public static var cachedBytes: Int { state.withLock { $0.cachedBytes } }

    /// How many allocations the cache has served from freed blocks so far.
    ///
    /// ```swift
    /// let before = LargeBufferCache.reusedBlockCount
    /// ```
    public static var reusedBlockCount: Int { state.withLock { $0.reusedBlockCount } }

    /// Returns every cached block to the system.
    ///
    /// ```swift
    /// LargeBufferCache.removeAll()
    /// ```
    public static func removeAll() {
        release(state.withLock { $0.removeAll() })
    }

    /// The byte count a block for `byteCount` bytes really has.
    static func roundedSize(_ byteCount: Int) -> Int {
        (byteCount + granule - 1) / granule * granule
    }

    /// A block of at least `byteCount` bytes: a cached one of that size, or a
    /// new one. Counts as an allocation for ``maxIdleAllocations``.
    @usableFromInline
    static func take(byteCount: Int) -> UnsafeMutableRawPointer {
        let size = roundedSize(byteCount)
        let (reused, idle) = state.withLock { state in
            state.allocationCount += 1
            return (state.reuse(size: size), state.removeIdle())
        }
        release(idle)
        return reused.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
            ?? UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    }

    /// Takes back a block from ``take(byteCount:)`` for reuse, pushing out
    /// the blocks freed longest ago when the cache is full (or freeing this
    /// one when it alone exceeds the limit).
    @usableFromInline
    static func give(_ block: UnsafeMutableRawPointer, byteCount: Int) {
        let size = roundedSize(byteCount)
        let address = UInt(bitPattern: block)
        release(state.withLock { $0.keep(address, size: size) })
    }

    /// Returns blocks to the system, outside the lock.
    private static func release(_ addresses: [UInt]) {
        for address in addresses { UnsafeMutableRawPointer(bitPattern: address)!.deallocate() }
    }
}
