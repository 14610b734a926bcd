import Foundation

/// A workspace in a temporary directory, for tests that drive the `assay` binary.
public struct CLIWorkspace: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The temporary directory; the workspace is its `ws` folder.
    public let dir: TemporaryDirectory
    /// The workspace path.
    public let path: String

    /// Makes the directory and runs `assay init` in it.
    public init() throws {
        dir = try TemporaryDirectory()
        path = dir.file("ws")
        let r = try AssayBinary.run(["init", path])
        guard r.status == 0 else { throw Failure(description: "assay init failed: \(r.stderr)") }
    }
}

/// A test suite that runs `assay` against one ``CLIWorkspace``.
public protocol CLIWorkspaceSuite {
    var workspace: CLIWorkspace { get }
}

extension CLIWorkspaceSuite {
    public var dir: TemporaryDirectory { workspace.dir }
    public var ws: String { workspace.path }

    /// Runs `assay ARGS --workspace WS`.
    public func assay(_ args: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        try AssayBinary.run(args + ["--workspace", workspace.path], environment: environment)
    }

    /// The JSON object a command printed on stdout.
    public func json(_ r: ProcessResult) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] else {
            throw CLIWorkspace.Failure(description: "not a JSON object on stdout: \(r.stdout)\(r.stderr)")
        }
        return object
    }
}
