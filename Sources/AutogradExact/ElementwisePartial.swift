import AutogradCore

// An element-wise op's value and partial derivative in one pass over its
// elements: its scalar function evaluated over one dual number per element,
// whose value part is the op's value (the same operations on the same
// numbers) and whose tangent is the partial derivative. No tensor of dual
// inputs is made. Built-in ops are matched by their concrete types so that
// their scalar functions run specialised for the reference's scalar.

/// The value of an element-wise op and its partial derivative with respect
/// to input `j`, element by element, from its scalar function (`apply`)
/// over dual numbers of `S`.
func elementwiseValueAndPartial<S: FieldScalar>(
    _ operation: any TensorOperation, _ inputs: [TensorValue<S>], withRespectTo j: Int,
    elementary: ElementaryEvaluation<S>
) throws -> (value: TensorValue<S>, partial: TensorValue<S>) {
    switch operation {
    case let operation as Add: return binaryValueAndPartial(operation, inputs, withRespectTo: j)
    case let operation as Subtract: return binaryValueAndPartial(operation, inputs, withRespectTo: j)
    case let operation as Multiply: return binaryValueAndPartial(operation, inputs, withRespectTo: j)
    case let operation as Divide: return binaryValueAndPartial(operation, inputs, withRespectTo: j)
    case let operation as IntegerPower: return unaryValueAndPartial(inputs[0]) { operation.apply($0) }
    case let operation as AddScalar: return unaryValueAndPartial(inputs[0]) { operation.apply($0) }
    case let operation as SubtractScalar: return unaryValueAndPartial(inputs[0]) { operation.apply($0) }
    case let operation as SubtractFromScalar: return unaryValueAndPartial(inputs[0]) { operation.apply($0) }
    case let operation as MultiplyScalar: return unaryValueAndPartial(inputs[0]) { operation.apply($0) }
    case let operation as DivideByScalar: return unaryValueAndPartial(inputs[0]) { operation.apply($0) }
    case let operation as DivideScalarBy: return unaryValueAndPartial(inputs[0]) { operation.apply($0) }
    case let operation as Negate: return unaryValueAndPartial(inputs[0]) { operation.apply($0) }
    case let operation as Absolute: return unaryValueAndPartial(inputs[0]) { operation.apply($0) }
    case let operation as Relu: return unaryValueAndPartial(inputs[0]) { operation.apply($0) }
    case let operation as Clamp: return unaryValueAndPartial(inputs[0]) { operation.apply($0) }
    case let operation as any ElementwiseOperation: return unaryValueAndPartial(inputs[0]) { operation.apply($0) }
    case let operation as any BroadcastingElementwiseOperation: return binaryValueAndPartial(operation, inputs, withRespectTo: j)
    case let operation as any ElementwiseElementaryOperation: return try elementary.valueAndPartial(operation, inputs[0])
    default: fatalError("\(operation.name) is not element-wise")
    }
}

/// `f(x)` and `f′(x)` for every element, from `f` over `Dual(x, tangent: 1)`.
@inline(__always)
func unaryValueAndPartial<S: FieldScalar>(
    _ x: TensorValue<S>, _ function: (Dual<S>) -> Dual<S>
) -> (value: TensorValue<S>, partial: TensorValue<S>) {
    let one: S = 1
    var partial: TensorValue<S>?
    let value = x.withUnsafeBufferPointer { elements in
        TensorValue<S>(shape: x.shape, unsafeUninitializedElements: { values in
            partial = TensorValue<S>(shape: x.shape, unsafeUninitializedElements: { partials in
                for i in elements.indices {
                    let result = function(Dual(elements[i], tangent: one))
                    (values + i).initialize(to: result.value)
                    (partials + i).initialize(to: result.tangent)
                }
            })
        })
    }
    return (value, partial!)
}

/// `f(x, y)` and ∂f/∂x or ∂f/∂y (`j` = 0 or 1) for every broadcast output
/// element: in one loop over the elements when the operands have one shape,
/// through a tensor of duals when they broadcast.
@inline(__always)
func binaryValueAndPartial<Operation: BroadcastingElementwiseOperation, S: FieldScalar>(
    _ operation: Operation, _ inputs: [TensorValue<S>], withRespectTo j: Int
) -> (value: TensorValue<S>, partial: TensorValue<S>) {
    let one: S = 1
    let (x, y) = (inputs[0], inputs[1])
    func dual(_ a: S, _ b: S) -> Dual<S> {
        j == 0 ? operation.apply(Dual(a, tangent: one), Dual(constant: b)) : operation.apply(Dual(constant: a), Dual(b, tangent: one))
    }
    guard x.shape == y.shape else {
        let duals = TensorValue.broadcasting(x, y, op: operation.name, dual)
        return (duals.map(\.value), duals.map(\.tangent))
    }
    var partial: TensorValue<S>?
    let value = x.withUnsafeBufferPointer { first in
        y.withUnsafeBufferPointer { second in
            TensorValue<S>(shape: x.shape, unsafeUninitializedElements: { values in
                partial = TensorValue<S>(shape: x.shape, unsafeUninitializedElements: { partials in
                    for i in first.indices {
                        let result = dual(first[i], second[i])
                        (values + i).initialize(to: result.value)
                        (partials + i).initialize(to: result.tangent)
                    }
                })
            })
        }
    }
    return (value, partial!)
}

/// The value and partial of a built-in elementary op, specialised for `S`,
/// or else of any element-wise elementary op through its protocol.
func elementaryValueAndPartial<S: ElementaryScalar>(
    _ operation: any ElementwiseElementaryOperation, _ x: TensorValue<S>
) -> (value: TensorValue<S>, partial: TensorValue<S>) {
    switch operation {
    case let operation as Exp: unaryValueAndPartial(x) { operation.apply($0) }
    case let operation as Log: unaryValueAndPartial(x) { operation.apply($0) }
    case let operation as SquareRoot: unaryValueAndPartial(x) { operation.apply($0) }
    case let operation as Sine: unaryValueAndPartial(x) { operation.apply($0) }
    case let operation as Cosine: unaryValueAndPartial(x) { operation.apply($0) }
    case let operation as HyperbolicTangent: unaryValueAndPartial(x) { operation.apply($0) }
    case let operation as Sigmoid: unaryValueAndPartial(x) { operation.apply($0) }
    case let operation as RealPower: unaryValueAndPartial(x) { operation.apply($0) }
    case let operation as Log1p: unaryValueAndPartial(x) { operation.apply($0) }
    case let operation as Expm1: unaryValueAndPartial(x) { operation.apply($0) }
    case let operation as Softplus: unaryValueAndPartial(x) { operation.apply($0) }
    default: unaryValueAndPartial(x) { operation.apply($0) }
    }
}
