import AutogradCore
import Testing

/// Tensors print as PyTorch prints them.
@Suite struct TensorPrintingTests {
    @Test func integerValuedTensorsPrintWithATrailingPoint() {
        let y = Tensor.ones(2, 4, requiresGrad: true) + 1
        #expect(y.description == """
            tensor([[2., 2., 2., 2.],
                    [2., 2., 2., 2.]], gradFn: AddBackward)
            """)
    }

    @Test func fractionsPrintWithFourDecimalsAligned() {
        let x = Tensor([[0.5, -1.25], [10.123456, 3]], requiresGrad: true)
        #expect(x.description == """
            tensor([[ 0.5000, -1.2500],
                    [10.1235,  3.0000]], requiresGrad: true)
            """)
    }

    @Test func zeroDimensionalTensors() {
        #expect(Tensor(2.5).description == "tensor(2.5000)")
        #expect(Tensor([1.0, 2]).sum().description == "tensor(3.)")
    }

    @Test func wideRangesUseScientificNotation() {
        #expect(Tensor([1e-5, 1.0]).description == "tensor([1.0000e-05, 1.0000e+00])")
        #expect(Tensor([1e9, 2]).description == "tensor([1.0000e+09, 2.0000e+00])")
    }

    @Test func nonFiniteValues() {
        #expect(Tensor([Double.infinity, 1.5, .nan]).description == "tensor([   inf, 1.5000,    nan])")
    }

    @Test func threeDimensionalTensorsSeparateBlocksWithABlankLine() {
        let x = Tensor.ones(2, 2, 2)
        #expect(x.description == """
            tensor([[[1., 1.],
                     [1., 1.]],

                    [[1., 1.],
                     [1., 1.]]])
            """)
    }

    @Test func longRowsWrapAtEightyColumns() {
        let x = Tensor((0..<20).map { Double($0) + 0.5 }, shape: [20])
        let lines = x.description.split(separator: "\n")
        #expect(lines.count == 3)   // 8 entries of width 7 per line, as PyTorch
        #expect(lines.allSatisfy { $0.count <= 80 })
        #expect(lines[1].hasPrefix("        "))
    }

    @Test func largeTensorsAreSummarised() {
        let x = Tensor((0..<2000).map(Double.init), shape: [2000])
        #expect(x.description == "tensor([   0.,    1.,    2.,  ..., 1997., 1998., 1999.])")
    }

    @Test func booleanTensors() {
        #expect(Tensor([1.0, 2]).eq(Tensor([1.0, 3])).description == "tensor([ true, false])")
    }

    @Test func gradFnPrintsItsName() {
        let y = Tensor.ones(2, requiresGrad: true).exp()
        #expect("\(y.gradFn!)" == "ExpBackward")
    }
}
