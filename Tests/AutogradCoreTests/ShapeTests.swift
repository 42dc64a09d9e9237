import AutogradCore
import Testing

/// Shapes of every rank: up to four dimensions kept in line, more interned.
@Suite struct ShapeTests {
    /// Every rank from 0 to 7 reads back the dimensions it was made from,
    /// and equality and hashing agree with the dimension lists'.
    @Test func everyRankReadsBackItsDimensionsAndComparesAsItsList() {
        var generator = SeededGenerator(seed: 11)
        var lists: [[Int]] = []
        for rank in 0...7 {
            for _ in 0..<6 { lists.append((0..<rank).map { _ in Int.random(in: 1...3, using: &generator) }) }
        }
        // Lists that differ only by a trailing or leading 1, or in the fifth place.
        lists += [[2, 3], [2, 3, 1], [1, 2, 3], [2, 3, 1, 1], [2, 3, 1, 1, 1], [1, 2, 3, 4, 5], [1, 2, 3, 4, 6]]
        for list in lists {
            let shape = Shape(list)
            #expect(shape.dimensions == list && shape.rank == list.count)
            #expect((0..<list.count).map { shape[$0] } == list)
            #expect(shape.elementCount == list.reduce(1, *))
            #expect(shape.description == "[" + list.map(String.init).joined(separator: ", ") + "]")
            for other in lists {
                #expect((Shape(other) == shape) == (other == list), "\(other) against \(list)")
            }
        }
        #expect(Set(lists.map(Shape.init)).count == Set(lists).count)
        #expect(Set(lists.map(Shape.init)) == Set(lists.map { Shape(Array($0)) }))
    }

    /// A zero dimension makes no elements even when the others' product is
    /// beyond `Int`, in line and interned.
    @Test func aZeroDimensionMakesNoElementsAtAnyRank() {
        #expect(Shape([0, Int.max, 2]).elementCount == 0)
        #expect(Shape([3, 0, Int.max, 2, 5, 7]).elementCount == 0)
        #expect(Shape([]).elementCount == 1 && Shape([2, 3, 4, 5, 6]).elementCount == 720)
    }

    /// Setting the dimensions makes the shape of the new list.
    @Test func settingTheDimensionsChangesRankAndSizes() {
        var shape: Shape = [2, 3]
        shape.dimensions = [1, 2, 3, 4, 5]
        #expect(shape == [1, 2, 3, 4, 5] && shape.rank == 5 && shape.elementCount == 120)
        shape.dimensions.removeLast(3)
        #expect(shape == [1, 2] && shape.rank == 2 && shape[1] == 2)
    }

    /// Tensors of more than four dimensions broadcast, reduce and
    /// differentiate as the same elements do at rank 3.
    @Test func highRankTensorsDifferentiateAsTheirLowRankReshapes() throws {
        var generator = SeededGenerator(seed: 5)
        let values = Tensor.rand([2, 1, 3, 1, 2, 1], using: &generator)
        let weights = Tensor.rand([1, 2, 1], using: &generator)
        let x = Tensor(values.value, requiresGrad: true)
        let loss = (x * weights).pow(2).sum()
        try loss.backward()
        let flat = Tensor(values.value.reshaped(to: [2, 3, 2]), requiresGrad: true)
        let flatLoss = (flat * weights.reshape([2])).pow(2).sum()
        try flatLoss.backward()
        #expect(loss.item() == flatLoss.item())
        #expect(x.grad?.shape == [2, 1, 3, 1, 2, 1] && x.grad?.scalars == flat.grad?.scalars)
        #expect(x.sum(dim: 4).shape == [2, 1, 3, 1, 1] && (x * Tensor.ones(4, 1, 1)).shape == [2, 1, 3, 4, 2, 1])
    }
}
