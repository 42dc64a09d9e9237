/// A chain of element-wise ops over tensors of one shape, and the reduction
/// that may end it, run by a compiled plan piece by piece: each piece of
/// ``chunkSize`` elements goes through every op forward and back while it is
/// in the processor's cache, so each input is read once, each gradient
/// written once, and intermediate values never reach memory.
///
/// The per-element formulas are the ops' own (``FusibleUnaryOperation``,
/// ``FusibleBinaryOperation``), the sum is ``SummationOrder``'s, and each
/// gradient adds its contributions in the tape's order, so the results are
/// the eager tape's, bit for bit.
struct FusedRegion: Sendable {
    /// One element-wise op of the region.
    struct Member: Sendable {
        enum Kernel: Sendable {
            case unary(any FusibleUnaryOperation)
            case binary(any FusibleBinaryOperation)
        }
        let kernel: Kernel
        /// Where each operand comes from.
        let operands: [Operand]
        /// The plan's slot for this op's output.
        let slot: Int
    }

    /// An operand: an input of the region (a slot of the plan, read from
    /// memory) or another member's value in the current piece.
    enum Operand: Sendable, Equatable {
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

    /// The gradients a region's reverse pass starts from and adds to.
    struct GradientRequest {
        /// The gradient of the sum (one element) or of the tensor exit.
        let exitGradient: TensorValue<Double>
        /// For each external input, whether its gradient is wanted.
        let wanted: [Bool]
        /// For each external input, the gradient it has already received
        /// from ops recorded after the region's (added to first).
        let existing: [TensorValue<Double>?]
        /// For each member, whether its gradient is needed.
        let memberNeedsGradient: [Bool]
    }

    /// Runs the region over `inputs` (one value per external, in order) on
    /// `threads` threads: returns its value (when asked) and the gradient
    /// of each wanted external, with what it already had added in.
    func run(
        inputs: [TensorValue<Double>], pass: Pass, gradient request: GradientRequest?, threads: Int
    ) -> (value: TensorValue<Double>?, gradients: [TensorValue<Double>?]) {
        let count = elementCount
        let inputBases = inputs.map { $0.unsafeBaseAddress }
        let tensorOutput = pass.computesValue && exit == .tensor ? TensorValue<Double>.uninitialized(inputs[0].shape) : nil
        let gradients: [TensorValue<Double>?] = externals.indices.map { index in
            guard let request, request.wanted[index] else { return nil }
            return TensorValue<Double>.uninitialized(inputs[index].shape)
        }
        let gradientBases = gradients.map { $0?.unsafeMutableBaseAddress }
        let existingBases = request?.existing.map { $0?.unsafeBaseAddress } ?? []
        let blockCount = SummationOrder.blockCount(count)
        let partials = UnsafeMutableBufferPointer<Double>.allocate(capacity: Swift.max(blockCount, 1))
        defer { partials.deallocate() }
        let seed: Double
        var exitGradientBase: UnsafePointer<Double>?
        switch (exit, request) {
        case (.sum(_, let isMean), let request?):
            let g = request.exitGradient[flat: 0]
            seed = isMean ? g / Double(count) : g
        case (.tensor, let request?):
            seed = 0
            exitGradientBase = request.exitGradient.unsafeBaseAddress
        default:
            seed = 0
        }
        let context = PieceContext(
            region: self, inputs: inputBases, gradients: gradientBases, existing: existingBases,
            exitGradient: exitGradientBase, seed: seed, tensorOutput: tensorOutput?.unsafeMutableBaseAddress,
            partials: partials.baseAddress!, pass: pass, memberNeedsGradient: request?.memberNeedsGradient ?? []
        )
        BlockPartition.run(blockCount: blockCount, threads: threads) { blocks in
            context.run(blocks: blocks)
        }
        withExtendedLifetime((inputs, request)) {}
        var value: TensorValue<Double>?
        if pass.computesValue {
            switch exit {
            case .sum(_, let isMean):
                let total = SummationOrder.combine(UnsafeBufferPointer(start: partials.baseAddress, count: blockCount))
                value = TensorValue(scalar: isMean ? total / Double(count) : total)
            case .tensor:
                value = tensorOutput
            }
        }
        return (value, gradients)
    }
}

/// Everything the threads of one region's run share: read-only addresses,
/// and outputs that each thread writes in its own blocks.
private struct PieceContext: @unchecked Sendable {
    let region: FusedRegion
    let inputs: [UnsafePointer<Double>]
    let gradients: [UnsafeMutablePointer<Double>?]
    let existing: [UnsafePointer<Double>?]
    let exitGradient: UnsafePointer<Double>?
    let seed: Double
    let tensorOutput: UnsafeMutablePointer<Double>?
    let partials: UnsafeMutablePointer<Double>
    let pass: FusedRegion.Pass
    let memberNeedsGradient: [Bool]

