/// A recorded graph turned into a program of steps: fused regions of
/// element-wise ops (``FusedRegion``) and, between them, single ops that the
/// plan cannot fuse (products, reshapes, reductions along an axis...), run on
/// whole tensors with their own specialised kernels, as the tape runs them.
///
/// Every value the plan handles has a slot: the inputs first, then the
/// constants (other leaves), then one per recorded node.
struct CompiledPlan: Sendable {
    /// One op run on whole tensors.
    struct NodeStep: Sendable {
        let node: GraphNode
        let inputs: [Int]
        let slot: Int
    }

    enum Step: Sendable {
        case node(NodeStep)
        case region(FusedRegion)
    }

    let steps: [Step]
    let slotShapes: [Shape]
    let inputCount: Int
    let constants: [(slot: Int, value: TensorValue<Double>)]
    let resultSlot: Int
    /// Whether each slot's gradient is needed: it leads to a wanted input.
    let needsGradient: [Bool]

    /// The plan of the graph that computed `result` from `inputs` (other
    /// leaves are constants, their current values kept), differentiating
    /// with respect to the inputs for which `wanted` is true. Unless
    /// `atRecordedValues` (a plan run once, on the values it was recorded
    /// at), a `where` is refused: its condition would not follow new inputs.
    init(result: Tensor, inputs: [Tensor], wanted: [Bool], atRecordedValues: Bool = false) throws(AutogradError) {
        let graph = RecordedGraph(result)
        try graph.checkLeavesUnchanged()
        var slots: [ObjectIdentifier: Int] = [:]
        var shapes: [Shape] = []
        for input in inputs where slots[ObjectIdentifier(input)] == nil {
            slots[ObjectIdentifier(input)] = shapes.count
            shapes.append(input.shape)
        }
        // Duplicate inputs share a slot.
        let inputSlotCount = shapes.count
        var constants: [(slot: Int, value: TensorValue<Double>)] = []
        for leaf in graph.leaves where slots[ObjectIdentifier(leaf)] == nil {
            slots[ObjectIdentifier(leaf)] = shapes.count
            constants.append((shapes.count, leaf.value))
            shapes.append(leaf.shape)
        }
        if slots[ObjectIdentifier(result)] == nil, graph.nodes.isEmpty {
            slots[ObjectIdentifier(result)] = shapes.count
            constants.append((shapes.count, result.value))
            shapes.append(result.shape)
        }
        let nodeBase = shapes.count
        for (index, node) in graph.nodes.enumerated() {
            if node.operation is Where, !atRecordedValues {
                throw .notCompilable(
                    operation: "Where",
                    reason: "its condition is a value computed when the function was traced, which a compiled plan would reuse for other inputs")
            }
            slots[ObjectIdentifier(node)] = nodeBase + index
            shapes.append(node.shape)
        }
        let operandSlots = graph.nodes.map { node in node.inputs.map { slots[$0.identifier]! } }
        var needsGradient = [Bool](repeating: false, count: shapes.count)
        for (index, input) in inputs.enumerated() where wanted[index] { needsGradient[slots[ObjectIdentifier(input)]!] = true }
        for index in graph.nodes.indices where operandSlots[index].contains(where: { needsGradient[$0] }) {
            needsGradient[nodeBase + index] = true
        }
        let regions = RegionFormation(nodes: graph.nodes, operandSlots: operandSlots, nodeBase: nodeBase, slotCount: shapes.count)
        var steps: [Step] = []
        for index in graph.nodes.indices {
            switch regions.assignment[index] {
            case nil:
                steps.append(.node(NodeStep(node: graph.nodes[index], inputs: operandSlots[index], slot: nodeBase + index)))
            case let region? where regions.drafts[region].root == index:
                steps.append(.region(regions.region(region, shapes: shapes, needsGradient: needsGradient)))
            default:
                continue
            }
        }
        self.steps = steps
        self.slotShapes = shapes
        self.inputCount = inputSlotCount
        self.constants = constants
        self.resultSlot = graph.nodes.isEmpty ? slots[ObjectIdentifier(result)]! : shapes.count - 1
        self.needsGradient = needsGradient
    }

