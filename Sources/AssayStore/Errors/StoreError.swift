import Foundation

/// Errors from the workspace, the artifact store and the lineage database.
///
/// Each `description` reads *where: what. what to do*.
public enum StoreError: CategorizedError, Sendable, Equatable {
    /// No workspace was found from `--workspace`, `ASSAY_WORKSPACE`, or the enclosing directories.
    case notAWorkspace(searchedFrom: String)
    /// `assay init` on a directory that already is a workspace.
    case workspaceExists(path: String)
    /// A file named on the command line does not exist.
    case fileNotFound(path: String)
    /// A directory was given where a file is expected.
    case isADirectory(path: String)
    /// A file exists but cannot be read or written.
    case io(path: String, operation: String, errno: Int32)
    /// The lineage database exists but is not a readable SQLite database.
    case corruptDatabase(path: String, detail: String)
    /// The lineage database was written by a newer Assay.
    case unknownSchema(path: String, migration: String)
    /// No artifact, run or name matches a reference typed by the user.
    case unknownReference(String)
    /// An id prefix matches more than one artifact or run.
    case ambiguousReference(String, candidates: [String])
    /// A reference was found but is not of the expected kind (artifact vs run).
    case wrongKind(reference: String, expected: String, actual: String)
    /// A name that cannot be used as a label.
    case invalidName(String, reason: String)
    /// An artifact id that is not `sha256:` + 64 lowercase hex digits.
    case invalidArtifactID(String)
    /// A recorded artifact whose blob file is missing.
    case blobMissing(id: String, path: String)
    /// A blob whose bytes no longer hash to its id.
    case blobCorrupt(id: String, actual: String)
    /// An error from SQLite that Assay did not expect.
    case database(String)
    /// A run was committed with an output or input that is not in the store.
    case invalidRun(String)

    public var category: ErrorCategory {
        switch self {
        case .blobCorrupt, .blobMissing: return .checkFailed
        case .database, .invalidRun: return .internal
        default: return .usage
        }
    }

    public var description: String {
        switch self {
        case .notAWorkspace(let dir):
            return "\(dir): not inside an Assay workspace (no lineage/lineage.sqlite here or in any parent). Run `assay init` to make one, or pass --workspace DIR or set ASSAY_WORKSPACE."
        case .workspaceExists(let path):
            return "\(path): already an Assay workspace. Use it as it is, or choose another directory."
        case .fileNotFound(let path):
            return "\(path): no such file. Check the path."
        case .isADirectory(let path):
            return "\(path): is a directory, not a file. Name a file inside it."
        case .io(let path, let op, let code):
            return "\(path): cannot \(op): \(String(cString: strerror(code))). Check permissions and free space."
        case .corruptDatabase(let path, let detail):
            return "\(path): the lineage database cannot be read (\(detail)). Restore it from a backup; `assay fsck` lists what is still intact."
        case .unknownSchema(let path, let migration):
            return "\(path): written by a newer Assay (unknown migration \(migration)). Upgrade assay to open it."
        case .unknownReference(let ref):
            return "\(ref): no artifact, run or name matches. List them with `assay ls`, `assay log` or `assay show NAME`."
        case .ambiguousReference(let ref, let candidates):
            let shown = candidates.prefix(10).joined(separator: ", ")
            return "\(ref): ambiguous, matches \(candidates.count) ids (\(shown)\(candidates.count > 10 ? ", …" : "")). Type more characters."
        case .wrongKind(let ref, let expected, let actual):
            return "\(ref): is a \(actual), expected a\(expected.first.map { "aeiou".contains($0) } == true ? "n" : "") \(expected)."
        case .invalidName(let name, let reason):
            return "\(name.debugDescription): not a valid name: \(reason)."
        case .invalidArtifactID(let text):
            return "\(text): not an artifact id (expected sha256: and 64 lowercase hex digits)."
        case .blobMissing(let id, let path):
            return "\(id): the artifact is recorded but its blob \(path) is missing. Restore it from a backup or a bundle; `assay fsck` lists all damage."
        case .blobCorrupt(let id, let actual):
            return "\(id): the blob's bytes now hash to \(actual); it was altered. Restore it from a backup or a bundle; `assay fsck` lists all damage."
        case .database(let detail):
            return "lineage database: \(detail)"
        case .invalidRun(let detail):
            return "run: \(detail)"
        }
    }
}