    /// Runs the summation blocks `blocks`, piece by piece, with scratch
    /// memory of this thread's own.
    func run(blocks: Range<Int>) {
        let chunk = FusedRegion.chunkSize
        let memberCount = region.members.count
        // Values and gradients of every member for one piece, and one piece
        // of scratch for a contribution that adds to a gradient.
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: (2 * memberCount + 2) * chunk)
        defer { scratch.deallocate() }
        let values = scratch, memberGradients = scratch + memberCount * chunk
        let contribution = scratch + 2 * memberCount * chunk
        let seedPiece = contribution + chunk
        seedPiece.initialize(repeating: seed, count: chunk)
        var hasGradient = [Bool](repeating: false, count: memberCount)
        var externalHasGradient = [Bool](repeating: false, count: region.externals.count)
        let count = region.elementCount
        for block in blocks {
            var sum = BlockAccumulator()
            let blockEnd = Swift.min((block + 1) * SummationOrder.blockSize, count)
            var offset = block * SummationOrder.blockSize
            while offset < blockEnd {
                let length = Swift.min(chunk, blockEnd - offset)
                forward(offset: offset, length: length, values: values)
                if pass.computesValue {
                    switch region.exit {
                    case .sum(let member, _): sum.add(values + member * chunk, count: length)
                    case .tensor:
                        (tensorOutput! + offset).update(from: values + (memberCount - 1) * chunk, count: length)
                    }
                }
                if pass.computesGradient {
                    reverse(
                        offset: offset, length: length, values: values, memberGradients: memberGradients,
                        contribution: contribution, seedPiece: seedPiece,
                        hasGradient: &hasGradient, externalHasGradient: &externalHasGradient
                    )
                }
                offset += length
            }
            if pass.computesValue { partials[block] = sum.total }
        }
    }

    /// The address of an operand's elements in the current piece.
    private func address(of operand: FusedRegion.Operand, offset: Int, values: UnsafeMutablePointer<Double>) -> UnsafePointer<Double> {
        switch operand {
        case .external(let index): inputs[index] + offset
        case .member(let index): UnsafePointer(values + index * FusedRegion.chunkSize)
        }
    }

    /// Every member's value on one piece, in recording order.
    private func forward(offset: Int, length: Int, values: UnsafeMutablePointer<Double>) {
        for (index, member) in region.members.enumerated() {
            let output = values + index * FusedRegion.chunkSize
            switch member.kernel {
            case .unary(let operation):
                operation.apply(address(of: member.operands[0], offset: offset, values: values), into: output, count: length)
            case .binary(let operation):
                operation.apply(
                    address(of: member.operands[0], offset: offset, values: values),
                    address(of: member.operands[1], offset: offset, values: values), into: output, count: length)
            }
        }
    }

    /// The reverse pass on one piece: members in reverse recording order,
    /// each operand's contribution added to what that operand had, as the
    /// tape adds them.
    private func reverse(
        offset: Int, length: Int, values: UnsafeMutablePointer<Double>, memberGradients: UnsafeMutablePointer<Double>,
        contribution: UnsafeMutablePointer<Double>, seedPiece: UnsafeMutablePointer<Double>,
        hasGradient: inout [Bool], externalHasGradient: inout [Bool]
    ) {
        let chunk = FusedRegion.chunkSize
        for index in hasGradient.indices { hasGradient[index] = false }
        for index in externalHasGradient.indices { externalHasGradient[index] = false }
        // The exit's gradient comes first: the reduction or the later ops
        // were recorded after every member.
        switch region.exit {
        case .sum(let member, _):
            (memberGradients + member * chunk).update(from: seedPiece, count: length)
            hasGradient[member] = true
        case .tensor:
            let last = region.members.count - 1
            (memberGradients + last * chunk).update(from: exitGradient! + offset, count: length)
            hasGradient[last] = true
        }
        for index in region.members.indices.reversed() where hasGradient[index] && memberNeedsGradient[index] {
            let member = region.members[index]
            let seed = UnsafePointer(memberGradients + index * chunk)
            let output = UnsafePointer(values + index * chunk)
            for (position, operand) in member.operands.enumerated() {
                // Where this contribution goes, and whether it is the first there.
                let target: UnsafeMutablePointer<Double>
                var base: UnsafePointer<Double>?
                switch operand {
                case .member(let source):
                    guard memberNeedsGradient[source] else { continue }
                    target = memberGradients + source * chunk
                    if !hasGradient[source] { hasGradient[source] = true; base = nil } else { base = UnsafePointer(target) }
                case .external(let source):
                    guard let gradient = gradients[source] else { continue }
                    target = gradient + offset
                    if !externalHasGradient[source] {
                        externalHasGradient[source] = true
                        base = existing[source].map { $0 + offset }
                    } else {
                        base = UnsafePointer(target)
                    }
                }
                let destination = base == nil ? target : contribution
                switch member.kernel {
                case .unary(let operation):
                    operation.pullback(
                        seed, x: address(of: operand, offset: offset, values: values), output: output,
                        into: destination, count: length)
                case .binary(let operation):
                    operation.pullback(
                        seed, x: address(of: member.operands[0], offset: offset, values: values),
                        y: address(of: member.operands[1], offset: offset, values: values), output: output,
                        wrt: position == 0 ? .left : .right, into: destination, count: length)
                }
                if let base {
                    for i in 0..<length { target[i] = base[i] + contribution[i] }
                }
            }
        }
    }
}
