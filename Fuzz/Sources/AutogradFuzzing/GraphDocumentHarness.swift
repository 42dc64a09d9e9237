import Autograd
import Foundation

/// The interchange format's reader and the judge, on any bytes: a document is
/// read, recorded, written back and judged. A thrown error is a fine answer
/// (a ``GraphDocumentError`` must name a place in the document); a trap is a
/// finding, and so is a document that does not read back to itself.
///
/// ```swift
/// GraphDocumentHarness.run(Array(try Data(contentsOf: URL(fileURLWithPath: "Tests/Fixtures/pytorch/tanh.json"))))
/// ```
public enum GraphDocumentHarness {
    /// The largest document judged: the exact reference's cost grows with the elements.
    static let judgedElements = 256

    public static func run(_ bytes: [UInt8]) {
        let document: GraphDocument
        do {
            document = try GraphDocument(json: Data(bytes))
        } catch {
            precondition(error.path.hasPrefix("$"), "an error names no place: \(error)")
            return
        }
        let again: GraphDocument
        do { again = try GraphDocument(json: document.json()) } catch { preconditionFailure("a document read does not read back: \(error)") }
        precondition(again == document || document.json() == again.json(), "a document read back differs")
        guard (try? document.record()) != nil else { return }
        let elements = document.inputs.reduce(0) { $0 + $1.values.count } + document.nodes.reduce(0) { $0 + ($1.shape?.elementCount ?? 0) }
        guard elements <= judgedElements else { return }
        let reference = ExactMode(precision: 64, maximumPrecision: 256, maximumExponent: 64)
        if let report = try? GradientJudge.judge(document, reference: reference, strategies: [ReverseMode()]) {
            precondition(report.inputs.allSatisfy { $0.sources.allSatisfy { $0.correctlyRounded + $0.unresolved <= $0.elements } })
        }
    }
}
