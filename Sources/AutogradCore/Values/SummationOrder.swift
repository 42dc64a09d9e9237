/// The one order in which every sum of a tensor's elements is added up, by the
/// eager tape (`sum()`, `mean()`) and by compiled plans alike, so that both give
/// the same bits whatever the number of threads.
///
/// The elements are cut into fixed blocks of ``blockSize``. Each block is
/// summed in four interleaved partial sums (element `i` of the block goes to
/// partial `i mod 4`, a tail of fewer than four to the first), combined as
/// `(s0 + s1) + (s2 + s3)`; the block sums are then added from left to right.
/// The partition does not depend on the thread count, so threads can each
/// sum whole blocks and the results are combined in block order. (The
/// blocking also bounds the rounding error: about `blockSize + n/blockSize`
/// additions deep instead of `n/4`.)
///
/// ```swift
/// let total = SummationOrder.sum(of: pointer, count: n)   // bit for bit TensorValue.sum()
/// ```
public enum SummationOrder {
    /// Elements per block: 4,096 (32 KB of `Double`s).
    public static let blockSize = 4096

    /// The number of blocks for `count` elements (0 for none).
    @inlinable
    public static func blockCount(_ count: Int) -> Int { (count + blockSize - 1) / blockSize }

    /// The sum of `count` elements at `elements`, in this order.
    @inlinable
    public static func sum<S: FieldScalar>(of elements: UnsafePointer<S>, count: Int) -> S {
        var total = S.zero
        var start = 0
        while start < count {
            let length = Swift.min(blockSize, count - start)
            let block = blockSum(of: elements + start, count: length)
            total = start == 0 ? block : total + block
            start += length
        }
        return total
    }

    /// The sum, in this order, of `count` `Double`s that `fill` computes
    /// piece by piece into scratch (`fill(start, length, piece)` writes
    /// elements `start..<start + length`), so that they are never all in
    /// memory at once: bit for bit ``sum(of:count:)`` of the elements.
    ///
    /// ```swift
    /// SummationOrder.sumOfPieces(count: n) { start, length, piece in
    ///     for i in 0..<length { piece[i] = x[start + i] * x[start + i] }
    /// }   // the sum of the squares, without a tensor of squares
    /// ```
    static func sumOfPieces(
        count: Int, _ fill: (_ start: Int, _ length: Int, _ piece: UnsafeMutablePointer<Double>) -> Void
    ) -> Double {
        // Pieces of 512 stay in the first-level cache.
        let pieceSize = 512
        return withScratch(count: pieceSize) { piece in
            sumByPieces(count: count, pieceSize: pieceSize) { start, length, block in
                fill(start, length, piece)
                block.add(piece, count: length)
            }
        }
    }

    /// The sum, in this order, of `count` `Double`s that `add` adds into
    /// their block's partial sums a piece of at most `pieceSize` at a time
    /// (`add(start, length, &block)` adds elements `start..<start + length`,
    /// as ``BlockAccumulator/add(_:count:)`` would). `pieceSize` is a
    /// multiple of four, so that each piece lands in the block's partial
    /// sums as one pass over the block would.
    static func sumByPieces(
        count: Int, pieceSize: Int, _ add: (_ start: Int, _ length: Int, _ block: inout BlockAccumulator) -> Void
    ) -> Double {
        sumOfBlocks(count: count) { blockStart, blockLength, block in
            var start = blockStart
            while start < blockStart + blockLength {
                let length = Swift.min(pieceSize, blockStart + blockLength - start)
                add(start, length, &block)
                start += length
            }
        }
    }

    /// The sum, in this order, of `count` `Double`s that `add` adds into each
    /// block's partial sums (`add(start, length, &block)` adds elements
    /// `start..<start + length`, as ``BlockAccumulator/add(_:count:)`` would):
    /// the block sums are added from left to right.
    static func sumOfBlocks(
        count: Int, _ add: (_ start: Int, _ length: Int, _ block: inout BlockAccumulator) -> Void
    ) -> Double {
        var total = 0.0
        var start = 0
        while start < count {
            let length = Swift.min(blockSize, count - start)
            var block = BlockAccumulator()
            add(start, length, &block)
            total = start == 0 ? block.total : total + block.total
            start += length
        }
        return total
    }

    /// One block's sum: four interleaved partial sums, `(s0 + s1) + (s2 + s3)`.
    /// (Local variables, not a generic struct: unspecialised code keeps
    /// over-aligned scalars such as forward mode's eight lanes aligned.)
    @inlinable
    public static func blockSum<S: FieldScalar>(of elements: UnsafePointer<S>, count: Int) -> S {
        var s0 = S.zero, s1 = S.zero, s2 = S.zero, s3 = S.zero
        var i = 0
        while i + 4 <= count {
            s0 += elements[i]; s1 += elements[i + 1]; s2 += elements[i + 2]; s3 += elements[i + 3]
            i += 4
        }
        while i < count { s0 += elements[i]; i += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// Adds up the block sums from left to right: `partials[0] + partials[1] + …`.
    @inlinable
    public static func combine<S: FieldScalar>(_ partials: UnsafeBufferPointer<S>) -> S {
        guard var total = partials.first else { return .zero }
        for index in partials.indices.dropFirst() { total += partials[index] }
        return total
    }
}

/// The four partial sums of one block of `Double`s (see ``SummationOrder``),
/// for loops that produce a block in pieces. Every piece but the last must
/// have a multiple of four elements, so each element lands in the partial
/// sum it would in one pass.
///
/// ```swift
/// var block = BlockAccumulator()
/// block.add(first, count: 512); block.add(rest, count: 3584)
/// block.total   // SummationOrder.blockSum(of:count:) of the 4,096 elements
/// ```
public struct BlockAccumulator {
    @usableFromInline var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0

    /// An empty block.
    @inlinable public init() {}

    /// Adds `count` elements at `elements`.
    @inlinable
    public mutating func add(_ elements: UnsafePointer<Double>, count: Int) {
        add(elements, count: count) { $0 }
    }

    /// Adds `value(x[i])` for `i` in `0..<count`, computed as they are added,
    /// as ``add(_:count:)`` adds a piece holding them.
    @inlinable @inline(__always)
    mutating func add(_ x: UnsafePointer<Double>, count: Int, computing value: (Double) -> Double) {
        var i = 0
        while i &+ 4 <= count {
            s0 += value(x[i]); s1 += value(x[i &+ 1]); s2 += value(x[i &+ 2]); s3 += value(x[i &+ 3])
            i &+= 4
        }
        while i < count { s0 += value(x[i]); i &+= 1 }
    }

    /// Adds four consecutive elements, the first at a multiple of four in
    /// the piece: what ``add(_:count:)`` does with them.
    @inline(__always)
    mutating func add(_ a: Double, _ b: Double, _ c: Double, _ d: Double) {
        s0 += a; s1 += b; s2 += c; s3 += d
    }

    /// Adds an element of a piece's tail (after its last four): what
    /// ``add(_:count:)`` does with it.
    @inline(__always)
    mutating func addTailElement(_ element: Double) {
        s0 += element
    }

    /// The block's sum: `(s0 + s1) + (s2 + s3)`.
    @inlinable public var total: Double { (s0 + s1) + (s2 + s3) }
}
