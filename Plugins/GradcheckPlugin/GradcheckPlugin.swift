import Foundation
import PackagePlugin

/// `swift package gradcheck [options]`: builds the `autograd` tool and runs
/// `autograd check` with the options, in the package's directory (so its
/// `autograd.json` or `autograd.yaml` applies), and ends with the tool's exit
/// status: 0 when every gradient is within its bound, 1 when one is not, 2
/// for bad configuration. SwiftPM itself then exits 0 or 1 (it does not pass
/// a plugin's other statuses on: swiftlang/swift-package-manager#7380), so the
/// plugin also says which status the tool gave.
///
/// ```sh
/// swift package gradcheck --backend forward --size 64
/// swift package gradcheck --all-backends --format json
/// ```
@main
struct GradcheckPlugin: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        let build = try packageManager.build(.product("autograd"), parameters: .init(configuration: .debug, echoLogs: false))
        guard build.succeeded,
            let tool = build.builtArtifacts.first(where: { $0.kind == .executable && $0.url.lastPathComponent == "autograd" })
        else {
            Diagnostics.error("gradcheck: building the autograd tool failed:\n\(build.logText)")
            exit(1)
        }
        let process = Process()
        process.executableURL = tool.url
        process.arguments = ["check"] + arguments
        process.currentDirectoryURL = context.package.directoryURL
        try process.run()
        process.waitUntilExit()
        let status = process.terminationStatus
        switch status {
        case 0: break
        case 1: Diagnostics.error("gradcheck: a gradient is outside its bound (autograd check exited with status 1)")
        case 2: Diagnostics.error("gradcheck: bad configuration (autograd check exited with status 2)")
        default: Diagnostics.error("gradcheck: autograd check exited with status \(status)")
        }
        exit(status)
    }
}
