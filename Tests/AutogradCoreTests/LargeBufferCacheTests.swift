import AutogradCore
import Testing

/// Large tensors reuse the memory of freed ones of the same size, within a limit.
///
/// The cache is process-wide and other suites run at the same time, so these
/// tests use a size no other test uses and only make claims that other tests'
/// tensors cannot make false.
@Suite(.serialized) struct LargeBufferCacheTests {
    /// Doubles past the cache's threshold, in a count no other test uses.
    static let largeCount = LargeBufferCache.threshold / MemoryLayout<Double>.stride * 3 + 17

    @Test func freedLargeStorageIsReusedAndValuesStayCorrect() {
        var generator = SeededGenerator(seed: 11)
        let x = Tensor.rand([Self.largeCount], using: &generator)
        let last = Self.largeCount - 1
        do {
            let squared = x * x
            #expect(squared[last].item() == x[last].item() * x[last].item())
        }
        let reusedBefore = LargeBufferCache.reusedBlockCount
        let doubled = x * 2   // deferred: its values are computed when first read,
        let first = doubled[0].item()   // here, into the block `squared` left
        #expect(LargeBufferCache.reusedBlockCount > reusedBefore)
        #expect(first == 2 * x[0].item() && doubled[last].item() == 2 * x[last].item())
    }

    /// Blocks freed in one task and reused in another hold the new values.
    /// (Under ThreadSanitizer, `scripts/check-tsan.sh`, it also shows that the
    /// cache's lock orders its users.)
    @Test func tasksSharingTheCacheGetTheirOwnValues() async {
        let count = LargeBufferCache.threshold / MemoryLayout<Double>.stride   // the smallest cached size
        await withTaskGroup(of: Bool.self) { group in
            for task in 0..<4 {
                group.addTask {
                    var allCorrect = true
                    for round in 0..<100 {
                        let value = Double(task * 1000 + round)
                        let doubled = Tensor.full([count], value: value) * 2
                        allCorrect = allCorrect && doubled[0].item() == 2 * value && doubled[count - 1].item() == 2 * value
                    }
                    return allCorrect
                }
            }
            for await allCorrect in group { #expect(allCorrect) }
        }
    }

    @Test func theLimitBoundsWhatIsKept() {
        let saved = LargeBufferCache.limit
        defer { LargeBufferCache.limit = saved }
        LargeBufferCache.limit = 0
        #expect(LargeBufferCache.cachedBytes == 0)
        _ = Tensor.ones(Self.largeCount) * 3
        #expect(LargeBufferCache.cachedBytes == 0)
        LargeBufferCache.limit = saved
        _ = Tensor.ones(Self.largeCount) * 3
        #expect(LargeBufferCache.cachedBytes >= Self.largeCount * MemoryLayout<Double>.stride)
        LargeBufferCache.removeAll()
        #expect(LargeBufferCache.limit == saved)
    }
}

/// The cache's policy for giving memory back (see ``LargeBufferCache``),
/// with exact numbers.
///
/// Each test runs in a child process of its own (an exit test), where no
/// other test allocates large tensors: the cache, its allocation count and its
/// counters belong to the test alone. A failed check exits with its message.
@Suite struct LargeBufferCachePolicyTests {
    /// Doubles filling exactly `granules` of the cache's 64 KiB granules.
    static func count(granules: Int) -> Int {
        granules * LargeBufferCache.threshold / MemoryLayout<Double>.stride
    }

    /// The bytes of `granules` granules.
    static func bytes(granules: Int) -> Int { granules * LargeBufferCache.threshold }

    /// What a child process wrote to standard error, to show a failed check.
    static func messages(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }

