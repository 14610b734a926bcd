import Foundation

/// An Assay workspace: `artifacts/` (immutable content-addressed blobs) and
/// `lineage/lineage.sqlite` (runs, artifacts, names).
///
/// Open one per process and share it: it holds the single database pool for the workspace.
///
/// ```swift
/// let ws = try Workspace.initialize(at: "/tmp/demo")
/// let added = try ws.add(fileAt: "iris.csv", kind: "dataset", name: "iris")
/// ```
public final class Workspace: Sendable {
    /// The workspace directory (absolute, standardised).
    public let root: String
    /// The blob files.
    public let blobs: BlobStore
    let database: LineageDatabase

    /// Relative path of the lineage database inside a workspace.
    public static let databaseRelativePath = "lineage/lineage.sqlite"

    init(root: String, create: Bool) throws(StoreError) {
        self.root = root
        self.blobs = BlobStore(root: root + "/artifacts")
        self.database = try LineageDatabase(path: root + "/" + Workspace.databaseRelativePath, create: create)
    }

    /// Makes a workspace in `directory` (created if missing); an existing `artifacts/` or
    /// `lineage/` folder without a database is adopted, as the repository's own default one is.
    ///
    /// - Throws: ``StoreError/workspaceExists(path:)`` when a lineage database is already there.
    public static func initialize(at directory: String) throws(StoreError) -> Workspace {
        let root = absolute(directory)
        if isWorkspace(root) { throw .workspaceExists(path: root) }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: root, isDirectory: &isDir), !isDir.boolValue {
            throw .io(path: root, operation: "use as a workspace directory (it is a file)", errno: ENOTDIR)
        }
        do {
            try FileManager.default.createDirectory(atPath: root + "/lineage", withIntermediateDirectories: true)
        } catch {
            throw .io(path: root + "/lineage", operation: "create directory", errno: (error as NSError).code == 0 ? EIO : EACCES)
        }
        try BlobStore(root: root + "/artifacts").createLayout()
        let ws = try Workspace(root: root, create: true)
        try BlobStore.syncDirectory(root + "/lineage")
        return ws
    }

    /// Opens the workspace at `directory`.
    /// - Throws: ``StoreError/notAWorkspace(searchedFrom:)`` when it has no lineage database.
    public static func open(at directory: String) throws(StoreError) -> Workspace {
        let root = absolute(directory)
        guard isWorkspace(root) else { throw .notAWorkspace(searchedFrom: root) }
        return try Workspace(root: root, create: false)
    }

    /// Finds the workspace as git finds a repository: `explicit` (from `--workspace`) first, then
    /// `ASSAY_WORKSPACE`, then the nearest directory holding one, from `currentDirectory` upwards.
    public static func locate(
        explicit: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(StoreError) -> Workspace {
        try open(at: locateRoot(explicit: explicit, environment: environment, currentDirectory: currentDirectory))
    }

    /// The directory ``locate(explicit:environment:currentDirectory:)`` would open, found without
    /// opening the database (which `fsck` must be able to examine even when damaged).
    public static func locateRoot(
        explicit: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(StoreError) -> String {
        if let explicit { return absolute(explicit) }
        if let fromEnv = environment["ASSAY_WORKSPACE"], !fromEnv.isEmpty { return absolute(fromEnv) }
        var dir = absolute(currentDirectory)
        while true {
            if isWorkspace(dir) { return dir }
            let parent = (dir as NSString).deletingLastPathComponent
            if parent == dir || parent.isEmpty { break }
            dir = parent
        }
        throw .notAWorkspace(searchedFrom: absolute(currentDirectory))
    }

    /// Whether `directory` holds a lineage database.
    public static func isWorkspace(_ directory: String) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/" + databaseRelativePath)
    }

    static func absolute(_ path: String) -> String {
        let p = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (p as NSString).standardizingPath
    }
}
