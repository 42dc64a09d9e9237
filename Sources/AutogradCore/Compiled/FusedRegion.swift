/// A chain of element-wise ops over tensors of one shape, and the reduction
/// that may end it, run by a compiled plan piece by piece: each piece of
/// ``chunkSize`` elements goes through every op forward and back while it is
/// in the processor's cache, so each input is read once, each gradient
/// written once, and intermediate values never reach memory.
///
/// The per-element formulas are the ops' own (``FusibleUnaryOperation``,
/// ``FusibleBinaryOperation``), the sum is ``SummationOrder``'s, and each
/// gradient adds its contributions in the tape's order, so the results are
/// the eager tape's, bit for bit. (A class: a run hands it to every thread,
/// and a reference is one retain where a struct of arrays is one per array.
/// What a run reads per piece is in ``steps``, memory of plain values that
/// the region owns, so a piece retains and releases nothing.)
final class FusedRegion: @unchecked Sendable {
    /// One element-wise op of the region.
    struct Member: Sendable {
        enum Kernel: Sendable {
            case unary(any FusibleUnaryOperation)
            case binary(any FusibleBinaryOperation)
        }
        /// The op.
        let kernel: Kernel
        /// The op's block rules, called by a run.
        let rules: FusedKernel
        /// Where the first operand comes from.
        let first: Operand
        /// Where the second operand of a binary op comes from.
        let second: Operand?
        /// The plan's slot for this op's output.
        let slot: Int

        init(kernel: Kernel, first: Operand, second: Operand?, slot: Int) {
            self.kernel = kernel
            rules = FusedKernel.make(kernel)
            self.first = first
            self.second = second
            self.slot = slot
        }

        /// The operands in order (one or two).
        var operands: [Operand] { second.map { [first, $0] } ?? [first] }
    }

    /// An operand: an input of the region (a slot of the plan, read from
    /// memory) or another member's value in the current piece.
    enum Operand: Sendable, Hashable {
        case external(Int)
        case member(Int)
    }

    /// How the region ends.
    enum Exit: Sendable, Equatable {
        /// `sum()` (or `mean()`, divided by the count) of a member's values.
        case sum(member: Int, isMean: Bool)
        /// The last member's values, written out as a tensor.
        case tensor
    }

    /// Elements per piece: 512 `Double`s (4 KB) per value, a divisor of
    /// ``SummationOrder/blockSize`` and a multiple of four, so pieces add up
    /// in the sum's order.
    static let chunkSize = 512

    /// The members in the order they were recorded.
    let members: [Member]
    /// The plan's slots that the region reads, each once.
    let externals: [Int]
    /// How the region ends.
    let exit: Exit
    /// The slot of the region's result (the reduction's, or the last member's).
    let outputSlot: Int
    /// The number of elements of every operand.
    let elementCount: Int
    /// The names of the ops, for the plan's description.
    let operationNames: [String]
    /// Whether each external input's gradient is wanted.
    let externalNeedsGradient: [Bool]
    /// The member whose gradient the exit gives: the one the sum reads, or
    /// the last (whose values are the tensor exit).
    let exitMember: Int
    /// Whether the member that the sum reads also feeds other members (its
    /// gradient then starts as the seed and has their contributions added).
    let sumInputFeedsMembers: Bool
    /// Whether a pass that computes the value and the gradients, from a
    /// nonzero seed, runs the member that the sum reads in one pass at its
    /// reverse step (its values, their sum and its reverse rule): it is a
    /// built-in op of one tensor, and no other member reads its values.
    let exitAppliesSumAndPullbackInOnePass: Bool
    /// When the exit's one pass also computes its operand, the member of two
    /// tensors (`+`, `−`, `×`) whose values only the exit reads: its values
    /// are then never written, the pass reads its operands instead. The exit
    /// member itself otherwise.
    let exitPairMember: Int
    /// The kernel of the exit and that member (``FusedPairKernel``) as a run
    /// calls it, neither retained nor released; `nil` when there is no pair.
    let exitPairKernel: Unmanaged<FusedPairKernel>?
    /// Keeps ``exitPairKernel`` alive.
    private let pairKernel: FusedPairKernel?
    /// What a run reads of each member, in recording order, as plain values.
    let steps: UnsafeMutableBufferPointer<Step>

