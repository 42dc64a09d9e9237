import Dispatch

/// Spreads the summation blocks of a compiled plan's region over threads: a
/// fixed, contiguous partition, so each block is computed the same way
/// whatever the thread count, and sums combine their block sums in block
/// order afterwards (``SummationOrder``). The results do not depend on the
/// thread count or on scheduling.
///
/// ```swift
/// BlockPartition.run(blockCount: 2442, threads: 2) { blocks in ... }   // 0..<1221 and 1221..<2442
/// ```
enum BlockPartition {
    /// Below this many blocks per thread a region runs on the calling thread:
    /// waking another costs more than it saves.
    static let minimumBlocksPerThread = 8

    /// Calls `body` with consecutive ranges of `0..<blockCount` covering it,
    /// on up to `threads` threads at once, and returns when all are done.
    static func run(blockCount: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let threadCount = Swift.max(1, Swift.min(threads, blockCount / minimumBlocksPerThread))
        guard threadCount > 1 else {
            body(0..<blockCount)
            return
        }
        DispatchQueue.concurrentPerform(iterations: threadCount) { part in
            body(range(part, of: threadCount, blockCount: blockCount))
        }
    }

    /// The blocks of part `part` of `parts`: sizes differ by at most one.
    static func range(_ part: Int, of parts: Int, blockCount: Int) -> Range<Int> {
        let (quotient, remainder) = blockCount.quotientAndRemainder(dividingBy: parts)
        let start = part * quotient + Swift.min(part, remainder)
        return start..<(start + quotient + (part < remainder ? 1 : 0))
    }
}