    /// Runs the plan on `table`, whose input slots hold the inputs' values:
    /// leaves the result in its slot and, when `differentiating`, the
    /// gradient of every input slot that needs one in `table.gradients`
    /// (`nil` where the result does not depend on it).
    func run(_ table: SlotTable, differentiating: Bool, threads: Int) {
        for (slot, value) in constants { table.values[slot] = value }
        // A final sum whose gradient is known before its value (1) runs
        // forward and back in one pass over its inputs.
        var forwardSteps = steps[...]
        var finalRegion: FusedRegion?
        if differentiating, case .region(let region)? = steps.last, region.outputSlot == resultSlot, region.exit != .tensor {
            finalRegion = region
            forwardSteps = steps.dropLast()
        }
        for step in forwardSteps {
            switch step {
            case .node(let step):
                table.values[step.slot] = step.node.dualKernels.real(
                    step.node, table.values[step.inputs[0]]!, step.inputs.count > 1 ? table.values[step.inputs[1]]! : nil)
            case .region(let region):
                region.run(table, pass: .init(computesValue: true, computesGradient: false), exitGradient: nil, threads: threads)
            }
        }
        guard differentiating else { return }
        if let region = finalRegion {
            region.run(table, pass: .init(computesValue: true, computesGradient: true), exitGradient: Self.one, threads: threads)
        } else {
            table.gradients[resultSlot] = TensorValue(repeating: 1, shape: slotShapes[resultSlot])
        }
        for step in forwardSteps.reversed() {
            switch step {
            case .node(let step):
                guard needsGradient[step.slot], let gradient = table.gradients[step.slot] else { continue }
                table.gradients[step.slot] = nil
                let x = table.values[step.inputs[0]]!
                let y = step.inputs.count > 1 ? table.values[step.inputs[1]]! : nil
                for (position, input) in step.inputs.enumerated() where needsGradient[input] {
                    let contribution = step.node.dualKernels.reverse(step.node, x, y, table.values[step.slot]!, gradient, position)
                    table.gradients[input] = table.gradients[input].map { $0.adding(contribution) } ?? contribution
                }
            case .region(let region):
                guard needsGradient[region.outputSlot], let gradient = table.gradients[region.outputSlot] else { continue }
                table.gradients[region.outputSlot] = nil
                region.run(table, pass: .init(computesValue: false, computesGradient: true), exitGradient: gradient, threads: threads)
            }
        }
    }

    /// The gradient of a one-element result with respect to itself.
    static let one = TensorValue<Double>(scalar: 1)

    /// The fused regions, each as its ops' names and element count.
    var regionDescriptions: [String] {
        steps.compactMap { step in
            guard case .region(let region) = step else { return nil }
            return region.operationNames.joined(separator: ", ") + " over \(region.elementCount) elements"
        }
    }
}

/// The values and gradients of a plan's slots during one run, in memory the
/// run owns (not arrays, whose allocation looks up generic metadata at run
/// time: a large part of a small call's cost).
struct SlotTable {
    let values: UnsafeMutablePointer<TensorValue<Double>?>
    let gradients: UnsafeMutablePointer<TensorValue<Double>?>
    let count: Int

    /// A table of `count` empty slots; ``free()`` releases it.
    init(count: Int) {
        self.count = count
        values = .allocate(capacity: 2 * count)
        values.initialize(repeating: nil, count: 2 * count)
        gradients = values + count
    }

    /// Releases the values and the memory.
    func free() {
        values.deinitialize(count: 2 * count)
        values.deallocate()
    }
}

/// Which recorded nodes join which fused region.
///
/// Regions grow backwards from their last node (a `Sum` or `Mean` of an
/// element-wise op, or an element-wise op): an element-wise node of the same
/// shape joins when every op that reads it is in the region, so no value
/// inside a region is needed outside it. A region then keeps only if the
/// tape would add up each gradient's contributions in the same order as the
/// plan, so that the plan's gradients are the tape's bit for bit; otherwise
/// its nodes run one by one.
struct RegionFormation {
    struct Draft {
        let root: Int
        let sumOf: Int?
        let isMean: Bool
        var members: [Int]
    }

    private(set) var drafts: [Draft] = []
    /// The region of each node, if any.
    private(set) var assignment: [Int?]
    private let nodes: [GraphNode]
    private let operandSlots: [[Int]]
    private let nodeBase: Int

    init(nodes: [GraphNode], operandSlots: [[Int]], nodeBase: Int, slotCount: Int) {
        self.nodes = nodes
        self.operandSlots = operandSlots
        self.nodeBase = nodeBase
        assignment = [Int?](repeating: nil, count: nodes.count)
        var consumers = [[(node: Int, position: Int)]](repeating: [], count: slotCount)
        for (index, operands) in operandSlots.enumerated() {
            for (position, slot) in operands.enumerated() { consumers[slot].append((index, position)) }
        }
        for root in nodes.indices.reversed() where assignment[root] == nil {
            grow(from: root, consumers: consumers)
        }
        dissolveRegionsThatReorderSums(consumers: consumers)
    }

    /// The node index behind a slot, if the slot is a node's output.
    private func node(atSlot slot: Int) -> Int? { slot >= nodeBase ? slot - nodeBase : nil }

