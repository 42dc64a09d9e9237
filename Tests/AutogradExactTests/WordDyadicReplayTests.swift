import AutogradCore
@testable import AutogradExact
import Testing

/// The exact strategy's fast path: graphs of field ops replayed over dyadic
/// rationals in machine words, falling back to GMP rationals where the words
/// cannot tell. Its results must be the rational replay's, exactly.
@Suite struct WordDyadicReplayTests {
    /// A random graph of field ops over two vectors of 4: `+ − × ÷`, integer
    /// powers, scalar ops, sums, means, a matrix product and reshapes. The
    /// divisors are x² + 2ᵏ, whose values are rarely dyadic, so some graphs
    /// must fall back.
    struct FieldGraphBuilder {
        var generator: SeededGenerator

        mutating func pick(_ count: Int) -> Int { Int(generator.next() % UInt64(count)) }

        mutating func expression(_ inputs: [Tensor], depth: Int) -> Tensor {
            if depth == 0 || pick(5) == 0 { return inputs[pick(inputs.count)] }
            let x = expression(inputs, depth: depth - 1)
            switch pick(12) {
            case 0: return x + expression(inputs, depth: depth - 1)
            case 1: return x - expression(inputs, depth: depth - 1)
            case 2: return x * expression(inputs, depth: depth - 1)
            case 3:
                let y = expression(inputs, depth: depth - 1)
                return x / (y * y + Double(1 << pick(3)))
            case 4: return x.pow(2 + pick(3))
            case 5: return x * 0.375 - 3
            case 6: return 1.5 - (-x) / -8
            case 7: return x.mean() + x
            case 8: return x.sum() * x
            case 9: return x.reshape(2, 2).transpose().reshape(4)
            case 10: return x.reshape(2, 2).matmul(expression(inputs, depth: depth - 1).reshape(2, 2)).reshape(4)
            default: return x.reshape(2, 2).sum(dim: 0).reshape(1, 2).matmul(Tensor([1, 0.5, -2, 4], shape: [2, 2])).reshape(2).sum() + x
            }
        }
    }

    /// Values of either sign whose binary exponents spread over ±`spread`:
    /// with a wide spread, sums of them outgrow the words.
    static func input(_ generator: inout SeededGenerator, spread: Double) -> Tensor {
        Tensor((0..<4).map { _ in
            let magnitude = Double.pow(2, (generator.nextUnit() * 2 - 1) * spread)
            return generator.nextUnit() < 0.5 ? -magnitude : magnitude
        }, shape: [4], requiresGrad: true)
    }

