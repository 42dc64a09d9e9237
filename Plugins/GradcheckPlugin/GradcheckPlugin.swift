import Foundation
import PackagePlugin

/// `swift package gradcheck [options]`: builds the `autograd` tool and runs
/// `autograd check` with the options, in the package's directory (so its
/// `autograd.json` or `autograd.yaml` applies), passing the exit status on:
/// 0 when every gradient is within its bound, 1 when one is not, 2 for bad
/// configuration.
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
        exit(process.terminationStatus)
    }
}
