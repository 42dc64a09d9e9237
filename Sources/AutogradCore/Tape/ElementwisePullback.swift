/// The eager tape's reverse rule for an element-wise op (one tensor, or two
/// of one shape), run by the op's block rule (``FusibleUnaryOperation``,
/// ``FusibleBinaryOperation``) on pieces of ``pieceSize`` elements: a
/// uniform gradient (a sum's) is read from one piece of copies, or not read
/// at all by a built-in op's ``UniformSeedUnaryPullback`` rule, and each
/// result is written where the pass may write, the gradient's own buffer or
/// a saved value that the pass frees and no one else holds, before it
/// allocates.
///
/// Each piece of every result is computed into scratch before any is copied
/// out, so a result may share memory with the gradient or with the values the
/// rules read; a ``UniformSeedUnaryPullback`` rule, which reads each element
/// before writing it, writes straight into the result. The bits are the
/// tensor rules': the block rules compute the same formulas, element by element.
enum ElementwisePullback {
    /// The elements per piece: the gradient, input, output and result pieces
    /// stay in the first-level cache.
    static let pieceSize = 512

    /// The input's gradient for a one-tensor `operation` whose output has
    /// `shape`, given its output's `gradient` and the values the graph kept
    /// (a value not kept is replaced by the other, as for the tensor rule).
    /// When `consumingSavedValues` (the node is freed after this rule), the
    /// saved values may be overwritten.
    static func run<Operation: FusibleUnaryOperation>(
        _ operation: Operation, gradient: inout PendingGradient,
        input: inout TensorValue<Double>?, output: inout TensorValue<Double>?,
        shape: Shape, consumingSavedValues: Bool
    ) -> TensorValue<Double> {
        var seed = Seed(taking: &gradient)
        var buffers = Buffers(seed: &seed.values)
        if consumingSavedValues {
            buffers.offer(&input)
            buffers.offer(&output)
        }
        let x = input ?? output!, y = output ?? input!
        let result = buffers.take(shape)
        if seed.values == nil, let uniformRule = operation as? any UniformSeedUnaryPullback {
            // These rules compute each element from the same element of x
            // and y in one loop: they may write over what they read, in
            // one call, with no scratch to copy out.
            withExtendedLifetime((x, y, result)) {
                uniformRule.pullback(
                    uniformSeed: seed.uniform, x: x.unsafeBaseAddress, output: y.unsafeBaseAddress,
                    into: result.unsafeMutableBaseAddress, count: shape.elementCount)
            }
            return result
        }
        withExtendedLifetime((x, y)) {
            run(count: shape.elementCount, seed: seed, results: [result]) { seedPiece, start, results, count in
                operation.pullback(
                    seedPiece, x: x.unsafeBaseAddress + start, output: y.unsafeBaseAddress + start,
                    into: results[0], count: count)
            }
        }
        return result
    }

    /// The input's gradient for a built-in one-tensor op under a uniform
    /// `seed` (a sum's), whose input's values are deferred: each piece of
    /// them is computed as the rule reads it, so that `(p − r).pow(2).sum()`
    /// reads `p` and `r` and writes the gradient in one pass. (The graph
    /// keeps no output for such an op: its rule reads the input in its
    /// place, as ``OperationNode/savedValuesForRule`` gives it.)
    static func run(
        _ rule: some UniformSeedUnaryPullback, uniformSeed seed: Double,
        deferredInput: any DeferredElementwiseValues, shape: Shape
    ) -> TensorValue<Double> {
        let result = TensorValue<Double>.uninitialized(shape)
        let destination = result.unsafeMutableBaseAddress
        deferredInput.withPieces { piece in
            ElementwiseDeferral.forEachPiece(count: shape.elementCount) { start, length, scratch in
                let x = piece(start, length, scratch)
                rule.pullback(uniformSeed: seed, x: x, output: x, into: destination + start, count: length)
            }
        }
        return result
    }

