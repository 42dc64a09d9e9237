/// The nodes a reverse pass visits, each once, in descending creation order
/// (so each after every node that consumes its output), with their positions.
///
/// The pass keeps this to itself rather than marking the nodes, so passes
/// over one graph can run at the same time. Small graphs are searched
/// linearly; past ``linearLimit`` nodes a dictionary takes over.
///
/// ```swift
/// let order = NodeOrder(reachableFrom: loss.gradFn!)
/// order.nodes.first === loss.gradFn   // true
/// ```
struct NodeOrder {
    /// The nodes, the root first.
    private(set) var nodes: [GraphNode]
    /// Each node's position, once the graph is past ``linearLimit`` nodes.
    private var positions: [ObjectIdentifier: Int] = [:]
    /// Up to this many nodes, lookups scan the array.
    static let linearLimit = 16

    /// The nodes reachable from `root` through node inputs.
    init(reachableFrom root: GraphNode) {
        nodes = [root]
        nodes.reserveCapacity(16)
        var sorted = true
        var next = 0
        while next < nodes.count {
            let node = nodes[next]
            visit(node.firstInput, sorted: &sorted)
            if let second = node.secondInput { visit(second, sorted: &sorted) }
            next += 1
        }
        // A chain of ops comes out of the search in order already.
        if !sorted {
            nodes.sort { $0.sequenceNumber > $1.sequenceNumber }
            if !positions.isEmpty { indexPositions() }
        }
    }

    /// Appends the node of `input`, if it is one and not yet in the order.
    private mutating func visit(_ input: GraphInput, sorted: inout Bool) {
        guard case .node(let node) = input, position(of: node) == nil else { return }
        if node.sequenceNumber > nodes[nodes.count - 1].sequenceNumber { sorted = false }
        nodes.append(node)
        if !positions.isEmpty {
            positions[ObjectIdentifier(node)] = nodes.count - 1
        } else if nodes.count > Self.linearLimit {
            indexPositions()
        }
    }

    /// The position of `node`, or `nil` if it is not (yet) in the order;
    /// `hint` is checked first.
    func position(of node: GraphNode, hint: Int = -1) -> Int? {
        if hint >= 0 && hint < nodes.count && nodes[hint] === node { return hint }
        if positions.isEmpty { return nodes.firstIndex { $0 === node } }
        return positions[ObjectIdentifier(node)]
    }

    /// Records every node's position.
    private mutating func indexPositions() {
        for (index, node) in nodes.enumerated() { positions[ObjectIdentifier(node)] = index }
    }
}