    /// The fusible kernel of a node whose operands all have its shape.
    func kernel(of index: Int) -> FusedRegion.Member.Kernel? {
        let node = nodes[index]
        let shapesMatch = node.inputs.allSatisfy { input in
            switch input {
            case .node(let other): other.shape == node.shape
            case .leaf(let leaf): leaf.shape == node.shape
            }
        }
        guard shapesMatch else { return nil }
        if let operation = node.operation as? any FusibleUnaryOperation { return .unary(operation) }
        if let operation = node.operation as? any FusibleBinaryOperation { return .binary(operation) }
        return nil
    }

    private mutating func grow(from root: Int, consumers: [[(node: Int, position: Int)]]) {
        let operation = nodes[root].operation
        var draft: Draft
        var candidates = Set<Int>()
        var inRegion: Set<Int> = [root]
        var shape = nodes[root].shape
        if operation is Sum || operation is Mean {
            guard let input = node(atSlot: operandSlots[root][0]) else { return }
            draft = Draft(root: root, sumOf: input, isMean: operation is Mean, members: [])
            candidates.insert(input)
            shape = nodes[input].shape
        } else if kernel(of: root) != nil {
            draft = Draft(root: root, sumOf: nil, isMean: false, members: [root])
            for slot in operandSlots[root] { if let input = node(atSlot: slot) { candidates.insert(input) } }
        } else {
            return
        }
        // The highest candidate first: every node that reads it was decided before.
        while let candidate = candidates.max() {
            candidates.remove(candidate)
            guard assignment[candidate] == nil, nodes[candidate].shape == shape, kernel(of: candidate) != nil,
                  consumers[nodeBase + candidate].allSatisfy({ inRegion.contains($0.node) })
            else { continue }
            inRegion.insert(candidate)
            draft.members.append(candidate)
            for slot in operandSlots[candidate] { if let input = node(atSlot: slot) { candidates.insert(input) } }
        }
        // A region must save passes: a reduction of at least one op, or two ops.
        guard draft.sumOf.map({ draft.members.contains($0) }) ?? (draft.members.count >= 2) else { return }
        draft.members.sort()
        let region = drafts.count
        drafts.append(draft)
        for member in draft.members { assignment[member] = region }
        assignment[root] = region
    }

    /// Dissolves regions until, for every value read by more than one op,
    /// the plan's reverse pass adds the contributions in the tape's order:
    /// the tape takes the reading ops in reverse recording order; the plan
    /// takes a region's at once, where its last node was recorded.
    private mutating func dissolveRegionsThatReorderSums(consumers: [[(node: Int, position: Int)]]) {
        var changed = true
        while changed {
            changed = false
            for readers in consumers where readers.count > 1 {
                let tape = readers.sorted { ($0.node, -$0.position) > ($1.node, -$1.position) }
                let plan = readers.sorted { (place(of: $0.node), $0.node, -$0.position) > (place(of: $1.node), $1.node, -$1.position) }
                guard !zip(tape, plan).allSatisfy({ $0.node == $1.node && $0.position == $1.position }) else { continue }
                for reader in readers {
                    guard let region = assignment[reader.node] else { continue }
                    for index in assignment.indices where assignment[index] == region { assignment[index] = nil }
                }
                changed = true
            }
        }
    }

    /// Where the plan's reverse pass handles a node: its region's last node, or itself.
    private func place(of index: Int) -> Int { assignment[index].map { drafts[$0].root } ?? index }

    /// The region `index` as the plan runs it.
    func region(_ index: Int, shapes: [Shape], needsGradient: [Bool]) -> FusedRegion {
        let draft = drafts[index]
        var externals: [Int] = []
        let localIndex = Dictionary(uniqueKeysWithValues: draft.members.enumerated().map { ($1, $0) })
        let members = draft.members.map { member in
            let operands = operandSlots[member].map { slot -> FusedRegion.Operand in
                if let input = node(atSlot: slot), let local = localIndex[input] { return .member(local) }
                if let existing = externals.firstIndex(of: slot) { return .external(existing) }
                externals.append(slot)
                return .external(externals.count - 1)
            }
            return FusedRegion.Member(
                kernel: kernel(of: member)!, first: operands[0], second: operands.count > 1 ? operands[1] : nil,
                slot: nodeBase + member)
        }
        let exit: FusedRegion.Exit = draft.sumOf.map { .sum(member: localIndex[$0]!, isMean: draft.isMean) } ?? .tensor
        let names = draft.members.map { nodes[$0].operation.name } + (draft.sumOf == nil ? [] : [nodes[draft.root].operation.name])
        return FusedRegion(
            members: members, externals: externals, exit: exit, outputSlot: nodeBase + draft.root,
            elementCount: shapes[nodeBase + draft.members[0]].elementCount, operationNames: names,
            needsGradient: needsGradient
        )
    }
}