    /// On random graphs, with inputs near 1 and with exponents spread over
    /// ±60 bits: the replay in words, where it answers, gives the rational
    /// replay's gradients (`auditing: true` always replays in rationals).
    @Test(arguments: [(0 as UInt64, 2.0), (1, 2.0), (2, 60.0), (3, 60.0)])
    func wordsGiveTheRationalReplaysGradients(seed: UInt64, spread: Double) throws {
        var builder = FieldGraphBuilder(generator: SeededGenerator(seed: seed))
        var answered = 0, fellBack = 0
        for _ in 0..<40 {
            let inputs = [Self.input(&builder.generator, spread: spread), Self.input(&builder.generator, spread: spread)]
            let loss = builder.expression(inputs, depth: 4).sum()
            guard loss.requiresGrad else { continue }
            let inWords = ExactMode().wordDyadicGradients(RecordedGraph(loss), inputs)
            if inWords == nil { fellBack += 1 } else { answered += 1 }
            let fast = try ExactMode().gradient(of: loss, withRespectTo: inputs)
            let rational = try ExactMode().gradient(of: loss, withRespectTo: inputs, auditing: true)
            guard case .rational(let expected) = rational.values, case .rational(let got) = fast.values else {
                Issue.record("expected rationals")
                continue
            }
            #expect(got.map(\.scalars) == expected.map(\.scalars))
            #expect(fast.tensors.map(\.scalars) == rational.tensors.map(\.scalars))
            #expect(fast.isExact && fast.ruleFindings.isEmpty && rational.ruleFindings.isEmpty)
            if let inWords { #expect(inWords.gradients.map(\.scalars) == expected.map(\.scalars)) }
        }
        // Both paths are exercised: most graphs stay in words, divisions by
        // odd numbers and wide spreads fall back.
        #expect(answered >= 10 && fellBack >= 3, "answered \(answered), fell back \(fellBack)")
    }

    /// A random element-wise graph of `x`, `y` and a constant `c`, summed or
    /// averaged: the replay goes element by element (``ElementwiseSumReplay``),
    /// and gives the rational replay's gradients, for a mean over a power of
    /// two (1/n in words) and over 6 elements (1/6 in GMP).
    @Test(arguments: [(10 as UInt64, 8), (11, 6), (12, 8), (13, 6)])
    func elementwiseLossesGiveTheRationalReplaysGradients(seed: UInt64, count: Int) throws {
        var generator = SeededGenerator(seed: seed)
        func leaf(_ requiresGrad: Bool) -> Tensor {
            // Few significant bits, so that most graphs stay in words.
            Tensor((0..<count).map { _ in Double(Int(generator.next() % 64) - 32) / 8 }, shape: [count], requiresGrad: requiresGrad)
        }
        func expression(_ inputs: [Tensor], depth: Int) -> Tensor {
            if depth == 0 || generator.next() % 5 == 0 { return inputs[Int(generator.next() % 3)] }
            let x = expression(inputs, depth: depth - 1)
            switch generator.next() % 8 {
            case 0: return x + expression(inputs, depth: depth - 1)
            case 1: return x - expression(inputs, depth: depth - 1)
            case 2: return x * expression(inputs, depth: depth - 1)
            case 3: let y = expression(inputs, depth: depth - 1); return x / (y * y + 1)
            case 4: return x.pow(2 + Int(generator.next() % 3))
            case 5: return 0.5 - x * 3
            case 6: return -x / 4
            default: return 1 / (x * x + 2)
            }
        }
        var stayedInWords = 0
        for trial in 0..<30 {
            let (x, y, c) = (leaf(true), leaf(true), leaf(false))
            let body = expression([x, y, c], depth: 4)
            let loss = trial % 2 == 0 ? body.sum() : body.mean()
            guard loss.requiresGrad, RecordedGraph(loss).nodes.count > 1 else { continue }
            #expect(ElementwiseSumReplay(RecordedGraph(loss)) != nil)
            if ExactMode().wordDyadicGradients(RecordedGraph(loss), [x, y]) != nil { stayedInWords += 1 }
            for wanted in [[x, y], [y]] {
                let fast = try ExactMode().gradient(of: loss, withRespectTo: wanted)
                let rational = try ExactMode().gradient(of: loss, withRespectTo: wanted, auditing: true)
                guard case .rational(let expected) = rational.values, case .rational(let got) = fast.values else {
                    Issue.record("expected rationals")
                    continue
                }
                #expect(got.map(\.scalars) == expected.map(\.scalars))
                #expect(fast.tensors.map(\.scalars) == rational.tensors.map(\.scalars))
            }
        }
        #expect(stayedInWords >= 5, "\(stayedInWords) graphs stayed in words")
    }

    /// Graphs that are not an element-wise function summed go through the
    /// tensors of the general replay.
    @Test func otherGraphsAreNotReplayedElementByElement() {
        let x = Tensor([1, 2, 3, 4], requiresGrad: true)
        #expect(ElementwiseSumReplay(RecordedGraph((x * Tensor(2.0)).sum())) == nil)          // broadcasts
        #expect(ElementwiseSumReplay(RecordedGraph((x.sum() * x).sum())) == nil)              // a sum inside
        #expect(ElementwiseSumReplay(RecordedGraph(x.reshape(2, 2).sum(dim: 0).sum())) == nil)
        #expect(ElementwiseSumReplay(RecordedGraph((x.relu() * x).sum())) == nil)             // branches
        #expect(ElementwiseSumReplay(RecordedGraph((x * x).sum())) != nil)
    }

    /// The lesson's loss stays in words even where the loss itself outgrows
    /// them (the sum of 10⁴ squares): the gradient never reads it.
    @Test func theLessonStaysInWords() throws {
        var generator = SeededGenerator(seed: 7)
        let real = Tensor.randn([10_000], using: &generator)
        let predicted = Tensor.randn([10_000], requiresGrad: true, using: &generator)
        let loss = (predicted - real).pow(2).sum()
        let inWords = try #require(ExactMode().wordDyadicGradients(RecordedGraph(loss), [predicted]))
        #expect(inWords.rounded[0].scalars == ((predicted - real) * 2).scalars)
    }

    /// Faults found in words are the rational replay's typed errors.
    @Test func faultsAreTheRationalReplaysErrors() throws {
        let x = Tensor([1, 2], requiresGrad: true)
        #expect(throws: ExactError.divisionByZeroInOperation("DivBackward")) {
            try ExactMode().gradient(of: (x / (x - x)).sum(), withRespectTo: [x])
        }
        #expect(ExactMode().wordDyadicGradients(RecordedGraph((x / (x - x)).sum()), [x]) == nil)
        #expect(ExactMode().wordDyadicGradients(RecordedGraph((x * .infinity).sum()), [x]) == nil)
    }