    /// A member as a run reads it: its operands, its kernel (kept alive by
    /// ``members``), and its place in the reverse pass.
    struct Step {
        let first: Operand
        let second: Operand?
        let rules: Unmanaged<FusedKernel>
        /// Whether the member's gradient is needed (it leads to a wanted input).
        let needsGradient: Bool
        /// For each operand, whether its contribution is the first that the
        /// operand receives in the region's reverse pass (the same in every
        /// piece): the first is written, later ones added.
        let isFirstContribution: (first: Bool, second: Bool)
        /// The external input whose gradient this is, when the member hands
        /// its gradient on unchanged to that input and nothing else in the
        /// region adds to it: the member's gradient is then written straight
        /// into the input's (unless the input already has one).
        let forwardsGradient: Int?

        /// Calls `body` with the member's kernel, neither retained nor released.
        func withRules<Result>(_ body: (FusedKernel) -> Result) -> Result { rules._withUnsafeGuaranteedRef(body) }
    }

    init(
        members: [Member], externals: [Int], exit: Exit, outputSlot: Int, elementCount: Int,
        operationNames: [String], needsGradient: [Bool]
    ) {
        self.members = members
        self.externals = externals
        self.exit = exit
        self.outputSlot = outputSlot
        self.elementCount = elementCount
        self.operationNames = operationNames
        let memberNeedsGradient = members.map { needsGradient[$0.slot] }
        let externalNeedsGradient = externals.map { needsGradient[$0] }
        self.externalNeedsGradient = externalNeedsGradient
        let exitMember: Int
        switch exit {
        case .sum(let member, _): exitMember = member
        case .tensor: exitMember = members.count - 1
        }
        self.exitMember = exitMember
        // The reverse pass's order: the exit's member first, then members
        // from the last recorded, each operand in order.
        var reached: Set<Operand> = [.member(exitMember)]
        var isFirst = members.map { [Bool](repeating: false, count: $0.operands.count) }
        for index in members.indices.reversed() where memberNeedsGradient[index] {
            for (position, operand) in members[index].operands.enumerated() {
                isFirst[index][position] = reached.insert(operand).inserted
            }
        }
        let isFirstContribution = isFirst.map { ($0[0], $0.count > 1 && $0[1]) }
        sumInputFeedsMembers = exit != .tensor && members.contains { $0.operands.contains(.member(exitMember)) }
        // How many contributions each external receives in the reverse pass.
        var contributions = [Int](repeating: 0, count: externals.count)
        for (index, member) in members.enumerated() where memberNeedsGradient[index] {
            for case .external(let source) in member.operands { contributions[source] += 1 }
        }
        let forwardsGradient = members.indices.map { index -> Int? in
            let member = members[index]
            guard index != exitMember, memberNeedsGradient[index] else { return nil }
            for (position, operand) in member.operands.enumerated() {
                guard case .external(let source) = operand, externalNeedsGradient[source], contributions[source] == 1 else { continue }
                if member.rules.passesGradientUnchanged(wrt: position == 0 ? .left : .right) { return source }
            }
            return nil
        }
        exitAppliesSumAndPullbackInOnePass = exit != .tensor && !sumInputFeedsMembers && memberNeedsGradient[exitMember]
            && members[exitMember].second == nil && members[exitMember].rules.appliesSumAndPullbackInOnePass
        let pair = exitAppliesSumAndPullbackInOnePass ? Self.pair(feeding: exitMember, of: members) : nil
        exitPairMember = pair?.member ?? exitMember
        pairKernel = pair?.kernel
        exitPairKernel = pair.map { .passUnretained($0.kernel) }
        steps = .allocate(capacity: members.count)
        for (index, member) in members.enumerated() {
            (steps.baseAddress! + index).initialize(to: Step(
                first: member.first, second: member.second, rules: .passUnretained(member.rules),
                needsGradient: memberNeedsGradient[index], isFirstContribution: isFirstContribution[index],
                forwardsGradient: forwardsGradient[index]))
        }
    }

    deinit { steps.deallocate() }

    /// The member of two tensors that `exit` reads, with their pair's kernel,
    /// when no other member reads its values and the pair is a built-in one.
    private static func pair(feeding exit: Int, of members: [Member]) -> (member: Int, kernel: FusedPairKernel)? {
        guard case .member(let source) = members[exit].first, case .unary(let exitOperation) = members[exit].kernel,
              case .binary(let operation) = members[source].kernel else { return nil }
        let readers = members.indices.filter { members[$0].operands.contains(.member(source)) }
        guard readers == [exit], let kernel = FusedPairKernel.make(binary: operation, exit: exitOperation) else { return nil }
        return (source, kernel)
    }
}

