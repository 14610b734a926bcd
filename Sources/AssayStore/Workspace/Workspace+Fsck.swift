import Foundation
import AssayCrypto
internal import GRDB

/// One finding of ``Workspace/fsck(root:repair:)``.
public struct FsckFinding: Sendable, Codable, Equatable {
    /// A stable machine-readable code, e.g. `blob_altered`, `blob_missing`, `orphan_temporary`.
    public var code: String
    /// The artifact id, run id, name or path concerned.
    public var subject: String
    /// What is wrong and what to do.
    public var detail: String
    /// Whether `--repair` fixes it (only orphan temporary files are ever removed).
    public var repairable: Bool
}

/// What ``Workspace/fsck(root:repair:)`` found.
public struct FsckReport: Sendable, Encodable {
    /// Damage: the workspace is not clean while this is non-empty.
    public var problems: [FsckFinding] = []
    /// Harmless observations (unindexed blobs left by an interrupted write, writes in progress).
    public var notes: [FsckFinding] = []
    /// Paths removed by `--repair`.
    public var repaired: [String] = []
    public var artifactsChecked = 0
    public var blobsChecked = 0
    public var runsChecked = 0
    public var namesChecked = 0

    /// True when no damage remains.
    public var isClean: Bool { problems.isEmpty }

    enum CodingKeys: String, CodingKey {
        case problems, notes, repaired
        case clean
        case artifactsChecked = "artifacts_checked"
        case blobsChecked = "blobs_checked"
        case runsChecked = "runs_checked"
        case namesChecked = "names_checked"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(isClean, forKey: .clean)
        try c.encode(problems, forKey: .problems)
        try c.encode(notes, forKey: .notes)
        try c.encode(repaired, forKey: .repaired)
        try c.encode(artifactsChecked, forKey: .artifactsChecked)
        try c.encode(blobsChecked, forKey: .blobsChecked)
        try c.encode(runsChecked, forKey: .runsChecked)
        try c.encode(namesChecked, forKey: .namesChecked)
    }

    init() {}
}

extension Workspace {
    /// Checks the workspace at `root`: the database's integrity and references, every blob
    /// against its id, every run's recipe digest, every name. With `repair`, removes temporary
    /// files left by writers that died, and nothing else.
    ///
    /// Works even when the database cannot be opened: the blobs are still checked.
    public static func fsck(root directory: String, repair: Bool = false) throws(StoreError) -> FsckReport {
        let root = absolute(directory)
        guard isWorkspace(root) else { throw .notAWorkspace(searchedFrom: root) }
        var report = FsckReport()
        let blobs = BlobStore(root: root + "/artifacts")
        var indexed: [ArtifactID: Int64] = [:]

        var workspace: Workspace?
        do {
            workspace = try Workspace(root: root, create: false)
        } catch {
            report.problems.append(FsckFinding(code: "database_unreadable", subject: root + "/" + databaseRelativePath,
                                               detail: (error as StoreError).description, repairable: false))
        }
        if let ws = workspace {
            do {
                try ws.checkDatabase(into: &report, indexed: &indexed)
            } catch {
                report.problems.append(FsckFinding(code: "database_unreadable", subject: ws.database.path,
                                                   detail: error.description, repairable: false))
            }
        }
        checkBlobFiles(blobs, indexed: indexed, into: &report)
        checkTemporaryFiles(blobs, repair: repair, into: &report)
        return report
    }

