import ArgumentParser
import Autograd
import Foundation

/// How a command prints its results.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Prints `value` as pretty JSON with sorted keys.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// A setting in JSON output: its value and where it came from.
struct SettingReport<Value: Encodable & Sendable>: Encodable {
    let value: Value
    /// `flag`, `environment`, `file`, `provider` or `default`.
    let source: String
    /// The flag, variable or file: `"--backend"`, `"AUTOGRAD_BACKEND"`, `"autograd.json"`; absent for defaults.
    let origin: String?

    init(_ setting: AutogradConfiguration.Setting<Value>) {
        value = setting.value
        source = setting.source.kind
        switch setting.source {
        case .flag(let name), .environment(let name), .file(let name), .provider(let name): origin = name
        case .defaultValue: origin = nil
        }
    }
}
