import Autograd
import Foundation

/// The configuration loader, `AutogradConfiguration.load(...)`, on any JSON
/// or YAML file, with a flag or environment variable beside it.
///
/// The first byte chooses the file's extension (bit 0: `.json` or `.yaml`)
/// and whether a flag (bit 1) or an environment variable (bit 2) is set too,
/// and which key (bits 3 to 5); the flag's or variable's value runs to the
/// first NUL byte, and the rest is the file. A thrown ``ConfigurationError``
/// is a fine answer, but it must name the file it blames; a trap is a finding,
/// and so is a configuration whose strategy cannot be made, or whose values
/// are out of the ranges the loader promises.
///
/// ```swift
/// ConfigurationHarness.run([0] + Array(#"{"autograd": {"backend": "exact"}}"#.utf8))
/// ```
public enum ConfigurationHarness {
    /// Where the file is written, but for its extension: one name per
    /// process (libFuzzer's workers are processes), in memory (`/dev/shm`)
    /// where there is one, else in the system's temporary directory. The
    /// file is removed after each input.
    static let stem: String = {
        let directory = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm/" : NSTemporaryDirectory()
        return directory + "autograd-fuzz-configuration-\(ProcessInfo.processInfo.processIdentifier)"
    }()

    /// Writes `bytes` to `path` without syncing to disk (`FileManager`'s
    /// atomic write syncs, which would cost most of the time of an input).
    static func write(_ bytes: ArraySlice<UInt8>, to path: String) -> Bool {
        guard let file = fopen(path, "wb") else { return false }
        let written = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
        return fclose(file) == 0 && written == bytes.count
    }

    /// Loads the configuration that `bytes` describe and checks the result.
    public static func run(_ bytes: [UInt8]) {
        guard let mode = bytes.first else { return }
        var rest = bytes.dropFirst()
        let key = AutogradConfiguration.Key.allCases[Int(mode >> 3) % AutogradConfiguration.Key.allCases.count]
        var flags: [AutogradConfiguration.Key: String] = [:]
        var environment: [String: String] = [:]
        if mode & 0b110 != 0 {
            let end = rest.firstIndex(of: 0) ?? rest.endIndex
            let value = String(decoding: rest[..<end], as: UTF8.self)
            rest = end < rest.endIndex ? rest[(end + 1)...] : []
            if mode & 0b010 != 0 { flags[key] = value }
            if mode & 0b100 != 0 { environment[key.environmentVariable] = value }
        }
        let path = stem + (mode & 1 == 0 ? ".json" : ".yaml")
        guard write(rest, to: path) else {
            fatalError("cannot write \(path)")   // the machine's fault, not the library's
        }
        defer { unlink(path) }

        let configuration: AutogradConfiguration
        do {
            configuration = try AutogradConfiguration.load(flags: flags, configFile: path, environment: environment)
        } catch {
            let message = error.description
            guard !message.isEmpty else { fuzzFailure("an empty ConfigurationError description") }
            if case .malformedFile(let blamed, let line, let column, _) = error {
                guard blamed == path else { fuzzFailure("a malformed file blamed \(blamed), not \(path)") }
                if let line, line < 1 { fuzzFailure("a malformed file at line \(line): \(message)") }
                if let column, column < 1 { fuzzFailure("a malformed file at column \(column): \(message)") }
            }
            return
        }
        let range = AutogradConfiguration.precisionRange
        guard range.contains(configuration.exactPrecision.value), range.contains(configuration.exactMaximumPrecision.value) else {
            fuzzFailure("precisions \(configuration.exactPrecision.value), \(configuration.exactMaximumPrecision.value) out of \(range)")
        }
        guard configuration.checkULPs.value.isFinite, configuration.checkULPs.value >= 0 else {
            fuzzFailure("check.ulps \(configuration.checkULPs.value) accepted")
        }
        _ = "\(configuration.backend.source) \(configuration.seed.value) \(configuration.file ?? "")"
        do {
            let strategy = try configuration.strategy()
            guard strategy.name == configuration.backend.value else {
                fuzzFailure("backend \(configuration.backend.value) made the strategy \(strategy.name)")
            }
        } catch {
            fuzzFailure("the loaded backend \(configuration.backend.value) made no strategy: \(error)")
        }
    }
}
