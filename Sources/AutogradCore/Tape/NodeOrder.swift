/// The nodes a reverse pass visits, each once, in descending creation order
/// (so each after every node that consumes its output), each with the
/// gradient pending for its output.
///
/// The pass keeps this to itself rather than marking the nodes, so passes
/// over one graph can run at the same time. Small graphs are searched
/// linearly; past ``linearLimit`` nodes a dictionary takes over. (One array
/// holds nodes and gradients: each array a pass allocates costs a lookup of
/// its type's metadata, as much as a small op.)
///
/// ```swift
/// let order = NodeOrder(reachableFrom: loss.gradFn!)
/// order.entries.first?.node === loss.gradFn   // true
/// ```
struct NodeOrder {
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

    /// The nodes, the root first.
    var entries: [Entry] = []
    /// Each node's position, once the graph is past ``linearLimit`` nodes.
    private var positions: [UnsafeMutableRawPointer: Int] = [:]
    /// Up to this many nodes, lookups scan the array.
    static let linearLimit = 16

    /// The nodes reachable from `root` through node inputs. The caller keeps
    /// `root` alive while it uses the order (the entries do not retain).
    init(reachableFrom root: GraphNode) {
        entries.reserveCapacity(16)
        entries.append(Entry(unretainedNode: .passUnretained(root)))
        var sorted = true
        var next = 0
        while next < entries.count {
            let (first, second) = entries[next].unretainedNode._withUnsafeGuaranteedRef {
                ($0.firstInputNode.map(Unmanaged.passUnretained), $0.secondInputNode.map(Unmanaged.passUnretained))
            }
            if let first { visit(first, sorted: &sorted) }
            if let second { visit(second, sorted: &sorted) }
            next += 1
        }
        // A chain of ops comes out of the search in order already.
        if !sorted {
            entries.sort { $0.node.sequenceNumber > $1.node.sequenceNumber }
            if !positions.isEmpty { indexPositions() }
        }
    }

    /// Appends `node`, if it is not yet in the order.
    private mutating func visit(_ node: Unmanaged<GraphNode>, sorted: inout Bool) {
        guard position(of: node) == nil else { return }
        let sequenceNumber = node._withUnsafeGuaranteedRef { $0.sequenceNumber }
        if sequenceNumber > entries[entries.count - 1].unretainedNode._withUnsafeGuaranteedRef({ $0.sequenceNumber }) {
            sorted = false
        }
        entries.append(Entry(unretainedNode: node))
        if !positions.isEmpty {
            positions[node.toOpaque()] = entries.count - 1
        } else if entries.count > Self.linearLimit {
            indexPositions()
        }
    }

    /// Adds `contribution` to the gradient pending for `node`, which is in
    /// the order (searched first at `hint`).
    mutating func accumulate(_ contribution: consuming PendingGradient, for node: Unmanaged<GraphNode>, hint: Int) {
        let target = position(of: node, hint: hint)!
        if let pending = entries[target].pending.take() {
            let shape = node._withUnsafeGuaranteedRef { $0.shape }
            entries[target].pending = pending.adding(contribution, shape: shape)
        } else {
            entries[target].pending = contribution
        }
    }

    /// The position of `node`, or `nil` if it is not (yet) in the order;
    /// `hint` is checked first.
    func position(of node: Unmanaged<GraphNode>, hint: Int = -1) -> Int? {
        let identity = node.toOpaque()
        if hint >= 0 && hint < entries.count && entries[hint].unretainedNode.toOpaque() == identity { return hint }
        if positions.isEmpty { return entries.firstIndex { $0.unretainedNode.toOpaque() == identity } }
        return positions[identity]
    }

    /// Records every node's position.
    private mutating func indexPositions() {
        for (index, entry) in entries.enumerated() { positions[entry.unretainedNode.toOpaque()] = index }
    }
}
