import Foundation
internal import GRDB

/// The lineage database, `lineage/lineage.sqlite`: artifacts, runs and their inputs and outputs,
/// names. One WAL-mode pool per workspace per process; a busy timeout lets several `assay`
/// processes share a workspace.
final class LineageDatabase: Sendable {
    let path: String
    let pool: DatabasePool

    /// How long a writer waits for another process's transaction before giving up.
    static let busyTimeout: TimeInterval = 60

    init(path: String, create: Bool) throws(StoreError) {
        self.path = path
        if !create, !FileManager.default.fileExists(atPath: path) {
            throw .notAWorkspace(searchedFrom: path)
        }
        var config = Configuration()
        config.busyMode = .timeout(LineageDatabase.busyTimeout)
        config.foreignKeysEnabled = true
        config.label = "assay.lineage"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Reads of large lineages are CPU-bound in SQLite; mapping the file saves copies.
            try db.execute(sql: "PRAGMA mmap_size = 1073741824")
            // The recursive lineage walk deduplicates in a temporary b-tree: keep it in memory.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw LineageDatabase.map(error, path: path)
        }
        do {
            let migrator = LineageDatabase.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                let applied = try pool.read { try migrator.appliedIdentifiers($0) }
                let known = Set(migrator.migrations)
                throw StoreError.unknownSchema(path: path, migration: applied.subtracting(known).sorted().first ?? "?")
            }
            try migrator.migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw LineageDatabase.map(error, path: path)
        }
    }

    /// Maps GRDB/SQLite errors to store errors that name the database file.
    static func map(_ error: any Error, path: String) -> StoreError {
        if let e = error as? StoreError { return e }
        if let db = error as? DatabaseError {
            switch db.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                return .corruptDatabase(path: path, detail: db.message ?? "\(db.resultCode)")
            case .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM:
                return .io(path: path, operation: "open", errno: EACCES)
            default:
                return .database("\(path): \(db.message ?? "") (\(db.resultCode))")
            }
        }
        return .database("\(path): \(error)")
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try pool.read(body) } catch { throw LineageDatabase.map(error, path: path) }
    }

    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try pool.write(body) } catch { throw LineageDatabase.map(error, path: path) }
    }
}
