/// The nodes a reverse pass visits, each once, in descending creation order
/// (so each after every node that consumes its output), each with the
/// gradient pending for its output.
///
/// The pass keeps this to itself rather than marking the nodes, so passes
/// over one graph can run at the same time. The entries start in a buffer on
/// the caller's stack (see ``withOrder(reachableFrom:_:)``) and move to the
/// heap only past ``stackCapacity`` nodes: an array would cost an
/// allocation, and a metadata lookup for its type, as much as a small op.
/// Small graphs are searched linearly; past ``linearLimit`` nodes a
/// dictionary takes over.
///
/// ```swift
/// NodeOrder.withOrder(reachableFrom: loss.gradFn!) { order in
///     order[0].node === loss.gradFn   // true
/// }
/// ```
struct NodeOrder: ~Copyable {
    /// A node and the gradient accumulated for its output so far.
    ///
    /// The node is not retained: the root, which the pass holds, keeps every
    /// node it reaches alive, and a node's inputs change only in its deinit.
    /// (Reference counting took a fifth of a small backward pass.)
    struct Entry {
        let unretainedNode: Unmanaged<GraphNode>
        var pending: PendingGradient?

        /// The node; the caller holds the root.
        var node: GraphNode { unretainedNode.takeUnretainedValue() }
    }

    /// Where the entries are: the caller's stack buffer, or a heap buffer
    /// once the graph outgrew it. The first ``count`` are initialised.
    private var buffer: UnsafeMutableBufferPointer<Entry>
    /// Whether ``buffer`` is on the heap, for this order to free.
    private var ownsBuffer = false
    /// The number of nodes, the root first.
    private(set) var count = 0
    /// Each node's position, once the graph is past ``linearLimit`` nodes.
    private var positions: [UnsafeMutableRawPointer: Int] = [:]
    /// Up to this many nodes, lookups scan the entries.
    static let linearLimit = 16
    /// The entries that fit on the stack.
    static let stackCapacity = 16

    /// Calls `body` with the nodes reachable from `root` through node
    /// inputs. The caller keeps `root` alive meanwhile (the entries do not
    /// retain).
    static func withOrder<Result, Failure: Error>(
        reachableFrom root: GraphNode, _ body: (inout NodeOrder) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try withUnsafeTemporaryAllocation(of: Entry.self, capacity: stackCapacity) { stack throws(Failure) in
            var order = NodeOrder(reachableFrom: root, in: stack)
            return try body(&order)
        }
    }

    private init(reachableFrom root: GraphNode, in stack: UnsafeMutableBufferPointer<Entry>) {
        buffer = stack
        append(Entry(unretainedNode: .passUnretained(root)))
        var sorted = true
        var next = 0
        while next < count {
            let (first, second) = buffer[next].unretainedNode._withUnsafeGuaranteedRef {
                ($0.firstInputNode.map(Unmanaged.passUnretained), $0.secondInputNode.map(Unmanaged.passUnretained))
            }
            if let first { visit(first, sorted: &sorted) }
            if let second { visit(second, sorted: &sorted) }
            next += 1
        }
        // A chain of ops comes out of the search in order already.
        if !sorted {
            buffer[..<count].sort { $0.node.sequenceNumber > $1.node.sequenceNumber }
            if !positions.isEmpty { indexPositions() }
        }
    }

    deinit {
        buffer.baseAddress!.deinitialize(count: count)
        if ownsBuffer { buffer.deallocate() }
    }

    /// The entry at `position` (below ``count``).
    subscript(position: Int) -> Entry {
        _read { yield buffer[position] }
        _modify { yield &buffer[position] }
    }

    /// Appends `entry`, moving the entries to a larger heap buffer when full.
    private mutating func append(_ entry: Entry) {
        if count == buffer.count {
            let larger = UnsafeMutableBufferPointer<Entry>.allocate(capacity: 2 * buffer.count)
            larger.baseAddress!.moveInitialize(from: buffer.baseAddress!, count: count)
            if ownsBuffer { buffer.deallocate() }
            buffer = larger
            ownsBuffer = true
        }
        (buffer.baseAddress! + count).initialize(to: entry)
        count += 1
    }

    /// Appends `node`, if it is not yet in the order.
    private mutating func visit(_ node: Unmanaged<GraphNode>, sorted: inout Bool) {
        guard position(of: node) == nil else { return }
        let sequenceNumber = node._withUnsafeGuaranteedRef { $0.sequenceNumber }
        if sequenceNumber > buffer[count - 1].unretainedNode._withUnsafeGuaranteedRef({ $0.sequenceNumber }) {
            sorted = false
        }
        append(Entry(unretainedNode: node))
        if !positions.isEmpty {
            positions[node.toOpaque()] = count - 1
        } else if count > Self.linearLimit {
            indexPositions()
        }
    }

    /// Adds `contribution` to the gradient pending for `node`, which is in
    /// the order (searched first at `hint`).
    mutating func accumulate(_ contribution: consuming PendingGradient, for node: Unmanaged<GraphNode>, hint: Int) {
        let target = position(of: node, hint: hint)!
        if let pending = buffer[target].pending.take() {
            let shape = node._withUnsafeGuaranteedRef { $0.shape }
            buffer[target].pending = pending.adding(contribution, shape: shape)
        } else {
            buffer[target].pending = contribution
        }
    }

    /// The position of `node`, or `nil` if it is not (yet) in the order;
    /// `hint` is checked first.
    func position(of node: Unmanaged<GraphNode>, hint: Int = -1) -> Int? {
        let identity = node.toOpaque()
        if hint >= 0 && hint < count && buffer[hint].unretainedNode.toOpaque() == identity { return hint }
        if positions.isEmpty { return buffer[..<count].firstIndex { $0.unretainedNode.toOpaque() == identity } }
        return positions[identity]
    }

    /// Records every node's position.
    private mutating func indexPositions() {
        for index in 0..<count { positions[buffer[index].unretainedNode.toOpaque()] = index }
    }
}
