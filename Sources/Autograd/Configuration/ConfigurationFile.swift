import Configuration
import Foundation
import Yams

/// A JSON or YAML configuration file, parsed by swift-configuration's
/// `JSONSnapshot` or `YAMLSnapshot`; parse errors name the file and the line
/// and column (located here where Foundation's JSON parser gives none).
struct ConfigurationFile {
    /// The files looked for in the working directory when no file is named.
    static let defaultNames = ["autograd.json", "autograd.yaml", "autograd.yml"]

    /// The path, as given.
    let path: String
    /// The parsed values.
    let snapshot: any ConfigSnapshot
    /// Every key the file sets, dot-separated (`"autograd.exact.precision"`).
    let keys: [String]

    /// Reads and parses the file at `path`; its extension chooses the format.
    init(path: String) throws(ConfigurationError) {
        let isYAML: Bool
        switch (path as NSString).pathExtension.lowercased() {
        case "json": isYAML = false
        case "yaml", "yml": isYAML = true
        default: throw .unsupportedFileType(path: path)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .missingFile(path: path)
        }
        guard !isDirectory.boolValue else { throw .unreadableFile(path: path, reason: "it is a directory") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableFile(path: path, reason: error.localizedDescription)
        }
        self.path = path
        do {
            snapshot = isYAML
                ? try YAMLSnapshot(data: data.bytes, providerName: path, parsingOptions: .default)
                : try JSONSnapshot(data: data.bytes, providerName: path, parsingOptions: .default)
        } catch {
            throw isYAML ? Self.yamlError(error, path: path) : Self.jsonError(error, path: path, data: data)
        }
        keys = isYAML ? Self.keys(ofYAML: data) : Self.keys(ofJSON: data)
    }

    /// The dot-separated paths to the leaves of a JSON object.
    static func keys(ofJSON data: Data) -> [String] {
        func keys(_ value: Any, _ prefix: String) -> [String] {
            guard let object = value as? [String: Any] else { return prefix.isEmpty ? [] : [prefix] }
            return object.sorted { $0.key < $1.key }.flatMap { keys($0.value, prefix.isEmpty ? $0.key : prefix + "." + $0.key) }
        }
        return (try? JSONSerialization.jsonObject(with: data)).map { keys($0, "") } ?? []
    }

    /// The dot-separated paths to the leaves of a YAML mapping.
    static func keys(ofYAML data: Data) -> [String] {
        func keys(_ node: Node, _ prefix: String) -> [String] {
            guard let mapping = node.mapping else { return prefix.isEmpty ? [] : [prefix] }
            var found: [String] = []
            for (key, value) in mapping {
                let name = key.string ?? "\(key)"
                found += keys(value, prefix.isEmpty ? name : prefix + "." + name)
            }
            return found
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: String(decoding: data, as: UTF8.self))
        } catch {
            return []   // YAMLSnapshot parsed it already; it cannot fail here
        }
        return root.map { keys($0, "") } ?? []
    }

    /// The one default file in `directory`, if there is one.
    static func discover(in directory: String) throws(ConfigurationError) -> ConfigurationFile? {
        let paths = defaultNames
            .map { directory == "." ? $0 : (directory as NSString).appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0) }
        guard paths.count <= 1 else { throw .ambiguousFiles(paths: paths) }
        guard let path = paths.first else { return nil }
        return try ConfigurationFile(path: path)
    }

    /// Foundation's JSON errors end "around character N" (a byte offset after
    /// any byte order mark, turned here into a line and column) or "around line
    /// L, column C". The errors without a place get one too: an unexpected end
    /// of file is placed after the file's last non-blank character, a number
    /// out of range where that number is.
    static func jsonError(_ error: any Error, path: String, data: Data) -> ConfigurationError {
        let nsError = error as NSError
        guard nsError.domain == NSCocoaErrorDomain, let detail = nsError.userInfo[NSDebugDescriptionErrorKey] as? String else {
            return .malformedFile(path: path, line: nil, column: nil, reason: "\(error)")
        }
        let bytes = [UInt8](data)
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        let start = bytes.starts(with: byteOrderMark) ? byteOrderMark.count : 0
        let offset: Int?, reason: String
        if let match = detail.firstMatch(of: /(.*?)\s*around (?:line (\d+), column (\d+)|character (\d+))\.?$/) {
            if let line = match.2.flatMap({ Int($0) }), let column = match.3.flatMap({ Int($0) }) {
                return .malformedFile(path: path, line: line, column: column, reason: String(match.1))
            }
            offset = Int(match.4 ?? "").map { start + $0 }
            reason = String(match.1)
        } else if detail.hasPrefix("Unexpected end of file") {
            let blanks: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]   // JSON's whitespace
            offset = (bytes.lastIndex { !blanks.contains($0) } ?? (start - 1)) + 1
            reason = String(detail.trimmingSuffix("."))
        } else if let match = detail.firstMatch(of: /^Number (\S+) is not representable/) {
            offset = bytes.firstRange(of: Array(match.1.utf8))?.lowerBound
            reason = String(detail.trimmingSuffix("."))
        } else {
            offset = nil
            reason = String(detail.trimmingSuffix("."))
        }
        guard let offset else { return .malformedFile(path: path, line: nil, column: nil, reason: reason) }
        let (line, column) = place(ofByte: offset, in: bytes, from: start)
        return .malformedFile(path: path, line: line, column: column, reason: reason)
    }

    /// The 1-based line and column (in characters) of the byte at `offset`.
    static func place(ofByte offset: Int, in bytes: [UInt8], from start: Int) -> (line: Int, column: Int) {
        let before = bytes[min(start, bytes.count)..<min(max(offset, start), bytes.count)]
        let line = before.count(where: { $0 == UInt8(ascii: "\n") }) + 1
        let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? before.startIndex
        return (line, String(decoding: bytes[lineStart..<before.endIndex], as: UTF8.self).count + 1)
    }

    /// Yams's errors start with "LINE:COLUMN: error: ", then the problem, then the offending text.
    static func yamlError(_ error: any Error, path: String) -> ConfigurationError {
        let text = "\(error)"
        guard let match = text.firstMatch(of: #/^(\d+):(\d+): error: /#) else {
            return .malformedFile(path: path, line: nil, column: nil, reason: text)
        }
        // The problem runs to the first line ending in ":"; the quoted text follows.
        var problem: [Substring] = []
        for line in text[match.range.upperBound...].split(separator: "\n") {
            problem.append(line)
            if line.hasSuffix(":") { break }
        }
        let reason = problem.joined(separator: " ").trimmingCharacters(in: CharacterSet(charactersIn: ": "))
        return .malformedFile(path: path, line: Int(match.1), column: Int(match.2), reason: reason)
    }
}

private extension String {
    /// The string without one trailing `suffix`, if it ends with it.
    func trimmingSuffix(_ suffix: String) -> Substring {
        hasSuffix(suffix) ? dropLast(suffix.count) : Substring(self)
    }
}
