/// Why a graph document was refused: the place in the document, what was
/// expected there, and what was found.
///
/// ```swift
/// do { _ = try GraphDocument(json: text) } catch {
///     print(error)   // $.nodes[2].args[0]: expected the name of an earlier input or node, got the string "y"
/// }
/// ```
public struct GraphDocumentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The place, as a JSON path: `$` is the document, `$.nodes[2].args[0]`
    /// the first argument of the third node.
    public let path: String
    /// What was expected there.
    public let expected: String
    /// What was found, in words; `nil` when nothing was (a missing key).
    public let found: String?

    /// The complaint at `path`.
    public init(path: String, expected: String, found: String? = nil) {
        (self.path, self.expected, self.found) = (path, expected, found)
    }

    public var description: String {
        "\(path): expected \(expected)" + (found.map { ", got \($0)" } ?? "")
    }
}