extension FusedRegion {
    /// What one run of the region computes: only the value, the value and
    /// the gradients (when the result's gradient is known before the value,
    /// as for the final sum), or the gradients of a region whose value was
    /// computed earlier (its values are recomputed piece by piece).
    struct Pass {
        var computesValue: Bool
        var computesGradient: Bool
    }

    /// Runs the region on the values in `table` on up to `threads` threads:
    /// stores its value (when the pass computes it) in its output slot and,
    /// when the pass computes gradients, starting from `exitGradient` (the
    /// gradient of the sum, one element, or of the tensor exit), the gradient
    /// of each external input that needs one, with what it had already
    /// received from ops recorded after the region's added in first.
    func run(_ table: SlotTable, pass: Pass, exitGradient: TensorValue<Double>?, threads: Int) {
        let externalCount = externals.count
        let tensorOutput = pass.computesValue && exit == .tensor ? TensorValue<Double>.uninitialized(table.values[externals[0]]!.shape) : nil
        withUnsafeTemporaryAllocation(of: TensorValue<Double>?.self, capacity: externalCount) { fresh in
            withUnsafeTemporaryAllocation(of: ExternalAddresses.self, capacity: externalCount) { addresses in
                for index in 0..<externalCount {
                    let slot = externals[index]
                    let gradient = pass.computesGradient && externalNeedsGradient[index]
                        ? TensorValue<Double>.uninitialized(table.values[slot]!.shape) : nil
                    (fresh.baseAddress! + index).initialize(to: gradient)
                    (addresses.baseAddress! + index).initialize(to: ExternalAddresses(
                        input: table.values[slot]!.unsafeBaseAddress, gradient: gradient?.unsafeMutableBaseAddress,
                        existing: pass.computesGradient ? table.gradients[slot]?.unsafeBaseAddress : nil))
                }
                let total = withExtendedLifetime(exitGradient) {
                    run(
                        UnsafePointer(addresses.baseAddress!), pass: pass, exitGradient: exitGradient,
                        tensorOutput: tensorOutput?.unsafeMutableBaseAddress, threads: threads)
                }
                for index in 0..<externalCount {
                    if let gradient = (fresh.baseAddress! + index).move() { table.gradients[externals[index]] = gradient }
                }
                if pass.computesValue {
                    table.values[outputSlot] = exit == .tensor ? tensorOutput : TensorValue(scalar: total)
                }
            }
        }
    }

    /// Where an external input's values are, and its gradient: the one
    /// being written, and the one it had before (added to first), if any.
    struct ExternalAddresses {
        let input: UnsafePointer<Double>
        let gradient: UnsafeMutablePointer<Double>?
        let existing: UnsafePointer<Double>?
    }

    /// Runs the region on the externals at `addresses` (one per external,
    /// in order; a gradient address for each whose gradient the pass
    /// computes), writing a tensor exit's values at `tensorOutput`, and
    /// returns the sum (or mean) of a sum exit. `exitGradient` is the
    /// gradient of the sum (one element) or of the tensor exit.
    func run(
        _ addresses: UnsafePointer<ExternalAddresses>, pass: Pass, exitGradient: TensorValue<Double>?,
        tensorOutput: UnsafeMutablePointer<Double>?, threads: Int
    ) -> Double {
        guard let exitGradient else {
            return run(addresses, pass: pass, sumSeed: 0, exitGradient: nil, tensorOutput: tensorOutput, threads: threads)
        }
        return withExtendedLifetime(exitGradient) {
            switch exit {
            case .sum:
                run(addresses, pass: pass, sumSeed: exitGradient[flat: 0], exitGradient: nil,
                    tensorOutput: tensorOutput, threads: threads)
            case .tensor:
                run(addresses, pass: pass, sumSeed: 0, exitGradient: exitGradient.unsafeBaseAddress,
                    tensorOutput: tensorOutput, threads: threads)
            }
        }
    }

