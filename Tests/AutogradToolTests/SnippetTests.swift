import Foundation
import Testing

/// The documentation's code listings are the `Snippets/` programs, which the
/// build compiles; here each one runs, and what it prints must be what its
/// `// Prints:` comments show, so no listing's output is hand-copied text.
@Suite struct SnippetTests {
    /// The package's `Snippets/` folder.
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Snippets")

    /// Every snippet, by its path in `Snippets/` without `.swift`: the
    /// articles' (`Lesson`) and the tutorial's (`Tutorial/TutorialLoss`).
    static var names: [String] {
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".swift") }.map { String($0.dropLast(6)) }.sorted()
    }

    /// The lines of every `// Prints:` block of a snippet, in order: the
    /// comment lines that follow the marker, without their `// ` prefix.
    static func expectedOutput(_ source: String) -> [String] {
        var expected: [String] = [], inBlock = false
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "// Prints:" { inBlock = true; continue }
            guard inBlock, line.hasPrefix("//"), !line.hasPrefix("// snippet.") else { inBlock = false; continue }
            expected.append(line == "//" ? "" : String(line.dropFirst(3)))
        }
        return expected
    }

    /// The tests' environment, but for leak detection in the snippets. A
    /// snippet keeps its values in top-level globals until it exits, and
    /// Swift stores some of them as enum payloads whose pointers carry tag
    /// bits, which LeakSanitizer's scan does not recognise: under
    /// `scripts/check-leaks.sh` it reported `CustomOp`'s exact gradient, held
    /// in a global, as leaked (in a `do` scope, the report goes). Memory
    /// errors are still caught; leaks are the suite's own tests' to find.
    static var environment: [String: String] {
        var environment = AutogradToolTests.cleanEnvironment
        environment["ASAN_OPTIONS"] = [environment["ASAN_OPTIONS"], "detect_leaks=0"].compactMap { $0 }.joined(separator: ":")
        return environment
    }

    @Test func everySnippetIsTested() {
        #expect(Self.names.contains("Lesson") && Self.names.contains("Tutorial/TutorialLoss"), "found \(Self.names) in \(Self.folder.path)")
    }

    @Test(arguments: names)
    func snippetPrintsWhatItsCommentsShow(name: String) throws {
        let source = try String(contentsOf: Self.folder.appendingPathComponent("\(name).swift"), encoding: .utf8)
        // SwiftPM names a snippet's executable after its file, whatever its group.
        let executable = AutogradToolTests.executable.deletingLastPathComponent()
            .appendingPathComponent(URL(fileURLWithPath: name).lastPathComponent)
        try #require(FileManager.default.isExecutableFile(atPath: executable.path), "the build did not make \(executable.path)")
        let process = Process()
        process.executableURL = executable
        process.environment = Self.environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let printed = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(printed.dropLast(printed.last == "" ? 1 : 0).elementsEqual(Self.expectedOutput(source)))
    }
}
