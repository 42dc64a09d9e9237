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
    struct Entry {
        let node: GraphNode
        var pending: PendingGradient?
    }

    /// The nodes, the root first.
    var entries: [Entry] = []
    /// Each node's position, once the graph is past ``linearLimit`` nodes.
    private var positions: [ObjectIdentifier: Int] = [:]
    /// Up to this many nodes, lookups scan the array.
    static let linearLimit = 16

    /// The nodes reachable from `root` through node inputs.
    init(reachableFrom root: GraphNode) {
        entries.reserveCapacity(16)
        entries.append(Entry(node: root))
        var sorted = true
        var next = 0
        while next < entries.count {
            let node = entries[next].node
            visit(node.firstInput, sorted: &sorted)
            if let second = node.secondInput { visit(second, sorted: &sorted) }
            next += 1
        }
        // A chain of ops comes out of the search in order already.
        if !sorted {
            entries.sort { $0.node.sequenceNumber > $1.node.sequenceNumber }
            if !positions.isEmpty { indexPositions() }
        }
    }

    /// Appends the node of `input`, if it is one and not yet in the order.
    private mutating func visit(_ input: GraphInput, sorted: inout Bool) {
        guard case .node(let node) = input, position(of: node) == nil else { return }
        if node.sequenceNumber > entries[entries.count - 1].node.sequenceNumber { sorted = false }
        entries.append(Entry(node: node))
        if !positions.isEmpty {
            positions[ObjectIdentifier(node)] = entries.count - 1
        } else if entries.count > Self.linearLimit {
            indexPositions()
        }
    }

    /// The position of `node`, or `nil` if it is not (yet) in the order;
    /// `hint` is checked first.
    func position(of node: GraphNode, hint: Int = -1) -> Int? {
        if hint >= 0 && hint < entries.count && entries[hint].node === node { return hint }
        if positions.isEmpty { return entries.firstIndex { $0.node === node } }
        return positions[ObjectIdentifier(node)]
    }

    /// Records every node's position.
    private mutating func indexPositions() {
        for (index, entry) in entries.enumerated() { positions[ObjectIdentifier(entry.node)] = index }
    }
}