    /// ``run(_:pass:exitGradient:tensorOutput:threads:)`` given the exit's
    /// gradient as `sumSeed`, the gradient of a sum exit (one value), or
    /// at `exitGradient`, a tensor exit's (which the caller keeps alive).
    func run(
        _ addresses: UnsafePointer<ExternalAddresses>, pass: Pass, sumSeed: Double, exitGradient exitGradientBase: UnsafePointer<Double>?,
        tensorOutput: UnsafeMutablePointer<Double>?, threads: Int
    ) -> Double {
        let count = elementCount
        var seed = 0.0
        if case .sum(_, let isMean) = exit { seed = isMean ? sumSeed / Double(count) : sumSeed }
        let blockCount = SummationOrder.blockCount(count)
        let total = withScratch(count: Swift.max(blockCount, 1)) { partials in
            // A pair that is the whole region, run in one pass, writes no
            // piece of values: its pieces may be whole blocks.
            let writesNoPieces = exitPairKernel != nil && steps.count == 2 && pass.computesValue && pass.computesGradient && seed != 0
            let context = PieceContext(
                region: self, externals: addresses, exitGradient: exitGradientBase,
                seed: seed, tensorOutput: tensorOutput, partials: partials, pass: pass,
                stride: Swift.min(writesNoPieces ? SummationOrder.blockSize : Self.chunkSize, Swift.max(count, 1)))
            BlockPartition.run(blockCount: blockCount, threads: threads) { blocks in
                context.run(blocks: blocks)
            }
            return SummationOrder.combine(UnsafeBufferPointer(start: partials, count: blockCount))
        }
        guard case .sum(_, let isMean) = exit else { return 0 }
        return isMean ? total / Double(count) : total
    }
}

/// Everything the threads of one region's run share: read-only addresses,
/// and outputs that each thread writes in its own blocks.
private struct PieceContext: @unchecked Sendable {
    /// The region, which the caller of the run keeps alive.
    unowned(unsafe) let region: FusedRegion
    let externals: UnsafePointer<FusedRegion.ExternalAddresses>
    let exitGradient: UnsafePointer<Double>?
    let seed: Double
    let tensorOutput: UnsafeMutablePointer<Double>?
    let partials: UnsafeMutablePointer<Double>
    let pass: FusedRegion.Pass

    /// Elements per piece: ``FusedRegion/chunkSize`` (a whole block when no
    /// piece of values is written), or fewer for a small region.
    let stride: Int

    /// Runs the summation blocks `blocks`, piece by piece, with scratch
    /// memory of this thread's own: every member's values and gradients for
    /// one piece, one piece for a contribution that adds to a gradient, and
    /// one of the sum's seed.
    func run(blocks: Range<Int>) {
        let stride = stride
        let memberCount = region.steps.count
        withScratch(count: (2 * memberCount + 2) * stride) { scratch in
            let values = scratch, memberGradients = scratch + memberCount * stride
            let contribution = scratch + 2 * memberCount * stride
            let seedPiece = contribution + stride
            seedPiece.initialize(repeating: seed, count: stride)
            let count = region.elementCount
            let exitInOnePass = pass.computesValue && pass.computesGradient && seed != 0
                && region.exitAppliesSumAndPullbackInOnePass
            for block in blocks {
                var sum = BlockAccumulator()
                let blockEnd = Swift.min((block + 1) * SummationOrder.blockSize, count)
                var offset = block * SummationOrder.blockSize
                while offset < blockEnd {
                    let length = Swift.min(stride, blockEnd - offset)
                    forward(offset: offset, length: length, values: values, skippingExit: exitInOnePass)
                    if pass.computesValue && !exitInOnePass {
                        switch region.exit {
                        case .sum(let member, _): sum.add(values + member * stride, count: length)
                        case .tensor:
                            (tensorOutput! + offset).update(from: values + (memberCount - 1) * stride, count: length)
                        }
                    }
                    if pass.computesGradient {
                        reverse(
                            offset: offset, length: length, values: values, memberGradients: memberGradients,
                            contribution: contribution, seedPiece: seedPiece, summingExit: exitInOnePass, into: &sum)
                    }
                    offset += length
                }
                if pass.computesValue { partials[block] = sum.total }
            }
        }
    }

    /// The address of an operand's elements in the current piece.
    private func address(of operand: FusedRegion.Operand, offset: Int, values: UnsafeMutablePointer<Double>) -> UnsafePointer<Double> {
        switch operand {
        case .external(let index): externals[index].input + offset
        case .member(let index): UnsafePointer(values + index * stride)
        }
    }

    /// Every member's value on one piece, in recording order (but the exit
    /// member's, and its pair's, when its reverse step computes them).
    private func forward(offset: Int, length: Int, values: UnsafeMutablePointer<Double>, skippingExit: Bool) {
        let steps = region.steps
        let skipped = skippingExit ? (region.exitMember, region.exitPairMember) : (-1, -1)
        for index in steps.indices where index != skipped.0 && index != skipped.1 {
            let step = steps[index]
            let first = address(of: step.first, offset: offset, values: values)
            let second = step.second.map { address(of: $0, offset: offset, values: values) }
            step.withRules { $0.apply(first, second, into: values + index * stride, count: length) }
        }
    }