    /// The gradients of a two-tensor `operation` whose operands and output
    /// have `shape`, for the operands in `needs` (`nil` for the others),
    /// given its output's `gradient` and the three values the graph kept.
    static func run<Operation: FusibleBinaryOperation>(
        _ operation: Operation, gradient: inout PendingGradient,
        left: inout TensorValue<Double>?, right: inout TensorValue<Double>?, output: inout TensorValue<Double>?,
        needs: (left: Bool, right: Bool), shape: Shape, consumingSavedValues: Bool
    ) -> (left: TensorValue<Double>?, right: TensorValue<Double>?) {
        var seed = Seed(taking: &gradient)
        var buffers = Buffers(seed: &seed.values)
        if consumingSavedValues {
            buffers.offer(&left)
            buffers.offer(&right)
            buffers.offer(&output)
        }
        let x = left!, y = right!, z = output!
        let leftResult = needs.left ? buffers.take(shape) : nil
        let rightResult = needs.right ? buffers.take(shape) : nil
        let operands = [(BinaryOperand.left, leftResult), (.right, rightResult)].compactMap { operand, result in
            result.map { (operand, $0) }
        }
        let uniformRule = seed.values == nil ? operation as? any UniformSeedBinaryPullback : nil
        withExtendedLifetime((x, y, z)) {
            run(count: shape.elementCount, seed: seed, results: operands.map(\.1)) { seedPiece, start, results, count in
                for (index, (operand, _)) in operands.enumerated() {
                    if let uniformRule {
                        uniformRule.pullback(
                            uniformSeed: seed.uniform, x: x.unsafeBaseAddress + start, y: y.unsafeBaseAddress + start,
                            output: z.unsafeBaseAddress + start, wrt: operand, into: results[index], count: count)
                    } else {
                        operation.pullback(
                            seedPiece, x: x.unsafeBaseAddress + start, y: y.unsafeBaseAddress + start,
                            output: z.unsafeBaseAddress + start, wrt: operand, into: results[index], count: count)
                    }
                }
            }
        }
        return (leftResult, rightResult)
    }

    /// The output's gradient, taken out of the pending one: its values, or
    /// the one value of every element.
    private struct Seed {
        var values: TensorValue<Double>?
        var uniform = 0.0

        init(taking gradient: inout PendingGradient) {
            switch gradient {
            case .values(let values): self.values = values
            case .uniform(let value): uniform = value
            }
            gradient = .uniform(0)
        }
    }

    /// Buffers the results may be written into, in the order offered: each
    /// one that no one else holds, then new ones.
    private struct Buffers {
        var free: [TensorValue<Double>] = []

        init(seed: inout TensorValue<Double>?) { offer(&seed) }

        mutating func offer(_ value: inout TensorValue<Double>?) {
            if value?.isUniquelyReferenced() == true { free.append(value!) }
        }

        mutating func take(_ shape: Shape) -> TensorValue<Double> {
            free.isEmpty ? .uninitialized(shape) : free.removeFirst()
        }
    }

    /// Runs `rules` on each piece of `count` elements: it gets the seed's
    /// piece, the piece's start, and scratch for each result's piece, which
    /// is then copied into `results`. (The values the rules read through
    /// their addresses are kept alive by the caller.)
    private static func run(
        count: Int, seed: Seed, results: [TensorValue<Double>],
        _ rules: (UnsafePointer<Double>, Int, [UnsafeMutablePointer<Double>], Int) -> Void
    ) {
        let destinations = results.map(\.unsafeMutableBaseAddress)
        withExtendedLifetime((seed, results)) {
            withScratch(count: (1 + results.count) * pieceSize) { scratch in
                let uniformPiece = scratch
                let resultPieces = results.indices.map { scratch + (1 + $0) * pieceSize }
                if seed.values == nil { uniformPiece.initialize(repeating: seed.uniform, count: min(pieceSize, count)) }
                for start in stride(from: 0, to: count, by: pieceSize) {
                    let length = min(pieceSize, count - start)
                    let seedPiece = seed.values.map { $0.unsafeBaseAddress + start } ?? UnsafePointer(uniformPiece)
                    rules(seedPiece, start, resultPieces, length)
                    for (destination, piece) in zip(destinations, resultPieces) {
                        (destination + start).update(from: piece, count: length)
                    }
                }
            }
        }
    }
}
