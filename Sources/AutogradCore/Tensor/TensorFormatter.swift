import Foundation

/// Prints tensors the way PyTorch does: `tensor([[0.4963, 0.7682], ...])`,
/// with four digits after the point (or `2.` when every value is an integer,
/// or scientific notation when magnitudes differ widely), aligned columns,
/// nested brackets, lines wrapped at 80 columns and, past 1000 elements, only
/// the first and last three entries of each dimension.
enum TensorFormatter {
    static let summaryThreshold = 1000
    static let edgeItems = 3
    static let lineWidth = 80

    /// `tensor(...)` for numbers, chosen and aligned as PyTorch's formatter does.
    static func describe(_ value: TensorValue<Double>, suffix: String = "") -> String {
        let shown = shownIndices(value.shape).map { value[flat: $0] }
        let format = numberFormat(for: shown)
        return describe(value.shape, suffix: suffix) { format(value[flat: $0]) }
    }

    /// `tensor(...)` for elements already turned into text.
    static func describe(_ shape: Shape, _ elements: [String], suffix: String = "") -> String {
        describe(shape, suffix: suffix) { elements[$0] }
    }

    private static func describe(_ shape: Shape, suffix: String, element: (Int) -> String) -> String {
        let prefix = "tensor("
        guard shape.rank > 0 else { return prefix + element(0) + suffix + ")" }
        guard shape.elementCount > 0 else { return prefix + "[]" + suffix + ")" }
        let width = shownIndices(shape).map { element($0).count }.max() ?? 0
        let strides = shape.strides
        let summarize = shape.elementCount > summaryThreshold

        func render(_ axis: Int, _ offset: Int, _ indent: Int) -> String {
            let size = shape[axis]
            let entries: [Int?] = summarize && size > 2 * edgeItems
                ? Array(0..<edgeItems) + [nil] + Array((size - edgeItems)..<size)
                : Array(0..<size)
            if axis == shape.rank - 1 {
                let items = entries.map { entry in
                    entry.map { String(repeating: " ", count: width - element(offset + $0).count) + element(offset + $0) }
                        ?? " ..."
                }
                let perLine = Swift.max(1, (lineWidth - indent) / (width + 2))
                let lines = stride(from: 0, to: items.count, by: perLine).map {
                    items[$0..<Swift.min($0 + perLine, items.count)].joined(separator: ", ")
                }
                return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
            }
            let slices = entries.map { entry in
                entry.map { render(axis + 1, offset + $0 * strides[axis], indent + 1) } ?? "..."
            }
            let separator = "," + String(repeating: "\n", count: shape.rank - axis - 1)
                + String(repeating: " ", count: indent + 1)
            return "[" + slices.joined(separator: separator) + "]"
        }
        return prefix + render(0, 0, prefix.count) + suffix + ")"
    }

    /// The row-major positions of the elements that are printed.
    private static func shownIndices(_ shape: Shape) -> [Int] {
        guard shape.elementCount > summaryThreshold else { return Array(0..<shape.elementCount) }
        var positions = [0]
        for (axis, size) in shape.dimensions.enumerated() {
            let stride = shape.strides[axis]
            let kept = size > 2 * edgeItems ? Array(0..<edgeItems) + Array((size - edgeItems)..<size) : Array(0..<size)
            positions = positions.flatMap { base in kept.map { base + $0 * stride } }
        }
        return positions
    }

    /// PyTorch's choice of notation for a set of numbers.
    private static func numberFormat(for values: [Double]) -> (Double) -> String {
        let finite = values.filter(\.isFinite)
        let magnitudes = finite.map { Swift.abs($0) }.filter { $0 != 0 }
        let largest = magnitudes.max() ?? 0
        let smallest = magnitudes.min() ?? 0
        let integral = finite.allSatisfy { $0.rounded() == $0 }
        let scientific = integral
            ? largest > 1e8
            : largest > 1e8 || smallest < 1e-4 || largest / smallest > 1000
        return { x in
            guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
            if scientific { return String(format: "%.4e", x) }
            return integral ? String(format: "%.0f.", x) : String(format: "%.4f", x)
        }
    }
}

extension Tensor: CustomStringConvertible {
    /// The values as PyTorch prints them, with `requiresGrad: true` on leaves
    /// that require gradients and `gradFn: AddBackward` on recorded results.
    ///
    /// ```swift
    /// print(Tensor.ones(2, 4, requiresGrad: true) + 1)
    /// // tensor([[2., 2., 2., 2.],
    /// //         [2., 2., 2., 2.]], gradFn: AddBackward)
    /// ```
    public var description: String {
        let suffix = gradFn.map { ", gradFn: \($0.name)" } ?? (requiresGrad ? ", requiresGrad: true" : "")
        return TensorFormatter.describe(value, suffix: suffix)
    }
}
