/// A pass's right to the saved values of a set of graph nodes: shared for
/// reading (any number of passes at once), or exclusive for a backward pass
/// that frees them. Claims are taken on every node before the first rule
/// runs, so a pass that cannot have them changes nothing.
///
/// ```swift
/// let claim = try SavedValuesClaim(nodes, freeing: false)
/// defer { claim.release() }
/// ```
struct SavedValuesClaim {
    /// A node's `useState` while a backward pass frees its saved values.
    static let freeing = -1
    /// A node's `useState` once its saved values were freed.
    static let freed = -2

    let nodes: [GraphNode]
    let isFreeing: Bool

    /// Claims `nodes`, throwing ``AutogradError/graphFreed(node:)`` on a
    /// freed node and ``AutogradError/graphInUse(node:)`` when another pass
    /// holds a claim that conflicts with this one (nothing is claimed then).
    init(_ nodes: [GraphNode], freeing: Bool) throws(AutogradError) {
        self.nodes = nodes
        self.isFreeing = freeing
        for (index, node) in nodes.enumerated() {
            if let error = Self.claim(node, freeing: freeing) {
                for claimed in nodes[..<index] { Self.unclaim(claimed, freeing: freeing) }
                throw error
            }
        }
    }

    /// Gives the claims back; a freeing claim marks its nodes freed (after
    /// the pass called `free()` on them).
    func release() {
        for node in nodes {
            if isFreeing {
                node.useState.store(Self.freed, ordering: .releasing)
            } else {
                Self.unclaim(node, freeing: false)
            }
        }
    }

    /// Gives back the claims of a pass that freed nothing.
    func abandon() {
        for node in nodes { Self.unclaim(node, freeing: isFreeing) }
    }

    private static func claim(_ node: GraphNode, freeing: Bool) -> AutogradError? {
        var current = node.useState.load(ordering: .relaxed)
        while true {
            if current == freed { return .graphFreed(node: node.name) }
            if current == Self.freeing || (freeing && current != 0) { return .graphInUse(node: node.name) }
            let (exchanged, original) = node.useState.compareExchange(
                expected: current, desired: freeing ? Self.freeing : current + 1, ordering: .acquiring
            )
            if exchanged { return nil }
            current = original
        }
    }

    private static func unclaim(_ node: GraphNode, freeing: Bool) {
        if freeing {
            node.useState.store(0, ordering: .releasing)
        } else {
            node.useState.wrappingSubtract(1, ordering: .releasing)
        }
    }
}
