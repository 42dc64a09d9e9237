/// The eager tape's reverse rule for an element-wise op of one tensor, run
/// by the op's block rule (``FusibleUnaryOperation``) on pieces of
/// ``pieceSize`` elements: a uniform gradient (a sum's) is read from one
/// piece of copies, and the result is written where the pass may write,
/// the gradient's own buffer or a saved value that the pass frees and no one
/// else holds, before it allocates.
///
/// Each piece is computed into scratch and then copied out, so the result
/// may share memory with the gradient or the values the rule reads. The
/// bits are the tensor rule's: the block rule computes the same formula,
/// element by element.
enum ElementwisePullback {
    /// The elements per piece: the gradient, input, output and result pieces
    /// stay in the first-level cache.
    static let pieceSize = 512

    /// The input's gradient for `operation`, whose output has `shape`, given
    /// its output's `gradient` and the values the graph kept (a value not
    /// kept is replaced by the other, as for the tensor rule). When
    /// `consumingSavedValues` (the node is freed after this rule), the saved
    /// values may be taken and overwritten.
    static func run<Operation: FusibleUnaryOperation>(
        _ operation: Operation, gradient: inout PendingGradient,
        input: inout TensorValue<Double>?, output: inout TensorValue<Double>?,
        shape: Shape, consumingSavedValues: Bool
    ) -> TensorValue<Double> {
        var seedValues: TensorValue<Double>?
        var uniformSeed = 0.0
        switch gradient {
        case .values(let values): seedValues = values
        case .uniform(let value): uniformSeed = value
        }
        gradient = .uniform(0)
        // The buffer to write into: the first that no one else holds.
        var result: TensorValue<Double>
        if seedValues?.isUniquelyReferenced() == true {
            result = seedValues!
        } else if consumingSavedValues, input?.isUniquelyReferenced() == true {
            result = input!
        } else if consumingSavedValues, output?.isUniquelyReferenced() == true {
            result = output!
        } else {
            result = .uninitialized(shape)
        }
        let x = input ?? output!, y = output ?? input!
        let count = shape.elementCount
        let destination = result.unsafeMutableBaseAddress
        withExtendedLifetime((x, y, seedValues)) {
            withScratch(count: 2 * pieceSize) { scratch in
                let seedPiece = scratch, resultPiece = scratch + pieceSize
                if seedValues == nil { seedPiece.initialize(repeating: uniformSeed, count: min(pieceSize, count)) }
                for start in stride(from: 0, to: count, by: pieceSize) {
                    let length = min(pieceSize, count - start)
                    let seed = seedValues.map { $0.unsafeBaseAddress + start } ?? UnsafePointer(seedPiece)
                    operation.pullback(
                        seed, x: x.unsafeBaseAddress + start, output: y.unsafeBaseAddress + start,
                        into: resultPiece, count: length)
                    (destination + start).update(from: resultPiece, count: length)
                }
            }
        }
        return result
    }
}
