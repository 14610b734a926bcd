import Foundation
import AssayCrypto
internal import GRDB

extension Workspace {
    /// The result of ``add(fileAt:kind:name:)``.
    public struct AddResult: Sendable, Codable {
        public var artifact: ArtifactInfo
        public var run: RunID
        /// Whether the content was already in the store before (same id, one blob).
        public var deduplicated: Bool
    }

    /// The operation name and version of `assay add`.
    public static let importOperation = (name: "import", version: 1)

    /// Adds a file to the store as an import run: streamed, hashed, stored once.
    ///
    /// - Parameters:
    ///   - kind: a free label such as `dataset`, `model`, `capture` (default `blob`).
    ///   - name: an optional name set to the new artifact in the same transaction.
    ///   - progress: called with the bytes read so far while the file streams in.
    public func add(fileAt path: String, kind: String = "blob", name: String? = nil, progress: ((Int64) -> Void)? = nil) throws -> AddResult {
        if let name { try Workspace.validateName(name) }
        let source = (path as NSString).lastPathComponent
        let recipe = Recipe(operation: Workspace.importOperation.name, operationVersion: Workspace.importOperation.version,
                            parameters: .object(["kind": .string(kind), "source_name": .string(source)]))
        let run = try beginRun(recipe)
        // A file that cannot be read records no run: there is nothing to reproduce.
        let id = try run.addOutput(fileAt: path, role: "artifact", kind: kind, progress: progress)
        // The artifact row is inserted at commit, so this tells whether the content was known.
        let before = try artifact(id) != nil
        let info = try run.commit(names: name.map { [$0: id] } ?? [:])
        guard let stored = try artifact(id) else { throw StoreError.invalidRun("artifact \(id) vanished after commit") }
        return AddResult(artifact: stored, run: info.id, deduplicated: before)
    }

    /// The artifact with this full id, or `nil`.
    public func artifact(_ id: ArtifactID) throws(StoreError) -> ArtifactInfo? {
        try database.read { db in try Workspace.fetchArtifacts(db, whereSQL: "a.id = ?", arguments: [id.rawValue]).first }
    }

    /// All artifacts, newest first, optionally of one kind.
    public func artifacts(kind: String? = nil) throws(StoreError) -> [ArtifactInfo] {
        try database.read { db in
            if let kind { return try Workspace.fetchArtifacts(db, whereSQL: "a.kind = ?", arguments: [kind]) }
            return try Workspace.fetchArtifacts(db, whereSQL: "1", arguments: [])
        }
    }

    static func fetchArtifacts(_ db: Database, whereSQL: String, arguments: StatementArguments) throws -> [ArtifactInfo] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT a.id, a.size, a.kind, a.created_at,
                   (SELECT group_concat(n.name, char(10)) FROM (SELECT name FROM name WHERE artifact_id = a.id ORDER BY name) n) AS names
            FROM artifact a WHERE \(whereSQL) ORDER BY a.created_at DESC, a.id
            """, arguments: arguments)
        return try rows.map { row in
            let names: String? = row["names"]
            return ArtifactInfo(id: try ArtifactID(row["id"] as String), size: row["size"], kind: row["kind"],
                                createdAt: row["created_at"],
                                names: names.map { $0.split(separator: "\n").map(String.init) } ?? [])
        }
    }

    // MARK: Names

    /// Points `name` at the artifact `id` (creating or moving the label); the change is kept in
    /// the name history.
    public func setName(_ name: String, to id: ArtifactID) throws(StoreError) {
        try Workspace.validateName(name)
        let now = Timestamp.now()
        try database.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM artifact WHERE id = ?)", arguments: [id.rawValue])! else {
                throw StoreError.unknownReference(id.rawValue)
            }
            try Workspace.setName(db, name: name, to: id, at: now, runID: nil)
        }
    }

    static func setName(_ db: Database, name: String, to id: ArtifactID, at time: String, runID: RunID?) throws {
        let previous = try String.fetchOne(db, sql: "SELECT artifact_id FROM name WHERE name = ?", arguments: [name])
        if previous == id.rawValue { return }
        try db.execute(sql: """
            INSERT INTO name(name, artifact_id, updated_at) VALUES (?, ?, ?)
            ON CONFLICT(name) DO UPDATE SET artifact_id = excluded.artifact_id, updated_at = excluded.updated_at
            """, arguments: [name, id.rawValue, time])
        try db.execute(sql: "INSERT INTO name_history(name, artifact_id, previous_artifact_id, set_at, run_id) VALUES (?, ?, ?, ?, ?)",
                       arguments: [name, id.rawValue, previous, time, runID?.rawValue])
    }

    /// The artifact a name points at, or `nil`.
    public func lookupName(_ name: String) throws(StoreError) -> ArtifactID? {
        let text = try database.read { db in try String.fetchOne(db, sql: "SELECT artifact_id FROM name WHERE name = ?", arguments: [name]) }
        return try text.map { (t: String) throws(StoreError) in try ArtifactID(t) }
    }

    /// Names are labels such as `model:digits-mlp@v2`: 1 to 200 characters, no whitespace or
    /// control characters, not starting with `sha256:` or `-`, and not a bare hex string (which
    /// would read as an id prefix).
    public static func validateName(_ name: String) throws(StoreError) {
        if name.isEmpty { throw .invalidName(name, reason: "it is empty") }
        if name.count > 200 { throw .invalidName(name, reason: "it is longer than 200 characters") }
        if name.hasPrefix(ArtifactID.scheme) { throw .invalidName(name, reason: "it starts with sha256:, which is reserved for ids") }
        if name.hasPrefix("-") { throw .invalidName(name, reason: "it starts with -, which reads as an option") }
        if name.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7f }) {
            throw .invalidName(name, reason: "it contains whitespace or control characters")
        }
        if name.utf8.allSatisfy({ Hex.isHexOrDash($0) }) {
            throw .invalidName(name, reason: "it is made of hex digits only and would read as an id prefix; add a letter such as a kind prefix (dataset:…)")
        }
    }
}

extension Hex {
    static func isHexOrDash(_ c: UInt8) -> Bool { Hex.isLowerHexDigit(c) || c == UInt8(ascii: "-") }
}
