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

extension CLIWorkspaceSuite {
    /// Runs `assay ARGS --workspace WS` and throws with its output unless it succeeds.
    @discardableResult
    public func assayOK(_ args: [String]) throws -> ProcessResult {
        let r = try assay(args)
        guard r.status == 0 else { throw CLIWorkspace.Failure(description: "assay \(args.joined(separator: " ")) exited \(r.status): \(r.stdout)\(r.stderr)") }
        return r
    }

    /// Records a replay that raises alerts (a KS detector on two features, 200 events of which
    /// the last 100 are shifted, windows of 100) and returns the id of its first alert.
    public func makeAlert(seed: UInt64 = 3) throws -> String {
        var x = seed
        func u() -> Double { x = x &* 6364136223846793005 &+ 1442695040888963407; return Double(x >> 11) / 9007199254740992.0 }
        let ref = try dir.write("ref.csv", "a,b\n" + (0..<200).map { _ in "\(u()),\(u())" }.joined(separator: "\n") + "\n")
        let traffic = try dir.write("traffic.csv", "request_id,a,b\n" + (0..<200).map { i in "r\(i),\(u() + (i >= 100 ? 1 : 0)),\(u())" }.joined(separator: "\n") + "\n")
        try assayOK(["detector", "fit", "ks", "--reference", ref, "--name", "detector:ks"])
        try assayOK(["capture", "import", traffic, "--format", "csv", "--name", "capture:t"])
        let spec = try dir.write("spec.yaml", "version: 1\nmodel: recorded\nwindow: {size: 100}\ndetectors:\n  - {name: f, detector: detector:ks}\n")
        let r = try assayOK(["replay", spec, "--capture", "capture:t", "--json"])
        guard let id = ((try json(r)["alerts"] as? [[String: Any]])?.first?["id"]) as? String else {
            throw CLIWorkspace.Failure(description: "the replay raised no alert: \(r.stdout)")
        }
        return id
    }
}
