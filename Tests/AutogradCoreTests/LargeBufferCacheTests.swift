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
            #expect(squared[last] == x[last] * x[last])
        }
        let reusedBefore = LargeBufferCache.reusedBlockCount
        let doubled = x * 2   // takes the block `squared` left
        #expect(LargeBufferCache.reusedBlockCount > reusedBefore)
        #expect(doubled[0] == 2 * x[0] && doubled[last] == 2 * x[last])
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