    /// The element-wise replay spread over two threads gives one thread's
    /// results bit for bit, and the rational replay's: for the lesson, for a
    /// mean over a count that is not a power of two (1/n in GMP), and when an
    /// element near the end is not dyadic (the second part alone falls back).
    @Test func twoThreadsGiveOneThreadsGradients() throws {
        let count = 8 * ElementwiseSumReplay.minimumBlocksPerThread * ElementwiseSumReplay.blockSize + 37
        var generator = SeededGenerator(seed: 21)
        let predicted = Tensor.randn([count], requiresGrad: true, using: &generator)
        let real = Tensor.randn([count], using: &generator)
        var divisors = [Double](repeating: 2, count: count)
        divisors[count - 5] = 3                                   // 1/3 is not dyadic
        let divisor = Tensor(divisors, shape: [count])
        let losses: [(String, Tensor, Bool)] = [
            ("lesson", (predicted - real).pow(2).sum(), true),
            ("mean", ((predicted - real).pow(2) * 0.75).mean(), true),
            ("quotient", ((predicted - real) / divisor).pow(2).sum(), false),
        ]
        for (name, loss, staysInWords) in losses {
            let graph = RecordedGraph(loss)
            #expect(ElementwiseSumReplay(graph) != nil, "\(name)")
            #expect((ExactMode(threads: 2).wordDyadicGradients(graph, [predicted]) != nil) == staysInWords, "\(name)")
            let one = try ExactMode(threads: 1).gradient(of: loss, withRespectTo: [predicted])
            let two = try ExactMode(threads: 2).gradient(of: loss, withRespectTo: [predicted])
            let reference = try ExactMode(threads: 2).gradient(of: loss, withRespectTo: [predicted], auditing: true)
            guard case .rational(let oneValues) = one.values, case .rational(let twoValues) = two.values,
                  case .rational(let expected) = reference.values else {
                Issue.record("\(name): expected rationals")
                continue
            }
            #expect(twoValues[0].scalars == oneValues[0].scalars && oneValues[0].scalars == expected[0].scalars, "\(name)")
            #expect(two.tensors[0].scalars.map(\.bitPattern) == one.tensors[0].scalars.map(\.bitPattern), "\(name)")
            #expect(one.tensors[0].scalars == reference.tensors[0].scalars, "\(name)")
        }
    }

    /// A leaf that the loss does not read gets zeros of its own shape, whatever
    /// the loss's shape (found by the operations fuzzer: a scalar leaf beside
    /// a loss over four elements).
    @Test func aLeafTheLossDoesNotReadGetsZerosOfItsShape() throws {
        let x = Tensor([1, 2, 3, 4], requiresGrad: true)
        let unread = Tensor(5.0, requiresGrad: true), matrix = Tensor.ones(2, 3, requiresGrad: true)
        let exact = try ExactMode().gradient(of: (x * x).sum(), withRespectTo: [x, unread, matrix])
        #expect(exact.tensors.map(\.shape) == [[4], [], [2, 3]])
        #expect(exact.tensors[0].scalars == [2, 4, 6, 8])
        #expect(exact.tensors[1].scalars == [0] && exact.tensors[2].scalars == Array(repeating: 0, count: 6))
    }

    /// A division by zero in the second part only, whose unknown a product by
    /// 0 then hides, is still refused on two threads: the part records the
    /// fault itself (the caller's task-local recorder does not reach another
    /// thread), and the rational replay throws the typed error.
    @Test func aFaultInTheSecondPartIsNotLost() throws {
        let count = 4 * ElementwiseSumReplay.minimumBlocksPerThread * ElementwiseSumReplay.blockSize
        let x = Tensor((0..<count).map { Double($0 % 7) - 3 }, shape: [count], requiresGrad: true)
        var divisors = [Double](repeating: 4, count: count)
        divisors[count - 3] = 0
        let loss = ((x / Tensor(divisors, shape: [count])) * 0 + x).sum()
        // Two threads again and again: which thread runs the second part
        // varies from call to call.
        for threads in [1] + Array(repeating: 2, count: 16) {
            do {
                _ = try ExactMode(threads: threads).gradient(of: loss, withRespectTo: [x])
                Issue.record("\(threads) threads: no error")
            } catch {
                #expect(error as? ExactError == .divisionByZeroInOperation("DivBackward"), "\(threads) threads")
            }
        }
    }

    /// The scalar itself: exact where it knows, unknown where it cannot hold
    /// the value, and comparisons of unknowns noted rather than answered.
    @Test func wordArithmetic() throws {
        let three = WordDyadic(3.0), quarter = WordDyadic(0.25)
        #expect((three * quarter).rational == (try Rational("3/4")))
        #expect((three / WordDyadic(-0.5)).rational == Rational(-6))
        #expect((three / three).known == nil)            // 1 is dyadic, but 3 is not a power of two
        #expect((WordDyadic.zero / three).rational == .zero)
        let huge = WordDyadic(0x1p100) + WordDyadic(0x1p-100)   // needs 201 bits
        #expect(huge.known == nil && (huge * .zero).rational == .zero && (huge + three).known == nil)
        #expect(WordDyadic(0x1p-900) < WordDyadic(0x1p70) && !(WordDyadic(-0x1p70) > WordDyadic(0x1p-900)))
        #expect(WordDyadic(-0x1p-900) > WordDyadic(-0x1p70) && WordDyadic(1.5) > WordDyadic(1.25))
        let recorder = ExactFaultRecorder()
        ExactFaultRecorder.$current.withValue(recorder) { _ = huge < three }
        #expect(recorder.readUnknown)
    }
}
