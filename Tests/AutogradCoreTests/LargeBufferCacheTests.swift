import AutogradCore
import Testing

/// Large tensors reuse the memory of freed ones of the same size, within a limit.
/// Serialized: the cache is process-wide, and no other suite makes tensors this
/// large (keep it so, or these counts race).
@Suite(.serialized) struct LargeBufferCacheTests {
    /// Enough doubles to pass the cache's threshold.
    static let largeCount = LargeBufferCache.threshold / MemoryLayout<Double>.stride * 2

    @Test func freedLargeStorageIsReusedAndValuesStayCorrect() {
        LargeBufferCache.removeAll()
        var generator = SeededGenerator(seed: 11)
        let x = Tensor.rand([Self.largeCount], using: &generator)
        do {
            let squared = x * x
            #expect(squared[Self.largeCount - 1] == x[Self.largeCount - 1] * x[Self.largeCount - 1])
        }
        let cachedAfterFree = LargeBufferCache.cachedBytes
        #expect(cachedAfterFree >= Self.largeCount * 8)
        let doubled = x * 2   // takes the cached block
        #expect(LargeBufferCache.cachedBytes == cachedAfterFree - LargeBufferCache.cachedBytes(forCount: Self.largeCount))
        #expect(doubled[0] == 2 * x[0] && doubled[Self.largeCount - 1] == 2 * x[Self.largeCount - 1])
    }

    @Test func theLimitBoundsWhatIsKept() {
        LargeBufferCache.removeAll()
        let saved = LargeBufferCache.limit
        defer { LargeBufferCache.limit = saved }
        LargeBufferCache.limit = 0
        _ = Tensor.ones(Self.largeCount) * 3
        #expect(LargeBufferCache.cachedBytes == 0)
        LargeBufferCache.limit = saved
        _ = Tensor.ones(Self.largeCount) * 3
        #expect(LargeBufferCache.cachedBytes > 0)
        LargeBufferCache.limit = 0
        #expect(LargeBufferCache.cachedBytes == 0)
    }

    @Test func smallTensorsDoNotUseTheCache() {
        LargeBufferCache.removeAll()
        _ = Tensor.ones(1000) * 3
        #expect(LargeBufferCache.cachedBytes == 0)
    }
}

extension LargeBufferCache {
    /// The bytes a cached block for `count` doubles occupies.
    static func cachedBytes(forCount count: Int) -> Int {
        (count * 8 + (1 << 16) - 1) / (1 << 16) * (1 << 16)
    }
}