    private func checkDatabase(into report: inout FsckReport, indexed: inout [ArtifactID: Int64]) throws(StoreError) {
        let path = database.path
        let (integrity, foreignKeys, artifactRows, nameRows) = try database.read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            let fk = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
            let artifacts = try Row.fetchAll(db, sql: "SELECT id, size FROM artifact ORDER BY id")
            let names = try Row.fetchAll(db, sql: "SELECT name, artifact_id FROM name ORDER BY name")
            return (integrity, fk, artifacts, names)
        }
        if integrity != ["ok"] {
            for line in integrity {
                report.problems.append(FsckFinding(code: "database_integrity", subject: path, detail: line + ". Restore the database from a backup.", repairable: false))
            }
        }
        for row in foreignKeys {
            let table: String = row["table"]
            let parent: String = row["parent"]
            let rowid: Int64? = row["rowid"]
            report.problems.append(FsckFinding(code: "dangling_reference", subject: "\(path): table \(table)",
                                               detail: "a row\(rowid.map { " (rowid \($0))" } ?? "") refers to a missing \(parent). The lineage was edited outside Assay; restore it from a backup.",
                                               repairable: false))
        }
        // Artifacts: blob present, right size, right hash.
        for row in artifactRows {
            let text: String = row["id"]
            let size: Int64 = row["size"]
            report.artifactsChecked += 1
            guard ArtifactID.isValid(text), let id = try? ArtifactID(text) else {
                report.problems.append(FsckFinding(code: "malformed_id", subject: text, detail: "an artifact row has a malformed id. The lineage was edited outside Assay.", repairable: false))
                continue
            }
            indexed[id] = size
            do {
                guard let (actual, actualSize) = try blobs.rehash(id) else {
                    report.problems.append(FsckFinding(code: "blob_missing", subject: text, detail: "recorded, but its blob \(blobs.path(for: id)) is missing. Restore it from a backup or a bundle.", repairable: false))
                    continue
                }
                if actual != id {
                    report.problems.append(FsckFinding(code: "blob_altered", subject: text, detail: "its blob \(blobs.path(for: id)) now hashes to \(actual): the bytes were altered. Restore it from a backup or a bundle.", repairable: false))
                } else if actualSize != size {
                    report.problems.append(FsckFinding(code: "size_mismatch", subject: text, detail: "recorded with size \(size), blob has \(actualSize) bytes. The lineage was edited outside Assay.", repairable: false))
                }
            } catch {
                report.problems.append(FsckFinding(code: "blob_unreadable", subject: text, detail: "\(error)", repairable: false))
            }
        }
        // Runs: the stored recipe digest must match the stored recipe.
        let runs = try self.runs(whereSQL: "1", arguments: [], limit: nil)
        for run in runs {
            report.runsChecked += 1
            let recomputed = try? run.recipe.digest()
            if recomputed != run.recipeDigest {
                report.problems.append(FsckFinding(code: "recipe_digest_mismatch", subject: run.id.rawValue,
                                                   detail: "recorded recipe digest \(run.recipeDigest), recipe hashes to \(recomputed ?? "nothing (not canonical)"). The run's parameters, seed or inputs were edited outside Assay.",
                                                   repairable: false))
            }
        }
        for row in nameRows {
            let name: String = row["name"]
            report.namesChecked += 1
            do { try Workspace.validateName(name) } catch {
                report.problems.append(FsckFinding(code: "invalid_name", subject: name, detail: error.description, repairable: false))
            }
        }
    }

    private static func checkBlobFiles(_ blobs: BlobStore, indexed: [ArtifactID: Int64], into report: inout FsckReport) {
        let fm = FileManager.default
        let sha = blobs.shaDirectory
        guard let fanouts = try? fm.contentsOfDirectory(atPath: sha) else {
            report.problems.append(FsckFinding(code: "store_missing", subject: sha, detail: "the blob directory is missing or unreadable.", repairable: false))
            return
        }
        for fanout in fanouts.sorted() {
            let dir = sha + "/" + fanout
            let fanoutValid = fanout.utf8.count == 2 && fanout.utf8.allSatisfy { Hex.isLowerHexDigit($0) }
            guard fanoutValid, let files = try? fm.contentsOfDirectory(atPath: dir) else {
                report.problems.append(FsckFinding(code: "stray_file", subject: dir, detail: "not part of the store layout (artifacts/sha256/<2 hex>/<62 hex>). Move it out of the workspace.", repairable: false))
                continue
            }
            for file in files.sorted() {
                let path = dir + "/" + file
                guard let id = try? ArtifactID(ArtifactID.scheme + fanout + file) else {
                    report.problems.append(FsckFinding(code: "stray_file", subject: path, detail: "not a blob name. Move it out of the workspace.", repairable: false))
                    continue
                }
                report.blobsChecked += 1
                if indexed[id] != nil { continue }   // hashed already with its row
                if let (actual, _) = try? blobs.rehash(id), actual != id {
                    report.problems.append(FsckFinding(code: "blob_altered", subject: id.rawValue, detail: "unrecorded blob \(path) hashes to \(actual): the bytes were altered.", repairable: false))
                } else {
                    report.notes.append(FsckFinding(code: "unindexed_blob", subject: id.rawValue, detail: "a complete blob with no artifact row, left by an interrupted run; harmless, and adopted if the same content is added again.", repairable: false))
                }
            }
        }
    }

    private static func checkTemporaryFiles(_ blobs: BlobStore, repair: Bool, into report: inout FsckReport) {
        let tmp = blobs.temporaryDirectory
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: tmp) else { return }
        for file in files.sorted() {
            let path = tmp + "/" + file
            var alive = false
            if file.hasPrefix(BlobStore.temporaryPrefix) {
                let rest = file.dropFirst(BlobStore.temporaryPrefix.count)
                if let pid = rest.split(separator: "-").first.flatMap({ Int32($0) }), pid > 0 {
                    alive = kill(pid, 0) == 0 || errno == EPERM
                }
            }
            if alive {
                report.notes.append(FsckFinding(code: "write_in_progress", subject: path, detail: "a temporary file of a running assay process.", repairable: false))
                continue
            }
            if repair {
                if unlink(path) == 0 { report.repaired.append(path); continue }
            }
            report.problems.append(FsckFinding(code: "orphan_temporary", subject: path, detail: "a temporary file left by a writer that stopped; never visible as an artifact. `assay fsck --repair` removes it.", repairable: true))
        }
    }
}