    /// The reverse pass on one piece: members in reverse recording order,
    /// each operand's contribution added to what that operand had, as the
    /// tape adds them. When `summingExit`, the exit member's values were not
    /// computed: its step adds them into `exitSum` as it runs its rule.
    private func reverse(
        offset: Int, length: Int, values: UnsafeMutablePointer<Double>, memberGradients: UnsafeMutablePointer<Double>,
        contribution: UnsafeMutablePointer<Double>, seedPiece: UnsafeMutablePointer<Double>,
        summingExit: Bool, into exitSum: inout BlockAccumulator
    ) {
        let stride = stride
        let steps = region.steps
        // The exit's gradient comes first: the reduction or the later ops
        // were recorded after every member. It is read in place (the seed
        // piece, the exit's gradient) unless other members add to it; a
        // sum's seed is one value, which built-in ops read as such.
        let exitMember = region.exitMember
        var exitSeed = exitGradient.map { $0 + offset }
        var exitSeedIsUniform = false
        if region.exit != .tensor {
            exitSeed = UnsafePointer(seedPiece)
            exitSeedIsUniform = true
            if region.sumInputFeedsMembers {
                (memberGradients + exitMember * stride).update(from: seedPiece, count: length)
                exitSeed = nil
                exitSeedIsUniform = false
            }
        }
        // Where each member's gradient is: its scratch piece, or the
        // external input's gradient that it is handed to unchanged.
        func gradient(of member: Int) -> UnsafeMutablePointer<Double> {
            if let source = steps[member].forwardsGradient, externals[source].existing == nil {
                return externals[source].gradient! + offset
            }
            return memberGradients + member * stride
        }
        for index in steps.indices.reversed() where steps[index].needsGradient {
            let step = steps[index]
            let seed = index == exitMember ? exitSeed ?? UnsafePointer(gradient(of: index)) : UnsafePointer(gradient(of: index))
            let forwardedTo = step.forwardsGradient.flatMap { externals[$0].existing == nil ? $0 : nil }
            let output = UnsafePointer(values + index * stride)
            let x = address(of: step.first, offset: offset, values: values)
            let y = step.second.map { address(of: $0, offset: offset, values: values) }
            for position in 0..<(step.second == nil ? 1 : 2) {
                let operand = position == 0 ? step.first : step.second!
                // Where this contribution goes, and what it adds to (nothing
                // for the first contribution to an operand without a gradient).
                let target: UnsafeMutablePointer<Double>
                let base: UnsafePointer<Double>?
                let isFirst = position == 0 ? step.isFirstContribution.first : step.isFirstContribution.second
                switch operand {
                case .member(let source):
                    guard steps[source].needsGradient else { continue }
                    target = gradient(of: source)
                    base = isFirst ? nil : UnsafePointer(target)
                case .external(let source):
                    // Already there: the member's gradient was written in place.
                    if source == forwardedTo { continue }
                    guard let gradient = externals[source].gradient else { continue }
                    target = gradient + offset
                    base = isFirst ? externals[source].existing.map { $0 + offset } : UnsafePointer(target)
                }
                let destination = base == nil ? target : contribution
                let wrt: BinaryOperand = position == 0 ? .left : .right
                step.withRules { rules in
                    if index == exitMember, summingExit {
                        if let pair = region.exitPairKernel {
                            let operands = steps[region.exitPairMember]
                            let (x, y) = (address(of: operands.first, offset: offset, values: values),
                                          address(of: operands.second!, offset: offset, values: values))
                            pair._withUnsafeGuaranteedRef {
                                $0.run(seed: self.seed, x: x, y: y, sum: &exitSum, into: destination, count: length)
                            }
                        } else {
                            rules.applySumAndPullback(uniformSeed: self.seed, x: x, sum: &exitSum, into: destination, count: length)
                        }
                        return
                    }
                    let usedUniformRule = index == exitMember && exitSeedIsUniform && rules.pullback(
                        uniformSeed: self.seed, x: x, y: y, output: output, wrt: wrt, into: destination, count: length)
                    if !usedUniformRule {
                        rules.pullback(seed, x: x, y: y, output: output, wrt: wrt, into: destination, count: length)
                    }
                }
                if let base {
                    for i in 0..<length { target[i] = base[i] + contribution[i] }
                }
            }
        }
    }
}
