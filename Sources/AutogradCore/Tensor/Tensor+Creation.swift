// Creating tensors: from values, literals, constants and random generators.

extension Tensor {
    /// A tensor of the given shape from its elements in row-major order.
    ///
    /// ```swift
    /// let m = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
    /// ```
    public convenience init(_ scalars: [Double], shape: Shape, requiresGrad: Bool = false) {
        self.init(TensorValue(shape: shape, scalars: scalars), requiresGrad: requiresGrad)
    }

    /// A zero-dimensional tensor holding one number.
    ///
    /// ```swift
    /// Tensor(3.5)   // tensor(3.5000)
    /// ```
    public convenience init(_ scalar: Double, requiresGrad: Bool = false) {
        self.init(TensorValue(scalar: scalar), requiresGrad: requiresGrad)
    }

    /// A tensor from nested arrays, one level per dimension; traps when the
    /// nesting is ragged.
    ///
    /// ```swift
    /// let m = Tensor([[1, 2, 3], [4, 5, 6]])   // shape [2, 3]
    /// ```
    public convenience init<Element: TensorLiteral>(_ elements: [Element], requiresGrad: Bool = false) {
        var scalars: [Double] = []
        let shape = Shape(elements.literalShape)
        elements.appendScalars(to: &scalars, expecting: shape.dimensions[...])
        self.init(TensorValue(shape: shape, scalars: scalars), requiresGrad: requiresGrad)
    }

    /// A tensor of the given dimensions with every element equal to `value`.
    ///
    /// ```swift
    /// Tensor.full(2, 3, value: 7)
    /// ```
    public static func full(_ dimensions: Int..., value: Double, requiresGrad: Bool = false) -> Tensor {
        full(Shape(dimensions), value: value, requiresGrad: requiresGrad)
    }

    /// A tensor of the given shape with every element equal to `value`.
    public static func full(_ shape: Shape, value: Double, requiresGrad: Bool = false) -> Tensor {
        Tensor(TensorValue(repeating: value, shape: shape), requiresGrad: requiresGrad)
    }

    /// A tensor of ones, like `torch.ones(2, 4)`.
    public static func ones(_ dimensions: Int..., requiresGrad: Bool = false) -> Tensor {
        full(Shape(dimensions), value: 1, requiresGrad: requiresGrad)
    }

    /// A tensor of zeros, like `torch.zeros(2, 4)`.
    public static func zeros(_ dimensions: Int..., requiresGrad: Bool = false) -> Tensor {
        full(Shape(dimensions), value: 0, requiresGrad: requiresGrad)
    }

    /// A tensor of ones of the given shape.
    ///
    /// ```swift
    /// Tensor.ones(x.shape)
    /// ```
    public static func ones(_ shape: Shape, requiresGrad: Bool = false) -> Tensor {
        full(shape, value: 1, requiresGrad: requiresGrad)
    }

    /// A tensor of zeros of the given shape.
    ///
    /// ```swift
    /// Tensor.zeros(x.shape)
    /// ```
    public static func zeros(_ shape: Shape, requiresGrad: Bool = false) -> Tensor {
        full(shape, value: 0, requiresGrad: requiresGrad)
    }

    /// Zeros of `other`'s shape, like `torch.zeros_like`.
    ///
    /// ```swift
    /// let velocity = Tensor.zeros(like: w)
    /// ```
    public static func zeros(like other: Tensor, requiresGrad: Bool = false) -> Tensor {
        zeros(other.shape, requiresGrad: requiresGrad)
    }

    /// Ones of `other`'s shape, like `torch.ones_like`.
    ///
    /// ```swift
    /// let seed = Tensor.ones(like: loss)
    /// ```
    public static func ones(like other: Tensor, requiresGrad: Bool = false) -> Tensor {
        ones(other.shape, requiresGrad: requiresGrad)
    }

    /// Uniform random numbers in [0, 1) from the default generator (see
    /// ``manualSeed(_:)``), like `torch.rand(3, 7)`.
    public static func rand(_ dimensions: Int..., requiresGrad: Bool = false) -> Tensor {
        DefaultGenerator.shared.withLock { rand(Shape(dimensions), requiresGrad: requiresGrad, using: &$0) }
    }

    /// Uniform random numbers in [0, 1) from `generator`.
    public static func rand(
        _ shape: Shape, requiresGrad: Bool = false, using generator: inout SeededGenerator
    ) -> Tensor {
        Tensor(random(shape, using: &generator) { $0.nextUnit() }, requiresGrad: requiresGrad)
    }

    /// Standard normal random numbers from the default generator, like `torch.randn`.
    public static func randn(_ dimensions: Int..., requiresGrad: Bool = false) -> Tensor {
        DefaultGenerator.shared.withLock { randn(Shape(dimensions), requiresGrad: requiresGrad, using: &$0) }
    }

    /// Standard normal random numbers from `generator`.
    public static func randn(
        _ shape: Shape, requiresGrad: Bool = false, using generator: inout SeededGenerator
    ) -> Tensor {
        Tensor(random(shape, using: &generator) { $0.nextNormal() }, requiresGrad: requiresGrad)
    }
}

extension Tensor {
    /// Values of the given shape drawn one by one from `generator`.
    private static func random(
        _ shape: Shape, using generator: inout SeededGenerator, _ draw: (inout SeededGenerator) -> Double
    ) -> TensorValue<Double> {
        TensorValue(shape: shape) { out in
            for i in 0..<shape.elementCount { (out + i).initialize(to: draw(&generator)) }
        }
    }
}

/// A number or a nested array of numbers that can initialise a tensor.
public protocol TensorLiteral {
    /// The dimensions of this nesting level and the levels inside it.
    var literalShape: [Int] { get }
    /// Appends the numbers in row-major order, checking that every nested array
    /// has the dimensions `expected`.
    func appendScalars(to scalars: inout [Double], expecting expected: ArraySlice<Int>)
}

extension Double: TensorLiteral {
    public var literalShape: [Int] { [] }
    public func appendScalars(to scalars: inout [Double], expecting expected: ArraySlice<Int>) {
        scalars.append(self)
    }
}

extension Int: TensorLiteral {
    public var literalShape: [Int] { [] }
    public func appendScalars(to scalars: inout [Double], expecting expected: ArraySlice<Int>) {
        scalars.append(Double(self))
    }
}

extension Array: TensorLiteral where Element: TensorLiteral {
    public var literalShape: [Int] { [count] + (first?.literalShape ?? []) }
    public func appendScalars(to scalars: inout [Double], expecting expected: ArraySlice<Int>) {
        guard expected.first == count else {
            fatalError("Tensor: ragged nested array: expected \(expected.first.map(String.init) ?? "a number") elements, got \(count)")
        }
        for element in self { element.appendScalars(to: &scalars, expecting: expected.dropFirst()) }
    }
}
