/// A pass's right to the saved values of a set of graph nodes: shared for
/// reading (any number of passes at once), or exclusive for a backward pass
/// that frees them. Claims are taken on every node before the first rule
/// runs, so a pass that cannot have them changes nothing.
///
/// ```swift
/// try SavedValuesClaim.claim(graph.nodes, freeing: false)
/// defer { SavedValuesClaim.release(graph.nodes, freeing: false) }
/// ```
enum SavedValuesClaim {
    /// A node's `useState` while a backward pass frees its saved values.
    static let freeing = -1
    /// A node's `useState` once its saved values were freed.
    static let freed = -2

    /// Claims `nodes`, throwing ``AutogradError/graphFreed(node:)`` on a
    /// freed node and ``AutogradError/graphInUse(node:)`` when another pass
    /// holds a claim that conflicts with this one (nothing is claimed then).
    static func claim(_ nodes: [GraphNode], freeing: Bool) throws(AutogradError) {
        try claim(nodes.count, freeing: freeing) { .passUnretained(nodes[$0]) }
    }

    /// Gives the claims on `nodes` back; a freeing claim marks them freed
    /// (after the pass called `free()` on them).
    static func release(_ nodes: [GraphNode], freeing: Bool) {
        release(nodes.count, freeing: freeing) { .passUnretained(nodes[$0]) }
    }

    /// Claims the `count` nodes that `node` gives by position. (By position,
    /// so that a pass's own table of nodes is read in place, not copied.)
    @inline(__always)
    static func claim(_ count: Int, freeing: Bool, node: (Int) -> Unmanaged<GraphNode>) throws(AutogradError) {
        for index in 0..<count {
            if let error = node(index)._withUnsafeGuaranteedRef({ claim($0, freeing: freeing) }) {
                for claimed in 0..<index { node(claimed)._withUnsafeGuaranteedRef { unclaim($0, freeing: freeing) } }
                throw error
            }
        }
    }

    /// Gives back the claims on the `count` nodes that `node` gives by position.
    @inline(__always)
    static func release(_ count: Int, freeing: Bool, node: (Int) -> Unmanaged<GraphNode>) {
        for index in 0..<count {
            node(index)._withUnsafeGuaranteedRef { node in
                if freeing {
                    node.useState.store(Self.freed, ordering: .releasing)
                } else {
                    unclaim(node, freeing: false)
                }
            }
        }
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
