import Foundation

/// Locates the `assay` executable the tests run: `$ASSAY_BIN` when set (to test a release
/// build), else the one built beside the test bundle.
public enum AssayBinary {
    public static var path: String {
        if let env = ProcessInfo.processInfo.environment["ASSAY_BIN"], !env.isEmpty { return env }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var dir = bundle
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("assay").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot + "/.build/debug/assay"
    }

    /// The package root, from this file's location.
    public static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// Runs `assay` with `arguments` in `directory`, with `ASSAY_WORKSPACE` unset unless given.
    public static func run(_ arguments: [String], in directory: String? = nil, environment extra: [String: String] = [:]) throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "ASSAY_WORKSPACE")
        for (k, v) in extra { env[k] = v }
        return try ChildProcess.run(path, arguments, environment: env, currentDirectory: directory)
    }
}
