import Synchronization

/// The dimensions of shapes of more than four dimensions, one copy of each
/// list, kept for the life of the process, so that a ``Shape`` refers to
/// them by address and holds no reference (and two shapes are equal when
/// their addresses are).
///
/// Each distinct list is stored once: a program makes few shapes of high
/// rank, and makes them again and again.
///
/// ```swift
/// let a: Shape = [1, 2, 3, 4, 5], b: Shape = [1, 2, 3, 4, 5]
/// a == b   // true: both refer to one interned list
/// ```
@usableFromInline
enum InternedDimensions {
    /// Each list's address (as an integer, so that the table is `Sendable`).
    private static let addresses = Mutex<[[Int]: Int]>([:])

    /// The address of the interned copy of `dimensions`, interning it on
    /// first use.
    @usableFromInline
    static func address(of dimensions: [Int]) -> Int {
        addresses.withLock { table in
            if let address = table[dimensions] { return address }
            let copy = UnsafeMutablePointer<Int>.allocate(capacity: dimensions.count)
            copy.initialize(from: dimensions, count: dimensions.count)
            let address = Int(bitPattern: copy)
            table[dimensions] = address
            return address
        }
    }

    /// The sizes at an address that ``address(of:)`` returned.
    @usableFromInline
    static func sizes(at address: Int) -> UnsafePointer<Int> {
        UnsafePointer(bitPattern: address)!
    }
}
