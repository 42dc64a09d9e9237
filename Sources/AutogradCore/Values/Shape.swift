/// The dimensions of a tensor, outermost first (row-major).
///
/// A shape with no dimensions (`[]`) is the shape of a zero-dimensional tensor,
/// such as the result of `sum()`; it holds one element.
///
/// ```swift
/// let shape: Shape = [3, 8]
/// shape.elementCount   // 24
/// shape.description    // "[3, 8]"
/// ```
///
/// A shape of up to four dimensions keeps them in line, and a longer one
/// refers to an interned copy (see `InternedDimensions`), so that a shape
/// holds no reference: copying one, which every op and graph node does,
/// costs no reference counting.
public struct Shape: Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// The number of dimensions (0 for a zero-dimensional tensor).
    public let rank: Int
    /// Up to four dimensions: the sizes, then 1s. Past four: the address of
    /// the interned sizes, the element count, then 0s.
    @usableFromInline let words: (Int, Int, Int, Int)

    /// The most dimensions kept in line.
    @inlinable static var inlineRank: Int { 4 }

    /// A shape with the given dimensions; every dimension must be
    /// non-negative, and their product must fit in an `Int`.
    @inlinable
    public init(_ dimensions: [Int]) {
        var count = 1
        for size in dimensions {
            if size < 0 { fatalError("Shape: dimension sizes must be non-negative, got \(dimensions)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            if overflow && !dimensions.contains(0) {
                fatalError("Shape: \(dimensions) has more elements than an Int can count")
            }
            count = overflow ? 0 : product
        }
        rank = dimensions.count
        switch rank {
        case 0: words = (1, 1, 1, 1)
        case 1: words = (dimensions[0], 1, 1, 1)
        case 2: words = (dimensions[0], dimensions[1], 1, 1)
        case 3: words = (dimensions[0], dimensions[1], dimensions[2], 1)
        case 4: words = (dimensions[0], dimensions[1], dimensions[2], dimensions[3])
        default: words = (InternedDimensions.address(of: dimensions), count, 0, 0)
        }
    }

    @inlinable
    public init(arrayLiteral dimensions: Int...) {
        self.init(dimensions)
    }

    /// The size of each dimension, outermost first; setting it makes the
    /// shape of the new list.
    ///
    /// ```swift
    /// var shape: Shape = [2, 3]
    /// shape.dimensions         // [2, 3]
    /// shape.dimensions = [6]   // shape == [6]
    /// ```
    public var dimensions: [Int] {
        get { (0..<rank).map { self[$0] } }
        set { self = Shape(newValue) }
    }

    /// The number of elements: the product of the dimensions (1 for `[]`;
    /// 0 with a zero dimension, even when the others' product is beyond `Int`).
    @inlinable public var elementCount: Int {
        guard rank <= Self.inlineRank else { return words.1 }
        let (a, b, c, d) = words
        return a == 0 || b == 0 || c == 0 || d == 0 ? 0 : a * b * c * d
    }

    /// The size of dimension `axis`, which must be in `0..<rank`.
    ///
    /// ```swift
    /// Shape([3, 8])[1]   // 8
    /// ```
    @inlinable public subscript(axis: Int) -> Int {
        guard axis >= 0 && axis < rank else { fatalError("Shape: axis \(axis) is out of range for \(rank) dimensions") }
        guard rank <= Self.inlineRank else { return InternedDimensions.sizes(at: words.0)[axis] }
        switch axis {
        case 0: return words.0
        case 1: return words.1
        case 2: return words.2
        default: return words.3
        }
    }

    @inlinable
    public static func == (a: Shape, b: Shape) -> Bool {
        // Interned dimensions are equal exactly when their addresses are.
        a.rank == b.rank && a.words.0 == b.words.0 && a.words.1 == b.words.1
            && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rank)
        for axis in 0..<rank { hasher.combine(self[axis]) }
    }

    /// The distance, in elements, between neighbours along each dimension.
    ///
    /// ```swift
    /// Shape([3, 8]).strides   // [8, 1]
    /// ```
    @inlinable
    public var strides: [Int] {
        var strides = [Int](repeating: 1, count: rank)
        var step = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            strides[axis] = step
            step *= self[axis]
        }
        return strides
    }

    public var description: String { "[" + dimensions.map(String.init).joined(separator: ", ") + "]" }

    /// The shape both operands take under NumPy's broadcasting rules, or `nil`
    /// when they are incompatible.
    ///
    /// Dimensions are aligned from the right; each pair must be equal or contain a 1.
    ///
    /// ```swift
    /// Shape.broadcast([3, 1], [4])   // [3, 4]
    /// Shape.broadcast([3], [4])      // nil
    /// ```
    @inlinable
    public static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
        if a == b { return a }
        let rank = Swift.max(a.rank, b.rank)
        var result = [Int](repeating: 1, count: rank)
        for offset in 0..<rank {
            let sizeA = offset < a.rank ? a[a.rank - 1 - offset] : 1
            let sizeB = offset < b.rank ? b[b.rank - 1 - offset] : 1
            guard sizeA == sizeB || sizeA == 1 || sizeB == 1 else { return nil }
            result[rank - 1 - offset] = sizeA == 1 ? sizeB : sizeA
        }
        return Shape(result)
    }

    /// Whether broadcasting an operand of this shape to `target` repeats all
    /// of its elements, as one block, along leading dimensions only (a bias
    /// row against a batch): then element `i` of the broadcast reads element
    /// `i % elementCount` of the operand.
    @inlinable
    func broadcastsAsRepeatedBlock(to target: Shape) -> Bool {
        let kept = dimensions.drop { $0 == 1 }
        return kept.isEmpty || target.dimensions.suffix(kept.count).elementsEqual(kept)
    }

    /// The strides with which an operand of this shape is read when broadcast to
    /// `target`: 0 along the dimensions it is repeated in.
    @inlinable
    func broadcastStrides(to target: Shape) -> [Int] {
        let own = strides
        var result = [Int](repeating: 0, count: target.rank)
        let offset = target.rank - rank
        for axis in 0..<rank where self[axis] != 1 {
            result[axis + offset] = own[axis]
        }
        return result
    }

    /// Converts a possibly negative axis (counted from the end) into an index,
    /// trapping with the op's name when it is out of range.
    @inlinable
    func normalizedAxis(_ axis: Int, op: String) -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0 && normalized < rank else {
            fatalError("\(op): axis \(axis) is out of range for shape \(self)")
        }
        return normalized
    }
}