    @Test func aTrainingLoopReusesEveryBlockEveryStep() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            var generator = SeededGenerator(seed: 7)
            let shape: Shape = [LargeBufferCachePolicyTests.count(granules: 8)]
            let predicted = Tensor.rand(shape, requiresGrad: true, using: &generator)
            let real = Tensor.rand(shape, using: &generator)
            var reused: [Int] = [], cached: [Int] = []
            for _ in 0..<6 {
                let before = LargeBufferCache.reusedBlockCount
                do {
                    let loss = (predicted - real).pow(2).sum()
                    try! loss.backward()
                }
                predicted.grad = nil
                reused.append(LargeBufferCache.reusedBlockCount - before)
                cached.append(LargeBufferCache.cachedBytes)
            }
            // One block serves a step: p's gradient. Neither p − r nor its
            // square is written (the sum reads p and r and computes the
            // square's rule in the same pass: see `DeferredElementwiseValues`
            // and `DeferredInput`), and the sum's gradient is one value.
            // The first step allocates the block; every later one reuses
            // it, and ends with it cached.
            precondition(reused == [0, 1, 1, 1, 1, 1],
                         "reused per step: \(reused)")
            precondition(cached == Array(repeating: LargeBufferCachePolicyTests.bytes(granules: 8), count: 6),
                         "cached after each step: \(cached)")
        }
        #expect(!Self.messages(result).contains("Fatal error"), "\(Self.messages(result))")
    }

    /// A tensor whose values were deferred (see `DeferredElementwiseValues`)
    /// holds its operand's block only until it computes them.
    @Test func aDeferredTensorLetsGoOfItsOperandOnceComputed() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            typealias T = LargeBufferCachePolicyTests
            let doubled: Tensor
            do {
                let ones = Tensor.ones(T.count(granules: 4))   // one block
                doubled = ones * 2   // deferred: holds the operand's values
            }
            precondition(LargeBufferCache.cachedBytes == 0, "before: \(LargeBufferCache.cachedBytes)")
            precondition(doubled[0].item() == 2)   // computed into a second block
            precondition(LargeBufferCache.cachedBytes == T.bytes(granules: 4), "after: \(LargeBufferCache.cachedBytes)")
            withExtendedLifetime(doubled) {}
        }
        #expect(!Self.messages(result).contains("Fatal error"), "\(Self.messages(result))")
    }

    @Test func aBlockThatAllocationsPassByGoesBack() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            typealias T = LargeBufferCachePolicyTests
            LargeBufferCache.maxIdleAllocations = 3
            _ = Tensor.zeros(T.count(granules: 2))   // allocation 1: cached after
            precondition(LargeBufferCache.cachedBytes == T.bytes(granules: 2), "\(LargeBufferCache.cachedBytes)")
            _ = Tensor.zeros(T.count(granules: 3))   // 2: passes the first block by once
            _ = Tensor.zeros(T.count(granules: 3))   // 3: reuses the second block; twice
            precondition(LargeBufferCache.cachedBytes == T.bytes(granules: 5), "\(LargeBufferCache.cachedBytes)")
            _ = Tensor.zeros(T.count(granules: 3))   // 4: three times: the first block goes back
            precondition(LargeBufferCache.cachedBytes == T.bytes(granules: 3), "\(LargeBufferCache.cachedBytes)")
            LargeBufferCache.maxIdleAllocations = 0   // lowering it frees what is now too old
            precondition(LargeBufferCache.cachedBytes == 0, "\(LargeBufferCache.cachedBytes)")
        }
        #expect(!Self.messages(result).contains("Fatal error"), "\(Self.messages(result))")
    }

    @Test func surplusBlocksOfOneSizeGoBack() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            typealias T = LargeBufferCachePolicyTests
            LargeBufferCache.maxIdleAllocations = 4
            do {   // three at once (allocations 1 to 3), then all three freed
                let tensors = (0..<3).map { _ in Tensor.zeros(T.count(granules: 2)) }
                precondition(tensors.count == 3)
            }
            precondition(LargeBufferCache.cachedBytes == T.bytes(granules: 6), "\(LargeBufferCache.cachedBytes)")
            for _ in 0..<3 { _ = Tensor.zeros(T.count(granules: 2)) }   // one at a time: 4 to 6
            precondition(LargeBufferCache.cachedBytes == T.bytes(granules: 6), "\(LargeBufferCache.cachedBytes)")
            _ = Tensor.zeros(T.count(granules: 2))   // 7: the two unused blocks were passed by four times
            precondition(LargeBufferCache.cachedBytes == T.bytes(granules: 2), "\(LargeBufferCache.cachedBytes)")
        }
        #expect(!Self.messages(result).contains("Fatal error"), "\(Self.messages(result))")
    }

    @Test func aFullCachePushesOutTheBlocksFreedLongestAgo() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            typealias T = LargeBufferCachePolicyTests
            LargeBufferCache.limit = T.bytes(granules: 5)
            _ = Tensor.zeros(T.count(granules: 2))   // freed first
            _ = Tensor.zeros(T.count(granules: 3))   // the cache is full
            precondition(LargeBufferCache.cachedBytes == T.bytes(granules: 5), "\(LargeBufferCache.cachedBytes)")
            _ = Tensor.zeros(T.count(granules: 1))   // pushes out the 2-granule block, not the 3
            precondition(LargeBufferCache.cachedBytes == T.bytes(granules: 4), "\(LargeBufferCache.cachedBytes)")
            LargeBufferCache.limit = T.bytes(granules: 1)   // keeps the newest block only
            precondition(LargeBufferCache.cachedBytes == T.bytes(granules: 1), "\(LargeBufferCache.cachedBytes)")
            _ = Tensor.zeros(T.count(granules: 2))   // larger than the limit: freed at once
            precondition(LargeBufferCache.cachedBytes == T.bytes(granules: 1), "\(LargeBufferCache.cachedBytes)")
            LargeBufferCache.removeAll()
            precondition(LargeBufferCache.cachedBytes == 0, "\(LargeBufferCache.cachedBytes)")
        }
        #expect(!Self.messages(result).contains("Fatal error"), "\(Self.messages(result))")
    }
}
