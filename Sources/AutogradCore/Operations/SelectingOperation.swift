/// An operation whose output takes input elements chosen by comparing them,
/// such as `max`: a replay in another arithmetic may choose other elements
/// than the recorded run, and the exact strategy reports where it does.
///
/// ```swift
/// Maximum().chosen(TensorValue(shape: [3], scalars: [1.0, 3, 3]))   // [[1, 2]]
/// ```
public protocol SelectingOperation: TensorOperation {
    /// For each output element, the positions (row-major in the input) of
    /// the elements it takes: a slice's largest, or all tied ones for `max()`.
    func chosen<S: FieldScalar>(_ x: TensorValue<S>) -> [[Int]]
    /// For each output element, the positions it chooses among.
    func candidates(in shape: Shape) -> [[Int]]
}

extension Maximum: SelectingOperation {
    /// The positions equal to the largest element (the first NaN, if any).
    public func chosen<S: FieldScalar>(_ x: TensorValue<S>) -> [[Int]] {
        let largest = value(x)[flat: 0]
        if largest != largest { return [[firstMaximum(count: x.elementCount) { x[flat: $0] }]] }
        return [(0..<x.elementCount).filter { x[flat: $0] == largest }]
    }

    /// Every element.
    public func candidates(in shape: Shape) -> [[Int]] { [Array(0..<shape.elementCount)] }
}

extension MaximumAlongAxis: SelectingOperation {
    /// Each slice's first largest element.
    public func chosen<S: FieldScalar>(_ x: TensorValue<S>) -> [[Int]] { positions(x).positions.map { [$0] } }

    /// Each slice's elements.
    public func candidates(in shape: Shape) -> [[Int]] {
        let axis = shape.normalizedAxis(axis, op: "max(dim:)")
        let size = shape[axis]
        let inner = shape.dimensions[(axis + 1)...].reduce(1, *)
        let outer = shape.dimensions[..<axis].reduce(1, *)
        return (0..<outer * inner).map { slice in
            let (o, i) = slice.quotientAndRemainder(dividingBy: inner)
            return (0..<size).map { (o * size + $0) * inner + i }
        }
    }
}
