import Foundation

/// Rows of cells as lines of columns aligned under a header and a rule of
/// dashes, two spaces apart, with no trailing spaces.
///
/// ```swift
/// alignedTable(header: ["input", "max ulp"], rows: [["x", "2"]])   // ["input  max ulp", "-----  -------", "x      2"]
/// ```
func alignedTable(header: [String], rows: [[String]]) -> [String] {
    let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
    func line(_ cells: [String]) -> String {
        var line = zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        while line.last == " " { line.removeLast() }
        return line
    }
    return [line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)
}
