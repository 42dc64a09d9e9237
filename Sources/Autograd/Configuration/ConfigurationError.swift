/// Configuration that cannot be used, with what is wrong, the key or file,
/// where the value came from, and what would be valid. Loading throws it
/// before anything runs, so nothing is lost; the `autograd` tool prints it and
/// exits with status 2.
///
/// ```swift
/// do { _ = try AutogradConfiguration.load(flags: [.backend: "revers"]) }
/// catch { print(error) }
/// // unknown backend "revers" (from flag --backend); valid backends: exact, forward, reverse
/// ```
public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A backend name that is not registered.
    case unknownBackend(name: String, valid: [String], source: ConfigurationSource)
    /// A value of the wrong type or out of range for its key.
    case invalidValue(key: String, value: String, expected: String, source: ConfigurationSource)
    /// A configuration file that does not parse; `line` and `column` where the parser gives them.
    case malformedFile(path: String, line: Int?, column: Int?, reason: String)
    /// A key under `autograd.` in a configuration file that nothing reads.
    case unknownKey(key: String, path: String, known: [String])
    /// A configuration file named explicitly (`--config`) that does not exist.
    case missingFile(path: String)
    /// A configuration file that exists but cannot be read.
    case unreadableFile(path: String, reason: String)
    /// A configuration file whose extension is not `.json`, `.yaml` or `.yml`.
    case unsupportedFileType(path: String)
    /// More than one default configuration file in the directory.
    case ambiguousFiles(paths: [String])
    /// A backend registered under a name that is already taken.
    case backendAlreadyRegistered(name: String)
    /// A backend name that is empty or has characters other than letters, digits, `-` and `_`.
    case invalidBackendName(name: String)

    /// The error in one line, for people.
    public var description: String {
        switch self {
        case .unknownBackend(let name, let valid, let source):
            "unknown backend \"\(name)\" (from \(source)); valid backends: \(valid.joined(separator: ", "))"
        case .invalidValue(let key, let value, let expected, let source):
            "invalid value \(value) for \(key) (from \(source)): expected \(expected)"
        case .malformedFile(let path, let line, let column, let reason):
            "malformed configuration file \(path)\(line.map { ", line \($0)" } ?? "")\(column.map { ", column \($0)" } ?? ""): \(reason)"
        case .unknownKey(let key, let path, let known):
            "unknown key \(key) in configuration file \(path); known keys: \(known.joined(separator: ", ")), and autograd.NAME.* for a backend NAME registered by the program"
        case .missingFile(let path):
            "configuration file \(path) does not exist"
        case .unreadableFile(let path, let reason):
            "configuration file \(path) cannot be read: \(reason)"
        case .unsupportedFileType(let path):
            "configuration file \(path) is neither JSON (.json) nor YAML (.yaml, .yml)"
        case .ambiguousFiles(let paths):
            "more than one configuration file: \(paths.joined(separator: ", ")); keep one, or choose with --config"
        case .backendAlreadyRegistered(let name):
            "a backend named \"\(name)\" is already registered"
        case .invalidBackendName(let name):
            "invalid backend name \"\(name)\": use letters, digits, - and _"
        }
    }
}
